from __future__ import annotations

import uuid
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from books.rules import BookRulesMixin
from metrics.revenue import mrr_from_arr

from ..models import (
    Account,
    ContractLine,
    EntitlementPeriod,
    Priority,
    Product,
    Stakeholder,
)


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
        choices=[0, 80, 90, 95], help_text="highest alert level reached (0: none)"
    )


class EligibilitySerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class HeldBackSerializer(serializers.Serializer):
    play = serializers.CharField()
    target_sku = serializers.CharField(allow_null=True)
    score = serializers.FloatField()
    reason = serializers.ChoiceField(choices=["recently_lost", "deal_in_progress", "one_at_a_time"])
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
            "components": {
                name: round(getattr(snap, name), 1)
                for name in ("adoption", "trend", "sentiment", "support", "relationship")
            },
        }

    @extend_schema_field(UtilizationSerializer(many=True))
    def get_utilization(self, obj: Account) -> list[dict]:
        return UtilizationSerializer(self._details(obj)["utilization"], many=True).data

    @extend_schema_field(EligibilitySerializer(allow_null=True))
    def get_eligibility(self, obj: Account) -> dict | None:
        snap = self._details(obj)["health"]
        return None if snap is None else {"eligible": snap.eligible, "reasons": snap.reasons}

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(
                choices=["health_recovery", "adoption_intervention", "develop_sponsor"]
            )
        )
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


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["sku", "name", "kind", "family", "tier_rank", "department", "list_arr"]


class ContractLineSerializer(serializers.ModelSerializer):
    account = serializers.CharField(source="account.external_id")
    sku = serializers.CharField(source="product.sku")

    class Meta:
        model = ContractLine
        fields = ["external_id", "account", "sku", "start_date", "end_date", "arr"]


class _VisibleSlugField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="external_id", **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


class VisibleAccountField(_VisibleSlugField):
    """An account named by external id, among those the requesting user may see."""

    def get_queryset(self):
        return Account.objects.restrict(self.context["request"].user)


def new_stakeholder_external_id() -> str:
    """An external id for a stakeholder created through the API (``api-`` and 32 hex)."""
    return f"api-{uuid.uuid4().hex}"


class StakeholderSerializer(BookRulesMixin, serializers.ModelSerializer):
    """Stakeholders' external ids are one namespace for the whole book (the book format keys
    stakeholders by ``external_id`` alone and priorities name them by it), so a client that
    chose one could learn from "already exists" that another user's stakeholder holds it.
    The API therefore assigns the external id of a stakeholder it creates and never changes
    one; CRM ids come in through ``import_book``."""

    account = VisibleAccountField()
    book_file = "stakeholders.csv"
    external_id = serializers.CharField(
        read_only=True,
        help_text="assigned by the server on create (api-…), or the CRM id from the book",
    )

    class Meta:
        model = Stakeholder
        fields = [
            "id",
            "external_id",
            "account",
            "name",
            "email",
            "title",
            "department",
            "role",
            "influence",
            "active",
        ]

    def validate(self, attrs: dict) -> dict:
        # Assigned before the book's rules run, which require an external id.
        if self.instance is None:
            attrs = {**attrs, "external_id": new_stakeholder_external_id()}
        return super().validate(attrs)


class VisibleStakeholderField(_VisibleSlugField):
    """A stakeholder named by external id, among those the requesting user may see."""

    def get_queryset(self):
        return Stakeholder.objects.restrict(self.context["request"].user)


class PrioritySerializer(BookRulesMixin, serializers.ModelSerializer):
    stakeholder = VisibleStakeholderField()
    book_file = "priorities.csv"

    class Meta:
        model = Priority
        fields = ["id", "stakeholder", "year", "priority", "department", "source"]
