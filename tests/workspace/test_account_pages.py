"""The account pages' reads: the list's rows with the shared FilterSet, and the account page's
data (health and why it changed, utilization with the projected limit date, contracts,
people, plays, timeline), each in a fixed number of queries whatever the book's size."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from django.http import Http404

from accounts.models import Account, ContractLine, Entitlement, Priority, Stakeholder
from scoring.config import ScoringConfig
from scoring.filters import AccountFilterSet
from scoring.scorecard import account_rows
from scoring.services import scoring_run_execute
from signals.models import AccountSignal, DailyUsage
from tests.factories import AccountFactory, ProductFactory, UserFactory
from workspace.selectors.accounts import (
    account_held_back,
    account_list_page_rows,
    account_page,
    health_change_explain,
    limit_projection,
)

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 6, 30)
BEFORE = dt.date(2026, 5, 31)


@pytest.fixture
def scored_sample(imported_sample_book):
    """The sample book scored on two dates, so that the account page has a trend."""
    scoring_run_execute(as_of=BEFORE)
    scoring_run_execute(as_of=AS_OF)
    return {
        "ae1": UserFactory(username="ae1", roles=["ae"]),
        "ae2": UserFactory(username="ae2", roles=["ae"]),
        "manager": UserFactory(username="manager", roles=["manager"]),
    }


# --- the account page ---------------------------------------------------------------------


def test_account_page_shows_health_components_and_why_it_changed(scored_sample) -> None:
    page = account_page(user=scored_sample["manager"], external_id="CT-002")

    assert page.as_of == AS_OF
    assert page.health["score"] == 49.3
    assert "unhealthy" in page.health["reasons"]
    assert [c["name"] for c in page.health["components"]] == [
        "adoption",
        "trend",
        "sentiment",
        "support",
        "relationship",
    ]
    assert sum(c["points"] for c in page.health["components"]) == pytest.approx(49.3, abs=0.2)
    assert [p["as_of"] for p in page.health_trend] == [BEFORE, AS_OF]
    # Four support tickets in June: support fell from 100 to 20, 15 % of the score.
    change = page.health_change
    assert change["mover"]["name"] == "support"
    assert change["mover"]["points"] == -12.0
    assert change["sentence"].startswith("Down 16.3 points since 31 May 2026 (65.6 → 49.3).")
    moved = "Support moved it most: 100.0 → 20.0, \N{MINUS SIGN}12.0 points of health."
    assert moved in change["sentence"]
    assert [a["code"] for a in page.actions] == ["health_recovery"]
    assert "support" in page.actions[0]["detail"]


def test_account_page_utilization_contracts_people_plays_timeline(scored_sample) -> None:
    page = account_page(user=scored_sample["ae1"], external_id="NW-001")

    api = {(u["metric"], u["percent"], u["level"]) for u in page.utilization}
    assert api == {("api_calls", 92.0, 90), ("seats", 70.0, 0)}
    assert all(u["marks"] == (80, 90, 95) for u in page.utilization)
    # Usage rose month on month (28,333 then 30,666 a day): the limit comes into sight.
    calls = next(u for u in page.utilization if u["metric"] == "api_calls")
    assert calls["projection_status"] == "projected"
    assert AS_OF < calls["projected"] <= AS_OF + dt.timedelta(days=365)
    assert {s["metric"] for s in page.usage_series} == {"api_calls", "seats"}
    assert all(len(s["values"]) == 90 for s in page.usage_series)

    assert page.arr == 140000 and page.renewal_date == dt.date(2026, 9, 30)
    assert [(line["sku"], line["state"]) for line in page.contract_lines] == [
        ("CORE-PRO", "active"),
        ("FRAUD", "active"),
        ("CORE-STARTER", "ended"),
    ]
    ops = next(d for d in page.stakeholders if d["department"] == "Ops")
    assert [p["role"] for p in ops["people"]][:2] == ["executive_sponsor", "champion"]
    assert ops["people"][0]["priorities"] == [
        {"year": 2026, "items": ["Automate onboarding in every region"]}
    ]
    assert [(o["play"], o["target_sku"], o["status"]) for o in page.opportunities] == [
        ("tier_upgrade", "CORE-ENT", "ready"),
        ("adjacent_cross_sell", "CREDIT", "needs_sponsor"),
    ]
    assert [a["code"] for a in page.actions] == ["develop_sponsor"]
    kinds = {e["kind"] for e in page.timeline}
    assert kinds >= {"alert", "signal", "opportunity"}
    dates = [e["date"] for e in page.timeline]
    assert dates == sorted(dates, reverse=True)


def test_account_page_answers_404_outside_the_users_reach(scored_sample) -> None:
    ae2 = scored_sample["ae2"]
    Account.objects.filter(external_id="CW-010").update(owner_email="ae2@vendor.example")

    assert account_page(user=ae2, external_id="CW-010").account.external_id == "CW-010"
    with pytest.raises(Http404):
        account_page(user=ae2, external_id="NW-001")  # ae1's
    with pytest.raises(Http404):
        account_page(user=ae2, external_id="NOPE")


def test_first_scoring_has_nothing_to_compare(imported_sample_book) -> None:
    scoring_run_execute(as_of=AS_OF)
    manager = UserFactory(username="manager", roles=["manager"])

    page = account_page(user=manager, external_id="NW-001")

    assert page.health_change["previous"] is None
    assert page.health_change["sentence"] == (
        "First scored on 30 Jun 2026: nothing to compare yet."
    )


def test_health_change_names_the_component_that_moved_it_most() -> None:
    config = ScoringConfig()
    previous = pd.Series(
        {
            "as_of": BEFORE,
            "score": 80.0,
            "adoption": 80,
            "trend": 50,
            "sentiment": 90,
            "support": 100,
            "relationship": 100,
        }
    )
    # Adoption -20 (x 35 % = -7), sentiment +10 (x 20 % = +2): down 5.
    current = previous.copy()
    current.update({"as_of": AS_OF, "score": 75.0, "adoption": 60, "sentiment": 100})

    change = health_change_explain(current=current, previous=previous, config=config)

    assert change["delta"] == -5.0
    assert change["mover"]["name"] == "adoption" and change["mover"]["points"] == -7.0
    assert {m["name"]: m["points"] for m in change["components"]}["sentiment"] == 2.0
    assert change["sentence"] == (
        "Down 5.0 points since 31 May 2026 (80.0 → 75.0). "
        "Adoption moved it most: 80.0 → 60.0, \N{MINUS SIGN}7.0 points of health."
    )


# --- the projected date the limit is reached ----------------------------------------------


def _project(rows: list[tuple[list[float], str, float, float]]) -> list[tuple]:
    """(daily values ending on AS_OF, period, limit, ratio) per entitlement."""
    width = max(len(values) for values, *_ in rows)
    matrix = np.full((len(rows), width), np.nan)
    for i, (values, *_) in enumerate(rows):
        matrix[i, width - len(values) :] = values
    return limit_projection(
        matrix,
        is_month=np.array([period == "month" for _, period, _, _ in rows]),
        limit=np.array([limit for *_, limit, _ in rows]),
        ratio=np.array([ratio for *_, ratio in rows]),
        day=AS_OF,
    )


def test_projection_of_a_rising_level() -> None:
    """GIVEN seats rising by 1 a day, at 80 today against a limit of 100
    THEN the limit is reached in 20 days."""
    [(status, projected, slope)] = _project(
        [([80 - 59 + i for i in range(60)], "instant", 100, 0.8)]
    )

    assert status == "projected"
    assert projected == AS_OF + dt.timedelta(days=20)
    assert slope == pytest.approx(1.0)


def test_projection_of_an_instant_metric_uses_its_readings_only() -> None:
    """GIVEN readings every other day (the gaps are no reading, not zero), rising 2 a
    reading: 1 a day. THEN the same date as with daily readings."""
    values = [np.nan if i % 2 else 80 - 59 + i for i in range(60)]
    values[-1] = 80

    [(status, projected, slope)] = _project([(values, "instant", 100, 0.8)])

    assert (status, projected) == ("projected", AS_OF + dt.timedelta(days=20))
    assert slope == pytest.approx(1.0)


def test_projection_of_a_rising_flow_over_its_30_day_window() -> None:
    """GIVEN api calls of 100 + t a day (t = -59 .. 0), the 30-day sum today is
    30 x 100 - 435 = 2,565; the sum over the 30 days ending on day d is 2,565 + 30 d
    THEN a limit of 3,000 is reached on the first d with 30 d >= 435: d = 15.
    A month metric's missing day counts as 0: the same flow with a silent day ends later."""
    rising = [100.0 + t for t in range(-59, 1)]
    silent = [*rising[:-1], np.nan]

    got = _project([(rising, "month", 3000.0, 2565 / 3000), (silent, "month", 3000.0, 2465 / 3000)])

    assert got[0][1] == AS_OF + dt.timedelta(days=15)
    assert got[1][1] > got[0][1]


def test_projection_flat_falling_reached_and_too_far() -> None:
    got = _project(
        [
            ([500.0] * 60, "month", 20000.0, 0.75),
            ([100.0 - t * 0.5 for t in range(60)], "instant", 200.0, 0.35),
            ([40.0] * 60, "month", 1000.0, 1.2),
            ([10.0 + t * 0.001 for t in range(60)], "instant", 100.0, 0.1),
            ([np.nan] * 60, "month", 100.0, 0.0),
        ]
    )

    assert [status for status, _, _ in got] == [
        "not_at_pace",
        "not_at_pace",
        "reached",
        "not_at_pace",  # 90 to go at 0.001 a day: past the horizon
        "not_at_pace",  # no usage at all
    ]
    assert got[2][1] == AS_OF
    assert got[0][1] is None


# --- the list -------------------------------------------------------------------------------


def _list(user, params: dict) -> list[str]:
    filterset = AccountFilterSet(params, queryset=account_rows(user=user).order_by("name", "id"))
    assert filterset.is_valid(), filterset.errors
    return [a.external_id for a in filterset.qs]


def test_list_filters_and_sorts(scored_sample) -> None:
    manager = scored_sample["manager"]

    assert _list(manager, {"q": "north"}) == ["NW-001"]
    assert _list(manager, {"q": "ct-00"}) == ["CT-002"]
    assert set(_list(manager, {"reason": "unhealthy"})) == {"CT-002"}
    assert set(_list(manager, {"reason": "onboarding"})) == {"TT-004"}
    assert set(_list(manager, {"eligible": "false"})) == {"CT-002", "FB-003", "TT-004"}
    by_health = _list(manager, {"ordering": "-health"})
    assert by_health[:2] == ["TT-004", "NW-001"]  # 88.0, 84.5
    assert by_health[-1] == "BY-012"  # churned, not scored: last whatever the direction
    assert _list(manager, {"ordering": "health"})[:2] == ["CT-002", "AS-011"]
    assert _list(manager, {"ordering": "health"})[-1] == "BY-012"
    assert _list(manager, {"ordering": "-utilization"})[0] == "TT-004"  # 96 %
    renewing = set(_list(manager, {"renewal_within": "90"}))
    assert "LW-005" in renewing and "NW-001" not in renewing  # NW-001 renews in 92 days
    assert _list(scored_sample["ae1"], {"ordering": "-opportunities"})[0] == "NW-001"


def test_list_rows_carry_what_the_table_shows(scored_sample) -> None:
    manager = scored_sample["manager"]
    accounts = list(account_rows(user=manager).filter(external_id__in=["NW-001", "CT-002"]))

    rows = {r["external_id"]: r for r in account_list_page_rows(accounts, as_of=AS_OF)}

    nw = rows["NW-001"]
    assert (nw["health"], nw["health_band"], nw["eligible"]) == (84.5, "good", True)
    assert nw["top_utilization"]["metric"] == "api_calls"
    assert nw["top_utilization"]["percent"] == 92
    assert nw["open_opportunities"] == 2 and nw["actions"] == ["develop_sponsor"]
    assert "unhealthy" in rows["CT-002"]["reasons"]
    assert rows["CT-002"]["health_band"] == "risk"


def test_api_accounts_share_the_filterset(scored_sample) -> None:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(scored_sample["manager"])

    got = client.get("/api/v1/accounts/", {"reason": "underutilized", "ordering": "-health"})

    assert got.status_code == 200
    assert [r["external_id"] for r in got.json()["results"]] == ["FB-003"]
    default = client.get("/api/v1/accounts/").json()["results"]
    ids = [r["external_id"] for r in default]
    assert ids == sorted(ids)  # the API keeps its order by external id


# --- constant query counts -------------------------------------------------------------------


def _book(accounts: int, metrics: int) -> None:
    """A generated book: ``accounts`` accounts of ae1, each with ``metrics`` entitlements,
    60 days of usage each, three stakeholders with priorities and a few signals; scored on
    two dates."""
    product = ProductFactory(sku="CORE-PRO", kind="tier", family="core", tier_rank=2)
    ProductFactory(sku="CORE-ENT", kind="tier", family="core", tier_rank=3)
    for i in range(accounts):
        account = AccountFactory(external_id=f"GEN-{i:04d}", customer_since=dt.date(2024, 1, 1))
        line = ContractLine.objects.create(
            external_id=f"GEN-{i:04d}-L",
            account=account,
            product=product,
            start_date=dt.date(2025, 7, 1),
            end_date=dt.date(2026, 9, 30),
            arr=50000,
        )
        Entitlement.objects.bulk_create(
            Entitlement(contract=line, metric=f"m{k}", limit=1000, period="month")
            for k in range(metrics)
        )
        DailyUsage.objects.bulk_create(
            DailyUsage(
                account=account,
                metric=f"m{k}",
                date=AS_OF - dt.timedelta(days=d),
                quantity=30 - d * 0.1,
            )
            for k in range(metrics)
            for d in range(60)
        )
        for j, role in enumerate(["champion", "executive_sponsor", "economic_buyer"]):
            person = Stakeholder.objects.create(
                external_id=f"GEN-{i:04d}-S{j}",
                account=account,
                name=f"Person {j}",
                department="Ops",
                role=role,
            )
            Priority.objects.create(stakeholder=person, year=2026, priority=f"Goal {j}")
        AccountSignal.objects.create(account=account, date=AS_OF, kind="nps", value=9)
        AccountSignal.objects.create(
            account=account, date=AS_OF, kind="support_ticket", value=3, detail="slow"
        )
    scoring_run_execute(as_of=BEFORE)
    scoring_run_execute(as_of=AS_OF)


@pytest.mark.parametrize(("accounts", "metrics"), [(2, 1), (12, 4)])
def test_account_page_runs_a_fixed_number_of_queries(
    accounts, metrics, django_assert_num_queries
) -> None:
    _book(accounts, metrics)
    ae1 = UserFactory(username="ae1", roles=["ae"])
    ae1.groups.all()  # the roles are read once per request; not what is measured
    from accounts.querysets import user_roles

    user_roles(ae1)

    with django_assert_num_queries(13):
        page = account_page(user=ae1, external_id="GEN-0001")

    assert len(page.utilization) == metrics


@pytest.mark.parametrize("accounts", [3, 15])
def test_account_list_page_runs_a_fixed_number_of_queries(
    accounts, django_assert_num_queries
) -> None:
    _book(accounts, 1)
    ae1 = UserFactory(username="ae1", roles=["ae"])
    from accounts.querysets import user_roles

    user_roles(ae1)
    filterset = AccountFilterSet(
        {"ordering": "-health", "renewal_within": "120"},
        queryset=account_rows(user=ae1, as_of=AS_OF).order_by("name", "id"),
    )

    with django_assert_num_queries(5):
        assert filterset.is_valid()
        page = list(filterset.qs[:50])
        rows = account_list_page_rows(page, as_of=AS_OF)

    assert len(rows) == accounts


def test_held_back_candidates_wait_with_their_reason_in_words() -> None:
    """GIVEN a health snapshot holding back two candidates (issue 12's ``held_back``)
    THEN the page lists them best score first, each with its reason in words."""
    row = {
        "held_back": [
            {
                "play": "feature_upsell",
                "target_sku": "CORE-ENT",
                "score": 5.0,
                "reason": "one_at_a_time",
                "detail": "",
            },
            {
                "play": "adjacent_cross_sell",
                "target_sku": "PLO",
                "score": 9.5,
                "reason": "deal_in_progress",
                "detail": "a cross-sell is at proposal",
            },
        ]
    }

    held = account_held_back(row)

    assert [(h["play_label"], h["target_sku"]) for h in held] == [
        ("Adjacent cross-sell", "PLO"),
        ("Feature upsell", "CORE-ENT"),
    ]
    assert held[0]["reason_label"] == "Waits for the deal of its kind in progress"
    assert held[1]["reason_label"] == "One conversation of each kind at a time"
    assert account_held_back(None) == [] and account_held_back({"score": 80}) == []
