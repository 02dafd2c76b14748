"""Shared types of the generator: what to generate (`Plan`) and what it produced."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

ONE = dt.timedelta(days=1)
USAGE_DAYS = 90
Line = tuple[str, str, dt.date, dt.date, int]  # external_id, sku, start, end, arr


def add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    y += d.year
    return dt.date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def r100(x: float) -> int:
    return round(x / 100.0) * 100


@dataclass
class Plan:
    """What kind of account to generate; None means "draw at random"."""

    archetype: str  # healthy, unhealthy, underutilized, onboarding, churned, reactivated
    segment: str | None = None
    industry: str | None = None
    rank: int | None = None  # tier rank 1..3 at as_of; 0: no tier, the first module is the base
    modules: tuple[str, ...] | None = None
    util: dict[str, float] = field(default_factory=dict)  # metric -> utilization at as_of
    util_range: tuple[float, float] | None = None  # for the metrics not in `util`
    growth: float | None = None  # last 30 days / prior 30 days
    renewal_in: int | None = None  # days from as_of to the end of the current base line
    history: str | None = None  # "upgrade", "downgrade" (price) or "tier_down" at the first renewal
    tenure: int | None = None  # days since customer_since (onboarding)
    nps: int | None = None  # -1: no NPS
    tickets: int | None = None  # support tickets in the last 90 days
    champion: str | None = None  # active, inactive, missing
    sponsor: str | None = None
    priorities: tuple[str, ...] | None = None  # sponsor's departments for as_of's year
    events: tuple[tuple[str, int, str], ...] = ()  # (kind, days before as_of, dept or detail)
    new_users_pct: float | None = None  # new_users in the last 30 days / seat limit
    achieved: bool | None = None
    reference: bool | None = None
    planted: bool = False
    module_days: int | None = None  # days since the modules were bought (a recent purchase)
    lost: tuple[tuple[str, int], ...] = ()  # (sku, days before as_of) of a lost cross-sell
    deal: tuple[str, str, str] | None = None  # an open deal: (motion, sku, stage)
    short_outcome: bool = False  # beside the achieved outcome, one at 30 % of its target


@dataclass
class UsageSpec:
    """Column lists, one entry per active entitlement, for the vectorised usage writer."""

    account: list[int] = field(default_factory=list)
    metric: list[int] = field(default_factory=list)
    instant: list[bool] = field(default_factory=list)
    limit: list[int] = field(default_factory=list)
    util: list[float] = field(default_factory=list)
    growth: list[float] = field(default_factory=list)
    first_day: list[int] = field(default_factory=list)  # index in the 90-day window


FILES: dict[str, tuple[str, ...]] = {
    "accounts": (
        "external_id",
        "name",
        "segment",
        "industry",
        "region",
        "domain",
        "owner_email",
        "csm_email",
        "customer_since",
    ),
    "contracts": ("external_id", "account_id", "sku", "start_date", "end_date", "arr"),
    "entitlements": ("contract_id", "metric", "limit", "period"),
    "stakeholders": (
        "external_id",
        "account_id",
        "name",
        "email",
        "title",
        "department",
        "role",
        "influence",
        "active",
    ),
    "priorities": ("stakeholder_id", "year", "priority", "department", "source"),
    "signals": ("account_id", "date", "kind", "value", "department", "detail"),
    "success_metrics": ("account_id", "name", "unit", "baseline", "target", "achieved", "as_of"),
    "opportunities": (
        "external_id",
        "account_id",
        "motion",
        "sku",
        "amount_arr",
        "stage",
        "created",
        "closed",
    ),
}


@dataclass
class Ctx:
    """What the narrative needs to know about an account."""

    acc: str
    plan: Plan
    industry: str
    since: dt.date
    alive: dt.date  # as_of, or the last day of a churned account
    owned: list[str]
    owned_depts: list[str]
    seat_limit: int
