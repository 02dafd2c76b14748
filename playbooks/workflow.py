"""The expansion workflow: its phases and each phase's exit criteria.

identified -> qualified -> proposal -> negotiation -> won / lost. Each open phase has exit
criteria; some the account's data answers (``data`` names the fact, see
``selectors.opportunity_workflow``), the others a person ticks (who and when are recorded,
``OpportunityCriterionCheck``). Cross-sell and upsell are different motions with different
checklists: a cross-sell needs a new champion in the target department and a business case
to that department's executive; an upsell goes through the existing budget owner. A renewal
value review is reviewed on its own: no expansion criterion appears on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from codes.opportunities import MOTION_KINDS, Motion

from .labels import motion_kind
from .models import OPEN_STAGES, Stage

PHASES = OPEN_STAGES
OUTCOMES = (Stage.WON, Stage.LOST)

# Data facts a criterion can be answered by.
DATA_HEALTH = "health_above_70"
DATA_CHAMPION = "active_champion"
DATA_TARGET_CHAMPION = "champion_in_target_department"
DATA_SPONSOR = "sponsor_with_priority"
DATA_AMOUNT = "amount_set"


@dataclass(frozen=True)
class Criterion:
    code: str
    stage: str
    label: str
    kinds: tuple[str, ...] = MOTION_KINDS
    data: str = ""  # the fact that answers it; "" = a person ticks it


CRITERIA: tuple[Criterion, ...] = (
    # identified -> qualified: is it real, and is it the right time?
    Criterion("health", Stage.IDENTIFIED, "Account health above 70", data=DATA_HEALTH),
    Criterion(
        "champion", Stage.IDENTIFIED, "An active champion at the account",
        kinds=(Motion.UPSELL, Motion.RENEWAL), data=DATA_CHAMPION,
    ),
    Criterion(
        "new_champion", Stage.IDENTIFIED, "A new champion in the target department",
        kinds=(Motion.CROSS_SELL,), data=DATA_TARGET_CHAMPION,
    ),
    Criterion(
        "sponsor", Stage.IDENTIFIED, "A sponsor with a stated priority this play advances",
        data=DATA_SPONSOR,
    ),
    Criterion("trigger_confirmed", Stage.IDENTIFIED, "Trigger confirmed with the customer"),
    # qualified -> proposal: the qualification checklist.
    Criterion("requirements", Stage.QUALIFIED, "Requirements defined"),
    Criterion(
        "business_case_validated", Stage.QUALIFIED,
        "Business case validated with stakeholders",
    ),
    Criterion(
        "budget_owner", Stage.QUALIFIED,
        "Budget and timeline confirmed with the existing budget owner", kinds=(Motion.UPSELL,),
    ),
    Criterion(
        "department_executive", Stage.QUALIFIED,
        "Business case presented to the target department's executive", kinds=(Motion.CROSS_SELL,),
    ),
    Criterion(
        "department_budget", Stage.QUALIFIED,
        "Budget and timeline confirmed in the target department", kinds=(Motion.CROSS_SELL,),
    ),
    Criterion(
        "renewal_outcomes", Stage.QUALIFIED,
        "Outcomes to date reviewed with the customer", kinds=(Motion.RENEWAL,),
    ),
    Criterion("decision_process", Stage.QUALIFIED, "Decision process mapped"),
    Criterion(
        "technical_requirements", Stage.QUALIFIED, "Technical requirements documented",
        kinds=(Motion.UPSELL, Motion.CROSS_SELL),
    ),
    # proposal -> negotiation
    Criterion("amount", Stage.PROPOSAL, "Proposed amount (ARR) recorded", data=DATA_AMOUNT),
    Criterion("proposal_sent", Stage.PROPOSAL, "Proposal sent"),
    Criterion("proposal_reviewed", Stage.PROPOSAL, "Proposal reviewed with the sponsor"),
    Criterion(
        "success_criteria", Stage.PROPOSAL, "Success criteria agreed",
        kinds=(Motion.UPSELL, Motion.CROSS_SELL),
    ),
    Criterion(
        "multi_year_offered", Stage.PROPOSAL,
        "Multi-year term offered (offered, never required)", kinds=(Motion.RENEWAL,),
    ),
    # negotiation -> won
    Criterion("terms_agreed", Stage.NEGOTIATION, "Commercial terms agreed"),
    Criterion("legal_review", Stage.NEGOTIATION, "Legal and procurement review complete"),
    Criterion("order_signed", Stage.NEGOTIATION, "Order form signed"),
)
CRITERIA_BY_CODE = {c.code: c for c in CRITERIA}


def criteria_for(*, motion: str) -> list[Criterion]:
    """The checklist of an opportunity of this motion, in workflow order."""
    kind = motion_kind(motion)
    return [c for c in CRITERIA if kind in c.kinds]


def next_stage(stage: str) -> str | None:
    """The phase after ``stage`` (negotiation -> won); None once closed."""
    if stage in PHASES:
        index = PHASES.index(stage)
        return PHASES[index + 1] if index + 1 < len(PHASES) else Stage.WON
    return None


def stages_passed(*, current: str, target: str) -> list[str]:
    """The open phases whose exit an advance from ``current`` to ``target`` crosses: moving to
    ``proposal`` from ``identified`` leaves identified and qualified."""
    if current not in PHASES:
        return []
    start = PHASES.index(current)
    if target in PHASES:
        end = PHASES.index(target)
    elif target == Stage.WON:
        end = len(PHASES)
    else:  # lost, expired: no exit criterion applies
        return []
    return list(PHASES[start:end])
