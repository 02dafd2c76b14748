"""The account's story beyond contracts: people, priorities, signals, outcomes, deals."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections.abc import Callable

from . import catalog as c
from .model import ONE, Ctx, Line, r100

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


class Narrative:
    """Mixin of `BookBuilder`: everything written after an account's contracts."""

    r: random.Random
    as_of: dt.date
    rows: dict[str, list[tuple]]

    def _ago(self, lo: int, hi: int) -> dt.date:
        return self.as_of - self.r.randint(lo, hi) * ONE

    def _price(self, sku: str, segment: str) -> int:
        base = c.PRODUCT_BY_SKU[sku].list_arr * c.SEGMENT_PRICE[segment]
        return r100(base * self.r.uniform(0.9, 1.1))

    # -- people -------------------------------------------------------------------------
    def _priority_depts(self, ctx: Ctx) -> list[str]:
        r = self.r
        lacking = [d for d in c.DEPARTMENTS if d not in ctx.owned_depts]
        out = []
        for _ in range(r.randint(1, 3)):
            x = r.random()
            pool = (
                ctx.owned_depts
                if x < 0.45 and ctx.owned_depts
                else lacking
                if x < 0.85 and lacking
                else c.OTHER_DEPARTMENTS
            )
            out.append(r.choice(pool))
        return out

    def _priorities(self, sid: str, depts: list[str] | tuple[str, ...], year: int) -> None:
        seen: set[str] = set()
        for dept in depts:
            text = self.r.choice(c.PRIORITIES[dept])
            if text not in seen:
                seen.add(text)
                self.rows["priorities"].append(
                    (sid, year, text, dept, self.r.choice(c.PRIORITY_SOURCES))
                )

    def _people(self, ctx: Ctx, domain: str) -> None:
        r, plan = self.r, ctx.plan
        champ_odds, spons_odds = PEOPLE_ODDS.get(
            plan.archetype, ((0.88, 0.05, 0.07), (0.82, 0.08, 0.1))
        )
        champ = plan.champion or r.choices(STATES, champ_odds)[0]
        spons = plan.sponsor or r.choices(STATES, spons_odds)[0]
        roles: list[tuple[str, bool]] = []
        if champ != "missing":
            roles.append(("champion", champ == "active"))
        if spons != "missing":
            roles.append(
                (
                    r.choice(("executive_sponsor", "executive_sponsor", "economic_buyer")),
                    spons == "active",
                )
            )
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
                prio = (
                    list(plan.priorities)
                    if plan.priorities is not None
                    else self._priority_depts(ctx)
                )
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
                (
                    sid,
                    ctx.acc,
                    f"{first} {last}",
                    f"{first}.{last}@{domain}".lower(),
                    title,
                    dept,
                    role,
                    influence,
                    "true" if active else "false",
                )
            )

    # -- signals ------------------------------------------------------------------------
    def _signals(self, ctx: Ctx) -> None:
        r, plan, kind, as_of = self.r, ctx.plan, ctx.plan.archetype, self.as_of
        hi, since = ctx.alive, ctx.since
        keys: set[tuple[dt.date, str, str]] = set()

        def add(
            day: dt.date, sig: str, value: int | str = "", dept: str = "", detail: str = ""
        ) -> None:
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
            tickets = {
                "unhealthy": r.randint(3, 6),
                "underutilized": r.randint(0, 2),
                "onboarding": r.randint(0, 1),
                "churned": r.randint(1, 5),
            }.get(kind, r.choices((0, 1, 2), (0.6, 0.3, 0.1))[0])
        sev_w = (0.1, 0.3, 0.35, 0.25) if kind == "unhealthy" else (0.35, 0.4, 0.2, 0.05)
        for _ in range(tickets):
            add(
                recent(0, 85),
                "support_ticket",
                r.choices((1, 2, 3, 4), sev_w)[0],
                detail=r.choice(c.TICKET_DETAILS),
            )
        for _ in range(r.randint(0, 4)):
            if day := older(95, 400):
                add(day, "support_ticket", r.randint(1, 4), detail=r.choice(c.TICKET_DETAILS))
        seats = ctx.seat_limit
        if plan.new_users_pct is not None and seats:
            add(recent(2, 20), "new_users", math.ceil(plan.new_users_pct * seats))
        elif kind != "churned" and not plan.planted and r.random() < 0.3:
            for _ in range(r.randint(1, 2)):
                add(
                    recent(0, 85),
                    "new_users",
                    max(1, round(seats * r.uniform(0.01, 0.05))) if seats else r.randint(1, 10),
                )
            if seats and kind == "healthy" and r.random() < 0.2:
                add(recent(1, 25), "new_users", max(1, round(seats * r.uniform(0.1, 0.2))))
        for sig, days, arg in plan.events:
            if sig == "internal_referral":
                add(as_of - days * ONE, sig, dept=arg, detail=f"champion introduced the {arg} lead")
            elif sig == "support_ticket":  # an incident: severity 1, the most severe
                add(as_of - days * ONE, sig, 1, detail=arg)
            else:
                add(as_of - days * ONE, sig, detail=arg)
        if kind != "churned" and not plan.planted:
            self._random_triggers(ctx, add, recent, older)
        for sig, p in (
            ("milestone", 0.35),
            ("new_initiative", 0.12),
            ("hiring", 0.15),
            ("funding", 0.06),
        ):
            if r.random() < p and (day := older(0, 400)):
                add(day, sig, detail=r.choice(c.MISC_SIGNALS[sig]))
        ref = plan.reference
        if ref is None:
            ref = kind != "churned" and r.random() < (0.25 if nps >= 9 else 0.05)
        if ref:
            add(recent(5, 200), "reference", detail=r.choice(c.MISC_SIGNALS["reference"]))

    def _random_triggers(
        self,
        ctx: Ctx,
        add: Callable[..., None],
        recent: Callable[[int, int], dt.date],
        older: Callable[[int, int], dt.date | None],
    ) -> None:
        r = self.r
        lacking_depts = [
            d for d in (*c.DEPARTMENTS, *c.OTHER_DEPARTMENTS) if d not in ctx.owned_depts
        ]
        if r.random() < 0.1:
            dept = r.choice(lacking_depts)
            add(
                recent(0, 85),
                "internal_referral",
                dept=dept,
                detail=f"sponsor introduced the {dept} lead",
            )
        if r.random() < 0.06 and (day := older(100, 400)):
            dept = r.choice(c.DEPARTMENTS)
            add(day, "internal_referral", dept=dept, detail=f"met the {dept} team")
        if r.random() < (0.12 if ctx.industry in c.REGULATED else 0.04):
            add(recent(0, 85), "compliance_change", detail=r.choice(c.REGULATIONS))
        top = max([c.PRODUCT_BY_SKU[s].tier_rank or 0 for s in ctx.owned], default=0)
        lacking = [p.sku for p in c.PRODUCTS if p.sku not in ctx.owned and (p.tier_rank or 9) > top]
        if lacking and r.random() < 0.1:
            add(recent(0, 85), "feature_request", detail=r.choice(lacking))
        if lacking and r.random() < 0.08 and (day := older(120, 400)):
            add(day, "feature_request", detail=r.choice(lacking))

    # -- outcomes and history -----------------------------------------------------------
    def _outcomes(self, ctx: Ctx) -> None:
        r, plan = self.r, ctx.plan
        pool = [m for d in (ctx.owned_depts or ["Ops"]) for m in c.SUCCESS_METRICS.get(d, ())]
        n = 1 if plan.achieved is not None else r.choices((0, 1, 2), (0.45, 0.4, 0.15))[0]
        for name, unit, base in r.sample(pool, min(n, len(pool))):
            hit = (
                plan.achieved
                if plan.achieved is not None
                else r.random() < ACHIEVED_ODDS.get(plan.archetype, 0.25)
            )
            if unit == "%":
                target = min(99, base + r.randint(5, 25))
                got = (
                    r.uniform(target, min(100, target + 6))
                    if hit
                    else r.uniform(base, target - 0.5)
                )
                got = max(round(got, 1), target) if hit else round(got, 1)
            elif unit == "USD":
                target = r100(r.uniform(100_000, 2_000_000))
                got = r100(target * (r.uniform(1.0, 1.4) if hit else r.uniform(0.2, 0.95)))
            else:
                target = base + r.randint(20, 300)
                got = target + r.randint(0, 100) if hit else base + r.randint(0, target - base - 1)
            day = max(ctx.since, ctx.alive - r.randint(5, 120) * ONE)
            self.rows["success_metrics"].append(
                (ctx.acc, name, unit, _num(base), _num(target), _num(got), day.isoformat())
            )
        if plan.short_outcome:  # an outcome far from its target: no cherry-picking
            self.rows["success_metrics"].append(
                (ctx.acc, "hours saved", "hours", 0, 1000, 300, (ctx.alive - 10 * ONE).isoformat())
            )

    def _opportunities(self, ctx: Ctx, lines: list[Line]) -> None:
        r, acc, kind = self.r, ctx.acc, ctx.plan.archetype
        rows = self.rows["opportunities"]

        def add(
            motion: str, sku: str, amount: int, stage: str, created: dt.date, closed: dt.date | None
        ) -> None:
            rows.append(
                (
                    f"{acc}-O{len(rows_acc) + 1}",
                    acc,
                    motion,
                    sku,
                    max(0, amount),
                    stage,
                    created.isoformat(),
                    closed.isoformat() if closed else "",
                )
            )
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
                    add(
                        "cross_sell",
                        sku,
                        arr,
                        "won",
                        max(ctx.since, s - r.randint(30, 90) * ONE),
                        s - r.randint(1, 25) * ONE,
                    )
        if kind == "churned":
            end = ctx.alive
            add(
                "renewal",
                lines[0][1],
                lines[-1][4],
                "lost",
                end - r.randint(60, 120) * ONE,
                end - r.randint(0, 30) * ONE,
            )
        for sku, days in ctx.plan.lost:
            closed = self.as_of - days * ONE
            add(
                "cross_sell", sku, self._price(sku, "mid_market"), "lost", closed - 60 * ONE, closed
            )
        if ctx.plan.deal:
            motion, sku, stage = ctx.plan.deal
            amount = self._price(sku, "mid_market")
            add(motion, sku, amount, stage, self.as_of - 20 * ONE, None)
        lacking = [m for m in c.MODULES if m not in ctx.owned]
        if lacking and r.random() < 0.25:
            created = ctx.alive - r.randint(30, 700) * ONE
            if created >= ctx.since:
                sku = r.choice(lacking)
                add(
                    "cross_sell",
                    sku,
                    self._price(sku, "mid_market"),
                    "lost",
                    created,
                    min(ctx.alive, created + r.randint(20, 120) * ONE),
                )
        if kind != "churned" and r.random() < 0.18:
            motion = r.choice(("upsell", "cross_sell", "seat_expansion", "usage_expansion"))
            sku = (
                r.choice(lacking)
                if motion == "cross_sell" and lacking
                else r.choice(ctx.owned)
                if ctx.owned
                else ""
            )
            stage = r.choice(("identified", "qualified", "proposal", "negotiation"))
            add(
                motion,
                sku,
                r100(r.uniform(5_000, 60_000)),
                stage,
                max(ctx.since, self._ago(0, 120)),
                None,
            )
