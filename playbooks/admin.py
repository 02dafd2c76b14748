from dataclasses import fields

from django.contrib import admin

from accounts.admin import RestrictedAdminMixin

from .models import (
    AccountAction,
    HealthSnapshot,
    Notification,
    Opportunity,
    OpportunityStageChange,
    ScoringRun,
    ScoringSettings,
    UsageAlert,
    UtilizationSnapshot,
)
from .scoring.config import ScoringConfig
from .services import opportunity_update


class OpportunityStageChangeInline(admin.TabularInline):
    model = OpportunityStageChange
    extra = 0
    readonly_fields = ("from_stage", "to_stage", "changed_by", "changed_at", "note")
    can_delete = False


@admin.register(Opportunity)
class OpportunityAdmin(RestrictedAdminMixin, admin.ModelAdmin):
    list_display = (
        "account",
        "play",
        "motion",
        "target_product",
        "status",
        "stage",
        "score",
        "as_of",
        "created",
    )
    list_filter = ("stage", "status", "play", "motion", "account__segment")
    list_select_related = ("account", "target_product")
    search_fields = (
        "external_id",
        "account__external_id",
        "account__name",
        "target_product__sku",
        "key",
    )
    autocomplete_fields = ("account", "target_product", "sponsor")
    raw_id_fields = ("sponsor_priority",)
    date_hierarchy = "created"
    inlines = [OpportunityStageChangeInline]

    def save_model(self, request, obj, form, change) -> None:
        """A person's edit of a stored opportunity goes through ``opportunity_update`` (a stage
        move writes its history row); the other changed fields are saved as they are."""
        if not change:
            return super().save_model(request, obj, form, change)
        changed = set(form.changed_data)
        edit = {name: getattr(obj, name) for name in ("amount_arr", "notes") if name in changed}
        if "stage" in changed or edit:
            updated = opportunity_update(
                opportunity=obj,
                user=request.user,
                stage=obj.stage if "stage" in changed else None,
                **edit,
            )
            obj.stage = updated.stage
            if "closed" not in changed:
                obj.closed = updated.closed
        rest = changed - {"stage", "amount_arr", "notes"}
        if rest:
            obj.save(update_fields=[*sorted(rest), "updated"])


@admin.register(OpportunityStageChange)
class OpportunityStageChangeAdmin(RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ("opportunity", "from_stage", "to_stage", "changed_by", "changed_at")
    list_filter = ("to_stage",)
    raw_id_fields = ("opportunity",)


@admin.register(ScoringRun)
class ScoringRunAdmin(admin.ModelAdmin):
    list_display = ("id", "as_of", "status", "started", "finished")
    list_filter = ("status",)
    date_hierarchy = "as_of"
    readonly_fields = ("started",)


@admin.register(HealthSnapshot)
class HealthSnapshotAdmin(admin.ModelAdmin):
    list_display = (
        "account",
        "as_of",
        "score",
        "adoption",
        "trend",
        "sentiment",
        "support",
        "relationship",
        "eligible",
    )
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
