from __future__ import annotations

from dataclasses import fields

from django.contrib import admin

from codes.health import HealthComponent

from .config import ScoringConfig
from .models import (
    AccountAction,
    HealthSnapshot,
    Notification,
    ScoringRun,
    ScoringSettings,
    UsageAlert,
    UtilizationSnapshot,
)


@admin.register(ScoringRun)
class ScoringRunAdmin(admin.ModelAdmin):
    list_display = ("id", "as_of", "status", "started", "finished")
    list_filter = ("status",)
    date_hierarchy = "as_of"
    readonly_fields = ("started",)



@admin.register(HealthSnapshot)
class HealthSnapshotAdmin(admin.ModelAdmin):
    list_display = ("account", "as_of", "score", *HealthComponent.codes, "eligible")
    list_filter = ("eligible", "as_of")
    list_select_related = ("account",)
    search_fields = ("account__external_id", "account__name")
    raw_id_fields = ("account", "run")



@admin.register(UtilizationSnapshot)
class UtilizationSnapshotAdmin(admin.ModelAdmin):
    list_display = ("entitlement", "as_of", "used", "ratio", "level")
    list_filter = ("level", "as_of")
    raw_id_fields = ("entitlement",)



@admin.register(AccountAction)
class AccountActionAdmin(admin.ModelAdmin):
    list_display = ("account", "as_of", "code", "detail")
    list_filter = ("code", "as_of")
    search_fields = ("account__external_id", "account__name")
    raw_id_fields = ("account",)



@admin.register(UsageAlert)
class UsageAlertAdmin(admin.ModelAdmin):
    list_display = ("entitlement", "level", "ratio", "raised_on", "sent_at")
    list_filter = ("level",)
    raw_id_fields = ("entitlement",)



@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "message", "created", "read_at")
    list_filter = ("read_at",)
    raw_id_fields = ("user",)



@admin.register(ScoringSettings)
class ScoringSettingsAdmin(admin.ModelAdmin):
    """One row: the thresholds, windows, weights and points every scoring run uses (each run
    records a copy of them)."""

    readonly_fields = ("updated",)

    def get_fieldsets(self, request, obj=None):
        names = [f.name for f in fields(ScoringConfig)]
        groups = {
            "Windows (days ending on the scoring date)": [n for n in names if "days" in n],
            "Usage alert levels (%)": [n for n in names if n.startswith("alert_level")],
            "Health weights": [n for n in names if n.startswith("weight_")],
            "Trigger points": [n for n in names if n.startswith("points_")],
        }
        placed = {n for group in groups.values() for n in group}
        groups["Thresholds and rules"] = [n for n in names if n not in placed]
        return [(title, {"fields": group}) for title, group in groups.items()] + [
            ("", {"fields": ["updated"]})
        ]

    def has_add_permission(self, request) -> bool:
        return not ScoringSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

