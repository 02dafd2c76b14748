"""Per-account generation: contract history, people, signals, outcomes, opportunities.

Every random draw goes through one `random.Random`, in account order, so a book is a pure
function of (seed, accounts, as_of). Usage is not written here: each active entitlement is
recorded in `UsageSpec` (target utilization and trend) and drawn vectorised in `usage.py`.
"""

from __future__ import annotations

import calendar
import itertools
import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from . import catalog as c

ONE = dt.timedelta(days=1)
USAGE_DAYS = 90
Line = tuple[str, str, dt.date, dt.date, int]  # external_id, sku, start, end, arr


def add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    y += d.year
    return dt.date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def _r100(x: float) -> int:
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
    history: str | None = None  # "upgrade" or "downgrade" at the first renewal
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
    "accounts": ("external_id", "name", "segment", "industry", "region", "domain",
                 "owner_email", "csm_email", "customer_since"),
    "contracts": ("external_id", "account_id", "sku", "start_date", "end_date", "arr"),
    "entitlements": ("contract_id", "metric", "limit", "period"),
    "stakeholders": ("external_id", "account_id", "name", "email", "title", "department",
                     "role", "influence", "active"),
    "priorities": ("stakeholder_id", "year", "priority", "department", "source"),
    "signals": ("account_id", "date", "kind", "value", "department", "detail"),
    "success_metrics": ("account_id", "name", "unit", "baseline", "target", "achieved", "as_of"),
    "opportunities": ("external_id", "account_id", "motion", "sku", "amount_arr", "stage",
                      "created", "closed"),
}


@dataclass
class _Ctx:
    acc: str
    plan: Plan
    industry: str
    since: dt.date
    alive: dt.date  # as_of, or the last day of a churned account
    owned: list[str]
    owned_depts: list[str]
    seat_limit: int


STATES = ("active", "inactive", "missing")
PEOPLE_ODDS = {  # archetype -> (champion, sponsor) odds of active / inactive / missing
    "healthy": ((0.9, 0.04, 0.06), (0.82, 0.07, 0.11)),
    "unhealthy": ((0.6, 0.2, 0.2), (0.5, 0.2, 0.3)),
    "underutilized": ((0.85, 0.07, 0.08), (0.75, 0.1, 0.15)),
    "churned": ((0.3, 0.5, 0.2), (0.3, 0.4, 0.3)),
}
NPS_ODDS = {  # archetype -> (chance of a recent NPS, values, weights)
    "healthy": (0.85, (6, 7, 8, 9, 10), (0.05, 0.2, 0.3, 0.27, 0.18)),
    "reactivated": (0.85, (6, 7, 8, 9, 10), (0.05, 0.2, 0.3, 0.27, 0.18)),
    "unhealthy": (0.9, (1, 2, 3, 4, 5, 6), (1, 1, 1, 1, 1, 1)),
    "underutilized": (0.75, (5, 6, 7, 8, 9, 10), (1, 1, 1, 1, 1, 1)),
    "onboarding": (0.5, (8, 9, 10), (1, 1, 1)),
    "churned": (0.8, (0, 1, 2, 3, 4, 5, 6), (1, 1, 1, 1, 1, 1, 1)),
}
ACHIEVED_ODDS = {"healthy": 0.45, "reactivated": 0.4, "unhealthy": 0.15, "churned": 0.1}


def _num(x: float) -> int | str:
    return int(x) if float(x).is_integer() else f"{x:.1f}"


class BookBuilder:
    def __init__(self, seed: int, as_of: dt.date) -> None:
        self.r = random.Random(seed)
        self.as_of = as_of
        self.window_start = as_of - (USAGE_DAYS - 1) * ONE
        self.rows: dict[str, list[tuple]] = {name: [] for name in FILES}
        self.usage = UsageSpec()
        self.account_ids: list[str] = []
        self._domains: set[str] = set()
        self._metric_index = {m: i for i, m in enumerate(c.METRIC_NAMES)}

    # -- helpers ------------------------------------------------------------------------
    def _pick(self, weighted: tuple[tuple[str, float], ...]) -> str:
        return self.r.choices([k for k, _ in weighted], [w for _, w in weighted])[0]

    def _ago(self, lo: int, hi: int) -> dt.date:
        return self.as_of - self.r.randint(lo, hi) * ONE

    def _price(self, sku: str, segment: str) -> int:
        base = c.PRODUCT_BY_SKU[sku].list_arr * c.SEGMENT_PRICE[segment]
        return _r100(base * self.r.uniform(0.9, 1.1))

    # -- contracts ----------------------------------------------------------------------
    def _chain(self, ladder: tuple[str, ...], rank: int, segment: str, start: dt.date,
               until: dt.date, *, fixed: bool, history: str | None = None) -> list[list]:
        """Consecutive lines from `start` until one covers `until`.

        `fixed`: 12-month terms and no random tier change (dates and tier stay predictable).
        """
        r = self.r
        lines: list[list] = []
        arr = self._price(ladder[rank - 1], segment)
        s = start
        while True:
            term = 12 if fixed else r.choices((12, 24, 36), (0.7, 0.2, 0.1))[0]
            e = add_months(s, term) - ONE
            span = (min(e, until) - s).days
            if not fixed and rank < len(ladder) and span > 150 and r.random() < 0.07:
                up = s + r.randint(90, span) * ONE  # mid-term upgrade: old line ends the day before
                lines.append([ladder[rank - 1], s, up - ONE, arr])
                rank += 1
                arr = max(self._price(ladder[rank - 1], segment), arr + 1000)
                s = up
                continue
            lines.append([ladder[rank - 1], s, e, arr])
            if e >= until:
                return lines
            s = e + ONE
            x = r.random()
            if history == "upgrade" and len(lines) == 1 and rank < len(ladder):
                rank += 1
                arr = max(self._price(ladder[rank - 1], segment), arr + 1000)
            elif history == "downgrade" and len(lines) == 1:
                arr = _r100(arr * r.uniform(0.7, 0.85))
            elif not fixed and rank < len(ladder) and x < 0.1:
                rank += 1
                arr = max(self._price(ladder[rank - 1], segment), arr + 1000)
            elif not fixed and x < 0.16:
                if rank > 1 and x < 0.12:
                    rank -= 1
                    arr = min(self._price(ladder[rank - 1], segment), arr - 1000)
                else:
                    arr = _r100(arr * r.uniform(0.7, 0.85))
            else:
                arr = _r100(arr * r.uniform(1.0, 1.07))

    def _base_start(self, plan: Plan) -> tuple[dt.date, dt.date | None]:
        """customer_since, and for churned/reactivated the end of the first run."""
        r, as_of = self.r, self.as_of
        if plan.archetype == "onboarding":
            return as_of - (plan.tenure or r.randint(5, 85)) * ONE, None
        if plan.archetype == "churned":
            return self._ago(400, 4 * 365), None
        if plan.archetype == "reactivated":
            return self._ago(3 * 365, 4 * 365), None
        if plan.renewal_in is not None:
            end = as_of + plan.renewal_in * ONE
            end -= max(0, end.day - 27) * ONE
            return add_months(end + ONE, -12 * r.randint(1, 3)), None
        return self._ago(91, 4 * 365), None

    def _contracts(self, acc: str, plan: Plan, segment: str, rank: int,
                   modules: list[str]) -> tuple[dt.date, list[Line], dict[str, dt.date]]:
        """Write the account's lines; returns customer_since, lines, first usage day per sku."""
        r, as_of = self.r, self.as_of
        since, _ = self._base_start(plan)
        ladder = c.TIERS if rank else (modules[0],)
        base_rank = rank or 1
        fixed = plan.planted or plan.renewal_in is not None
        if plan.history == "upgrade":
            base_rank = max(1, base_rank - 1)
        raw: list[list] = []
        run_start = since
        if plan.archetype == "onboarding":
            term = r.choice((12, 12, 24))
            raw.append([ladder[base_rank - 1], since, add_months(since, term) - ONE,
                        self._price(ladder[base_rank - 1], segment)])
        elif plan.archetype == "churned":
            chain = self._chain(ladder, base_rank, segment, since, as_of, fixed=True)
            done = [ln for ln in chain if ln[2] < as_of]
            raw.extend(chain[: r.randint(1, len(done))])
        else:
            if plan.archetype == "reactivated":
                first = self._chain(ladder, base_rank, segment, since, as_of, fixed=True)
                raw.extend(first[: r.randint(1, 2)])
                run_start = raw[-1][2] + r.randint(90, 300) * ONE
                run_start = min(run_start, as_of - 30 * ONE)
            raw.extend(self._chain(ladder, base_rank, segment, run_start, as_of, fixed=fixed,
                                   history=plan.history))
        last_end = max(ln[2] for ln in raw)
        alive_until = last_end if last_end < as_of else as_of
        first_use: dict[str, dt.date] = {}
        for ln in raw:
            if ln[1] <= as_of <= ln[2]:
                first_use[ln[0]] = run_start
        for sku in modules[0 if rank else 1:]:
            span = max(0, (alive_until - 30 * ONE - run_start).days)
            ms = run_start if r.random() < 0.5 or plan.archetype == "onboarding" \
                else run_start + r.randint(0, span) * ONE
            chain = self._chain((sku,), 1, segment, ms, alive_until, fixed=plan.planted)
            for ln in chain:
                if ln[1] <= last_end:
                    ln[2] = min(ln[2], last_end) if last_end < as_of else ln[2]
                    raw.append(ln)
            first_use[sku] = ms
        lines = [(f"{acc}-L{n}", sku, s, e, arr) for n, (sku, s, e, arr) in enumerate(raw, 1)]
        self.rows["contracts"].extend(
            (lid, acc, sku, s.isoformat(), e.isoformat(), arr) for lid, sku, s, e, arr in lines)
        return since, lines, first_use

    # -- the account --------------------------------------------------------------------
    def add_account(self, idx: int, plan: Plan) -> None:
        r, as_of = self.r, self.as_of
        acc = f"ACC-{idx + 1:06d}"
        self.account_ids.append(acc)
        segment = plan.segment or self._pick(c.SEGMENTS)
        industry = plan.industry or r.choice(tuple(c.INDUSTRIES))
        region = self._pick(c.REGIONS)
        prefix, middle = r.choice(c.NAME_PREFIX), r.choice(c.NAME_MIDDLE)
        suffix = r.choice(c.INDUSTRY_SUFFIX[industry])
        name = " ".join(p for p in (prefix, middle, suffix) if p)
        slug = "".join(ch for ch in f"{prefix}{suffix}".lower() if ch.isalnum())
        domain = f"{slug}.example" if f"{slug}.example" not in self._domains \
            else f"{slug}{idx + 1}.example"
        self._domains.add(domain)
        if plan.planted:
            owner, csm = 1, 1
        else:
            owner = r.choices(range(1, 6), c.OWNER_WEIGHTS)[0]
            csm = r.choices(range(1, 6), c.OWNER_WEIGHTS)[0]
        rank = plan.rank if plan.rank is not None else (
            0 if segment != "smb" and r.random() < 0.06
            else r.choices((1, 2, 3), c.SEGMENT_TIER_WEIGHTS[segment])[0])
        modules = list(plan.modules) if plan.modules is not None \
            else self._draw_modules(industry, segment)
        if not rank and not modules:
            modules = [max(c.INDUSTRIES[industry], key=lambda k: c.INDUSTRIES[industry][k])]
        since, lines, first_use = self._contracts(acc, plan, segment, rank, modules)
        self.rows["accounts"].append((acc, name, segment, industry, region, domain,
                                      f"ae{owner}@vendor.example", f"csm{csm}@vendor.example",
                                      since.isoformat()))
        active = [ln for ln in lines if ln[2] <= as_of <= ln[3]]
        last_end = max(ln[3] for ln in lines)
        owned = sorted({ln[1] for ln in active})
        owned_depts = sorted({d for s in owned if (d := c.PRODUCT_BY_SKU[s].department)})
        seat_limit = self._entitlements(idx, plan, segment, active, first_use)
        ctx = _Ctx(acc, plan, industry, since, min(last_end, as_of), owned, owned_depts,
                   seat_limit)
        self._people(ctx, domain)
        self._signals(ctx)
        self._outcomes(ctx)
        self._opportunities(ctx, lines)

    def _draw_modules(self, industry: str, segment: str) -> list[str]:
        r = self.r
        factor = c.SEGMENT_MODULE_FACTOR[segment]
        mods = [m for m, p in c.INDUSTRIES[industry].items() if r.random() < p * factor]
        if r.random() < 0.08 * factor:
            mods.append(r.choice(c.MODULES))
        mods = list(dict.fromkeys(mods))
        r.shuffle(mods)
        return mods[: c.SEGMENT_MAX_MODULES[segment]]

    def _entitlements(self, idx: int, plan: Plan, segment: str, active: list[Line],
                      first_use: dict[str, dt.date]) -> int:
        """Entitlements of the active lines with their usage targets; returns the seat limit."""
        r, kind = self.r, plan.archetype
        cap = {"smb": 1, "mid_market": 2, "enterprise": 9}[segment]
        ents = []
        for lid, sku, _s, _e, _arr in active:
            for m in c.TIER_METRICS.get(sku) or c.MODULE_METRICS.get(sku) or ():
                ents.append((lid, sku, m, m.base * r.choice(m.steps[:cap])))
        month = [i for i, e in enumerate(ents) if e[2].period == "month"]
        hot_month, hot_seat = -1, False
        if not plan.planted and kind != "underutilized":
            share = 0.3 if kind == "unhealthy" else 0.35
            if month and r.random() < share:
                hot_month = r.choice(month)
            hot_seat = kind != "unhealthy" and r.random() < 0.25
        lo, hi = {"unhealthy": (0.3, 0.68), "underutilized": (0.08, 0.42),
                  "onboarding": (0.2, 0.75)}.get(kind, (0.6, 0.79))
        glo, ghi = {"unhealthy": (0.55, 0.92), "underutilized": (0.7, 1.15),
                    "onboarding": (1.0, 1.6)}.get(kind, (0.92, 1.3))
        seat_limit = 0
        for i, (lid, sku, m, limit) in enumerate(ents):
            if m.name in plan.util:
                u = plan.util[m.name]
            elif plan.util_range:
                u = r.uniform(*plan.util_range)
            elif i == hot_month:
                u = r.uniform(*r.choices(((0.8, 0.9), (0.9, 0.95), (0.95, 1.08)),
                                         (0.5, 0.3, 0.2))[0])
            elif m.period == "instant" and hot_seat:
                u = r.uniform(0.8, 0.98)
            else:
                u = r.uniform(lo, hi)
            if m.name == "seats":
                seat_limit = limit
            self.rows["entitlements"].append((lid, m.name, limit, m.period))
            us = self.usage
            us.account.append(idx)
            us.metric.append(self._metric_index[m.name])
            us.instant.append(m.period == "instant")
            us.limit.append(limit)
            us.util.append(u)
            us.growth.append(plan.growth or r.uniform(glo, ghi))
            us.first_day.append(max(0, (first_use.get(sku, self.window_start)
                                        - self.window_start).days))
        return seat_limit

    # -- people -------------------------------------------------------------------------
    def _priority_depts(self, ctx: _Ctx) -> list[str]:
        r = self.r
        lacking = [d for d in c.DEPARTMENTS if d not in ctx.owned_depts]
        out = []
        for _ in range(r.randint(1, 3)):
            x = r.random()
            pool = ctx.owned_depts if x < 0.45 and ctx.owned_depts else \
                lacking if x < 0.85 and lacking else c.OTHER_DEPARTMENTS
            out.append(r.choice(pool))
        return out

    def _priorities(self, sid: str, depts: list[str] | tuple[str, ...], year: int) -> None:
        seen: set[str] = set()
        for dept in depts:
            text = self.r.choice(c.PRIORITIES[dept])
            if text not in seen:
                seen.add(text)
                self.rows["priorities"].append(
                    (sid, year, text, dept, self.r.choice(c.PRIORITY_SOURCES)))

    def _people(self, ctx: _Ctx, domain: str) -> None:
        r, plan = self.r, ctx.plan
        champ_odds, spons_odds = PEOPLE_ODDS.get(plan.archetype,
                                                 ((0.88, 0.05, 0.07), (0.82, 0.08, 0.1)))
        champ = plan.champion or r.choices(STATES, champ_odds)[0]
        spons = plan.sponsor or r.choices(STATES, spons_odds)[0]
        roles: list[tuple[str, bool]] = []
        if champ != "missing":
            roles.append(("champion", champ == "active"))
        if spons != "missing":
            roles.append((r.choice(("executive_sponsor", "executive_sponsor", "economic_buyer")),
                          spons == "active"))
        for role, p in (("influencer", 0.3), ("decision_maker", 0.2), ("blocker", 0.05)):
            if r.random() < p:
                roles.append((role, r.random() < 0.9))
        roles += [("user", r.random() < 0.9) for _ in range(r.randint(0, 3))]
        firsts = r.sample(c.FIRST_NAMES, len(roles))
        depts = ctx.owned_depts or ["Ops"]
        year = self.as_of.year
        for n, ((role, active), first) in enumerate(zip(roles, firsts, strict=True), 1):
            sid = f"{ctx.acc}-S{n}"
            last = r.choice(c.LAST_NAMES)
            title, influence = "", r.randint(1, 2)
            if role in ("executive_sponsor", "economic_buyer"):
                prio = list(plan.priorities) if plan.priorities is not None \
                    else self._priority_depts(ctx)
                dept = prio[0] if prio else r.choice(depts)
                title, influence = c.SPONSOR_TITLES.get(dept, "CEO"), r.randint(4, 5)
                self._priorities(sid, prio, year)
                if r.random() < 0.5:
                    self._priorities(sid, [r.choice(c.DEPARTMENTS)], year - 1)
            elif role == "champion":
                dept, title, influence = r.choice(depts), "Head of Automation", r.randint(3, 4)
            elif role == "decision_maker":
                dept, title, influence = r.choice(depts), "Director", 4
                if r.random() < 0.5:
                    self._priorities(sid, [r.choice(c.DEPARTMENTS)], year)
            else:
                dept = r.choice((*depts, "IT"))
                influence = 3 if role in ("influencer", "blocker") else influence
                title = {"influencer": "Architect", "blocker": "Procurement Lead"}.get(role, "")
            self.rows["stakeholders"].append(
                (sid, ctx.acc, f"{first} {last}", f"{first}.{last}@{domain}".lower(), title,
                 dept, role, influence, "true" if active else "false"))

    # -- signals ------------------------------------------------------------------------
    def _signals(self, ctx: _Ctx) -> None:
        r, plan, kind, as_of = self.r, ctx.plan, ctx.plan.archetype, self.as_of
        hi, since = ctx.alive, ctx.since
        keys: set[tuple[dt.date, str, str]] = set()

        def add(day: dt.date, sig: str, value: int | str = "", dept: str = "",
                detail: str = "") -> None:
            day = max(day, since)
            while (day, sig, detail) in keys:
                day -= ONE
            keys.add((day, sig, detail))
            self.rows["signals"].append((ctx.acc, day.isoformat(), sig, value, dept, detail))

        def recent(a: int, b: int) -> dt.date:
            return hi - r.randint(a, b) * ONE

        def older(a: int, b: int) -> dt.date | None:
            day = hi - r.randint(a, b) * ONE
            return day if day >= since else None

        nps = plan.nps
        if nps is None:
            p, values, weights = NPS_ODDS[kind]
            nps = r.choices(values, weights)[0] if r.random() < p else -1
        if nps >= 0:
            add(recent(3, 150), "nps", nps)
        for _ in range(r.randint(0, 2)):
            if day := older(200, 540):
                add(day, "nps", r.randint(4, 10))
        tickets = plan.tickets
        if tickets is None:
            tickets = {"unhealthy": r.randint(3, 6), "underutilized": r.randint(0, 2),
                       "onboarding": r.randint(0, 1), "churned": r.randint(1, 5)}.get(
                kind, r.choices((0, 1, 2), (0.6, 0.3, 0.1))[0])
        sev_w = (0.1, 0.3, 0.35, 0.25) if kind == "unhealthy" else (0.35, 0.4, 0.2, 0.05)
        for _ in range(tickets):
            add(recent(0, 85), "support_ticket", r.choices((1, 2, 3, 4), sev_w)[0],
                detail=r.choice(c.TICKET_DETAILS))
        for _ in range(r.randint(0, 4)):
            if day := older(95, 400):
                add(day, "support_ticket", r.randint(1, 4), detail=r.choice(c.TICKET_DETAILS))
        seats = ctx.seat_limit
        if plan.new_users_pct is not None and seats:
            add(recent(2, 20), "new_users", math.ceil(plan.new_users_pct * seats))
        elif kind != "churned" and not plan.planted and r.random() < 0.3:
            for _ in range(r.randint(1, 2)):
                add(recent(0, 85), "new_users",
                    max(1, round(seats * r.uniform(0.01, 0.05))) if seats else r.randint(1, 10))
            if seats and kind == "healthy" and r.random() < 0.2:
                add(recent(1, 25), "new_users", max(1, round(seats * r.uniform(0.1, 0.2))))
        for sig, days, arg in plan.events:
            if sig == "internal_referral":
                add(as_of - days * ONE, sig, dept=arg, detail=f"champion introduced the {arg} lead")
            else:
                add(as_of - days * ONE, sig, detail=arg)
        if kind != "churned" and not plan.planted:
            self._random_triggers(ctx, add, recent, older)
        for sig, p in (("milestone", 0.35), ("new_initiative", 0.12), ("hiring", 0.15),
                       ("funding", 0.06)):
            if r.random() < p and (day := older(0, 400)):
                add(day, sig, detail=r.choice(c.MISC_SIGNALS[sig]))
        ref = plan.reference
        if ref is None:
            ref = kind != "churned" and r.random() < (0.25 if nps >= 9 else 0.05)
        if ref:
            add(recent(5, 200), "reference", detail=r.choice(c.MISC_SIGNALS["reference"]))

    def _random_triggers(self, ctx: _Ctx, add: Callable[..., None],
                         recent: Callable[[int, int], dt.date],
                         older: Callable[[int, int], dt.date | None]) -> None:
        r = self.r
        lacking_depts = [d for d in (*c.DEPARTMENTS, *c.OTHER_DEPARTMENTS)
                         if d not in ctx.owned_depts]
        if r.random() < 0.1:
            dept = r.choice(lacking_depts)
            add(recent(0, 85), "internal_referral", dept=dept,
                detail=f"sponsor introduced the {dept} lead")
        if r.random() < 0.06 and (day := older(100, 400)):
            dept = r.choice(c.DEPARTMENTS)
            add(day, "internal_referral", dept=dept, detail=f"met the {dept} team")
        if r.random() < (0.12 if ctx.industry in c.REGULATED else 0.04):
            add(recent(0, 85), "compliance_change", detail=r.choice(c.REGULATIONS))
        top = max([c.PRODUCT_BY_SKU[s].tier_rank or 0 for s in ctx.owned], default=0)
        lacking = [p.sku for p in c.PRODUCTS
                   if p.sku not in ctx.owned and (p.tier_rank or 9) > top]
        if lacking and r.random() < 0.1:
            add(recent(0, 85), "feature_request", detail=r.choice(lacking))
        if lacking and r.random() < 0.08 and (day := older(120, 400)):
            add(day, "feature_request", detail=r.choice(lacking))

    # -- outcomes and history -----------------------------------------------------------
    def _outcomes(self, ctx: _Ctx) -> None:
        r, plan = self.r, ctx.plan
        pool = [m for d in (ctx.owned_depts or ["Ops"]) for m in c.SUCCESS_METRICS.get(d, ())]
        n = 1 if plan.achieved is not None else r.choices((0, 1, 2), (0.45, 0.4, 0.15))[0]
        for name, unit, base in r.sample(pool, min(n, len(pool))):
            hit = plan.achieved if plan.achieved is not None else \
                r.random() < ACHIEVED_ODDS.get(plan.archetype, 0.25)
            if unit == "%":
                target = min(99, base + r.randint(5, 25))
                got = r.uniform(target, min(100, target + 6)) if hit else \
                    r.uniform(base, target - 0.5)
                got = max(round(got, 1), target) if hit else round(got, 1)
            elif unit == "USD":
                target = _r100(r.uniform(100_000, 2_000_000))
                got = _r100(target * (r.uniform(1.0, 1.4) if hit else r.uniform(0.2, 0.95)))
            else:
                target = base + r.randint(20, 300)
                got = target + r.randint(0, 100) if hit else base + r.randint(0, target - base - 1)
            day = max(ctx.since, ctx.alive - r.randint(5, 120) * ONE)
            self.rows["success_metrics"].append(
                (ctx.acc, name, unit, _num(base), _num(target), _num(got), day.isoformat()))

    def _opportunities(self, ctx: _Ctx, lines: list[Line]) -> None:
        r, acc, kind = self.r, ctx.acc, ctx.plan.archetype
        rows = self.rows["opportunities"]

        def add(motion: str, sku: str, amount: int, stage: str, created: dt.date,
                closed: dt.date | None) -> None:
            rows.append((f"{acc}-O{len(rows_acc) + 1}", acc, motion, sku, max(0, amount), stage,
                         created.isoformat(), closed.isoformat() if closed else ""))
            rows_acc.append(1)

        rows_acc: list[int] = []
        for prev, nxt in itertools.pairwise(lines):
            pp, pn = c.PRODUCT_BY_SKU[prev[1]], c.PRODUCT_BY_SKU[nxt[1]]
            if nxt[2] != prev[3] + ONE or pp.family != pn.family:
                continue
            created = max(prev[2], nxt[2] - r.randint(30, 120) * ONE)
            closed = nxt[2] - r.randint(1, 25) * ONE
            if (pn.tier_rank or 0) > (pp.tier_rank or 0):
                add("upsell", nxt[1], nxt[4] - prev[4], "won", created, closed)
            elif prev[1] == nxt[1] and r.random() < 0.3:
                motion = "price_increase" if nxt[4] > prev[4] * 1.05 else "renewal"
                add(motion, nxt[1], nxt[4], "won", created, closed)
        firsts: dict[str, dt.date] = {}
        for _lid, sku, s, _e, arr in lines:
            if sku not in firsts:
                firsts[sku] = s
                if s > ctx.since + 30 * ONE and c.PRODUCT_BY_SKU[sku].kind != "tier":
                    add("cross_sell", sku, arr, "won",
                        max(ctx.since, s - r.randint(30, 90) * ONE), s - r.randint(1, 25) * ONE)
        if kind == "churned":
            end = ctx.alive
            add("renewal", lines[0][1], lines[-1][4], "lost", end - r.randint(60, 120) * ONE,
                end - r.randint(0, 30) * ONE)
        lacking = [m for m in c.MODULES if m not in ctx.owned]
        if lacking and r.random() < 0.25:
            created = ctx.alive - r.randint(30, 700) * ONE
            if created >= ctx.since:
                sku = r.choice(lacking)
                add("cross_sell", sku, self._price(sku, "mid_market"), "lost", created,
                    min(ctx.alive, created + r.randint(20, 120) * ONE))
        if kind != "churned" and r.random() < 0.18:
            motion = r.choice(("upsell", "cross_sell", "seat_expansion", "usage_expansion"))
            sku = r.choice(lacking) if motion == "cross_sell" and lacking else \
                r.choice(ctx.owned) if ctx.owned else ""
            stage = r.choice(("identified", "qualified", "proposal", "negotiation"))
            add(motion, sku, _r100(r.uniform(5_000, 60_000)), stage,
                max(ctx.since, self._ago(0, 120)), None)
