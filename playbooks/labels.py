"""Words for the codes the scoring writes (plays, triggers, guardrail and held-back reasons,
account actions), for people reading the opportunity pages: each code's label in the
vocabulary (``codes``), and for the reasons a sentence that says what the rule saw. Codes
added later still read: templates fall back to the code in words (``label_for``)."""

from __future__ import annotations

from codes.health import AccountActionCode, GuardrailReason
from codes.opportunities import MOTION_KIND, HeldBackReason, Motion, OpportunityStatus, Play, Stage
from codes.triggers import Trigger

# The reasons in a sentence (the vocabulary's labels are the short names of the badges).
REASON_LABELS = {
    GuardrailReason.UNHEALTHY: "Health 70 or below",
    GuardrailReason.UNDERUTILIZED: "Uses less than half of what it bought",
    GuardrailReason.ONBOARDING: "Still onboarding (under 90 days)",
    GuardrailReason.DETRACTOR: "Latest NPS 6 or lower",
    GuardrailReason.INCIDENT: "Severity-1 incident in the last 30 days",
    HeldBackReason.RECENTLY_LOST: "Lost on this product in the last 180 days",
    HeldBackReason.DEAL_IN_PROGRESS: "A deal of this kind is already in progress",
    HeldBackReason.ONE_AT_A_TIME: "One conversation of each kind at a time",
}

PLAY_LABELS = dict(Play.labels)
TRIGGER_LABELS = dict(Trigger.labels)
MOTION_LABELS = dict(Motion.labels)
STATUS_LABELS = dict(OpportunityStatus.labels)
STAGE_LABELS = dict(Stage.labels)
ACTION_LABELS = dict(AccountActionCode.labels)


def label(code: str | None, labels: dict[str, str]) -> str:
    """A code's words, or the code itself in words when it has none yet."""
    if not code:
        return "—"
    return labels.get(code) or code.replace("_", " ").capitalize()


def motion_kind(motion: str) -> str:
    """``upsell``, ``cross_sell`` or ``renewal`` (the checklists differ by kind): upsell and
    cross-sell are different conversations, never bundled (``codes.opportunities.MOTION_KIND``)."""
    return MOTION_KIND.get(motion, Motion.RENEWAL)
