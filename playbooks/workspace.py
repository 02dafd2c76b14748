"""Reads for the account executive's pages: the ranked list, one opportunity's explanation,
its workflow checklist and its business case.

Every read starts from ``visible_to(user)`` (the one authorization rule) and runs a fixed
number of queries whatever the book's size (pinned in tests/playbooks/test_pages.py). The
ranked list filters and orders through ``OpportunityFilterSet``, the API's own, so the page
and ``/api/v1/opportunities/`` list the same opportunities in the same order.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import QueryDict

from accounts.models import Account, ContractLine, Stakeholder, StakeholderRole
from accounts.querysets import sees_everything
from signals.models import SuccessMetric

from .filters import OpportunityFilterSet
from .labels import (
    MOTION_LABELS,
    PLAY_LABELS,
    REASON_LABELS,
    STAGE_LABELS,
    TRIGGER_LABELS,
    label,
    motion_kind,
)
from .models import (
    OPEN_STAGES,
    HealthSnapshot,
    Opportunity,
    OpportunityCriterionCheck,
    OpportunityStageChange,
    OpportunityStatus,
    ScoringRun,
    ScoringRunStatus,
    Stage,
    UtilizationSnapshot,
)
from .selectors import latest_scoring_run
from .workflow import (
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

PAGE_SIZE = 25
TOP_REASONS = 3
HEALTH_THRESHOLD = 70.0
DEFAULT_NEEDS_SPONSOR_FACTOR = 0.5
SPONSOR_ROLES = (StakeholderRole.EXECUTIVE_SPONSOR, StakeholderRole.ECONOMIC_BUYER)


def _dept(value: str | None) -> str:
    """Departments compare case- and space-insensitively (as the scoring does)."""
    return (value or "").strip().casefold()


def opportunities_visible(*, user) -> QuerySet[Opportunity]:
    """The user's opportunities with what a page shows of each (one query)."""
    return Opportunity.objects.visible_to(user).select_related(
        "account", "target_product", "sponsor", "sponsor_priority"
    )


# --- The ranked list ------------------------------------------------------------------


def trigger_rows(triggers: list[dict]) -> list[dict]:
    """Triggers in words, in the scoring's order."""
    return [
        {
            "code": t.get("code", ""),
            "label": label(t.get("code"), TRIGGER_LABELS),
            "points": float(t.get("points") or 0),
            "detail": t.get("detail") or "",
        }
        for t in triggers or []
    ]


def top_reasons(triggers: list[dict], limit: int = TOP_REASONS) -> list[dict]:
    """The triggers that weigh most, highest first (ties: the scoring's order)."""
    rows = trigger_rows(triggers)
    return sorted(rows, key=lambda t: -t["points"])[:limit]


@dataclass
class ListPage:
    filterset: OpportunityFilterSet
    page: object  # django.core.paginator.Page
    rows: list[Opportunity]
    run: ScoringRun | None
    total: int
    empty_reason: str = ""  # "" | "not_scored" | "empty_book" | "filtered"
    owners: list[str] = field(default_factory=list)
    filtered: bool = False


LIST_FILTERS = ("play", "motion", "status", "stage", "segment", "owner", "renewal_within", "q")


def opportunity_list_page(*, user, params: QueryDict, page_size: int = PAGE_SIZE) -> ListPage:
    """One page of the user's ranked list: open opportunities (unless ``stage`` asks for a
    closed one), filtered and ordered by the API's FilterSet, highest score first.

    Queries: the latest run, the count, the page (+ the owners' e-mails for a manager, + one
    count of the whole book when the page is empty, to say why)."""
    base = opportunities_visible(user=user)
    filterset = OpportunityFilterSet(params, queryset=base)
    queryset = filterset.qs
    if not params.get("stage") or not filterset.is_valid():
        queryset = queryset.filter(stage__in=OPEN_STAGES)
    paginator = Paginator(queryset, page_size)
    page = paginator.get_page(params.get("page"))
    rows = list(page.object_list)
    for row in rows:
        row.reasons = top_reasons(row.triggers)
        row.kind = motion_kind(row.motion)
    run = latest_scoring_run()
    filtered = any(params.get(name) for name in LIST_FILTERS)
    empty_reason = ""
    if not rows:
        if filtered and base.filter(stage__in=OPEN_STAGES).exists():
            empty_reason = "filtered"
        elif run is None:
            empty_reason = "not_scored"
        else:
            empty_reason = "empty_book"
    owners: list[str] = []
    if sees_everything(user):
        owners = list(
            Account.objects.exclude(owner_email="")
            .order_by("owner_email")
            .values_list("owner_email", flat=True)
            .distinct()
        )
    return ListPage(
        filterset=filterset,
        page=page,
        rows=rows,
        run=run,
        total=paginator.count,
        empty_reason=empty_reason,
        owners=owners,
        filtered=filtered,
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


def _fmt(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def score_arithmetic(*, points: float, health: float | None, factor: float, halved: bool) -> str:
    """The score in one line: ``65 points x health 82.8 % = 53.8`` (and the halving)."""
    if health is None:
        return f"{_fmt(points)} points (no health score on the scoring date)"
    score = points * health / 100.0
    line = f"{_fmt(points)} points x health {health:.1f} % = {_fmt(score)}"
    if halved:
        word = "halved" if math.isclose(factor, 0.5) else f"x {_fmt(factor)}"
        line += f", {word} because it needs a sponsor = {_fmt(score * factor)}"
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
        notes.append("An upsell goes through the existing budget owner; never bundled with a "
                     "cross-sell.")
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
        "arithmetic": score_arithmetic(
            points=points, health=health, factor=factor, halved=halved
        ),
        "sponsor": o.sponsor,
        "sponsor_priority": o.sponsor_priority,
        "new_champion_needed": o.new_champion_needed,
        "department": department,
        "kind": kind,
        "notes": notes,
        "sentence": sentence,
    }


# --- One opportunity: the workflow checklist ------------------------------------------


def _facts(
    *, opportunity: Opportunity, health: float | None, stakeholders: list[Stakeholder]
) -> dict[str, tuple[bool, str]]:
    """The data's answer to each data criterion, and how it knows."""
    o = opportunity
    champions = [s for s in stakeholders if s.role == StakeholderRole.CHAMPION and s.active]
    target = _dept(o.department or (o.target_product.department if o.target_product else ""))
    in_target = [s for s in champions if target and _dept(s.department) == target]
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
    """The phases in order, each with its exit criteria and where the opportunity stands."""
    stage = opportunity.stage
    order = [*PHASES, Stage.WON]
    position = order.index(stage) if stage in order else None
    phases = []
    for index, phase in enumerate(PHASES):
        items = [s for s in states if s.criterion.stage == phase]
        if position is None:  # lost / expired: show where it was not
            state = "closed"
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


# --- One opportunity: the business case -----------------------------------------------


def _anchor(metrics: list[SuccessMetric]) -> dict:
    """The outcome anchor: the metric furthest past its target (else the closest to it), in
    the customer's own units; what to collect when there is none."""
    if not metrics:
        return {
            "metric": None,
            "missing": "No success metric on record: collect the customer's own measure of "
            "success (its name, unit, baseline, target and what they have achieved) before "
            "the conversation.",
        }

    def ratio(m: SuccessMetric) -> float:
        return float(m.achieved) / float(m.target) if m.target else 0.0

    best = max(metrics, key=lambda m: (ratio(m), m.as_of, m.name))
    short = [m for m in metrics if m is not best and ratio(m) < 1]
    return {
        "metric": best,
        "reached": ratio(best) >= 1,
        "ratio": ratio(best),
        "short": short,
        "missing": "",
    }


def renewing_lines(*, lines: list[ContractLine], as_of: dt.date | None) -> list[ContractLine]:
    """The lines that end within 0..90 days of the scoring date: what a value review renews."""
    if as_of is None:
        return []
    until = as_of + dt.timedelta(days=90)
    return [line for line in lines if as_of <= line.end_date <= until]


def _proposed_arr(
    *, opportunity: Opportunity, lines: list[ContractLine], utilization: list[dict]
) -> dict:
    """The outcome-linked ask: the target product's list price and the account's quantities.

    - a new product (cross-sell, module, tier upgrade): its list ARR; a tier upgrade replaces
      the current tier's line, so the increase is the difference;
    - more of the same (usage or seat expansion): the product's list ARR per unit of the
      current limit, for the units that bring the most used entitlement back to 80 % of its
      new limit;
    - a value review: the renewing line at its current ARR, nothing added.
    """
    o = opportunity
    product = o.target_product
    if motion_kind(o.motion) == "renewal":
        renewing = renewing_lines(lines=lines, as_of=o.as_of)
        arr = sum((line.arr for line in renewing), Decimal(0))
        names = ", ".join(sorted({line.product.name for line in renewing}))
        return {
            "kind": "renewal",
            "proposed": arr if renewing else None,
            "increase": Decimal(0) if renewing else None,
            "basis": f"Renewal of {names} at the current ARR: no expansion is attached to a "
            "value review." if renewing else "",
            "missing": "" if renewing else "No line renews within 90 days of the scoring date: "
            "check the contract before the review.",
        }
    if product is None:
        return {"kind": "none", "proposed": None, "increase": None, "basis": "",
                "missing": "No target product: agree the product with the department first."}
    if product.list_arr is None:
        return {"kind": "none", "proposed": None, "increase": None, "basis": "",
                "missing": f"No list price for {product.name} ({product.sku}) in the catalogue: "
                "get it from pricing."}
    same = [line for line in lines if line.product_id == product.pk]
    if o.play in ("usage_expansion", "seat_expansion") and same:
        rows = [u for u in utilization if u["product_id"] == product.pk]
        if o.play == "seat_expansion":
            rows = [u for u in rows if u["metric"] == "seats"] or rows
        top = max(rows, key=lambda u: u["ratio"], default=None)
        if top is None or not top["limit"]:
            return {"kind": "capacity", "proposed": None, "increase": None, "basis": "",
                    "missing": "No usage measured against the limit: collect the usage before "
                    "sizing the extra capacity."}
        limit = float(top["limit"])
        needed = math.ceil(float(top["used"]) / 0.8)
        extra_units = max(needed - limit, 0)
        per_unit = float(product.list_arr) / limit
        increase = Decimal(round(per_unit * extra_units, 2)).quantize(Decimal("0.01"))
        return {
            "kind": "capacity",
            "proposed": increase,
            "increase": increase,
            "basis": f"{top['metric']}: {_fmt(float(top['used']))} used of {_fmt(limit)}; "
            f"{_fmt(extra_units)} more to be back at 80 % of the limit, at "
            f"{product.list_arr:,.0f} list per {_fmt(limit)}.",
            "missing": "",
        }
    replaced = Decimal(0)
    basis = f"{product.name} at its list price."
    if o.play == "tier_upgrade":
        family = [
            line for line in lines
            if line.product.family == product.family and line.product_id != product.pk
        ]
        replaced = sum((line.arr for line in family), Decimal(0))
        if family:
            names = ", ".join(sorted({line.product.name for line in family}))
            basis = f"{product.name} at its list price, replacing {names}."
    return {
        "kind": "new",
        "proposed": product.list_arr,
        "increase": product.list_arr - replaced,
        "basis": basis,
        "missing": "",
    }


def business_case(*, opportunity: Opportunity, explanation: dict) -> dict:
    """The business case panel: the outcome anchor, the next step in words, and the ask beside
    the account's current ARR. Three queries (success metrics, active lines, utilization)."""
    o = opportunity
    on = o.as_of or dt.date.today()
    metrics = list(SuccessMetric.objects.filter(account_id=o.account_id).order_by("name"))
    lines = list(
        ContractLine.objects.filter(
            account_id=o.account_id, start_date__lte=on, end_date__gte=on
        ).select_related("product")
    )
    utilization = list(
        UtilizationSnapshot.objects.filter(
            entitlement__contract__account_id=o.account_id, as_of=o.as_of
        ).values(
            "used", "ratio", "entitlement__metric", "entitlement__limit",
            "entitlement__contract__product_id",
        )
    ) if o.as_of else []
    utilization = [
        {
            "used": u["used"],
            "ratio": u["ratio"],
            "metric": u["entitlement__metric"],
            "limit": u["entitlement__limit"],
            "product_id": u["entitlement__contract__product_id"],
        }
        for u in utilization
    ]
    current_arr = sum((line.arr for line in lines), Decimal(0))
    triggers = explanation["triggers"]
    words = [t["label"] for t in triggers]
    framing = ", ".join([*words[:1], *(w[:1].lower() + w[1:] for w in words[1:])])
    renewing = renewing_lines(lines=lines, as_of=o.as_of)
    return {
        "anchor": _anchor(metrics),
        "play": label(o.play, PLAY_LABELS) if o.play else label(o.motion, MOTION_LABELS),
        "framing": framing,
        "sentence": explanation["sentence"],
        "renewing": renewing,
        "ask": _proposed_arr(opportunity=o, lines=lines, utilization=utilization),
        "current_arr": current_arr,
        "lines": lines,
        "as_of": on,
    }


def stage_history(*, opportunity: Opportunity) -> list[OpportunityStageChange]:
    """Who moved it, when, from what, to what, and why (one query)."""
    return list(
        OpportunityStageChange.objects.filter(opportunity=opportunity)
        .select_related("changed_by")
        .order_by("-changed_at", "-id")
    )


def opportunity_page(*, opportunity: Opportunity) -> dict:
    """Everything the opportunity page shows (a fixed number of queries)."""
    explanation = opportunity_explanation(opportunity=opportunity)
    workflow = opportunity_workflow_load(opportunity=opportunity)
    return {
        "explanation": explanation,
        "workflow": workflow,
        "case": business_case(opportunity=opportunity, explanation=explanation),
        "history": stage_history(opportunity=opportunity),
    }

