"""read_frame: a queryset's values as a DataFrame (COPY on PostgreSQL) must give the same
values as the ORM on every backend: text stays text, empty is not NULL, numbers, booleans,
dates, lookups across relations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from django.db import connection

from accounts.models import ContractLine, Product, Stakeholder
from core.bulk import read_frame, sort_memory, values_sql
from tests.factories import AccountFactory, ContractLineFactory

pytestmark = pytest.mark.django_db


def test_values_equal_the_orm(db) -> None:
    account = AccountFactory(external_id="0042", name='Acme, "the" one')
    Product.objects.create(sku="P-1", name="One", kind="module", family="f", department="")
    Product.objects.create(
        sku="P-2", name="Two", kind="tier", family="f", tier_rank=2, list_arr=Decimal("1.50")
    )
    Stakeholder.objects.create(
        external_id="S1", account=account, name="Ann\nLee", role="champion", active=False
    )
    ContractLineFactory(
        account=account,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        arr=Decimal("99.99"),
    )

    products = read_frame(
        Product.objects.filter(sku__startswith="P-").order_by("sku"),
        ["sku", "department", "tier_rank", "list_arr"],
    )
    people = read_frame(Stakeholder.objects.all(), ["name", "active", "account__external_id"])
    lines = read_frame(ContractLine.objects.all(), ["start_date", "arr", "account__name"])

    assert products["department"].tolist() == ["", ""]
    assert products["sku"].tolist() == ["P-1", "P-2"]
    assert pd.isna(products["tier_rank"].iloc[0]) and products["tier_rank"].iloc[1] == 2
    assert pd.isna(products["list_arr"].iloc[0]) and float(products["list_arr"].iloc[1]) == 1.5
    assert people.to_dict("records") == [
        {"name": "Ann\nLee", "active": False, "account__external_id": "0042"}
    ]
    assert str(lines["start_date"].iloc[0]) == "2026-01-01"
    assert float(lines["arr"].iloc[0]) == pytest.approx(99.99)
    assert lines["account__name"].iloc[0] == 'Acme, "the" one'


def test_no_rows_gives_the_columns(db) -> None:
    frame = read_frame(Stakeholder.objects.none(), ["id", "name"])

    assert list(frame.columns) == ["id", "name"] and frame.empty


def test_bulk_reads_skip_the_default_ordering_but_keep_an_explicit_one() -> None:
    """Stakeholders are ordered by their account's name by default: a join and a sort of
    the whole table that a bulk read does not need."""
    default, _ = values_sql(Stakeholder.objects.all(), ["id", "name"])
    explicit, _ = values_sql(Stakeholder.objects.order_by("name"), ["id", "name"])

    assert "ORDER BY" not in default and "accounts_account" not in default
    assert "ORDER BY" in explicit


@pytest.mark.skipif(connection.vendor != "postgresql", reason="work_mem is PostgreSQL's")
def test_sort_memory_holds_for_its_transaction_only(db) -> None:
    def work_mem() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW work_mem")
            return cursor.fetchone()[0]

    before = work_mem()
    with sort_memory("48MB"):
        inside = work_mem()

    assert inside == "48MB" and work_mem() == before != "48MB"
