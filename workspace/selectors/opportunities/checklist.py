"""The workflow checklist of one opportunity: data-answered criteria and people's ticks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accounts.models import Stakeholder, StakeholderRole
from playbooks.labels import (
    STAGE_LABELS,
)
from playbooks.models import Opportunity, OpportunityCriterionCheck, Stage
from playbooks.workflow import (
    DATA_AMOUNT,
    DATA_CHAMPION,
    DATA_HEALTH,
    DATA_SPONSOR,
    DATA_TARGET_CHAMPION,
    PHASES,
    Criterion,
    criteria_for,
    next_stage,
    stages_passed,
)
from scoring.models import HealthSnapshot

from .common import (
    HEALTH_THRESHOLD,
    dept_key,
)

# --- One opportunity: the workflow checklist ------------------------------------------


def _facts(
    *, opportunity: Opportunity, health: float | None, stakeholders: list[Stakeholder]
) -> dict[str, tuple[bool, str]]:
    """The data's answer to each data criterion, and how it knows."""
    o = opportunity
    champions = [s for s in stakeholders if s.role == StakeholderRole.CHAMPION and s.active]
    target = dept_key(o.department or (o.target_product.department if o.target_product else ""))
    in_target = [s for s in champions if target and dept_key(s.department) == target]
    health_text = "no health score yet" if health is None else f"health {health:.1f}"
    facts = {
        DATA_HEALTH: (health is not None and health > HEALTH_THRESHOLD, health_text),
        DATA_CHAMPION: (
            bool(champions),
            ", ".join(s.name for s in champions) if champions else "no active champion",
        ),
        DATA_TARGET_CHAMPION: (
            bool(in_target),
            ", ".join(s.name for s in in_target)
            if in_target
            else f"no active champion in {o.department or 'the target department'}",
        ),
        DATA_SPONSOR: (
            bool(o.sponsor_id and o.sponsor_priority_id),
            f'{o.sponsor.name}: "{o.sponsor_priority.priority}"'
            if o.sponsor_id and o.sponsor_priority_id
            else "no sponsor with a stated priority",
        ),
        DATA_AMOUNT: (
            o.amount_arr is not None,
            "amount recorded" if o.amount_arr is not None else "no amount yet",
        ),
    }
    return facts


@dataclass
class CriterionState:
    criterion: Criterion
    checked: bool
    by_data: bool
    evidence: str = ""
    by: str = ""
    at: dt.datetime | None = None

    @property
    def code(self) -> str:
        return self.criterion.code

    @property
    def label(self) -> str:
        return self.criterion.label


def opportunity_criteria(
    *,
    opportunity: Opportunity,
    health: float | None,
    stakeholders: list[Stakeholder],
    checks: list[OpportunityCriterionCheck],
) -> list[CriterionState]:
    """Each exit criterion of the opportunity's checklist, checked from the data or by a
    person (with who and when)."""
    facts = _facts(opportunity=opportunity, health=health, stakeholders=stakeholders)
    ticks = {c.criterion: c for c in checks}
    states = []
    for criterion in criteria_for(motion=opportunity.motion):
        if criterion.data:
            checked, evidence = facts[criterion.data]
            states.append(CriterionState(criterion, checked, True, evidence))
            continue
        tick = ticks.get(criterion.code)
        who = ""
        if tick and tick.checked_by:
            who = tick.checked_by.get_full_name() or tick.checked_by.username
        states.append(
            CriterionState(
                criterion,
                bool(tick and tick.checked),
                False,
                by=who,
                at=tick.checked_at if tick else None,
            )
        )
    return states


def workflow_phases(*, opportunity: Opportunity, states: list[CriterionState]) -> list[dict]:
    """The phases in order, each with its exit criteria and where the opportunity stands:
    done, skipped (passed with none of its criteria met), current, todo or closed."""
    stage = opportunity.stage
    order = [*PHASES, Stage.WON]
    position = order.index(stage) if stage in order else None
    phases = []
    for index, phase in enumerate(PHASES):
        items = [s for s in states if s.criterion.stage == phase]
        if position is None:  # lost / expired: show where it was not
            state = "closed"
        elif index < position and items and all(not s.checked for s in items):
            state = "skipped"  # passed over with a reason, none of its criteria met
        elif index < position:
            state = "done"
        elif index == position:
            state = "current"
        else:
            state = "todo"
        phases.append(
            {
                "stage": phase,
                "label": STAGE_LABELS[phase],
                "state": state,
                "criteria": items,
                "open": sum(not s.checked for s in items),
            }
        )
    return phases


def unchecked_criteria(*, states: list[CriterionState], current: str, target: str) -> list:
    """The criteria still unchecked in the phases an advance to ``target`` leaves."""
    passed = set(stages_passed(current=current, target=target))
    return [s for s in states if s.criterion.stage in passed and not s.checked]


def opportunity_workflow_load(*, opportunity: Opportunity) -> dict:
    """The checklist's inputs and states: the account's latest health, its stakeholders and
    the ticks (three queries)."""
    latest = (
        HealthSnapshot.objects.filter(account_id=opportunity.account_id)
        .order_by("-as_of")
        .values("score", "as_of")
        .first()
    )
    stakeholders = list(Stakeholder.objects.filter(account_id=opportunity.account_id))
    checks = list(
        OpportunityCriterionCheck.objects.filter(opportunity=opportunity).select_related(
            "checked_by"
        )
    )
    health = latest["score"] if latest else None
    states = opportunity_criteria(
        opportunity=opportunity, health=health, stakeholders=stakeholders, checks=checks
    )
    return {
        "health": health,
        "health_as_of": latest["as_of"] if latest else None,
        "stakeholders": stakeholders,
        "states": states,
        "phases": workflow_phases(opportunity=opportunity, states=states),
        "next_stage": next_stage(opportunity.stage),
    }
