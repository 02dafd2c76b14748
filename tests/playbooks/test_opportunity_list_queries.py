"""GET /api/v1/opportunities/ over rows each test builds: page size cap, query count, JSON
errors outside the router (split from test_opportunities_api.py, whose module shares one
scored sample book)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from playbooks.models import Opportunity
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(manager_client) -> APIClient:
    return manager_client


def test_page_size_is_capped_at_500(db, manager) -> None:
    account = AccountFactory()
    Opportunity.objects.bulk_create(
        Opportunity(account=account, motion="upsell", score=i, created=dt.date(2026, 1, 1))
        for i in range(501)
    )

    body = manager.get("/api/v1/opportunities/?page_size=1000").json()

    assert body["count"] == 501 and len(body["results"]) == 500 and body["next"]


def test_list_runs_a_constant_number_of_queries(db, manager) -> None:
    """GIVEN 10 then 300 opportunities WHEN listing a page of 100 THEN the same queries run:
    nothing is fetched per row."""
    accounts = [AccountFactory() for _ in range(5)]

    def make(n: int) -> None:
        Opportunity.objects.bulk_create(
            Opportunity(
                account=accounts[i % 5],
                motion="upsell",
                play="tier_upgrade",
                status="ready",
                score=i,
                created=dt.date(2026, 1, 1),
                triggers=[{"code": "utilization_80", "points": 20, "detail": "x"}],
            )
            for i in range(n)
        )

    def queries() -> tuple[int, object]:
        with CaptureQueriesContext(connection) as captured:
            response = manager.get("/api/v1/opportunities/?page_size=100")
        return len(captured), response

    make(10)
    queries()  # warm up: the user's roles are then cached for the session
    few, _ = queries()
    make(290)
    many, response = queries()
    assert len(response.json()["results"]) == 100
    assert few == many <= 2  # the count and the page


def test_api_errors_are_json_even_outside_the_router(db, manager) -> None:
    for url in ("/api/v1/signals/2.5e-309/", "/api/v1/nothing-here/", "/api/v1/accounts/%00/"):
        response = manager.delete(url) if "signals" in url else manager.get(url)
        assert response.status_code in (400, 404), url
        assert response["Content-Type"] == "application/json", url
        assert "detail" in response.json()
