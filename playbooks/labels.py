"""Words for the codes the scoring writes (triggers, guardrail reasons, account actions), for
people reading the pages. Codes added later (new plays, reasons) still read: templates fall
back to the code in words (``label_for``)."""

from __future__ import annotations

from .models import AccountActionCode, Motion, OpportunityStatus, Play, Stage

TRIGGER_LABELS = {
    "utilization_80": "Utilization past 80 %",
    "utilization_90": "Utilization past 90 %",
    "utilization_95": "Utilization past 95 %",
    "seat_growth": "Seat growth",
    "renewal_d90": "Renewal within 90 days",
    "internal_referral": "Internal referral",
    "compliance_change": "New compliance mandate",
    "feature_request": "Feature request",
    "adjacent_workflow": "Adjacent workflow",
    "lookalike": "Similar accounts own it",
    "promoter_nps": "Promoter (NPS 9+)",
    "outcome_achieved": "Outcome achieved",
    "reference": "Reference customer",
}

REASON_LABELS = {
    "unhealthy": "Health 70 or below",
    "underutilized": "Uses less than half of what it bought",
    "onboarding": "Still onboarding (under 90 days)",
    "detractor": "Latest NPS 6 or lower",
    "incident": "Severity-1 incident in the last 30 days",
    "recently_lost": "Lost on this product in the last 180 days",
    "deal_in_progress": "A deal of this kind is already in progress",
    "one_at_a_time": "One conversation of each kind at a time",
}

PLAY_LABELS = dict(Play.choices) | {"renewal_module": "Renewal module"}
MOTION_LABELS = dict(Motion.choices)
STATUS_LABELS = dict(OpportunityStatus.choices)
STAGE_LABELS = dict(Stage.choices)
ACTION_LABELS = dict(AccountActionCode.choices)

# The buying motions: upsell and cross-sell are different conversations, never bundled.
UPSELL_MOTIONS = ("upsell", "seat_expansion", "usage_expansion")
CROSS_SELL_MOTIONS = ("cross_sell",)


def label(code: str | None, labels: dict[str, str]) -> str:
    """A code's words, or the code itself in words when it has none yet."""
    if not code:
        return "—"
    return labels.get(code) or code.replace("_", " ").capitalize()


def motion_kind(motion: str) -> str:
    """``upsell``, ``cross_sell`` or ``renewal`` (the checklists differ by kind)."""
    if motion in CROSS_SELL_MOTIONS:
        return "cross_sell"
    if motion in UPSELL_MOTIONS:
        return "upsell"
    return "renewal"
