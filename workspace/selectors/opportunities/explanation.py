"""Why one opportunity is where it is: every trigger, the score's arithmetic, the guardrails."""

from __future__ import annotations

import datetime as dt
import math

from playbooks.labels import (
    REASON_LABELS,
    label,
    motion_kind,
)
from playbooks.models import OPEN_STAGES, Opportunity, OpportunityStatus
from scoring.models import HealthSnapshot, ScoringRun, ScoringRunStatus

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


def blocked_sentence(*, reasons: list[str], health: float | None) -> str:
    """The account's guardrail reasons in words, for an expansion in progress there:
    ``The account is blocked for expansion: unhealthy (health 48.3), ... recover first.``"""
    words = []
    for reason in reasons:
        if reason == "unhealthy" and health is not None:
            words.append(f"unhealthy (health {health:.1f})")
        elif reason in ("unhealthy", "underutilized"):
            words.append(f"{reason} ({label(reason, REASON_LABELS).lower()})")
        elif reason == "detractor":
            words.append("detractor (latest NPS 6 or lower)")
        else:
            words.append(label(reason, REASON_LABELS).lower())
    return (
        f"The account is blocked for expansion: {', '.join(words)} — the playbook says "
        "recover first."
    )


def opportunity_explanation(*, opportunity: Opportunity) -> dict:
    """Everything behind one opportunity's score: every trigger with its points and detail,
    the arithmetic, the sponsor and the priority it advances, the guardrail notes. Two
    queries (the health snapshot of the scoring date, the run's settings)."""
    o = opportunity
    triggers = trigger_rows(o.triggers)
    points = sum(t["points"] for t in triggers)
    # The latest snapshot up to the scoring date (any, for a deal imported from the CRM that
    # the scoring never refreshed): its guardrail reasons apply to every open opportunity.
    snapshots = HealthSnapshot.objects.filter(account_id=o.account_id)
    if o.as_of:
        snapshots = snapshots.filter(as_of__lte=o.as_of)
    snapshot = snapshots.order_by("-as_of").values("score", "reasons", "eligible", "as_of").first()
    health = snapshot["score"] if snapshot and o.as_of and snapshot["as_of"] == o.as_of else None
    halved = o.status == OpportunityStatus.NEEDS_SPONSOR
    factor = _run_factor(o.as_of) if halved and o.as_of else 1.0
    kind = motion_kind(o.motion)
    department = o.department or (o.target_product.department if o.target_product else "")
    notes: list[str] = []
    reasons = (snapshot or {}).get("reasons") or []
    blocked = ""
    if reasons and kind != "renewal" and o.stage in OPEN_STAGES:
        blocked = blocked_sentence(reasons=reasons, health=snapshot["score"])
    elif reasons:
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
        "blocked": blocked,
        "sentence": sentence,
    }
