"""The rules of scoring.md v2 at their boundaries, on tiny synthetic books (pure engine):
detractor, incident, a loss's cooldown, a tier left, ownership, outcomes not cherry-picked,
a champion for ``ready``, the focus of section 4b, and the renewal's separate module.

Windows of N days end on T inclusive: the 30 days to T are T-29 .. T."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from scoring.config import ScoringConfig

from .test_engine import api, book, d, hrow, line, opp_keys, run, use

# an entitlement at 85 %: adoption 85, so the account stays healthy whatever NPS 7 or a ticket
BUSY = {"entitlements": api(), "usage": [use(850)]}


def deals(*rows: dict) -> pd.DataFrame:
    cols = ["account_id", "key", "motion", "target_product_id", "stage", "closed"]
    return pd.DataFrame(list(rows), columns=cols)


def held(r) -> list[tuple[str, str | None, str]]:
    return [(h["play"], h["target_sku"], h["reason"]) for h in hrow(r)["held_back"]]


@pytest.mark.parametrize(("nps", "detractor"), [(6, True), (7, False)])
def test_detractor_is_an_nps_of_6_or_lower(nps: float, detractor: bool) -> None:
    r = run(book(base_nps=nps, **BUSY))
    h = hrow(r)
    assert h["score"] > 70
    assert h["reasons"] == (["detractor"] if detractor else [])
    assert bool(h["eligible"]) is not detractor
    if detractor:
        assert [a["code"] for a in h["actions"]] == ["health_recovery"]
        assert f"latest NPS 6 on {d(-5).date().isoformat()}" in h["actions"][0]["detail"]
        assert opp_keys(r) == {}


@pytest.mark.parametrize(
    ("severity", "days_before", "incident"),
    [(1, 0, True), (2, 0, False), (1, 29, True), (1, 30, False)],
)
def test_incident_is_a_severity_1_ticket_in_the_30_days_to_t(
    severity: int, days_before: int, incident: bool
) -> None:
    sig = [
        {
            "account_id": 1,
            "date": d(-days_before),
            "kind": "support_ticket",
            "value": severity,
            "detail": "outage",
        }
    ]
    r = run(book(signals=sig, **BUSY))
    h = hrow(r)
    assert h["score"] > 70
    assert h["reasons"] == (["incident"] if incident else [])
    if incident:
        assert "severity 1 support ticket on" in h["actions"][0]["detail"]
        assert opp_keys(r) == {}
    else:
        assert "tier_upgrade:ENT" in opp_keys(r)


@pytest.mark.parametrize(("days_before", "held_back"), [(179, True), (180, False), (0, True)])
def test_a_product_lost_in_the_180_days_to_t_is_held_back(
    days_before: int, held_back: bool
) -> None:
    lost = deals(
        {
            "account_id": 1,
            "key": "",
            "motion": "upsell",
            "target_product_id": 3,
            "stage": "lost",
            "closed": d(-days_before),
        }
    )
    r = run(dataclasses.replace(book(**BUSY), opportunities=lost))
    if held_back:
        assert opp_keys(r) == {}
        assert held(r) == [("tier_upgrade", "ENT", "recently_lost")]
        assert hrow(r)["held_back"][0]["detail"] == f"ENT lost on {d(-days_before).date()}"
    else:
        assert set(opp_keys(r)) == {"tier_upgrade:ENT"}
        assert held(r) == []


@pytest.mark.parametrize(
    ("left_days_before", "used", "key"),
    [
        (729, 900, "usage_expansion:PRO"),  # left within the 730 days to T, below 95 %
        (730, 900, "tier_upgrade:ENT"),  # left before the window: proposed again
        (729, 950, "tier_upgrade:ENT"),  # at 95 %: the tier left is proposed again
    ],
)
def test_a_tier_left_is_proposed_again_only_at_95(
    left_days_before: int, used: float, key: str
) -> None:
    lines = [line(2), line(3, start=-1500, end=-left_days_before, line_id=2)]
    r = run(book(lines=lines, entitlements=api(), usage=[use(used)]))
    assert set(opp_keys(r)) == {key}
    detail = r.opportunities.iloc[0]["triggers"][0]["detail"]
    left = f"left ENT on {d(-left_days_before).date()}"
    assert (left in detail) is (left_days_before == 729)


@pytest.mark.parametrize(
    ("lines", "owned"),
    [
        ([line(2, start=-89)], True),  # T-89 .. T: 90 days
        ([line(2, start=-88)], False),
        ([line(2, start=-300, end=-50), line(2, start=-49, line_id=2)], True),  # back to back
        ([line(2, start=-300, end=-50), line(2, start=-48, line_id=2)], False),  # a day's gap
    ],
)
def test_adjacent_cross_sell_needs_the_product_owned_for_90_days(lines, owned: bool) -> None:
    adj = [{"from_product_id": 2, "to_product_id": 5, "pitch": "p"}]
    r = run(book(lines=lines, adjacencies=adj, base_nps=9))
    assert ("adjacent_cross_sell:NEXT" in opp_keys(r)) is owned


@pytest.mark.parametrize(("achieved", "outcome"), [(49.9, False), (50.0, True)])
def test_outcome_achieved_is_not_cherry_picked(achieved: float, outcome: bool) -> None:
    """An achieved outcome is proof of value only while no other outcome is below half its
    target; without it (no promoter, no lookalike), the adjacency alone starts nothing."""
    adj = [{"from_product_id": 2, "to_product_id": 5, "pitch": "p"}]
    metrics = [
        {"account_id": 1, "name": "savings", "target": 100, "achieved": 120, "as_of": d(-1)},
        {"account_id": 1, "name": "hours", "target": 100, "achieved": achieved, "as_of": d(-1)},
    ]
    r = run(book(adjacencies=adj, metrics=metrics))
    keys = opp_keys(r)
    if outcome:
        assert keys == {"adjacent_cross_sell:NEXT": {"adjacent_workflow", "outcome_achieved"}}
        trig = r.opportunities.iloc[0]["triggers"]
        assert "still short of target: hours at 50 % of target" in trig[1]["detail"]
    else:
        assert keys == {}


def test_outcome_note_names_the_metric_below_half() -> None:
    metrics = [
        {"account_id": 1, "name": "savings", "target": 100, "achieved": 120, "as_of": d(-1)},
        {"account_id": 1, "name": "hours saved", "target": 1000, "achieved": 300, "as_of": d(-1)},
    ]
    r = run(book(metrics=metrics, **BUSY))
    assert "hours saved at 30 % of target" in r.opportunities.iloc[0]["explanation"]


def test_adjacent_cross_sell_is_timed_by_the_renewal_of_a() -> None:
    adj = [{"from_product_id": 2, "to_product_id": 5, "pitch": "p"}]
    r = run(book(lines=[line(2, start=-400, end=60)], adjacencies=adj, base_nps=9))
    keys = opp_keys(r)
    assert keys["adjacent_cross_sell:NEXT"] == {"adjacent_workflow", "renewal_d90", "promoter_nps"}
    assert "value_review:PRO" in keys  # the renewal itself, reviewed on its own


def test_ready_needs_an_active_champion() -> None:
    sponsor_only = [
        {
            "id": 2,
            "account_id": 1,
            "name": "Boss",
            "department": "Ops",
            "role": "executive_sponsor",
            "active": True,
        }
    ]
    r = run(book(stakeholders=sponsor_only, **BUSY))
    o = r.opportunities.iloc[0]
    assert o["status"] == "needs_sponsor"
    assert "no active champion yet" in o["explanation"]
    actions = hrow(r)["actions"]
    assert [a["code"] for a in actions] == ["develop_sponsor"]
    assert "needs an active champion beside its sponsor Boss" in actions[0]["detail"]
    assert run(book(**BUSY)).opportunities.iloc[0]["status"] == "ready"


@pytest.mark.parametrize(
    ("key", "kept", "reason"),
    [
        ("", set(), "deal_in_progress"),  # an imported deal: the new upsell waits
        ("tier_upgrade:ENT", {"tier_upgrade:ENT"}, None),  # the deal itself: kept, refreshed
    ],
)
def test_a_deal_in_progress_holds_back_its_kind(key: str, kept: set, reason: str | None) -> None:
    deal = deals(
        {
            "account_id": 1,
            "key": key,
            "motion": "upsell",
            "target_product_id": 3,
            "stage": "proposal",
            "closed": pd.NaT,
        }
    )
    sig = [{"account_id": 1, "date": d(-3), "kind": "internal_referral", "department": "Risk"}]
    r = run(dataclasses.replace(book(signals=sig, **BUSY), opportunities=deal))
    keys = set(opp_keys(r))
    assert keys == kept | {"automation_audit:Risk:MOD"}  # a cross-sell is another kind
    assert held(r) == ([("tier_upgrade", "ENT", reason)] if reason else [])


def test_one_upsell_and_one_cross_sell_at_a_time_by_score() -> None:
    ents = [
        *api(),
        {"id": 2, "contract_id": 1, "metric": "seats", "limit": 100, "period": "instant"},
    ]
    sig = [
        {"account_id": 1, "date": d(-3), "kind": "internal_referral", "department": "Risk"},
        {"account_id": 1, "date": d(-3), "kind": "feature_request", "detail": "COMP"},
    ]
    adj = [{"from_product_id": 2, "to_product_id": 5, "pitch": "p"}]
    r = run(
        book(
            entitlements=ents,
            usage=[use(950), use(85, metric="seats")],
            signals=sig,
            adjacencies=adj,
            base_nps=9,
        )
    )
    assert set(opp_keys(r)) == {"tier_upgrade:ENT", "automation_audit:Risk:MOD"}
    assert sorted(held(r)) == [
        ("adjacent_cross_sell", "NEXT", "one_at_a_time"),
        ("feature_upsell", "COMP", "one_at_a_time"),
        ("seat_expansion", "PRO", "one_at_a_time"),
    ]
    scores = [h["score"] for h in hrow(r)["held_back"]]
    assert scores == sorted(scores, reverse=True)


def test_equal_scores_keep_the_first_play_code() -> None:
    sig = [
        {"account_id": 1, "date": d(-3), "kind": "feature_request", "detail": "COMP"},
        {"account_id": 1, "date": d(-3), "kind": "feature_request", "detail": "ENT"},
    ]
    pri = [
        {"id": i, "stakeholder_id": 2, "year": d(0).year, "priority": "p", "department": dept}
        for i, dept in ((1, "Ops"), (2, "Compliance"))
    ]
    r = run(book(signals=sig, priorities=pri, entitlements=api(), usage=[use(600)]))  # no level
    # both feature_upsell with 15 points: ties by target sku
    assert set(opp_keys(r)) == {"feature_upsell:COMP"}
    assert held(r) == [("feature_upsell", "ENT", "one_at_a_time")]


def test_value_review_has_no_module_and_renewal_module_is_a_new_buyer() -> None:
    lines = [line(2, end=30)]
    pri = [
        {
            "id": 1,
            "stakeholder_id": 2,
            "year": d(0).year,
            "priority": "Less fraud",
            "department": "Risk",
        }
    ]
    r = run(book(lines=lines, priorities=pri))
    keys = opp_keys(r)
    assert keys == {"value_review:PRO": {"renewal_d90"}, "renewal_module:MOD": {"renewal_d90"}}
    o = r.opportunities.set_index("key")
    assert o.loc["value_review:PRO", "department"] == "Ops"
    assert o.loc["renewal_module:MOD", "motion"] == "cross_sell"
    assert o.loc["renewal_module:MOD", "status"] == "ready"
    # a priority in a department the account's products already serve: no new buyer
    ops = [dict(pri[0], department="Ops")]
    assert set(opp_keys(run(book(lines=lines, priorities=ops)))) == {"value_review:PRO"}
    # blocked (detractor): the review only, without a multi-year proposal
    r = run(book(lines=lines, priorities=pri, base_nps=3))
    assert set(opp_keys(r)) == {"value_review:PRO"}
    assert "multi-year" not in r.opportunities.iloc[0]["explanation"]


def test_every_new_threshold_is_a_setting() -> None:
    cfg = ScoringConfig(detractor_nps=7.0)
    assert hrow(run(book(base_nps=7, **BUSY), cfg))["reasons"] == ["detractor"]
    sig = [{"account_id": 1, "date": d(-1), "kind": "support_ticket", "value": 2}]
    cfg = ScoringConfig(incident_severity=2)
    assert hrow(run(book(signals=sig, **BUSY), cfg))["reasons"] == ["incident"]
