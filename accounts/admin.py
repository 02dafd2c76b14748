from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin
from django.db import models, transaction

from .models import Account, Adjacency, ContractLine, Entitlement, Priority, Product, Stakeholder
from .querysets import CHANGE, VIEW
from .services import (
    priority_create,
    priority_delete,
    priority_update,
    stakeholder_create,
    stakeholder_delete,
    stakeholder_update,
)


@dataclass(frozen=True)
class Writes:
    """A model's write services; ``name`` is the keyword they take the row by."""

    create: Callable[..., models.Model]
    update: Callable[..., models.Model]
    delete: Callable[..., None]
    name: str


#: models people write through services, also in the admin (book-owned rows are written by
#: ``book_import``; their admins save as Django does)
SERVICE_WRITES: dict[type[models.Model], Writes] = {
    Stakeholder: Writes(stakeholder_create, stakeholder_update, stakeholder_delete, "stakeholder"),
    Priority: Writes(priority_create, priority_update, priority_delete, "priority"),
}


def _fields(obj: models.Model, names=None) -> dict:
    """The row's concrete field values (relations as objects), all or only ``names``."""
    return {
        f.name: getattr(obj, f.name)
        for f in obj._meta.concrete_fields
        if not f.primary_key and (names is None or f.name in names)
    }


def _service_create(obj: models.Model) -> None:
    """Create ``obj`` through its service; ``obj`` then stands for the saved row."""
    saved = SERVICE_WRITES[type(obj)].create(**_fields(obj))
    obj.pk = saved.pk
    obj._state.adding = False
    obj._state.db = saved._state.db


def _service_update(obj: models.Model, changed: list[str]) -> None:
    writes = SERVICE_WRITES[type(obj)]
    writes.update(**{writes.name: obj, "changes": _fields(obj, changed)})


def _service_delete(obj: models.Model) -> None:
    writes = SERVICE_WRITES[type(obj)]
    writes.delete(**{writes.name: obj})


class ServiceWritesAdminMixin:
    """The admin's saves and deletes of ``SERVICE_WRITES`` models (the admin's own, and its
    inlines') go through the services, like the API's and the pages'."""

    def save_model(self, request, obj, form, change) -> None:
        if type(obj) not in SERVICE_WRITES:
            return super().save_model(request, obj, form, change)
        if change:
            _service_update(obj, form.changed_data)
        else:
            _service_create(obj)

    def delete_model(self, request, obj) -> None:
        if type(obj) not in SERVICE_WRITES:
            return super().delete_model(request, obj)
        _service_delete(obj)

    def delete_queryset(self, request, queryset) -> None:
        if queryset.model not in SERVICE_WRITES:
            return super().delete_queryset(request, queryset)
        with transaction.atomic():
            for obj in queryset:
                _service_delete(obj)

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model not in SERVICE_WRITES:
            return super().save_formset(request, form, formset, change)
        with transaction.atomic():
            formset.save(commit=False)
            for obj in formset.deleted_objects:
                _service_delete(obj)
            for obj, changed in formset.changed_objects:
                _service_update(obj, changed)
            for obj in formset.new_objects:
                _service_create(obj)


class RestrictedAdminMixin:
    """The admin asks the model's ``restrict`` rule like the API: staff see the rows their
    roles see and change what their roles may change (superusers and managers: everything)."""

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, VIEW)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (
            obj is None or self.model.objects.allows(request.user, CHANGE, obj)
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (
            obj is None or self.model.objects.allows(request.user, CHANGE, obj)
        )


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "kind", "family", "tier_rank", "department", "list_arr")
    list_filter = ("kind", "family", "department")
    search_fields = ("sku", "name", "family", "department")


@admin.register(Adjacency)
class AdjacencyAdmin(admin.ModelAdmin):
    list_display = ("from_product", "to_product", "pitch")
    list_select_related = ("from_product", "to_product")
    search_fields = ("from_product__sku", "to_product__sku", "pitch")
    autocomplete_fields = ("from_product", "to_product")


class ContractLineInline(admin.TabularInline):
    model = ContractLine
    extra = 0
    autocomplete_fields = ("product",)


class StakeholderInline(admin.TabularInline):
    model = Stakeholder
    extra = 0
    fields = ("external_id", "name", "title", "department", "role", "influence", "active")


@admin.register(Account)
class AccountAdmin(ServiceWritesAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    list_display = (
        "external_id",
        "name",
        "segment",
        "industry",
        "region",
        "owner_email",
        "csm_email",
        "customer_since",
    )
    list_filter = ("segment", "industry", "region")
    search_fields = ("external_id", "name", "domain", "owner_email", "csm_email")
    date_hierarchy = "customer_since"
    inlines = [ContractLineInline, StakeholderInline]


class EntitlementInline(admin.TabularInline):
    model = Entitlement
    extra = 0


@admin.register(ContractLine)
class ContractLineAdmin(RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ("external_id", "account", "product", "start_date", "end_date", "arr")
    list_filter = ("product", "account__segment")
    list_select_related = ("account", "product")
    search_fields = ("external_id", "account__external_id", "account__name", "product__sku")
    autocomplete_fields = ("account", "product")
    date_hierarchy = "end_date"
    inlines = [EntitlementInline]


@admin.register(Entitlement)
class EntitlementAdmin(RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ("contract", "metric", "limit", "period")
    list_filter = ("period", "metric")
    list_select_related = ("contract",)
    search_fields = ("contract__external_id", "contract__account__name", "metric")
    autocomplete_fields = ("contract",)


class PriorityInline(admin.TabularInline):
    model = Priority
    extra = 0


@admin.register(Stakeholder)
class StakeholderAdmin(ServiceWritesAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "account", "title", "department", "role", "influence", "active")
    list_filter = ("role", "active", "department")
    list_select_related = ("account",)
    search_fields = ("external_id", "name", "email", "account__name", "account__external_id")
    autocomplete_fields = ("account",)
    inlines = [PriorityInline]


@admin.register(Priority)
class PriorityAdmin(ServiceWritesAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ("priority", "stakeholder", "year", "department", "source")
    list_filter = ("year", "department", "source")
    list_select_related = ("stakeholder",)
    search_fields = ("priority", "stakeholder__name", "stakeholder__account__name")
    autocomplete_fields = ("stakeholder",)
