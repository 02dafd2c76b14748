"""Reads behind the account pages: the account list's rows and everything the account page
shows. Each function runs a fixed number of queries whatever the size of the book or of the
account (pinned in tests/workspace/test_account_pages.py); the data work is done on frames.

Everything is "as of" the latest successful scoring run (``latest_scoring_run``), the same
date the API's results mean.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.core.paginator import Page, Paginator
from django.http import Http404, QueryDict
from django.utils import timezone

from accounts.models import Account, ContractLine, Stakeholder
from accounts.selectors import account_owner_emails
from codes.accounts import SPONSOR_ROLES
from codes.health import HealthComponent
from codes.opportunities import HeldBackReason
from core.paging import page_links
from metrics.revenue import mrr_from_arr
from playbooks.models import OPEN_STAGES, Opportunity, OpportunityStageChange
from scoring.config import ScoringConfig
from scoring.filters import AccountFilterSet
from scoring.models import AccountAction, HealthSnapshot, UsageAlert, UtilizationSnapshot
from scoring.scorecard import account_list, account_rows, account_scoring_details
from scoring.selectors import latest_scoring_run
from signals.models import AccountSignal, DailyUsage, SuccessMetric

#: The health components in the order the spec lists them, with their labels.
COMPONENTS = HealthComponent.choices

#: Days of daily usage the account page charts (ending on the scoring date).
USAGE_CHART_DAYS = 90
#: Days ahead the limit projection looks; beyond them it says "not at the current pace".
PROJECTION_HORIZON_DAYS = 365
#: Items of the account timeline (most recent first).
TIMELINE_LIMIT = 60

ROLE_ORDER = {
    "economic_buyer": 0,
    "executive_sponsor": 1,
    "champion": 2,
    "decision_maker": 3,
    "influencer": 4,
    "user": 5,
    "blocker": 6,
}
EXECUTIVE_ROLES = SPONSOR_ROLES


# --- the account list -----------------------------------------------------------------------

LIST_PAGE_SIZE = 25
LIST_FILTERS = (
    "q",
    "segment",
    "industry",
    "region",
    "owner",
    "eligible",
    "reason",
    "renewal_within",
)


@dataclass(frozen=True)
class AccountListPage:
    filterset: AccountFilterSet
    page: Page
    rows: list[dict]
    total: int
    as_of: dt.date | None
    filtered: bool
    empty_reason: str  # "" | "filtered" | "empty_book"
    owners: list[str]
    page_links: list[tuple[int, str]]


def account_list_page(
    *, user, params: QueryDict, page_size: int = LIST_PAGE_SIZE
) -> AccountListPage:
    """One page of the accounts the user may see, filtered and sorted by the API's FilterSet
    (default: by name). Queries: the latest run, the count, the page, three for its details
    (+ the owners' e-mails for a manager, + one to tell an empty book from a filter that
    excludes everything)."""
    run = latest_scoring_run()
    as_of = None if run is None else run.as_of
    base = account_rows(user=user, as_of=as_of)
    filterset = AccountFilterSet(params, queryset=base.order_by("name", "id"), as_of=as_of)
    queryset = filterset.qs if filterset.is_valid() else base.order_by("name", "id")
    paginator = Paginator(queryset, page_size)
    page = paginator.get_page(params.get("page"))
    accounts = list(page.object_list)
    filtered = any(params.get(name) for name in LIST_FILTERS)
    empty_reason = ""
    if not accounts:
        empty_reason = "filtered" if filtered and base.exists() else "empty_book"
    owners = account_owner_emails(user=user)
    return AccountListPage(
        filterset=filterset,
        page=page,
        rows=account_list_page_rows(accounts, as_of=as_of),
        total=paginator.count,
        as_of=as_of,
        filtered=filtered,
        empty_reason=empty_reason,
        owners=owners,
        page_links=page_links(number=page.number, last=paginator.num_pages),
    )


def account_list_page_rows(accounts: list[Account], *, as_of: dt.date | None) -> list[dict]:
    """One dict per account of a list page (already filtered, sorted and paginated from
    ``selectors.account_rows``): health and its band, ARR, renewal, eligibility reasons, the
    highest utilization with its metric, open opportunities and actions. Three queries for
    the page (``account_scoring_details``), whatever its length."""
    details = account_scoring_details(account_ids=[a.pk for a in accounts], as_of=as_of)
    rows = []
    for account in accounts:
        detail = details[account.pk]
        top = max(detail["utilization"], key=lambda u: u["ratio"], default=None)
        snap = detail["health"]
        rows.append(
            {
                "account": account,
                "external_id": account.external_id,
                "name": account.name,
                "segment": account.get_segment_display(),
                "health": None if snap is None else round(snap.score, 1),
                "health_band": None if snap is None else health_band(snap.score),
                "eligible": None if snap is None else snap.eligible,
                "reasons": [] if snap is None else list(snap.reasons),
                "arr": account.arr_on_day or Decimal(0),
                "renewal_date": account.renewal_date,
                "top_utilization": None
                if top is None
                else {
                    "sku": top["sku"],
                    "metric": top["metric"],
                    "ratio": top["ratio"],
                    "percent": round(top["ratio"] * 100),
                    "level": top["level"],
                    "level_kind": f"level-{top['level']}",
                    "level_label": f"{top['level']} % alert" if top["level"] else "",
                },
                "open_opportunities": account.open_opportunities,
                "actions": [a.code for a in detail["actions"]],
            }
        )
    return rows


def health_band(score: float | None, *, threshold: float = 70.0) -> str | None:
    """'good' above the eligibility threshold, 'watch' from 50 to it, 'risk' below 50: the
    design system's bands (``badge-good``, ``health-risk``), one meaning on every page."""
    if score is None:
        return None
    if score > threshold:
        return "good"
    return "watch" if score >= 50 else "risk"


# --- the account page -------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountPage:
    account: Account
    as_of: dt.date | None
    arr: Decimal
    mrr: Decimal
    renewal_date: dt.date | None
    health: dict | None
    health_trend: list[dict]
    health_change: dict | None
    utilization: list[dict]
    usage_series: list[dict]
    contract_lines: list[dict]
    stakeholders: list[dict]
    opportunities: list[dict]
    actions: list[dict]
    held_back: list[dict]
    success_metrics: list[dict]
    timeline: list[dict]
    health_chart: dict
    usage_charts: list[dict]
    timeline_kind: str = ""


TIMELINE_KINDS = {
    "signal": "Signals",
    "alert": "Usage alerts",
    "stage": "Stage changes",
    "opportunity": "Opportunities",
}


def account_page(*, user, external_id: str, timeline_kind: str = "") -> AccountPage:
    """Everything the account page shows, for an account the user may see; ``Http404``
    otherwise (the one rule: ``restrict``). A fixed number of queries (thirteen).
    ``timeline_kind``: one of ``TIMELINE_KINDS`` to show only those events."""
    run = latest_scoring_run()
    as_of = None if run is None else run.as_of
    config = ScoringConfig.from_dict(None if run is None else run.settings)
    day = as_of or timezone.localdate()
    account = account_list(user=user, day=day).filter(external_id=external_id).first()
    if account is None:
        raise Http404("No such account.")
    history = account_health_history(account_id=account.pk)
    current = next((row for row in history if row["as_of"] == as_of), None)
    previous = [row for row in history if as_of and row["as_of"] < as_of]
    health = change = None
    if current is not None:
        health = _health_view(current, config)
        change = health_change_explain(
            current=current, previous=previous[-1] if previous else None, config=config
        )
    utilization = account_utilization(account_id=account.pk, as_of=as_of)
    usage = account_usage(account_id=account.pk, day=day)
    utilization = _with_projection(utilization, usage, day=day, config=config)
    trend = [{"as_of": row["as_of"], "score": round(float(row["score"]), 1)} for row in history]
    series = _usage_series(usage, utilization)
    timeline_kind = timeline_kind if timeline_kind in TIMELINE_KINDS else ""
    opportunities = account_opportunities(account_id=account.pk)
    timeline = account_timeline(account_id=account.pk, opportunities=opportunities)
    if timeline_kind:
        timeline = [event for event in timeline if event["kind"] == timeline_kind]
    return AccountPage(
        account=account,
        as_of=as_of,
        arr=(account.arr_on_day or Decimal(0)).quantize(Decimal("0.01")),
        mrr=mrr_from_arr(account.arr_on_day),
        renewal_date=account.renewal_date,
        health=health,
        health_trend=trend,
        health_change=change,
        utilization=utilization,
        usage_series=series,
        contract_lines=account_contract_lines(account_id=account.pk, day=day),
        stakeholders=account_stakeholders(account_id=account.pk),
        opportunities=account_open_opportunities(opportunities),
        actions=account_actions(account_id=account.pk, as_of=as_of),
        held_back=account_held_back(current),
        success_metrics=account_success_metrics(account_id=account.pk),
        timeline=timeline,
        health_chart=health_chart(trend, threshold=config.health_threshold),
        usage_charts=[
            {**s, "chart_id": f"usage-{i}", "chart": usage_chart(s)} for i, s in enumerate(series)
        ],
        timeline_kind=timeline_kind,
    )


def _day_label(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def health_chart(trend: list[dict], *, threshold: float) -> dict:
    """The health trend as the chart component's data: the score per scored date, and the
    eligibility threshold as a dashed line."""
    return {
        "labels": [_day_label(point["as_of"]) for point in trend],
        "datasets": [
            {"label": "Health", "data": [point["score"] for point in trend], "fill": True},
            {
                "label": f"Eligibility threshold ({threshold:g})",
                "data": [threshold] * len(trend),
                "borderDash": [6, 4],
                "color": "#8a4a00",
            },
        ],
        "options": {"y_min": 0, "y_max": 100},
    }


def usage_chart(series: dict) -> dict:
    """One metric's daily usage as the chart component's data, with the limit's daily
    equivalent (a month limit / 30) as a dashed line when the metric is licensed."""
    datasets = [{"label": series["metric"], "data": series["values"], "fill": True}]
    if series["daily_limit"] is not None:
        label = "daily share of the limit" if series["period"] == "month" else "limit"
        datasets.append(
            {
                "label": label,
                "data": [series["daily_limit"]] * len(series["values"]),
                "borderDash": [6, 4],
                "color": "#c0262d",
            }
        )
    return {
        "labels": [_day_label(dt.date.fromisoformat(d)) for d in series["labels"]],
        "datasets": datasets,
        "options": {"y_min": 0, "legend": True},
    }


# --- health: components, trend, why it changed -------------------------------------------------

HEALTH_COLUMNS = [
    "as_of",
    "score",
    *(name for name, _ in COMPONENTS),
    "eligible",
    "reasons",
    # Held-back candidates (issue 12), where the snapshot has them.
    *(["held_back"] if any(f.name == "held_back" for f in HealthSnapshot._meta.fields) else []),
]


def account_health_history(*, account_id: int) -> list[dict]:
    """Every scored date of the account, oldest first: score and components (one query)."""
    return list(
        HealthSnapshot.objects.filter(account_id=account_id)
        .order_by("as_of")
        .values(*HEALTH_COLUMNS)
    )


def _weights(config: ScoringConfig) -> dict[str, float]:
    raw = {name: float(getattr(config, f"weight_{name}")) for name, _ in COMPONENTS}
    total = sum(raw.values()) or 1.0
    return {name: value / total for name, value in raw.items()}


def _health_view(row, config: ScoringConfig) -> dict:
    weights = _weights(config)
    components = []
    for name, label in COMPONENTS:
        value = float(row[name])
        components.append(
            {
                "name": name,
                "label": label,
                "value": round(value, 1),
                "weight": round(weights[name] * 100),
                "points": round(value * weights[name], 1),
            }
        )
    weakest = min(components, key=lambda c: c["value"])
    return {
        "score": round(float(row["score"]), 1),
        "band": health_band(float(row["score"]), threshold=config.health_threshold),
        "eligible": bool(row["eligible"]),
        "reasons": list(row["reasons"] or []),
        "components": components,
        "weakest": weakest,
        "threshold": config.health_threshold,
    }


def health_change_explain(*, current, previous, config: ScoringConfig) -> dict:
    """Why the health score moved since the previous scored date: each component's share
    of the move (its change x its weight), the one that moved it most, in words.

    With no previous date: ``{"previous": None, "sentence": ...}``. The shares add up to the
    score's change when both dates were scored with the same weights (the current ones are
    used for both)."""
    score = float(current["score"])
    if previous is None:
        return {
            "previous": None,
            "delta": None,
            "components": [],
            "sentence": f"First scored on {current['as_of']:%d %b %Y}: nothing to compare yet.",
        }
    weights = _weights(config)
    before = float(previous["score"])
    delta = score - before
    moves = []
    for name, label in COMPONENTS:
        old, new = float(previous[name]), float(current[name])
        moves.append(
            {
                "name": name,
                "label": label,
                "before": round(old, 1),
                "after": round(new, 1),
                "change": round(new - old, 1),
                "points": round((new - old) * weights[name], 1),
            }
        )
    mover = max(moves, key=lambda m: abs(m["points"]))
    since = f"since {previous['as_of']:%d %b %Y}"
    if abs(delta) < 0.05 and abs(mover["points"]) < 0.05:
        sentence = f"Unchanged {since} ({score:.1f})."
    else:
        direction = "Up" if delta > 0 else "Down" if delta < 0 else "Unchanged"
        sentence = (
            f"{direction} {abs(delta):.1f} points {since} ({before:.1f} → {score:.1f}). "
            f"{mover['label']} moved it most: {mover['before']:.1f} → {mover['after']:.1f}, "
            f"{_signed(mover['points'])} points of health."
        )
    return {
        "previous": previous["as_of"],
        "before": round(before, 1),
        "delta": round(delta, 1),
        "components": moves,
        "mover": mover,
        "sentence": sentence,
    }


def _signed(value: float) -> str:
    if value > 0:
        return f"+{value:.1f}"
    return f"\N{MINUS SIGN}{abs(value):.1f}" if value < 0 else "0.0"


# --- utilization and the projected date the limit is reached -------------------------------


def account_utilization(*, account_id: int, as_of: dt.date | None) -> list[dict]:
    """The account's entitlements measured on the scoring date (one query)."""
    if as_of is None:
        return []
    rows = (
        UtilizationSnapshot.objects.filter(
            entitlement__contract__account_id=account_id, as_of=as_of
        )
        .order_by("entitlement__contract__product__sku", "entitlement__metric")
        .values(
            "entitlement_id",
            "entitlement__metric",
            "entitlement__limit",
            "entitlement__period",
            "entitlement__contract__product__sku",
            "entitlement__contract__product__name",
            "entitlement__contract__end_date",
            "used",
            "ratio",
            "level",
        )
    )
    return [
        {
            "entitlement_id": r["entitlement_id"],
            "sku": r["entitlement__contract__product__sku"],
            "product": r["entitlement__contract__product__name"],
            "metric": r["entitlement__metric"],
            "limit": float(r["entitlement__limit"]),
            "period": r["entitlement__period"],
            "term_end": r["entitlement__contract__end_date"],
            "used": r["used"],
            "ratio": r["ratio"],
            "percent": round(r["ratio"] * 100, 1),
            # The bar is capped at the limit; the number says how far past it.
            "bar_percent": round(min(r["ratio"], 1.0) * 100, 1),
            "level": r["level"],
            "level_kind": f"level-{r['level']}",
            "level_label": f"{r['level']} % alert" if r["level"] else "",
        }
        for r in rows
    ]


@dataclass(frozen=True)
class Usage:
    """An account's daily usage over the ``USAGE_CHART_DAYS`` ending on ``day``: one row of
    ``values`` per metric (``metrics``, sorted), one column per day, NaN where nothing was
    reported."""

    day: dt.date
    metrics: list[str]
    values: np.ndarray

    @property
    def days(self) -> list[dt.date]:
        n = self.values.shape[1]
        return [self.day - dt.timedelta(days=n - 1 - i) for i in range(n)]


def account_usage(*, account_id: int, day: dt.date, days: int = USAGE_CHART_DAYS) -> Usage:
    """The account's daily usage to ``day`` as a metric x day array (one query; an account's
    few hundred readings go into a NumPy array, cheaper here than a DataFrame)."""
    start = day - dt.timedelta(days=days - 1)
    rows = list(
        DailyUsage.objects.filter(account_id=account_id, date__gte=start, date__lte=day)
        .order_by()
        .values_list("metric", "date", "quantity")
    )
    metrics = sorted({metric for metric, _, _ in rows})
    row_of = {metric: i for i, metric in enumerate(metrics)}
    values = np.full((len(metrics), days), np.nan)
    for metric, date, quantity in rows:
        values[row_of[metric], (date - start).days] = quantity
    return Usage(day=day, metrics=metrics, values=values)


def limit_projection(
    values: np.ndarray,
    *,
    is_month: np.ndarray,
    limit: np.ndarray,
    ratio: np.ndarray,
    day: dt.date,
    window_days: int = 30,
    fit_days: int = 60,
    horizon_days: int = PROJECTION_HORIZON_DAYS,
) -> list[tuple[str, dt.date | None, float]]:
    """The date each entitlement reaches its limit at the current pace, for all of them at
    once: ``values`` has one row per entitlement (its metric's daily values, the last column
    being ``day``; NaN: nothing reported), ``is_month``, ``limit`` and ``ratio`` one value
    per entitlement.

    Method: the pace is the least-squares line through the daily values of the ``fit_days``
    ending on ``day`` (day offsets -59 .. 0 by default: the two windows the health trend
    compares, so month-on-month growth shows; a ``month`` metric counts a missing day as 0,
    an ``instant`` metric uses the readings it has, at least two).
    - ``instant`` (a level): the limit is reached on the first day d > 0 where the line,
      a + b·d, is at or above it.
    - ``month`` (a flow measured over ``window_days`` = n): the first day d > 0 where the
      line's sum over the n days ending on d, n·a + b·(n·d - n(n-1)/2), is at or above it.
    Already at or over the limit (ratio >= 1): reached, dated ``day``. A flat or falling
    pace, or a date past ``horizon_days``: no date ("not at the current pace").

    Returns one (status, projected date or None, slope in units per day) per entitlement;
    status is ``reached``, ``projected`` or ``not_at_pace``.
    """
    n, m = window_days, fit_days
    recent = values[:, -m:]
    x = np.arange(-(recent.shape[1] - 1), 1, dtype=float)
    reported = ~np.isnan(recent)
    y = np.where(reported, recent, 0.0)
    # The points of each line: every day for a month metric, the readings for an instant one.
    points = np.where(is_month[:, None], True, reported).astype(float)
    count = points.sum(axis=1)
    sx, sxx = (points * x).sum(axis=1), (points * x * x).sum(axis=1)
    sy, sxy = (points * y).sum(axis=1), (points * x * y).sum(axis=1)
    denominator = count * sxx - sx * sx
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(denominator > 0, (count * sxy - sx * sy) / denominator, 0.0)
        intercept = np.where(count > 0, (sy - slope * sx) / np.maximum(count, 1), 0.0)
        # First day d where the projected value reaches the limit (see the docstring).
        month_days = (limit - n * intercept + slope * (n * (n - 1) / 2)) / (n * slope)
        instant_days = (limit - intercept) / slope
        days = np.where(is_month, month_days, instant_days)
    days = np.maximum(np.where(slope > 0, np.ceil(days), np.inf), 1)
    out = []
    for reached, d, b in zip(ratio >= 1.0, days, slope, strict=True):
        if reached:
            out.append(("reached", day, float(b)))
        elif np.isfinite(d) and d <= horizon_days:
            out.append(("projected", day + dt.timedelta(days=int(d)), float(b)))
        else:
            out.append(("not_at_pace", None, float(b)))
    return out


def _with_projection(
    utilization: list[dict], usage: Usage, *, day: dt.date, config: ScoringConfig
) -> list[dict]:
    if not utilization:
        return utilization
    row_of = {metric: i for i, metric in enumerate(usage.metrics)}
    empty = np.full(usage.values.shape[1], np.nan)
    projection = limit_projection(
        np.array(
            [
                usage.values[row_of[u["metric"]]] if u["metric"] in row_of else empty
                for u in utilization
            ]
        ),
        is_month=np.array([u["period"] == "month" for u in utilization]),
        limit=np.array([u["limit"] for u in utilization], dtype=float),
        ratio=np.array([u["ratio"] for u in utilization], dtype=float),
        day=day,
        window_days=config.usage_window_days,
        fit_days=config.usage_window_days + config.trend_prior_days,
    )
    levels = (config.alert_level_1, config.alert_level_2, config.alert_level_3)
    out = []
    for item, (status, projected, _slope) in zip(utilization, projection, strict=True):
        if status == "reached":
            words = "limit reached"
        elif status == "projected":
            words = f"limit reached around {projected:%d %b %Y} at the current pace"
            if item["term_end"] and projected > item["term_end"]:
                words += f" (after the term ends on {item['term_end']:%d %b %Y})"
        else:
            words = "not at the current pace"
        out.append(
            {
                **item,
                "projected": projected,
                "projection_status": status,
                "projection": words,
                "marks": levels,
            }
        )
    return out


def _usage_series(usage: Usage, utilization: list[dict]) -> list[dict]:
    """One chart series per metric: every day of the window (a month metric's missing day
    is 0; an instant metric's is a gap), with the entitlement's limit beside it (a month
    metric's limit is per 30 days, so its daily equivalent is limit / 30)."""
    if not usage.metrics:
        return []
    labels = [d.isoformat() for d in usage.days]
    by_metric = defaultdict(list)
    for item in utilization:
        by_metric[item["metric"]].append(item)
    series = []
    for metric, row in zip(usage.metrics, usage.values, strict=True):
        items = by_metric.get(metric, [])
        period = items[0]["period"] if items else "month"
        if period == "month":
            row = np.nan_to_num(row, nan=0.0)
        limit = sum(i["limit"] for i in items) if items else None
        daily_limit = None
        if limit is not None:
            daily_limit = round(limit / 30, 2) if period == "month" else limit
        series.append(
            {
                "metric": metric,
                "period": period,
                "labels": labels,
                "values": [None if math.isnan(v) else round(float(v), 2) for v in row],
                "limit": limit,
                "daily_limit": daily_limit,
                "total": round(float(np.nansum(row)), 2),
            }
        )
    return series


# --- contracts, people, plays, outcomes, timeline ---------------------------------------------


def account_contract_lines(*, account_id: int, day: dt.date) -> list[dict]:
    """Every contract line, active ones first then by renewal date (one query)."""
    rows = (
        ContractLine.objects.filter(account_id=account_id)
        .order_by("-end_date", "external_id")
        .values("external_id", "product__sku", "product__name", "start_date", "end_date", "arr")
    )
    lines = []
    for r in rows:
        active = r["start_date"] <= day <= r["end_date"]
        lines.append(
            {
                "external_id": r["external_id"],
                "sku": r["product__sku"],
                "product": r["product__name"],
                "start_date": r["start_date"],
                "end_date": r["end_date"],
                "arr": r["arr"],
                "active": active,
                "state": "active" if active else "ended" if r["end_date"] < day else "future",
                "days_to_renewal": (r["end_date"] - day).days if active else None,
            }
        )
    lines.sort(key=lambda line: (not line["active"], line["end_date"]))
    return lines


def account_stakeholders(*, account_id: int) -> list[dict]:
    """Stakeholders grouped by department, each group ordered by role (buyer, sponsor,
    champion, ...), active first, with each executive's priorities by year, newest first
    (one query: people joined to their priorities, a row per priority)."""
    rows = (
        Stakeholder.objects.filter(account_id=account_id)
        .order_by("id", "-priorities__year", "priorities__priority")
        .values(
            "id",
            "name",
            "title",
            "email",
            "department",
            "role",
            "influence",
            "active",
            "priorities__year",
            "priorities__priority",
        )
    )
    people: dict[int, dict] = {}
    priorities: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        year, text = row.pop("priorities__year"), row.pop("priorities__priority")
        people.setdefault(row["id"], row)
        if year is not None:
            priorities[row["id"]].append({"year": year, "priority": text})
    people = list(people.values())
    labels = dict(Stakeholder._meta.get_field("role").choices)
    departments: dict[str, list[dict]] = defaultdict(list)
    for person in people:
        by_year: dict[int, list[str]] = defaultdict(list)
        for p in priorities[person["id"]]:
            by_year[p["year"]].append(p["priority"])
        departments[person["department"] or "No department"].append(
            {
                **person,
                "role_label": labels.get(person["role"], person["role"]),
                "executive": person["role"] in EXECUTIVE_ROLES,
                "priorities": [{"year": y, "items": items} for y, items in by_year.items()],
            }
        )
    return [
        {
            "department": name,
            "people": sorted(
                members,
                key=lambda m: (not m["active"], ROLE_ORDER.get(m["role"], 9), m["name"]),
            ),
            "has_champion": any(m["active"] and m["role"] == "champion" for m in members),
            "has_executive": any(m["active"] and m["executive"] for m in members),
        }
        for name, members in sorted(departments.items())
    ]


def account_opportunities(*, account_id: int) -> list[dict]:
    """Every opportunity of the account, best score first (one query): the open ones are
    the plays, all of them feed the timeline."""
    return list(
        Opportunity.objects.filter(account_id=account_id)
        .order_by("-score", "id")
        .values(
            "id",
            "play",
            "motion",
            "status",
            "stage",
            "score",
            "triggers",
            "target_product__sku",
            "target_product__name",
            "department",
            "new_champion_needed",
            "sponsor__name",
            "sponsor_priority__priority",
            "amount_arr",
            "created",
            "closed",
            "notes",
        )
    )


def account_open_opportunities(opportunities: list[dict]) -> list[dict]:
    """The open ones of ``account_opportunities``, in their order, as the page shows them."""
    rows = [r for r in opportunities if r["stage"] in OPEN_STAGES]
    plays = dict(Opportunity._meta.get_field("play").choices)
    motions = dict(Opportunity._meta.get_field("motion").choices)
    stages = dict(Opportunity._meta.get_field("stage").choices)
    statuses = dict(Opportunity._meta.get_field("status").choices)
    return [
        {
            "id": r["id"],
            "play": r["play"],
            "play_label": plays.get(r["play"]) or motions.get(r["motion"], r["motion"]),
            "motion": r["motion"],
            "motion_label": motions.get(r["motion"], r["motion"]),
            "status": r["status"],
            "status_label": statuses.get(r["status"], ""),
            "stage": r["stage"],
            "stage_label": stages.get(r["stage"], r["stage"]),
            "score": round(r["score"], 1),
            "target_sku": r["target_product__sku"],
            "target_name": r["target_product__name"],
            "department": r["department"],
            "new_champion_needed": r["new_champion_needed"],
            "sponsor": r["sponsor__name"],
            "sponsor_priority": r["sponsor_priority__priority"],
            "amount_arr": r["amount_arr"],
            "reasons": [t["detail"] or t["code"] for t in r["triggers"]][:3],
        }
        for r in rows
    ]


def account_actions(*, account_id: int, as_of: dt.date | None) -> list[dict]:
    """The account actions of the scoring date with their reasons (one query)."""
    if as_of is None:
        return []
    labels = dict(AccountAction._meta.get_field("code").choices)
    return [
        {"code": code, "label": labels.get(code, code), "detail": detail}
        for code, detail in AccountAction.objects.filter(account_id=account_id, as_of=as_of)
        .order_by("code")
        .values_list("code", "detail")
    ]


HELD_BACK_REASONS = HeldBackReason.labels


def account_held_back(health_row: dict | None) -> list[dict]:
    """The candidates that wait (scoring.md section 4b), best score first, with their reason
    in words: read from the health snapshot's ``held_back`` (issue 12 stores them there;
    on a snapshot without them, none)."""
    plays = dict(Opportunity._meta.get_field("play").choices)
    held = (health_row or {}).get("held_back") or []
    return [
        {
            "play": h.get("play"),
            "play_label": plays.get(h.get("play"), (h.get("play") or "").replace("_", " ")),
            "target_sku": h.get("target_sku"),
            "score": h.get("score"),
            "reason": h.get("reason"),
            "reason_label": HELD_BACK_REASONS.get(h.get("reason"), h.get("reason") or ""),
            "detail": h.get("detail") or "",
        }
        for h in sorted(held, key=lambda h: -(h.get("score") or 0))
    ]


def account_success_metrics(*, account_id: int) -> list[dict]:
    """Outcome anchors with how far they are against target (one query)."""
    out = []
    for r in (
        SuccessMetric.objects.filter(account_id=account_id)
        .order_by("name")
        .values("name", "unit", "baseline", "target", "achieved", "as_of")
    ):
        target, achieved = float(r["target"]), float(r["achieved"])
        share = achieved / target if target else None
        out.append(
            {
                **r,
                "share": share,
                "percent": None if share is None else round(share * 100),
                "met": share is not None and share >= 1,
            }
        )
    return out


SIGNAL_LABELS = dict(AccountSignal._meta.get_field("kind").choices)


def account_timeline(
    *, account_id: int, opportunities: list[dict], limit: int = TIMELINE_LIMIT
) -> list[dict]:
    """Signals, usage alerts, stage changes (with their notes) and opportunities opened or
    closed (``opportunities``: from ``account_opportunities``), most recent first, at most
    ``limit`` (three queries, each capped at ``limit``)."""
    events: list[dict] = []
    for s in (
        AccountSignal.objects.filter(account_id=account_id)
        .order_by("-date", "kind")
        .values("date", "kind", "value", "department", "detail")[:limit]
    ):
        events.append(
            {"date": s["date"], "kind": "signal", "code": s["kind"], "text": _signal_text(s)}
        )
    for a in (
        UsageAlert.objects.filter(entitlement__contract__account_id=account_id)
        .order_by("-raised_on", "-level")
        .values(
            "raised_on",
            "level",
            "ratio",
            "entitlement__metric",
            "entitlement__contract__product__sku",
        )[:limit]
    ):
        events.append(
            {
                "date": a["raised_on"],
                "kind": "alert",
                "code": f"level_{a['level']}",
                "level": a["level"],
                "text": f"{a['entitlement__metric']} of {a['entitlement__contract__product__sku']}"
                f" reached {a['level']} % of its limit ({a['ratio']:.0%})",
            }
        )
    stages = dict(Opportunity._meta.get_field("stage").choices)
    plays = dict(Opportunity._meta.get_field("play").choices)
    for c in (
        OpportunityStageChange.objects.filter(opportunity__account_id=account_id)
        .order_by("-changed_at", "-id")
        .values(
            "changed_at",
            "from_stage",
            "to_stage",
            "note",
            "changed_by__username",
            "opportunity_id",
            "opportunity__play",
            "opportunity__motion",
        )[:limit]
    ):
        what = plays.get(c["opportunity__play"]) or c["opportunity__motion"].replace("_", " ")
        text = (
            f"{what}: {stages.get(c['from_stage'], c['from_stage'] or 'new')} → "
            f"{stages.get(c['to_stage'], c['to_stage'])}"
        )
        if c["changed_by__username"]:
            text += f" by {c['changed_by__username']}"
        events.append(
            {
                "date": timezone.localtime(c["changed_at"]).date(),
                "kind": "stage",
                "code": c["to_stage"],
                "text": text,
                "note": c["note"],
                "opportunity_id": c["opportunity_id"],
            }
        )
    recent = sorted(opportunities, key=lambda o: (o["created"], o["id"]), reverse=True)
    for o in recent[:limit]:
        what = plays.get(o["play"]) or o["motion"].replace("_", " ").capitalize()
        events.append(
            {
                "date": o["created"],
                "kind": "opportunity",
                "code": "opened",
                "text": f"{what} opportunity opened",
                "note": o["notes"],
                "opportunity_id": o["id"],
            }
        )
        if o["closed"]:
            events.append(
                {
                    "date": o["closed"],
                    "kind": "opportunity",
                    "code": o["stage"],
                    "text": f"{what} opportunity {stages.get(o['stage'], o['stage']).lower()}",
                    "opportunity_id": o["id"],
                }
            )
    events.sort(key=lambda e: e["date"], reverse=True)
    return events[:limit]


def _signal_text(signal: dict) -> str:
    """'NPS 9', 'Support ticket, severity 1: outage', 'Internal referral (Finance): ...'."""
    label = SIGNAL_LABELS.get(signal["kind"], signal["kind"])
    value = signal["value"]
    if value is None:
        text = label
    elif signal["kind"] == "support_ticket":
        text = f"{label}, severity {_number(value)}"
    elif signal["kind"] == "new_users":
        text = f"{_number(value)} new users"
    else:
        text = f"{label} {_number(value)}"
    if signal["department"]:
        text += f" ({signal['department']})"
    if signal["detail"]:
        text += f": {signal['detail']}"
    return text


def _number(value) -> str:
    value = float(value)
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
