from __future__ import annotations

from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from ..models import ContractLine, Priority, Product, Stakeholder
from ..permissions import MayChange
from ..services import (
    priority_create,
    priority_delete,
    priority_update,
    stakeholder_create,
    stakeholder_delete,
    stakeholder_update,
)
from .serializers import (
    ContractLineSerializer,
    PrioritySerializer,
    ProductSerializer,
    StakeholderSerializer,
)


class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalogue (read-only)."""

    queryset = Product.objects.order_by("sku")
    serializer_class = ProductSerializer
    lookup_field = "sku"
    lookup_value_regex = "[^/]+"
    filterset_fields = ["kind", "family", "department"]


class ContractLineViewSet(viewsets.ReadOnlyModelViewSet):
    """Contract lines of the accounts the user may see (read-only)."""

    serializer_class = ContractLineSerializer
    lookup_field = "external_id"
    lookup_value_regex = "[^/]+"
    filterset_fields = {"account__external_id": ["exact"], "product__sku": ["exact"]}

    def get_queryset(self):
        return (
            ContractLine.objects.restrict(self.request.user)
            .select_related("account", "product")
            .order_by("account_id", "start_date", "id")
        )


class StakeholderViewSet(viewsets.ModelViewSet):
    serializer_class = StakeholderSerializer
    permission_classes = [IsAuthenticated, MayChange]
    filterset_fields = {"account__external_id": ["exact"], "role": ["exact"], "active": ["exact"]}

    def get_queryset(self):
        return (
            Stakeholder.objects.restrict(self.request.user)
            .select_related("account")
            .order_by("account_id", "name", "id")
        )

    def perform_create(self, serializer):
        serializer.instance = stakeholder_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = stakeholder_update(
            stakeholder=serializer.instance, changes=serializer.validated_data
        )

    def perform_destroy(self, instance):
        stakeholder_delete(stakeholder=instance)


class PriorityViewSet(viewsets.ModelViewSet):
    serializer_class = PrioritySerializer
    permission_classes = [IsAuthenticated, MayChange]
    filterset_fields = {
        "stakeholder__account__external_id": ["exact"],
        "year": ["exact"],
        "department": ["exact"],
    }

    def get_queryset(self):
        return (
            Priority.objects.restrict(self.request.user)
            .select_related("stakeholder")
            .order_by("stakeholder_id", "-year", "id")
        )

    def perform_create(self, serializer):
        serializer.instance = priority_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = priority_update(
            priority=serializer.instance, changes=serializer.validated_data
        )

    def perform_destroy(self, instance):
        priority_delete(priority=instance)
