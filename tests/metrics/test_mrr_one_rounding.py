"""MRR is computed in one function with one rounding (half-up to the cent): the accounts API
and the revenue metrics show the same MRR for the same ARR."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from metrics.revenue import _mrr_float, mrr_from_arr
from tests.factories import AccountFactory, ContractLineFactory


@pytest.mark.django_db
def test_mrr_of_1000_14_is_83_35_in_accounts_and_metrics(manager_client) -> None:
    today = dt.date.today()
    account = AccountFactory(external_id="ACC-MRR")
    ContractLineFactory(
        account=account,
        arr=Decimal("1000.14"),
        start_date=today - dt.timedelta(days=400),
        end_date=today + dt.timedelta(days=400),
    )
    client = manager_client
    detail = client.get("/api/v1/accounts/ACC-MRR/")
    assert detail.status_code == 200
    assert Decimal(str(detail.json()["mrr"])) == Decimal("83.35")
    start, end = today - dt.timedelta(days=60), today - dt.timedelta(days=30)
    revenue = client.get(f"/api/v1/metrics/revenue/?start={start}&end={end}")
    assert revenue.status_code == 200
    assert Decimal(str(revenue.json()["starting_mrr"])) == Decimal("83.35")


def test_mrr_from_arr_agrees_with_the_vectorised_rounding() -> None:
    cents = np.random.default_rng(11).integers(0, 10_000_000, size=5_000)
    cents = np.concatenate([cents, [0, 1, 6, 18, 100014, 600, 1200 * 7 + 6]])
    floats = _mrr_float(cents)
    for cent, expected in zip(cents, floats, strict=True):
        assert mrr_from_arr(Decimal(int(cent)) / 100) == Decimal(f"{expected:.2f}")
    assert mrr_from_arr(None) == Decimal("0.00")
    assert mrr_from_arr(Decimal("1000.14")) == Decimal("83.35")
