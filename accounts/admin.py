from django.contrib import admin

from .models import Account, Adjacency, ContractLine, Entitlement, Priority, Product, Stakeholder
from .querysets import CHANGE, VIEW


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
class AccountAdmin(RestrictedAdminMixin, admin.ModelAdmin):
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
class StakeholderAdmin(RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "account", "title", "department", "role", "influence", "active")
    list_filter = ("role", "active", "department")
    list_select_related = ("account",)
    search_fields = ("external_id", "name", "email", "account__name", "account__external_id")
    autocomplete_fields = ("account",)
    inlines = [PriorityInline]


@admin.register(Priority)
class PriorityAdmin(RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ("priority", "stakeholder", "year", "department", "source")
    list_filter = ("year", "department", "source")
    list_select_related = ("stakeholder",)
    search_fields = ("priority", "stakeholder__name", "stakeholder__account__name")
    autocomplete_fields = ("stakeholder",)
