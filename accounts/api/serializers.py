from __future__ import annotations

import uuid

from rest_framework import serializers

from core.api.book_rules import BookRulesMixin

from ..book import PRIORITIES_FILE, STAKEHOLDERS_FILE
from ..models import (
    Account,
    ContractLine,
    Priority,
    Product,
    Stakeholder,
)


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
    book_spec = STAKEHOLDERS_FILE
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
    """The import's rules for priorities.csv apply (e.g. a year from 1900 to 2999)."""

    stakeholder = VisibleStakeholderField()
    book_spec = PRIORITIES_FILE

    class Meta:
        model = Priority
        fields = ["id", "stakeholder", "year", "priority", "department", "source"]
