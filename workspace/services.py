"""The pages' writes that need the judgment's results: advancing an opportunity through its
workflow checklist, whose data-answered criteria read the account's latest health (a
scoring result, so this sits above ``scoring``). The move itself is
``playbooks.services.opportunity_stage_change``, as the API's PATCH does it."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from playbooks.models import CLOSED_STAGES, OPEN_STAGES, Opportunity, Stage
from playbooks.services import opportunity_stage_change

from .selectors.opportunities import opportunity_workflow_load, unchecked_criteria


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
