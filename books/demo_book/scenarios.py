"""Which accounts the book holds: a few planted showcases, then a random mix of archetypes.

The planted accounts make every play, boost and guardrail of the scoring spec occur for any
seed; the random mix gives them realistic company. Planted accounts belong to ae1/csm1.
"""

from __future__ import annotations

import random
from typing import Any

from .model import Plan

ARCHETYPES = (
    ("healthy", 0.66),
    ("unhealthy", 0.12),
    ("underutilized", 0.08),
    ("onboarding", 0.03),
    ("churned", 0.07),
    ("reactivated", 0.04),
)

# An eligible account: healthy, sponsor and champion active, no tickets, promoter-ish NPS.
_ELIGIBLE: dict[str, Any] = dict(
    archetype="healthy",
    nps=9,
    tickets=0,
    champion="active",
    sponsor="active",
    util_range=(0.65, 0.78),
    growth=1.1,
    planted=True,
)


def _p(**kw: Any) -> Plan:
    return Plan(**{**_ELIGIBLE, **kw})


def planted_plans() -> list[Plan]:
    """The showcase accounts, each commented with what it must produce."""
    plans = [
        # tier_upgrade -> PLAT-ENT, ready (Ops priority); promoter, outcome and reference boosts
        _p(
            segment="mid_market",
            industry="Software",
            rank=2,
            modules=(),
            util={"api_calls": 0.92},
            priorities=("Ops",),
            achieved=True,
            reference=True,
        ),
        # tier_upgrade -> PLAT-PRO, needs_sponsor (the sponsor's priority is Finance)
        _p(
            segment="mid_market",
            industry="Retail",
            rank=1,
            modules=(),
            util={"api_calls": 0.86},
            priorities=("Finance",),
            nps=8,
        ),
        # usage_expansion on the top tier
        _p(
            segment="enterprise",
            industry="Telecom",
            rank=3,
            modules=(),
            util={"api_calls": 0.88},
            priorities=("Ops",),
        ),
        # usage_expansion on a module at 95 %+; adjacent_cross_sell LOGI -> PLO, ready
        _p(
            segment="mid_market",
            industry="Logistics",
            rank=2,
            modules=("LOGI",),
            util={"forecast_runs": 0.96},
            priorities=("Ops", "Manufacturing"),
        ),
        # seat_expansion: seats at 90 %
        _p(
            segment="smb",
            industry="Food & Beverage",
            rank=1,
            modules=(),
            util={"seats": 0.9},
            priorities=("Ops",),
        ),
        # seat_expansion: new users worth 15 % of the seat limit in the last 30 days
        _p(
            segment="smb",
            industry="Healthcare",
            rank=1,
            modules=(),
            util={"seats": 0.7},
            new_users_pct=0.15,
            priorities=("Ops",),
        ),
        # value_review, ready: renews in 45 days, the sponsor's HR priority names a module
        _p(
            segment="enterprise",
            industry="Insurance",
            rank=2,
            modules=("FRAUD",),
            renewal_in=45,
            priorities=("HR",),
        ),
        # value_review, needs_sponsor: renews in 30 days, priority outside the catalogue
        _p(
            segment="mid_market",
            industry="Energy",
            rank=2,
            modules=(),
            renewal_in=30,
            priorities=("Sales",),
            nps=8,
        ),
        # automation_audit (HR) after an internal referral, ready
        _p(
            segment="mid_market",
            industry="Manufacturing",
            rank=2,
            modules=("PLO",),
            events=(("internal_referral", 25, "HR"),),
            priorities=("HR",),
        ),
        # compliance_module after a new mandate, ready
        _p(
            segment="mid_market",
            industry="Fintech",
            rank=2,
            modules=("FRAUD",),
            events=(("compliance_change", 15, "DORA"),),
            priorities=("Compliance",),
        ),
        # a new mandate, but the compliance add-on is already owned: no compliance play
        _p(
            segment="smb",
            industry="Fintech",
            rank=1,
            modules=("AUDIT",),
            events=(("compliance_change", 20, "PSD3"),),
            priorities=("Compliance",),
            nps=8,
        ),
        # feature_upsell -> PLAT-ENT, ready
        _p(
            segment="mid_market",
            industry="Software",
            rank=2,
            modules=(),
            events=(("feature_request", 20, "PLAT-ENT"),),
            priorities=("Ops",),
        ),
        # history: upgraded at the first renewal; adjacent_cross_sell PLO -> QUAL, ready
        _p(
            segment="enterprise",
            industry="Manufacturing",
            rank=3,
            modules=("PLO", "LOGI"),
            history="upgrade",
            priorities=("Manufacturing",),
        ),
        # history: downgraded at the first renewal; adjacent_cross_sell CAMPAIGN -> SPEND
        _p(
            segment="mid_market",
            industry="Retail",
            rank=2,
            modules=("CAMPAIGN",),
            history="downgrade",
            priorities=("Finance",),
        ),
        # unhealthy: 85 % utilization but NPS 3, four tickets, falling usage, no sponsor
        _p(
            archetype="unhealthy",
            segment="mid_market",
            industry="Retail",
            rank=2,
            modules=(),
            util={"api_calls": 0.85},
            util_range=(0.35, 0.5),
            growth=0.8,
            nps=3,
            tickets=4,
            sponsor="missing",
            priorities=(),
        ),
        # underutilized only (health stays above 70)
        _p(
            archetype="underutilized",
            segment="mid_market",
            industry="Manufacturing",
            rank=2,
            modules=(),
            util_range=(0.44, 0.48),
            growth=1.3,
            nps=10,
        ),
        # underutilized and unhealthy
        _p(
            archetype="underutilized",
            segment="smb",
            industry="Software",
            rank=1,
            modules=(),
            util_range=(0.1, 0.3),
            growth=0.9,
            nps=6,
            tickets=2,
        ),
        # onboarding: 96 % of its API calls 46 days after signing
        _p(
            archetype="onboarding",
            segment="smb",
            industry="Retail",
            rank=1,
            modules=(),
            tenure=46,
            util={"api_calls": 0.96},
            growth=1.3,
        ),
        # onboarding, 20 days in
        _p(
            archetype="onboarding",
            segment="mid_market",
            industry="Banking",
            rank=2,
            modules=("FRAUD",),
            tenure=20,
            util_range=(0.5, 0.7),
            growth=1.5,
            nps=-1,
        ),
        # churned, and churned then reactivated
        _p(
            archetype="churned",
            segment="enterprise",
            industry="Energy",
            rank=2,
            modules=(),
            nps=4,
            tickets=None,
        ),
        _p(
            archetype="reactivated",
            segment="mid_market",
            industry="Logistics",
            rank=1,
            modules=("LOGI",),
        ),
    ]
    # judgment (scoring.md v2): what a senior account manager would hold back
    plans += [
        # a detractor: healthy on the numbers, 90 % of its API calls, but the latest NPS is 6
        _p(
            segment="mid_market",
            industry="Software",
            rank=2,
            modules=(),
            nps=6,
            util={"api_calls": 0.9},
            priorities=("Ops",),
        ),
        # a severity-1 incident 10 days ago: health recovery before any expansion
        _p(
            segment="enterprise",
            industry="Healthcare",
            rank=2,
            modules=(),
            util={"api_calls": 0.92},
            events=(("support_ticket", 10, "data loss incident"),),
            priorities=("Ops",),
        ),
        # CREDIT lost 60 days ago: its adjacent cross-sell from FRAUD waits (recently_lost)
        _p(
            segment="mid_market",
            industry="Insurance",
            rank=2,
            modules=("FRAUD",),
            lost=(("CREDIT", 60),),
            priorities=("Risk", "Finance"),
        ),
        # left PLAT-ENT at its first renewal: at 90 % more PLAT-PRO capacity, not the tier left
        _p(
            segment="enterprise",
            industry="Retail",
            rank=2,
            modules=(),
            history="tier_down",
            util={"api_calls": 0.91},
            priorities=("Ops",),
        ),
        # FRAUD bought 40 days ago: too early for its adjacent cross-sell
        _p(
            segment="enterprise",
            industry="Insurance",
            rank=3,
            modules=("FRAUD",),
            module_days=40,
            priorities=("Finance",),
        ),
        # an upsell already at proposal: the tier upgrade waits (deal_in_progress)
        _p(
            segment="mid_market",
            industry="Software",
            rank=2,
            modules=(),
            util={"api_calls": 0.93},
            deal=("upsell", "PLAT-ENT", "proposal"),
            priorities=("Ops",),
        ),
        # two upsells at once (API calls and seats): the best one runs, the other waits
        _p(
            segment="smb",
            industry="Food & Beverage",
            rank=1,
            modules=(),
            util={"api_calls": 0.92, "seats": 0.9},
            priorities=("Ops",),
        ),
        # an achieved outcome beside one at 30 % of target, NPS 8: no proof of value for
        # LOGI -> PLO, so the adjacency alone starts nothing
        _p(
            segment="mid_market",
            industry="Logistics",
            rank=2,
            modules=("LOGI",),
            nps=8,
            achieved=True,
            short_outcome=True,
            priorities=("Manufacturing",),
        ),
    ]
    # lookalike: ten mid-market banks on FRAUD, six also on CREDIT, so each of the other four
    # gets adjacent_cross_sell FRAUD -> CREDIT with "6 of 9 similar accounts" (two ready)
    for k in range(10):
        plans.append(
            _p(
                segment="mid_market",
                industry="Banking",
                rank=2,
                modules=("FRAUD", "CREDIT") if k < 6 else ("FRAUD",),
                priorities=("Finance",) if k in (6, 7) else ("Risk",),
            )
        )
    return plans


def account_plans(r: random.Random, accounts: int) -> list[Plan]:
    """Planted plans (as many as fit) plus random archetypes, in a seeded random order."""
    plans = planted_plans()[:accounts]
    names = [a for a, _ in ARCHETYPES]
    weights = [w for _, w in ARCHETYPES]
    plans += [Plan(archetype=a) for a in r.choices(names, weights, k=accounts - len(plans))]
    r.shuffle(plans)
    return plans
