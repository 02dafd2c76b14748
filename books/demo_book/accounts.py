"""Per-account generation: the plan's contract history, entitlements and usage targets.

Every random draw goes through one `random.Random`, in account order, so a book is a pure
function of (seed, accounts, as_of). Usage is not written here: each active entitlement is
recorded in `UsageSpec` (target utilization and trend) and drawn vectorised in `usage.py`.
"""

from __future__ import annotations

import datetime as dt
import random

from . import catalog as c
from .model import FILES, ONE, USAGE_DAYS, Ctx, Line, Plan, UsageSpec, add_months, r100
from .narrative import Narrative


class BookBuilder(Narrative):
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

    # -- contracts ----------------------------------------------------------------------
    def _chain(
        self,
        ladder: tuple[str, ...],
        rank: int,
        segment: str,
        start: dt.date,
        until: dt.date,
        *,
        fixed: bool,
        history: str | None = None,
    ) -> list[list]:
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
                arr = r100(arr * r.uniform(0.7, 0.85))
            elif history == "tier_down" and len(lines) == 1 and rank > 1:
                rank -= 1
                arr = min(self._price(ladder[rank - 1], segment), arr - 1000)
            elif not fixed and rank < len(ladder) and x < 0.1:
                rank += 1
                arr = max(self._price(ladder[rank - 1], segment), arr + 1000)
            elif not fixed and x < 0.16:
                if rank > 1 and x < 0.12:
                    rank -= 1
                    arr = min(self._price(ladder[rank - 1], segment), arr - 1000)
                else:
                    arr = r100(arr * r.uniform(0.7, 0.85))
            else:
                arr = r100(arr * r.uniform(1.0, 1.07))

    def _since(self, plan: Plan) -> dt.date:
        """customer_since: the first day of the first line."""
        r, as_of = self.r, self.as_of
        if plan.archetype == "onboarding":
            return as_of - (plan.tenure or r.randint(5, 85)) * ONE
        if plan.archetype == "reactivated":
            return self._ago(3 * 365, 4 * 365)
        if plan.renewal_in is not None:
            end = as_of + plan.renewal_in * ONE
            end -= max(0, end.day - 27) * ONE  # keeps add_months exact
            return add_months(end + ONE, -12 * r.randint(1, 3))
        if plan.history == "tier_down":  # the first line ended within the last two years
            return as_of - r.randint(400, 600) * ONE
        if plan.archetype == "churned" or plan.history:  # needs a first line that ended
            return self._ago(400, 4 * 365)
        return self._ago(91, 4 * 365)

    def _contracts(
        self, acc: str, plan: Plan, segment: str, rank: int, modules: list[str]
    ) -> tuple[dt.date, list[Line], dict[str, dt.date]]:
        """Write the account's lines; returns customer_since, lines, first usage day per sku."""
        r, as_of = self.r, self.as_of
        since = self._since(plan)
        ladder = c.TIERS if rank else (modules[0],)
        base_rank = rank or 1
        fixed = plan.planted or plan.renewal_in is not None
        if plan.history == "upgrade":
            base_rank = max(1, base_rank - 1)
        elif plan.history == "tier_down":
            base_rank = min(len(ladder), base_rank + 1)
        raw: list[list] = []
        run_start = since
        if plan.archetype == "onboarding":
            term = r.choice((12, 12, 24))
            raw.append(
                [
                    ladder[base_rank - 1],
                    since,
                    add_months(since, term) - ONE,
                    self._price(ladder[base_rank - 1], segment),
                ]
            )
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
            raw.extend(
                self._chain(
                    ladder, base_rank, segment, run_start, as_of, fixed=fixed, history=plan.history
                )
            )
        last_end = max(ln[2] for ln in raw)
        alive_until = last_end if last_end < as_of else as_of
        first_use: dict[str, dt.date] = {}
        for ln in raw:
            if ln[1] <= as_of <= ln[2]:
                first_use[ln[0]] = run_start
        for sku in modules[0 if rank else 1 :]:
            span = max(0, (alive_until - 30 * ONE - run_start).days)
            ms = (
                run_start
                if r.random() < 0.5 or plan.archetype == "onboarding"
                else run_start + r.randint(0, span) * ONE
            )
            if plan.module_days is not None:  # a recent purchase
                ms = as_of - plan.module_days * ONE
            chain = self._chain((sku,), 1, segment, ms, alive_until, fixed=plan.planted)
            for ln in chain:
                if ln[1] <= last_end:
                    ln[2] = min(ln[2], last_end) if last_end < as_of else ln[2]
                    raw.append(ln)
            first_use[sku] = ms
        lines = [(f"{acc}-L{n}", sku, s, e, arr) for n, (sku, s, e, arr) in enumerate(raw, 1)]
        self.rows["contracts"].extend(
            (lid, acc, sku, s.isoformat(), e.isoformat(), arr) for lid, sku, s, e, arr in lines
        )
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
        domain = (
            f"{slug}.example"
            if f"{slug}.example" not in self._domains
            else f"{slug}{idx + 1}.example"
        )
        self._domains.add(domain)
        if plan.planted:
            owner, csm = 1, 1
        else:
            owner = r.choices(range(1, 6), c.OWNER_WEIGHTS)[0]
            csm = r.choices(range(1, 6), c.OWNER_WEIGHTS)[0]
        rank = (
            plan.rank
            if plan.rank is not None
            else (
                0
                if segment != "smb" and r.random() < 0.06
                else r.choices((1, 2, 3), c.SEGMENT_TIER_WEIGHTS[segment])[0]
            )
        )
        modules = (
            list(plan.modules)
            if plan.modules is not None
            else self._draw_modules(industry, segment)
        )
        if not rank:  # a module-only customer: its base product is a module with usage
            odds = c.INDUSTRIES[industry]
            base = [m for m in modules if c.PRODUCT_BY_SKU[m].kind == "module"] or [
                max((m for m in odds if c.PRODUCT_BY_SKU[m].kind == "module"), key=odds.get)
            ]
            modules = [base[0], *(m for m in modules if m != base[0])]
        since, lines, first_use = self._contracts(acc, plan, segment, rank, modules)
        self.rows["accounts"].append(
            (
                acc,
                name,
                segment,
                industry,
                region,
                domain,
                f"ae{owner}@vendor.example",
                f"csm{csm}@vendor.example",
                since.isoformat(),
            )
        )
        active = [ln for ln in lines if ln[2] <= as_of <= ln[3]]
        last_end = max(ln[3] for ln in lines)
        owned = sorted({ln[1] for ln in active})
        owned_depts = sorted({d for s in owned if (d := c.PRODUCT_BY_SKU[s].department)})
        seat_limit = self._entitlements(idx, plan, segment, active, first_use)
        ctx = Ctx(acc, plan, industry, since, min(last_end, as_of), owned, owned_depts, seat_limit)
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

    def _entitlements(
        self, idx: int, plan: Plan, segment: str, active: list[Line], first_use: dict[str, dt.date]
    ) -> int:
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
        lo, hi = {
            "unhealthy": (0.3, 0.68),
            "underutilized": (0.08, 0.42),
            "onboarding": (0.2, 0.75),
        }.get(kind, (0.6, 0.79))
        glo, ghi = {
            "unhealthy": (0.55, 0.92),
            "underutilized": (0.7, 1.15),
            "onboarding": (1.0, 1.6),
        }.get(kind, (0.92, 1.3))
        seat_limit = 0
        for i, (lid, sku, m, limit) in enumerate(ents):
            if m.name in plan.util:
                u = plan.util[m.name]
            elif plan.util_range:
                u = r.uniform(*plan.util_range)
            elif i == hot_month:
                u = r.uniform(
                    *r.choices(((0.8, 0.9), (0.9, 0.95), (0.95, 1.08)), (0.5, 0.3, 0.2))[0]
                )
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
            us.first_day.append(
                max(0, (first_use.get(sku, self.window_start) - self.window_start).days)
            )
        return seat_limit
