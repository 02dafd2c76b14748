"""The revenue endpoints answer at most MAX_RANGE_MONTHS months (a 400 naming ``end``
beyond), and a wide range costs what the months holding data cost, not the calendar span
(issue 10, item 7)."""

from __future__ import annotations

import datetime as dt
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from metrics.revenue import monthly_account_movements, monthly_movements

MAX_RANGE_MONTHS = 120  # the documented maximum
ENDPOINTS = ("/api/v1/metrics/revenue/", "/api/v1/metrics/revenue/monthly/")


@pytest.fixture
def imported_sample_book(sample_book_in_module, db):
    """One import for the module: every database test here only reads the book."""
    return sample_book_in_module


@pytest.fixture
def manager(imported_sample_book, manager_client) -> APIClient:
    return manager_client


@pytest.mark.django_db
@pytest.mark.parametrize("url", ENDPOINTS)
def test_a_range_beyond_the_maximum_is_a_400_naming_end(manager, url) -> None:
    response = manager.get(url, {"start": "2026-01-01", "end": "9999-12-31"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["end"]
    assert f"at most {MAX_RANGE_MONTHS} months" in str(body["end"])


@pytest.mark.django_db
@pytest.mark.parametrize("url", ENDPOINTS)
def test_the_maximum_is_inclusive(manager, url) -> None:
    at_most = manager.get(url, {"start": "2026-01-01", "end": "2035-12-31"})
    beyond = manager.get(url, {"start": "2026-01-01", "end": "2036-01-01"})

    assert at_most.status_code == 200
    assert beyond.status_code == 400


@pytest.mark.django_db
def test_a_wide_range_over_the_sample_book_matches_the_narrow_one_in_constant_queries(
    manager,
) -> None:
    """GIVEN the sample book (contract lines within 2023-07..2027-05) WHEN the monthly waterfall is
    asked for ten years THEN it has one row per month, the months the book covers are those
    of the narrow range, every other month is zero, and it costs the same queries."""
    url = ENDPOINTS[1]
    manager.get(url, {"start": "2024-01-01", "end": "2024-02-01"})  # warm-up (user groups)
    with CaptureQueriesContext(connection) as narrow_queries:
        narrow = manager.get(url, {"start": "2023-01-01", "end": "2028-12-31"}).json()
    with CaptureQueriesContext(connection) as wide_queries:
        wide = manager.get(url, {"start": "2020-01-01", "end": "2029-12-31"}).json()

    assert len(wide_queries) == len(narrow_queries)
    assert len(wide) == 120
    by_month = {row["month"]: row for row in wide}
    for row in narrow:
        assert by_month.pop(row["month"]) == row
    money = [k for k in wide[0] if k != "month"]
    assert all(row[k] == 0 for row in by_month.values() for k in money)


def _synthetic_book(accounts: int) -> pd.DataFrame:
    """``accounts`` accounts, each with lines inside 2026 (an upgrade mid-year)."""
    ids = np.repeat(np.arange(accounts), 2)
    starts = np.tile([dt.date(2026, 1, 1), dt.date(2026, 7, 1)], accounts)
    ends = np.tile([dt.date(2026, 6, 30), dt.date(2026, 12, 31)], accounts)
    arr = np.tile([12_000, 24_000], accounts)
    return pd.DataFrame({"account_id": ids, "start_date": starts, "end_date": ends, "arr": arr})


def _peak_bytes(function, *args) -> tuple[int, object]:
    tracemalloc.start()
    try:
        result = function(*args)
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("function", [monthly_movements, monthly_account_movements])
def test_memory_follows_the_months_with_data_not_the_calendar_span(function) -> None:
    """Ten years asked over a book that covers one: the account x month arrays span the
    covered months only (before, they spanned all 120: ten times the memory)."""
    lines = _synthetic_book(3000)
    _peak_bytes(function, lines, "2026-01", "2027-01")  # warm-up: imports, caches
    covered, narrow = _peak_bytes(function, lines, "2026-01", "2027-01")
    asked, wide = _peak_bytes(function, lines, "2020-01", "2029-12")

    assert asked < 1.5 * covered
    if function is monthly_movements:
        assert len(wide) == 120
        inside = wide[wide["month"].between(dt.date(2026, 1, 1), dt.date(2027, 1, 1))]
        pd.testing.assert_frame_equal(inside.reset_index(drop=True), narrow)
        assert (wide.drop(columns="month").drop(index=inside.index) == 0).all().all()
    else:
        pd.testing.assert_frame_equal(wide, narrow)
