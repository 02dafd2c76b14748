from __future__ import annotations

from rest_framework import serializers

from accounts.api.serializers import VisibleAccountField
from core.api.book_rules import BookRulesMixin

from ..book import SIGNALS_FILE
from ..models import USAGE_QUANTITY_MAX, AccountSignal


class AccountSignalSerializer(BookRulesMixin, serializers.ModelSerializer):
    """The import's rules for signals.csv apply (e.g. an NPS is 0 to 10)."""

    account = VisibleAccountField()
    book_spec = SIGNALS_FILE

    class Meta:
        model = AccountSignal
        fields = ["id", "account", "date", "kind", "value", "department", "detail"]


class UsageRowSerializer(serializers.Serializer):
    """One usage row (documentation of the batch's shape; validation is row by row)."""

    account_id = serializers.CharField(help_text="the account's external id")
    metric = serializers.CharField(max_length=64)
    date = serializers.DateField()
    quantity = serializers.FloatField(min_value=0, max_value=USAGE_QUANTITY_MAX)


class UsageRejectionSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    field = serializers.CharField()
    error = serializers.CharField()


class UsageIngestResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    rejected = UsageRejectionSerializer(many=True)
