"""The scoring engine against the sample book's EXPECTED.md, plus boundary and determinism tests.

Pure pandas: no database, no Django (runs with ``-p no:django``).
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoring.config import ScoringConfig
from scoring.engine import (
    ScoringInput,
    ScoringResult,
    score_book,
    usage_window_aggregates,
)

AS_OF = date(2026, 6, 30)
BOOK = Path(
    os.environ.get(
        "SAMPLE_BOOK_DIR", Path(__file__).resolve().parents[3] / "shared" / "sample-book"
    )
)
if not BOOK.exists():  # a copy next to the repository, when there is one
    BOOK = Path(__file__).resolve().parents[2] / "docs" / "sample-book"


# --------------------------------------------------------------------------------------------
# loader: the sample book's CSVs -> ScoringInput (integer ids assigned in file order)
# --------------------------------------------------------------------------------------------


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(BOOK / f"{name}.csv", dtype=str, keep_default_na=False)


def _ids(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(id=np.arange(1, len(df) + 1))


def load_sample_book(as_of: date = AS_OF, config: ScoringConfig | None = None) -> ScoringInput:
    config = config or ScoringConfig()
    accounts = _ids(_csv("accounts"))
    acc_id = dict(zip(accounts["external_id"], accounts["id"], strict=True))
    products = _ids(_csv("products"))
    prod_id = dict(zip(products["sku"], products["id"], strict=True))
    adj = _csv("adjacencies")
    contracts = _ids(_csv("contracts"))
    line_id = dict(zip(contracts["external_id"], contracts["id"], strict=True))
    ents = _ids(_csv("entitlements"))
    stakeholders = _ids(_csv("stakeholders"))
    st_id = dict(zip(stakeholders["external_id"], stakeholders["id"], strict=True))
    priorities = _ids(_csv("priorities"))
    signals = _csv("signals")
    metrics = _csv("success_metrics")
    usage = _csv("usage")

    def num(s: pd.Series) -> pd.Series:
        return pd.to_numeric(s.replace("", np.nan))

    def day(s: pd.Series) -> pd.Series:
        return pd.to_datetime(s.replace("", np.nan))

    raw_usage = pd.DataFrame(
        {
            "account_id": usage["account_id"].map(acc_id),
            "metric": usage["metric"],
            "date": day(usage["date"]),
            "quantity": num(usage["quantity"]),
        }
    )
    return ScoringInput(
        accounts=pd.DataFrame(
            {
                "id": accounts["id"],
                "external_id": accounts["external_id"],
                "name": accounts["name"],
                "segment": accounts["segment"],
                "industry": accounts["industry"],
                "customer_since": day(accounts["customer_since"]),
            }
        ),
        products=pd.DataFrame(
            {
                "id": products["id"],
                "sku": products["sku"],
                "name": products["name"],
                "kind": products["kind"],
                "family": products["family"],
                "tier_rank": num(products["tier_rank"]),
                "department": products["department"],
                "list_arr": num(products["list_arr"]),
            }
        ),
        adjacencies=pd.DataFrame(
            {
                "from_product_id": adj["from_sku"].map(prod_id),
                "to_product_id": adj["to_sku"].map(prod_id),
                "pitch": adj["pitch"],
            }
        ),
        lines=pd.DataFrame(
            {
                "id": contracts["id"],
                "account_id": contracts["account_id"].map(acc_id),
                "product_id": contracts["sku"].map(prod_id),
                "start_date": day(contracts["start_date"]),
                "end_date": day(contracts["end_date"]),
                "arr": num(contracts["arr"]),
            }
        ),
        entitlements=pd.DataFrame(
            {
                "id": ents["id"],
                "contract_id": ents["contract_id"].map(line_id),
                "metric": ents["metric"],
                "limit": num(ents["limit"]),
                "period": ents["period"],
            }
        ),
        usage=usage_window_aggregates(raw_usage, as_of=as_of, config=config),
        stakeholders=pd.DataFrame(
            {
                "id": stakeholders["id"],
                "account_id": stakeholders["account_id"].map(acc_id),
                "name": stakeholders["name"],
                "department": stakeholders["department"],
                "role": stakeholders["role"],
                "active": stakeholders["active"].str.lower().ne("false"),
            }
        ),
        priorities=pd.DataFrame(
            {
                "id": priorities["id"],
                "stakeholder_id": priorities["stakeholder_id"].map(st_id),
                "year": num(priorities["year"]).astype(int),
                "priority": priorities["priority"],
                "department": priorities["department"],
            }
        ),
        signals=pd.DataFrame(
            {
                "account_id": signals["account_id"].map(acc_id),
                "date": day(signals["date"]),
                "kind": signals["kind"],
                "value": num(signals["value"]),
                "department": signals["department"],
                "detail": signals["detail"],
            }
        ),
        success_metrics=pd.DataFrame(
            {
                "account_id": metrics["account_id"].map(acc_id),
                "name": metrics["name"],
                "target": num(metrics["target"]),
                "achieved": num(metrics["achieved"]),
                "as_of": day(metrics["as_of"]),
            }
        ),
    )


@pytest.fixture(scope="module")
def sample() -> ScoringResult:
    return score_book(load_sample_book(), as_of=AS_OF, config=ScoringConfig())


def _by_ext(frame: pd.DataFrame) -> dict[str, dict]:
    return {r["external_id"]: r for r in frame.to_dict("records")}


# --------------------------------------------------------------------------------------------
# EXPECTED.md, line by line
# --------------------------------------------------------------------------------------------

# account -> (health, reasons, action codes)
EXPECTED_HEALTH = {
    "NW-001": (84.5, [], ["develop_sponsor"]),
    "CT-002": (49.3, ["unhealthy", "detractor"], ["health_recovery"]),
    "FB-003": (77.0, ["underutilized"], ["adoption_intervention"]),
    "TT-004": (88.0, ["onboarding"], []),
    "LW-005": (76.8, [], ["develop_sponsor"]),
    "AW-006": (78.9, [], []),
    "WG-007": (81.2, [], []),
    "PW-008": (74.5, [], []),
    "WW-009": (81.6, [], ["develop_sponsor"]),
    "CW-010": (82.0, [], []),
    "AS-011": (73.2, [], []),
}

# (account, play, target sku) -> (status, new champion needed, trigger codes, department)
EXPECTED_PLAYS = {
    ("NW-001", "tier_upgrade", "CORE-ENT"): (
        "ready",
        False,
        {"utilization_90", "promoter_nps"},
        "Ops",
    ),
    ("NW-001", "adjacent_cross_sell", "CREDIT"): (
        "needs_sponsor",
        True,
        {"adjacent_workflow", "promoter_nps"},
        "Finance",
    ),
    ("LW-005", "renewal_module", "FRAUD"): ("ready", False, {"renewal_d90"}, "Risk"),
    ("LW-005", "value_review", "CORE-ENT"): ("needs_sponsor", False, {"renewal_d90"}, "Ops"),
    ("AW-006", "automation_audit", "HRFLOW"): (
        "ready",
        True,
        {"internal_referral", "promoter_nps", "outcome_achieved"},
        "HR",
    ),
    ("WG-007", "compliance_module", "AUDIT"): ("ready", False, {"compliance_change"}, "Compliance"),
    ("WW-009", "usage_expansion", "LOGI"): (
        "needs_sponsor",
        False,
        {"utilization_80", "promoter_nps"},
        "Ops",
    ),
    ("WW-009", "adjacent_cross_sell", "PLO"): (
        "needs_sponsor",
        True,
        {"adjacent_workflow", "promoter_nps"},
        "Manufacturing",
    ),
    ("CW-010", "seat_expansion", "CORE-STARTER"): (
        "ready",
        False,
        {"seat_growth", "promoter_nps"},
        "Ops",
    ),
    ("AS-011", "feature_upsell", "CORE-ENT"): ("ready", False, {"feature_request"}, "Ops"),
}


@pytest.mark.parametrize("ext", sorted(EXPECTED_HEALTH))
def test_sample_health_reasons_actions(sample: ScoringResult, ext: str) -> None:
    health, reasons, actions = EXPECTED_HEALTH[ext]
    row = _by_ext(sample.health)[ext]
    assert abs(row["score"] - health) <= 0.05 + 1e-9, (ext, row["score"])
    assert row["reasons"] == reasons
    assert [a["code"] for a in row["actions"]] == actions
    assert row["eligible"] == (not reasons)
    for a in row["actions"]:
        assert a["detail"]


def test_sample_scored_accounts(sample: ScoringResult) -> None:
    scored = set(sample.health["external_id"])
    assert scored == set(EXPECTED_HEALTH)
    assert "BY-012" not in scored  # churned on 2026-03-31
    assert sample.health["account_id"].is_unique


def test_sample_plays_exactly(sample: ScoringResult) -> None:
    opps = sample.opportunities
    got = {
        (r["external_id"], r["play"], r["target_sku"]): (
            r["status"],
            bool(r["new_champion_needed"]),
            {t["code"] for t in r["triggers"]},
            r["department"],
        )
        for r in opps.to_dict("records")
    }
    assert got == EXPECTED_PLAYS
    assert len(opps) == len(EXPECTED_PLAYS)  # one opportunity per (account, play, target)
    for ext in ("CT-002", "FB-003", "TT-004", "PW-008"):
        assert ext not in set(opps["external_id"])  # "-": no play


def test_sample_opportunity_fields(sample: ScoringResult) -> None:
    o = sample.opportunities
    assert o.groupby("account_id")["key"].apply(lambda k: k.is_unique).all()
    keys = set(zip(o["external_id"], o["key"], strict=True))
    assert ("AW-006", "automation_audit:HR:HRFLOW") in keys
    assert ("NW-001", "tier_upgrade:CORE-ENT") in keys
    assert ("LW-005", "value_review:CORE-ENT") in keys
    assert ("LW-005", "renewal_module:FRAUD") in keys
    motions = dict(zip(o["play"], o["motion"], strict=False))
    assert motions == {
        "tier_upgrade": "upsell",
        "adjacent_cross_sell": "cross_sell",
        "value_review": "renewal",
        "automation_audit": "cross_sell",
        "compliance_module": "upsell",
        "usage_expansion": "usage_expansion",
        "seat_expansion": "seat_expansion",
        "feature_upsell": "upsell",
        "renewal_module": "cross_sell",
    }
    for r in o.to_dict("records"):
        health = _by_ext(sample.health)[r["external_id"]]["score"]
        points = sum(t["points"] for t in r["triggers"])
        factor = 1.0 if r["status"] == "ready" else 0.5
        assert r["score"] == pytest.approx(points * health / 100 * factor)
        assert r["explanation"].endswith(".")
        if r["status"] == "ready":
            assert r["sponsor_name"] and r["sponsor_priority"] and r["sponsor_stakeholder_id"]
            assert r["sponsor_name"] in r["explanation"]
        else:
            assert r["sponsor_name"] is None and pd.isna(r["sponsor_stakeholder_id"])
    nw = o[o["key"] == "tier_upgrade:CORE-ENT"].iloc[0]
    assert nw["triggers"] == [
        {
            "code": "utilization_90",
            "points": 30.0,
            "detail": "api_calls at 92% of 1,000,000 (CORE-PRO)",
        },
        {"code": "promoter_nps", "points": 10.0, "detail": "NPS 9 on 2026-05-10"},
    ]
    assert nw["sponsor_name"] == "Chris Info"
    assert nw["sponsor_priority"] == "Automate onboarding in every region"


def test_sample_notes(sample: ScoringResult) -> None:
    util = sample.utilization.merge(sample.health[["account_id", "external_id"]], on="account_id")
    lv = {(r.external_id, r.metric): (r.level, r.ratio) for r in util.itertuples()}
    # CT-002: 85 % utilization, but four tickets and an NPS of 3
    assert lv[("CT-002", "api_calls")] == (80, pytest.approx(0.85))
    ct = _by_ext(sample.health)["CT-002"]
    assert ct["support"] == 20 and ct["sentiment"] == 30
    assert "support" in ct["actions"][0]["detail"]  # the weakest component is named
    # TT-004: 96 % of its API calls, 46 days after signing; the 95 % alert is still raised
    assert lv[("TT-004", "api_calls")] == (95, pytest.approx(0.96))
    # PW-008: already owns AUDIT, so no compliance play despite the PSD3 mandate
    assert "PW-008" not in set(sample.opportunities["external_id"])
    # BY-012 churned: none of its entitlements is active
    assert len(sample.utilization) == 18


def test_sample_ranking(sample: ScoringResult) -> None:
    o = sample.opportunities
    order = list(zip(o["external_id"], o["play"], strict=True))
    # the tier upgrade of Northwind Bank ranks above the seat expansion of Coho Winery
    assert order.index(("NW-001", "tier_upgrade")) < order.index(("CW-010", "seat_expansion"))
    # sorted by score, highest first
    assert o["score"].is_monotonic_decreasing
    # every needs_sponsor play ranks below the ready play of the same triggers
    rows = o.to_dict("records")
    pairs = 0
    for i, n in enumerate(rows):
        if n["status"] != "needs_sponsor":
            continue
        n_codes = {t["code"] for t in n["triggers"]}
        for j, r in enumerate(rows):
            if r["status"] == "ready" and n_codes <= {t["code"] for t in r["triggers"]}:
                assert j < i, (r["key"], n["key"])
                pairs += 1
    assert pairs >= 1


def test_needs_sponsor_ranks_below_the_same_play_ready() -> None:
    """The same account, triggers and health: without a sponsor the play scores half."""
    data = load_sample_book()
    ready = score_book(data, as_of=AS_OF, config=ScoringConfig())
    st = data.stakeholders
    no_sponsor = ScoringInput(
        **{
            **data.__dict__,
            "priorities": data.priorities[
                data.priorities["stakeholder_id"]
                != st.loc[st["name"] == "Chris Info", "id"].iloc[0]
            ],
        }
    )
    # Chris Info keeps the role (relationship, so health, unchanged) but states no priority
    lacking = score_book(no_sponsor, as_of=AS_OF, config=ScoringConfig())
    a = ready.opportunities.set_index(["external_id", "key"])
    b = lacking.opportunities.set_index(["external_id", "key"])
    k = ("NW-001", "tier_upgrade:CORE-ENT")
    assert a.loc[k, "status"] == "ready" and b.loc[k, "status"] == "needs_sponsor"
    assert b.loc[k, "score"] == pytest.approx(a.loc[k, "score"] / 2)
    assert a.loc[k, "score"] > b.loc[k, "score"]
    nw = _by_ext(lacking.health)["NW-001"]
    dev = next(x for x in nw["actions"] if x["code"] == "develop_sponsor")
    assert "tier_upgrade -> CORE-ENT" in dev["detail"] and "Ops" in dev["detail"]


# --------------------------------------------------------------------------------------------
# tiny synthetic books for the boundaries
# --------------------------------------------------------------------------------------------

T = pd.Timestamp(AS_OF)
CATALOG = pd.DataFrame(
    {
        "id": [1, 2, 3, 4, 5, 6],
        "sku": ["STARTER", "PRO", "ENT", "MOD", "NEXT", "COMP"],
        "name": ["Starter", "Pro", "Enterprise", "Module", "Next module", "Compliance"],
        "kind": ["tier", "tier", "tier", "module", "module", "add_on"],
        "family": ["core", "core", "core", "mod", "next", "gov"],
        "tier_rank": [1, 2, 3, np.nan, np.nan, np.nan],
        "department": ["Ops", "Ops", "Ops", "Risk", "Finance", "Compliance"],
        "list_arr": [10.0, 20.0, 30.0, 40.0, 50.0, 5.0],
    }
)


def d(days: int) -> pd.Timestamp:
    """T + days."""
    return T + pd.Timedelta(days=days)


def book(
    *,
    accounts: list[dict] | None = None,
    lines: list[dict] | None = None,
    entitlements: list[dict] | None = None,
    usage: list[dict] | None = None,
    stakeholders: list[dict] | None = None,
    priorities: list[dict] | None = None,
    signals: list[dict] | None = None,
    metrics: list[dict] | None = None,
    adjacencies: list[dict] | None = None,
    base_nps: float | None = 8,
) -> ScoringInput:
    """Account 1 owns PRO (line 1, T-100 .. T+200), with a champion and an Ops sponsor, and
    (``base_nps``) an NPS of 8 five days ago: health 71 without entitlements, so eligible."""
    signals = list(signals or [])
    if base_nps is not None:
        signals.append({"account_id": 1, "date": d(-5), "kind": "nps", "value": base_nps})
    accounts = accounts or [
        {
            "id": 1,
            "external_id": "A1",
            "name": "One",
            "segment": "smb",
            "industry": "X",
            "customer_since": d(-400),
        }
    ]
    lines = lines if lines is not None else [line(2)]
    stakeholders = (
        stakeholders
        if stakeholders is not None
        else [
            {
                "id": 1,
                "account_id": 1,
                "name": "Champ",
                "department": "Ops",
                "role": "champion",
                "active": True,
            },
            {
                "id": 2,
                "account_id": 1,
                "name": "Boss",
                "department": "Ops",
                "role": "executive_sponsor",
                "active": True,
            },
        ]
    )
    priorities = (
        priorities
        if priorities is not None
        else [
            {
                "id": 1,
                "stakeholder_id": 2,
                "year": T.year,
                "priority": "Scale ops",
                "department": "Ops",
            }
        ]
    )

    def frame(rows: list[dict] | None, cols: list[str]) -> pd.DataFrame:
        return pd.DataFrame(rows or [], columns=cols)

    raw = frame(usage, ["account_id", "metric", "date", "quantity"])
    return ScoringInput(
        accounts=pd.DataFrame(accounts),
        products=CATALOG.copy(),
        adjacencies=frame(adjacencies, ["from_product_id", "to_product_id", "pitch"]),
        lines=pd.DataFrame(lines),
        entitlements=frame(entitlements, ["id", "contract_id", "metric", "limit", "period"]),
        usage=usage_window_aggregates(raw, as_of=AS_OF, config=ScoringConfig()),
        stakeholders=frame(
            stakeholders, ["id", "account_id", "name", "department", "role", "active"]
        ),
        priorities=frame(priorities, ["id", "stakeholder_id", "year", "priority", "department"]),
        signals=frame(signals, ["account_id", "date", "kind", "value", "department", "detail"]),
        success_metrics=frame(metrics, ["account_id", "name", "target", "achieved", "as_of"]),
    )


def run(data: ScoringInput, config: ScoringConfig | None = None) -> ScoringResult:
    return score_book(data, as_of=AS_OF, config=config or ScoringConfig())


def api(limit: float = 1000.0) -> list[dict]:
    return [{"id": 1, "contract_id": 1, "metric": "api_calls", "limit": limit, "period": "month"}]


def line(
    product: int,
    *,
    start: int = -100,
    end: int = 200,
    line_id: int = 1,
    account: int = 1,
    arr: float = 20.0,
) -> dict:
    """A contract line from T+start to T+end."""
    return {
        "id": line_id,
        "account_id": account,
        "product_id": product,
        "start_date": d(start),
        "end_date": d(end),
        "arr": arr,
    }


def use(qty: float, day: int = 0, metric: str = "api_calls", account: int = 1) -> dict:
    return {"account_id": account, "metric": metric, "date": d(day), "quantity": qty}


def opp_keys(r: ScoringResult, account: int = 1) -> dict[str, set[str]]:
    o = r.opportunities[r.opportunities["account_id"] == account]
    return {row["key"]: {t["code"] for t in row["triggers"]} for row in o.to_dict("records")}


def hrow(r: ScoringResult, account: int = 1) -> dict:
    return r.health.set_index("account_id").loc[account].to_dict()


@pytest.mark.parametrize(
    ("used", "level", "codes"),
    [
        (800_000, 80, {"utilization_80"}),
        (799_900, 0, None),  # 79.99 %
        (950_000, 95, {"utilization_95"}),
        (949_999, 90, {"utilization_90"}),
    ],
)
def test_utilization_thresholds_are_inclusive(used: float, level: int, codes) -> None:
    r = run(book(entitlements=api(1_000_000), usage=[use(used)]))
    u = r.utilization.iloc[0]
    assert u["level"] == level and u["used"] == used and u["ratio"] == used / 1_000_000
    keys = opp_keys(r)
    if codes is None:
        assert "tier_upgrade:ENT" not in keys
    else:
        assert keys["tier_upgrade:ENT"] == codes


@pytest.mark.parametrize(("day", "counted"), [(-29, True), (-30, False), (0, True), (1, False)])
def test_usage_window_first_and_last_day(day: int, counted: bool) -> None:
    r = run(book(entitlements=api(), usage=[use(900, day)]))
    assert r.utilization.iloc[0]["used"] == (900 if counted else 0)
    agg = usage_window_aggregates(
        pd.DataFrame([use(900, day)]), as_of=AS_OF, config=ScoringConfig()
    )
    if day == -30:
        assert agg.iloc[0]["used_prior"] == 900 and agg.iloc[0]["used_last"] == 0
        assert pd.isna(agg.iloc[0]["latest"])


def test_prior_window_bounds_and_instant_latest() -> None:
    rows = [
        use(5, -59),
        use(7, -60),
        use(40, -3, "seats"),
        use(45, -10, "seats"),
        use(99, -30, "seats"),
    ]
    agg = usage_window_aggregates(pd.DataFrame(rows), as_of=AS_OF, config=ScoringConfig())
    a = agg.set_index("metric")
    assert a.loc["api_calls", "used_prior"] == 5  # T-59 counts, T-60 doesn't
    assert a.loc["seats", "latest"] == 40  # the latest reading of T-29..T, not the largest
    seats = [{"id": 1, "contract_id": 1, "metric": "seats", "limit": 50, "period": "instant"}]
    r = run(book(entitlements=seats, usage=rows))
    assert r.utilization.iloc[0]["used"] == 40


@pytest.mark.parametrize(("days", "renews"), [(90, True), (91, False), (0, True)])
def test_renewal_window(days: int, renews: bool) -> None:
    lines = [line(2, end=days)]
    keys = opp_keys(run(book(lines=lines)))
    assert ("value_review:PRO" in keys) == renews
    if renews:
        assert keys["value_review:PRO"] == {"renewal_d90"}


@pytest.mark.parametrize(("days", "onboarding"), [(89, True), (90, False)])
def test_onboarding_boundary(days: int, onboarding: bool) -> None:
    acc = [
        {
            "id": 1,
            "external_id": "A1",
            "name": "One",
            "segment": "smb",
            "industry": "X",
            "customer_since": d(-days),
        }
    ]
    h = hrow(run(book(accounts=acc)))
    assert ("onboarding" in h["reasons"]) == onboarding
    assert h["eligible"] == (not onboarding)


def test_health_exactly_70_is_blocked() -> None:
    # adoption 50 (no entitlement), trend 50, NPS 9 -> 90, one ticket -> 80, relationship 100
    sig = [
        {"account_id": 1, "date": d(-5), "kind": "nps", "value": 9},
        {"account_id": 1, "date": d(-5), "kind": "support_ticket", "value": 2},
    ]
    h = hrow(run(book(signals=sig, base_nps=None)))
    assert h["score"] == 70.0
    assert h["reasons"] == ["unhealthy"] and not h["eligible"]
    assert [a["code"] for a in h["actions"]] == ["health_recovery"]
    assert "trend" in h["actions"][0]["detail"] or "adoption" in h["actions"][0]["detail"]


def test_health_70_1_is_eligible() -> None:
    # adoption 96, trend 50, NPS 10 -> 100, two tickets -> 60, no stakeholder -> 0
    sig = [
        {"account_id": 1, "date": d(-5), "kind": "nps", "value": 10},
        {"account_id": 1, "date": d(-5), "kind": "support_ticket", "value": 2},
        {"account_id": 1, "date": d(-6), "kind": "support_ticket", "value": 2},
    ]
    r = run(
        book(
            entitlements=api(),
            usage=[use(960, 0), use(960, -40)],
            signals=sig,
            stakeholders=[],
            priorities=[],
            base_nps=None,
        )
    )
    h = hrow(r)
    assert h["score"] == pytest.approx(70.1)
    assert h["adoption"] == 96 and h["trend"] == 50 and h["relationship"] == 0
    assert h["eligible"] and h["reasons"] == []
    o = r.opportunities.iloc[0]
    assert o["key"] == "tier_upgrade:ENT" and o["status"] == "needs_sponsor"
    assert {t["code"] for t in o["triggers"]} == {"utilization_95", "promoter_nps"}
    assert o["score"] == pytest.approx((40 + 10) * 70.1 / 100 * 0.5)


def test_trend_component() -> None:
    ents = [
        *api(),
        {"id": 2, "contract_id": 1, "metric": "data_gb", "limit": 100, "period": "month"},
        {"id": 3, "contract_id": 1, "metric": "seats", "limit": 10, "period": "instant"},
    ]
    usage = [
        use(300, 0),
        use(200, -40),  # 50 + 50 x (300/200 - 1) = 75
        use(10, 0, "data_gb"),
        use(100, -40, "data_gb"),  # 50 + 50 x (0.1 - 1) = 5
        use(1, 0, "seats"),
        use(9, -40, "seats"),
    ]  # instant: not in the trend
    h = hrow(run(book(entitlements=ents, usage=usage)))
    assert h["trend"] == pytest.approx(40.0)
    usage = [use(900, 0), use(100, -40)]  # 50 + 50 x 8 clamps to 100; data_gb: no prior -> 50
    h = hrow(run(book(entitlements=ents, usage=usage)))
    assert h["trend"] == pytest.approx(75.0)


@pytest.mark.parametrize(
    ("kind", "window"),
    [
        ("compliance_change", 90),
        ("internal_referral", 90),
        ("feature_request", 90),
        ("nps", 180),
        ("support_ticket", 90),
        ("new_users", 30),
        ("reference", 90),
    ],
)
def test_signal_windows_first_and_last_day(kind: str, window: int) -> None:
    def score(day: int) -> tuple[dict, dict[str, set[str]]]:
        sig = {
            "account_id": 1,
            "date": d(day),
            "kind": kind,
            "value": np.nan,
            "department": "",
            "detail": "",
        }
        if kind == "internal_referral":
            sig["department"] = "Finance"
        if kind == "feature_request":
            sig["detail"] = "MOD"
        if kind in ("nps", "support_ticket", "new_users"):
            sig["value"] = {"nps": 10, "support_ticket": 1, "new_users": 1}[kind]
        ents = [{"id": 1, "contract_id": 1, "metric": "seats", "limit": 10, "period": "instant"}]
        extra = [{"account_id": 1, "date": d(-1), "kind": "feature_request", "detail": "MOD"}]
        extra = extra if kind == "reference" else []  # a boost needs a play to boost
        r = run(
            book(
                signals=[sig, *extra],
                entitlements=ents,
                usage=[use(5, 0, "seats")],
                base_nps=None if kind == "nps" else 8,
            )
        )
        return hrow(r), opp_keys(r)

    first = window - 1
    inside, outside, future = score(-first), score(-window), score(1)
    if kind == "nps":
        assert inside[0]["sentiment"] == 100 and outside[0]["sentiment"] == 50
        assert future[0]["sentiment"] == 50
    elif kind == "support_ticket":
        assert inside[0]["support"] == 80 and outside[0]["support"] == 100
    else:
        code = {
            "compliance_change": "compliance_change",
            "internal_referral": "internal_referral",
            "feature_request": "feature_request",
            "new_users": "seat_growth",
            "reference": "reference",
        }[kind]
        assert any(code in c for c in inside[1].values()), inside[1]
        assert not any(code in c for c in outside[1].values()), outside[1]
        assert not any(code in c for c in future[1].values()), future[1]


def test_seat_growth_by_usage_or_new_users() -> None:
    seats = [{"id": 1, "contract_id": 1, "metric": "seats", "limit": 50, "period": "instant"}]
    assert opp_keys(run(book(entitlements=seats, usage=[use(40, 0, "seats")]))) == {
        "seat_expansion:PRO": {"seat_growth"}
    }
    assert opp_keys(run(book(entitlements=seats, usage=[use(39, 0, "seats")]))) == {}
    nu = [
        {"account_id": 1, "date": d(-3), "kind": "new_users", "value": 3},
        {"account_id": 1, "date": d(-2), "kind": "new_users", "value": 2},
    ]  # 5 = 10 % of 50
    assert opp_keys(run(book(entitlements=seats, usage=[use(30, 0, "seats")], signals=nu))) == {
        "seat_expansion:PRO": {"seat_growth"}
    }
    nu[1]["value"] = 1.99
    assert opp_keys(run(book(entitlements=seats, usage=[use(30, 0, "seats")], signals=nu))) == {}


def test_level_trigger_counts_once_at_its_highest_level() -> None:
    ents = [
        *api(),
        {"id": 2, "contract_id": 1, "metric": "data_gb", "limit": 100, "period": "month"},
    ]
    r = run(book(entitlements=ents, usage=[use(850, 0), use(96, 0, "data_gb")]))
    o = r.opportunities
    assert len(o) == 1 and o.iloc[0]["key"] == "tier_upgrade:ENT"
    assert [t["code"] for t in o.iloc[0]["triggers"]] == ["utilization_95"]
    assert o.iloc[0]["triggers"][0]["points"] == 40


def test_usage_expansion_when_no_higher_tier() -> None:
    lines = [line(3, arr=30.0)]
    keys = opp_keys(run(book(lines=lines, entitlements=api(), usage=[use(800)])))
    assert keys == {"usage_expansion:ENT": {"utilization_80"}}


def test_value_review_of_the_renewing_product_and_blocked_account() -> None:
    """The review is of the renewing product, with no module (the module a sponsor's
    priority calls for is a separate cross-sell: test_judgment_rules); a blocked account
    still gets it."""
    lines = [line(2, end=30)]
    adj = [{"from_product_id": 2, "to_product_id": 5, "pitch": "p"}]
    r = run(book(lines=lines, priorities=[], adjacencies=adj))
    assert opp_keys(r) == {"value_review:PRO": {"renewal_d90"}}
    o = r.opportunities.iloc[0]
    assert o["department"] == "Ops" and o["target_product_id"] == 2
    # blocked (unhealthy): still a value review
    sig = [{"account_id": 1, "date": d(-1), "kind": "support_ticket", "value": 3}] * 5
    r = run(book(lines=lines, signals=sig, adjacencies=adj))
    assert not hrow(r)["eligible"]
    assert opp_keys(r) == {"value_review:PRO": {"renewal_d90"}}


def test_compliance_and_feature_and_referral_plays() -> None:
    sig = [
        {"account_id": 1, "date": d(-3), "kind": "compliance_change", "detail": "DORA"},
        {"account_id": 1, "date": d(-3), "kind": "feature_request", "detail": "ENT"},
        {"account_id": 1, "date": d(-3), "kind": "feature_request", "detail": "STARTER"},
        {"account_id": 1, "date": d(-3), "kind": "internal_referral", "department": "Risk"},
        {"account_id": 1, "date": d(-3), "kind": "internal_referral", "department": "Ops"},
    ]
    r = run(book(signals=sig))
    keys = opp_keys(r)
    # one upsell at a time, by score: the ready feature upsell (15 points) before the
    # compliance module (25 points, but halved: no sponsor with a Compliance priority)
    assert keys == {
        "feature_upsell:ENT": {"feature_request"},
        "automation_audit:Risk:MOD": {"internal_referral"},
    }
    assert [(h["play"], h["reason"]) for h in hrow(r)["held_back"]] == [
        ("compliance_module", "one_at_a_time")
    ]
    o = r.opportunities.set_index("key")
    assert o.loc["automation_audit:Risk:MOD", "new_champion_needed"]
    assert o.loc["automation_audit:Risk:MOD", "status"] == "needs_sponsor"
    assert not o.loc["feature_upsell:ENT", "new_champion_needed"]  # upsell: never
    assert "develop_sponsor" in [a["code"] for a in hrow(r)["actions"]]


def _lookalike_book(peers: int, owning: int) -> ScoringInput:
    """Account 1 owns MOD (adjacent to NEXT); ``peers`` accounts of its segment and industry
    own MOD, ``owning`` of them NEXT too; account 999 (another industry) owns both."""
    accounts = [
        {
            "id": 1,
            "external_id": "A1",
            "name": "One",
            "segment": "smb",
            "industry": "X",
            "customer_since": d(-400),
        }
    ]
    lines = [line(4, arr=1.0)]
    for i in range(peers):
        accounts.append(
            {
                "id": 10 + i,
                "external_id": f"P{i:03d}",
                "name": "Peer",
                "segment": "smb",
                "industry": "X",
                "customer_since": d(-400),
            }
        )
        lines.append(line(4, line_id=100 + i, account=10 + i, arr=1.0))
        if i < owning:
            lines.append(line(5, line_id=1000 + i, account=10 + i, arr=1.0))
    accounts.append(
        {
            "id": 999,
            "external_id": "Z",
            "name": "Other",
            "segment": "smb",
            "industry": "Y",
            "customer_since": d(-400),
        }
    )
    lines += [
        line(4, line_id=9990, account=999, arr=1.0),
        line(5, line_id=9991, account=999, arr=1.0),
    ]
    adj = [{"from_product_id": 4, "to_product_id": 5, "pitch": "Same data"}]
    return book(accounts=accounts, lines=lines, adjacencies=adj)


@pytest.mark.parametrize(
    ("peers", "owning", "present"),
    [(5, 2, True), (4, 2, False), (10, 3, True), (100, 29, False), (100, 30, True), (5, 1, False)],
)
def test_lookalike_thresholds(peers: int, owning: int, present: bool) -> None:
    r = run(_lookalike_book(peers, owning))
    mine = r.opportunities[r.opportunities["account_id"] == 1]
    # no promoter, no outcome: the lookalike is the only proof of value
    assert len(mine) == int(present)
    if present:
        o = mine.iloc[0]
        assert o["key"] == "adjacent_cross_sell:NEXT"
        look = [t for t in o["triggers"] if t["code"] == "lookalike"]
        assert look[0]["detail"] == f"{owning} of {peers} similar accounts also own NEXT"
        assert look[0]["points"] == pytest.approx(15 * owning / peers)


def test_lookalike_for_automation_audit_uses_any_owned_product() -> None:
    data = _lookalike_book(6, 0)
    # referral to Finance: account 1 owns no Finance product; target NEXT (Finance)
    sig = pd.DataFrame(
        [
            {
                "account_id": 1,
                "date": d(-2),
                "kind": "internal_referral",
                "value": np.nan,
                "department": "Finance",
                "detail": "",
            },
            {
                "account_id": 1,
                "date": d(-2),
                "kind": "nps",
                "value": 8,
                "department": "",
                "detail": "",
            },
        ]
    )
    lines = data.lines.copy()
    # two peers own PRO only (not MOD, shared with nobody): not peers; three own MOD + NEXT
    extra = pd.DataFrame([line(5, line_id=5000 + i, account=10 + i, arr=1.0) for i in range(3)])
    data = ScoringInput(
        **{
            **data.__dict__,
            "signals": sig,
            "adjacencies": data.adjacencies.iloc[0:0],
            "lines": pd.concat([lines, extra], ignore_index=True),
        }
    )
    o = run(data).opportunities
    o = o[o["account_id"] == 1].iloc[0]
    assert o["key"] == "automation_audit:Finance:NEXT"
    look = [t for t in o["triggers"] if t["code"] == "lookalike"]
    assert look and look[0]["detail"] == "3 of 6 similar accounts also own NEXT"


def test_boosts_are_added_to_every_play() -> None:
    sig = [
        {"account_id": 1, "date": d(-3), "kind": "nps", "value": 9},  # latest NPS
        {"account_id": 1, "date": d(-3), "kind": "reference", "detail": "case study"},
        {"account_id": 1, "date": d(-3), "kind": "internal_referral", "department": "Risk"},
    ]
    met = [
        {"account_id": 1, "name": "hours saved", "target": 10, "achieved": 10, "as_of": d(-1)},
        {"account_id": 1, "name": "future", "target": 1, "achieved": 5, "as_of": d(3)},
    ]
    r = run(book(signals=sig, metrics=met, entitlements=api(), usage=[use(900)]))
    keys = opp_keys(r)
    boosts = {"promoter_nps", "outcome_achieved", "reference"}
    assert keys == {
        "tier_upgrade:ENT": {"utilization_90"} | boosts,
        "automation_audit:Risk:MOD": {"internal_referral"} | boosts,
    }
    o = r.opportunities.set_index("key").loc["tier_upgrade:ENT"]
    outcome = next(t for t in o["triggers"] if t["code"] == "outcome_achieved")
    assert outcome["detail"] == "hours saved: 10 against a target of 10"  # as_of after T ignored


# --------------------------------------------------------------------------------------------
# determinism
# --------------------------------------------------------------------------------------------


def _assert_same(a: ScoringResult, b: ScoringResult) -> None:
    for name in ("health", "utilization", "opportunities"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
        assert getattr(a, name).to_dict("records") == getattr(b, name).to_dict("records")


def test_scoring_twice_gives_equal_frames() -> None:
    data = load_sample_book()
    _assert_same(run(data), run(data))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_shuffled_input_rows_give_the_same_result(seed: int) -> None:
    data = load_sample_book()
    shuffled = ScoringInput(
        **{
            name: frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
            for name, frame in data.__dict__.items()
            if frame is not None
        }
    )
    _assert_same(run(data), run(shuffled))
    lk = _lookalike_book(12, 5)
    lk_shuffled = ScoringInput(
        **{
            name: f.sample(frac=1.0, random_state=seed)
            for name, f in lk.__dict__.items()
            if f is not None
        }
    )
    _assert_same(run(lk), run(lk_shuffled))


def test_config_round_trip() -> None:
    cfg = ScoringConfig(alert_level_1=75, points_lookalike=12.5)
    again = ScoringConfig.from_dict({**cfg.as_dict(), "unknown": 1})
    assert again == cfg
    assert ScoringConfig.from_dict({}) == ScoringConfig()
    assert ScoringConfig.from_dict({"alert_level_1": "70"}).alert_level_1 == 70
    assert all(isinstance(v, int | float | str) for v in cfg.as_dict().values())


def test_settings_change_the_result() -> None:
    r = run(book(entitlements=api(), usage=[use(760)]), ScoringConfig(alert_level_1=75))
    assert opp_keys(r) == {"tier_upgrade:ENT": {"utilization_80"}}
    assert r.utilization.iloc[0]["level"] == 75
    data = load_sample_book()
    strict = run(data, ScoringConfig(health_threshold=80))
    assert not _by_ext(strict.health)["LW-005"]["eligible"]


def test_timedelta_helper_is_consistent() -> None:
    assert d(-29) == pd.Timestamp(AS_OF - timedelta(days=29))


def _chunk(data: ScoringInput, account_ids: set[int]) -> ScoringInput:
    """One chunk of the book as the database layer loads it: the chunk's own rows, and the
    whole book's accounts and lines as lookalike peers."""
    lines = data.lines[data.lines["account_id"].isin(account_ids)]
    people = data.stakeholders[data.stakeholders["account_id"].isin(account_ids)]
    return ScoringInput(
        accounts=data.accounts[data.accounts["id"].isin(account_ids)],
        products=data.products,
        adjacencies=data.adjacencies,
        lines=lines,
        entitlements=data.entitlements[data.entitlements["contract_id"].isin(lines["id"])],
        usage=data.usage[data.usage["account_id"].isin(account_ids)],
        stakeholders=people,
        priorities=data.priorities[data.priorities["stakeholder_id"].isin(people["id"])],
        signals=data.signals[data.signals["account_id"].isin(account_ids)],
        success_metrics=data.success_metrics[data.success_metrics["account_id"].isin(account_ids)],
        peer_accounts=data.accounts,
        peer_lines=data.lines,
    )


@pytest.mark.parametrize("chunks", [2, 3, 7])
def test_chunks_with_book_wide_peers_equal_the_whole_book(chunks: int) -> None:
    """GIVEN a book whose lookalike peers span chunks WHEN it is scored chunk by chunk with the
    whole book as peers THEN the union of the chunks' results is the whole book's result."""
    for data in (load_sample_book(), _lookalike_book(12, 5)):
        whole = run(data)
        ids = sorted(data.accounts["id"])
        parts = [run(_chunk(data, set(ids[i::chunks]))) for i in range(chunks)]
        for name in ("health", "opportunities"):
            expected = getattr(whole, name).sort_values(["account_id"], kind="mergesort")
            got = pd.concat([getattr(p, name) for p in parts]).sort_values(
                ["account_id"], kind="mergesort"
            )
            key = ["account_id", "key"] if name == "opportunities" else ["account_id"]
            expected = expected.sort_values(key).reset_index(drop=True)
            got = got.sort_values(key).reset_index(drop=True)
            pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)
        if "lookalike" in str(list(whole.opportunities["triggers"])):
            assert "lookalike" in str([list(p.opportunities["triggers"]) for p in parts])
