from django.contrib import admin

from accounts.admin import RestrictedAdminMixin

from .models import Opportunity, OpportunityStageChange
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
