from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Segment

from ..models import Opportunity, Stage


class AccountRefSerializer(serializers.Serializer):
    external_id = serializers.CharField()
    name = serializers.CharField()
    segment = serializers.ChoiceField(choices=Segment.choices)


class TriggerSerializer(serializers.Serializer):
    code = serializers.CharField()
    points = serializers.FloatField()
    detail = serializers.CharField()


class SponsorSerializer(serializers.Serializer):
    name = serializers.CharField()
    priority = serializers.CharField(allow_null=True)


class OpportunitySerializer(serializers.ModelSerializer):
    account = AccountRefSerializer(read_only=True)
    target_sku = serializers.CharField(
        source="target_product.sku", read_only=True, allow_null=True, default=None
    )
    department = serializers.SerializerMethodField()
    play = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    triggers = TriggerSerializer(many=True, read_only=True)
    sponsor = serializers.SerializerMethodField()

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "external_id",
            "account",
            "play",
            "motion",
            "target_sku",
            "department",
            "status",
            "stage",
            "score",
            "triggers",
            "new_champion_needed",
            "sponsor",
            "explanation",
            "amount_arr",
            "notes",
            "as_of",
            "created",
            "closed",
            "updated",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_department(self, obj: Opportunity) -> str | None:
        return obj.department or None

    @extend_schema_field(
        serializers.ChoiceField(
            choices=Opportunity._meta.get_field("play").choices, allow_null=True
        )
    )
    def get_play(self, obj: Opportunity) -> str | None:
        return obj.play or None

    @extend_schema_field(
        serializers.ChoiceField(
            choices=Opportunity._meta.get_field("status").choices, allow_null=True
        )
    )
    def get_status(self, obj: Opportunity) -> str | None:
        return obj.status or None

    @extend_schema_field(SponsorSerializer(allow_null=True))
    def get_sponsor(self, obj: Opportunity) -> dict | None:
        if obj.sponsor_id is None:
            return None
        priority = obj.sponsor_priority.priority if obj.sponsor_priority_id else None
        return {"name": obj.sponsor.name, "priority": priority}


class OpportunityUpdateSerializer(serializers.Serializer):
    """PATCH: the fields a person may change."""

    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    amount_arr = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10_000)


