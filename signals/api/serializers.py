from __future__ import annotations

from rest_framework import serializers

from accounts.api.serializers import VisibleAccountField

from ..models import SIGNAL_KINDS_WITH_VALUE, AccountSignal


class AccountSignalSerializer(serializers.ModelSerializer):
    account = VisibleAccountField()

    class Meta:
        model = AccountSignal
        fields = ["id", "account", "date", "kind", "value", "department", "detail"]

    def validate(self, attrs):
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        value = attrs.get("value", getattr(self.instance, "value", None))
        department = attrs.get("department", getattr(self.instance, "department", ""))
        if kind in SIGNAL_KINDS_WITH_VALUE and value is None:
            raise serializers.ValidationError({"value": f"required for kind '{kind}'"})
        if kind == "internal_referral" and not department:
            raise serializers.ValidationError(
                {"department": "required for kind 'internal_referral'"}
            )
        return attrs


class UsageRowSerializer(serializers.Serializer):
    """One usage row (documentation of the batch's shape; validation is row by row)."""

    account_id = serializers.CharField(help_text="the account's external id")
    metric = serializers.CharField(max_length=64)
    date = serializers.DateField()
    quantity = serializers.FloatField(min_value=0)


class UsageRejectionSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    field = serializers.CharField()
    error = serializers.CharField()


class UsageIngestResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    rejected = UsageRejectionSerializer(many=True)
