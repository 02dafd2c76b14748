from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Account, EntitlementPeriod
from codes.health import AccountActionCode, HealthComponent
from codes.opportunities import HeldBackReason
from codes.triggers import ALERT_LEVELS
from metrics.revenue import mrr_from_arr

from ..models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.BooleanField(
        required=False, write_only=True, help_text="PATCH true to mark as read"
    )

    class Meta:
        model = Notification
        fields = ["id", "message", "url", "created", "read_at", "read"]
        read_only_fields = ["id", "message", "url", "created", "read_at"]


class HealthComponentsSerializer(serializers.Serializer):
    adoption = serializers.FloatField()
    trend = serializers.FloatField()
    sentiment = serializers.FloatField()
    support = serializers.FloatField()
    relationship = serializers.FloatField()


class HealthSerializer(serializers.Serializer):
    score = serializers.FloatField()
    as_of = serializers.DateField()
    components = HealthComponentsSerializer()


class UtilizationSerializer(serializers.Serializer):
    sku = serializers.CharField()
    metric = serializers.CharField()
    limit = serializers.DecimalField(max_digits=20, decimal_places=4, coerce_to_string=False)
    period = serializers.ChoiceField(choices=EntitlementPeriod.choices)
    used = serializers.FloatField()
    ratio = serializers.FloatField()
    level = serializers.ChoiceField(
        choices=[0, *ALERT_LEVELS], help_text="highest alert level reached (0: none)"
    )


class EligibilitySerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class HeldBackSerializer(serializers.Serializer):
    play = serializers.CharField()
    target_sku = serializers.CharField(allow_null=True)
    score = serializers.FloatField()
    reason = serializers.ChoiceField(choices=list(HeldBackReason.codes))
    detail = serializers.CharField(help_text="what the rule saw, e.g. 'CREDIT lost on 2026-04-15'")


class AccountSerializer(serializers.ModelSerializer):
    health = serializers.SerializerMethodField()
    utilization = serializers.SerializerMethodField()
    eligibility = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    held_back = serializers.SerializerMethodField()
    arr = serializers.SerializerMethodField()
    mrr = serializers.SerializerMethodField()
    renewal_date = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Account
        fields = [
            "external_id",
            "name",
            "segment",
            "industry",
            "region",
            "domain",
            "owner_email",
            "csm_email",
            "customer_since",
            "health",
            "utilization",
            "eligibility",
            "actions",
            "held_back",
            "arr",
            "mrr",
            "renewal_date",
        ]
        read_only_fields = fields

    def _details(self, obj: Account) -> dict:
        return self.context["details"][obj.pk]

    @extend_schema_field(HealthSerializer(allow_null=True))
    def get_health(self, obj: Account) -> dict | None:
        snap = self._details(obj)["health"]
        if snap is None:
            return None
        return {
            "score": round(snap.score, 1),
            "as_of": snap.as_of,
            "components": {name: round(getattr(snap, name), 1) for name in HealthComponent.codes},
        }

    @extend_schema_field(UtilizationSerializer(many=True))
    def get_utilization(self, obj: Account) -> list[dict]:
        return UtilizationSerializer(self._details(obj)["utilization"], many=True).data

    @extend_schema_field(EligibilitySerializer(allow_null=True))
    def get_eligibility(self, obj: Account) -> dict | None:
        snap = self._details(obj)["health"]
        return None if snap is None else {"eligible": snap.eligible, "reasons": snap.reasons}

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=list(AccountActionCode.codes)))
    )
    def get_actions(self, obj: Account) -> list[str]:
        return [a.code for a in self._details(obj)["actions"]]

    @extend_schema_field(HeldBackSerializer(many=True))
    def get_held_back(self, obj: Account) -> list[dict]:
        """Candidates that wait (scoring.md section 4b), read from the health snapshot."""
        snap = self._details(obj)["health"]
        if snap is None:
            return []
        return [
            {
                "play": h.get("play"),
                "target_sku": h.get("target_sku"),
                "score": h.get("score"),
                "reason": h.get("reason"),
                "detail": h.get("detail", ""),
            }
            for h in snap.held_back or []
        ]

    @extend_schema_field(
        serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=False)
    )
    def get_arr(self, obj: Account) -> Decimal:
        return (obj.arr_on_day or Decimal(0)).quantize(Decimal("0.01"))

    @extend_schema_field(
        serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=False)
    )
    def get_mrr(self, obj: Account) -> Decimal:
        return mrr_from_arr(obj.arr_on_day)
