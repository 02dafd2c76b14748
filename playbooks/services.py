"""A person's writes to opportunities: stage moves (with their history), edits, workflow
criteria. The nightly judgment's writes are in ``scoring.services``; the page's advance
through the checklist (which reads the account's latest health) in ``workspace.services``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import (
    CLOSED_STAGES,
    Opportunity,
    OpportunityCriterionCheck,
    OpportunityStageChange,
)
from .workflow import CRITERIA_BY_CODE, criteria_for


def opportunity_stage_change(
    *, opportunity: Opportunity, stage: str, user=None, note: str = ""
) -> Opportunity:
    """Move an opportunity to ``stage`` and record who moved it, when, from what."""
    with transaction.atomic():
        locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        if locked.stage == stage:
            return locked
        previous = locked.stage
        locked.stage = stage
        locked.closed = timezone.localdate() if stage in CLOSED_STAGES else None
        locked.save(update_fields=["stage", "closed", "updated"])
        OpportunityStageChange.objects.create(
            opportunity=locked, from_stage=previous, to_stage=stage, changed_by=user, note=note
        )
    return locked



_UNSET = object()



def opportunity_update(
    *,
    opportunity: Opportunity,
    user=None,
    stage: str | None = None,
    amount_arr=_UNSET,
    notes: str | None = None,
) -> Opportunity:
    """A person's edit: move the stage (recorded in the history), set amount and notes."""
    with transaction.atomic():
        if stage is not None:
            opportunity = opportunity_stage_change(opportunity=opportunity, stage=stage, user=user)
        changed = []
        if amount_arr is not _UNSET:
            opportunity.amount_arr = amount_arr
            changed.append("amount_arr")
        if notes is not None:
            opportunity.notes = notes
            changed.append("notes")
        if changed:
            opportunity.save(update_fields=[*changed, "updated"])
    return opportunity



def opportunity_criterion_set(
    *, opportunity: Opportunity, criterion: str, checked: bool, user=None
) -> OpportunityCriterionCheck:
    """A person ticks (or unticks) a workflow exit criterion; who and when are kept. Criteria
    the data answers cannot be ticked: the data says."""
    spec = CRITERIA_BY_CODE.get(criterion)
    if spec is None or spec not in criteria_for(motion=opportunity.motion):
        raise ValidationError({"criterion": f"Not a criterion of this opportunity: {criterion}."})
    if spec.data:
        raise ValidationError({"criterion": "This criterion is answered by the account's data."})
    check, _ = OpportunityCriterionCheck.objects.update_or_create(
        opportunity=opportunity,
        criterion=criterion,
        defaults={"checked": checked, "checked_by": user, "checked_at": timezone.now()},
    )
    return check
