"""A person's writes to opportunities: stage moves (with their history), edits, workflow
criteria. The nightly judgment's writes are in ``scoring.services``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import (
    CLOSED_STAGES,
    OPEN_STAGES,
    Opportunity,
    OpportunityCriterionCheck,
    OpportunityStageChange,
    Stage,
)
from .workflow import CRITERIA_BY_CODE, criteria_for
from .workspace import opportunity_workflow_load, unchecked_criteria


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



def opportunity_stage_advance(
    *, opportunity: Opportunity, stage: str, user=None, reason: str = ""
) -> Opportunity:
    """A person moves an opportunity through the workflow from its page. Moving past exit
    criteria still unchecked, or to ``lost``, needs a reason, recorded on the stage-history
    row; the move itself is ``opportunity_stage_change``, as the API's PATCH does it."""
    reason = (reason or "").strip()
    if opportunity.stage in CLOSED_STAGES:
        raise ValidationError({"stage": "This opportunity is closed."})
    if stage not in (*OPEN_STAGES, Stage.WON, Stage.LOST):
        raise ValidationError({"stage": f"Not a stage a person can move to: {stage}."})
    if stage == opportunity.stage:
        raise ValidationError({"stage": "The opportunity is already at this stage."})
    states = opportunity_workflow_load(opportunity=opportunity)["states"]
    missing = unchecked_criteria(states=states, current=opportunity.stage, target=stage)
    if not reason and (missing or stage == Stage.LOST):
        why = (
            "Say why it was lost."
            if stage == Stage.LOST
            else f"{len(missing)} exit criteri{'on is' if len(missing) == 1 else 'a are'} not "
            "checked: give a reason to move on anyway."
        )
        raise ValidationError({"reason": why})
    return opportunity_stage_change(opportunity=opportunity, stage=stage, user=user, note=reason)

