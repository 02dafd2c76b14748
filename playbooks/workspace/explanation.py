"""Why one opportunity is where it is: every trigger, the score's arithmetic, the guardrails."""

from __future__ import annotations

import datetime as dt
import math

from scoring.models import HealthSnapshot, ScoringRun, ScoringRunStatus

from ..labels import (
    REASON_LABELS,
    label,
    motion_kind,
)
from ..models import Opportunity, OpportunityStatus
from .common import (
    DEFAULT_NEEDS_SPONSOR_FACTOR,
    short_number,
    trigger_rows,
)

# --- One opportunity: why now ---------------------------------------------------------


def _run_factor(as_of: dt.date | None) -> float:
    """The needs-sponsor factor of the run that scored the opportunity (settings may change
    between runs)."""
    settings = (
        ScoringRun.objects.filter(as_of=as_of, status=ScoringRunStatus.SUCCEEDED)
        .order_by("-finished", "-pk")
        .values_list("settings", flat=True)
        .first()
    )
    return float((settings or {}).get("needs_sponsor_factor", DEFAULT_NEEDS_SPONSOR_FACTOR))


def score_arithmetic(*, points: float, health: float | None, factor: float, halved: bool) -> str:
    """The score in one line: ``65 points x health 82.8 % = 53.8`` (and the halving)."""
    if health is None:
        return f"{short_number(points)} points (no health score on the scoring date)"
    score = points * health / 100.0
    line = f"{short_number(points)} points x health {health:.1f} % = {short_number(score)}"
    if halved:
        word = "halved" if math.isclose(factor, 0.5) else f"x {short_number(factor)}"
        line += f", {word} because it needs a sponsor = {short_number(score * factor)}"
    return line


def opportunity_explanation(*, opportunity: Opportunity) -> dict:
    """Everything behind one opportunity's score: every trigger with its points and detail,
    the arithmetic, the sponsor and the priority it advances, the guardrail notes. Two
    queries (the health snapshot of the scoring date, the run's settings)."""
    o = opportunity
    triggers = trigger_rows(o.triggers)
    points = sum(t["points"] for t in triggers)
    snapshot = (
        HealthSnapshot.objects.filter(account_id=o.account_id, as_of=o.as_of)
        .values("score", "reasons", "eligible")
        .first()
        if o.as_of
        else None
    )
    health = snapshot["score"] if snapshot else None
    halved = o.status == OpportunityStatus.NEEDS_SPONSOR
    factor = _run_factor(o.as_of) if halved and o.as_of else 1.0
    kind = motion_kind(o.motion)
    department = o.department or (o.target_product.department if o.target_product else "")
    notes: list[str] = []
    reasons = (snapshot or {}).get("reasons") or []
    if reasons:
        words = ", ".join(label(r, REASON_LABELS).lower() for r in reasons)
        notes.append(
            f"Expansion is on hold at this account ({words}): only the renewal is reviewed, "
            "with no expansion attached."
        )
    if kind == "renewal":
        notes.append(
            "A renewal is never conditioned on an expansion: this review carries no module, "
            "and a multi-year term is offered, not required."
        )
    elif kind == "cross_sell":
        notes.append(
            "A cross-sell is its own conversation with a new buyer: never bundled with an "
            "upsell or the renewal."
        )
    else:
        notes.append(
            "An upsell goes through the existing budget owner; never bundled with a cross-sell."
        )
    if halved:
        year = o.as_of.year if o.as_of else ""
        where = f"in {department}" if department else "for this play"
        notes.append(
            f"Needs a sponsor: name an executive sponsor or economic buyer {where} with a "
            f"stated {year} priority before running the play (the score counts half until then)."
        )
    sentence = o.explanation
    if kind == "renewal":
        # The review is of the renewal alone: whatever module the scoring named beside it is
        # its own opportunity, never shown as part of the review.
        sentence = (
            "Review the outcomes to date with the customer and offer a multi-year renewal "
            "(offered, never required); nothing else is attached to this conversation."
        )
    return {
        "triggers": triggers,
        "points": points,
        "health": health,
        "factor": factor,
        "halved": halved,
        "arithmetic": score_arithmetic(points=points, health=health, factor=factor, halved=halved),
        "sponsor": o.sponsor,
        "sponsor_priority": o.sponsor_priority,
        "new_champion_needed": o.new_champion_needed,
        "department": department,
        "kind": kind,
        "notes": notes,
        "sentence": sentence,
    }
