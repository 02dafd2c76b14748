from django.contrib import admin

from accounts.admin import (
    SERVICE_WRITES,
    RestrictedAdminMixin,
    ServiceWritesAdminMixin,
    Writes,
)

from .models import AccountSignal, DailyUsage, SuccessMetric
from .services import account_signal_create, account_signal_delete, account_signal_update

SERVICE_WRITES[AccountSignal] = Writes(
    account_signal_create, account_signal_update, account_signal_delete, "signal"
)


@admin.register(DailyUsage)
class DailyUsageAdmin(RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ("account", "metric", "date", "quantity")
    list_filter = ("metric",)
    list_select_related = ("account",)
    search_fields = ("account__external_id", "account__name", "metric")
    autocomplete_fields = ("account",)
    date_hierarchy = "date"
    show_full_result_count = False


@admin.register(AccountSignal)
class AccountSignalAdmin(ServiceWritesAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ("account", "date", "kind", "value", "department", "detail")
    list_filter = ("kind", "department")
    list_select_related = ("account",)
    search_fields = ("account__external_id", "account__name", "detail", "department")
    autocomplete_fields = ("account",)
    date_hierarchy = "date"


@admin.register(SuccessMetric)
class SuccessMetricAdmin(RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ("account", "name", "unit", "baseline", "target", "achieved", "as_of")
    list_select_related = ("account",)
    search_fields = ("account__external_id", "account__name", "name")
    autocomplete_fields = ("account",)
