"""read_frame: a queryset's values as a DataFrame (COPY on PostgreSQL) must give the same
values as the ORM on every backend: text stays text, empty is not NULL, numbers, booleans,
dates, lookups across relations; and one dtype per field kind, so that no caller parses
dates or numbers again."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pandas as pd
import pytest
from django.db import connection

from accounts.models import ContractLine, Product, Stakeholder
from core.bulk import column_dtype, read_frame, sort_memory, values_sql
from playbooks.models import Opportunity
from tests.factories import (
    AccountFactory,
    ContractLineFactory,
    OpportunityFactory,
    ProductFactory,
    StakeholderFactory,
)

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
    assert lines["start_date"].iloc[0] == pd.Timestamp("2026-01-01")
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


#: One column per field kind, and the dtype read_frame gives it on every backend.
TYPED_COLUMNS = {
    "id": "int64",  # primary key
    "account_id": "int64",  # foreign key
    "created": "datetime64[ns]",  # date
    "closed": "datetime64[ns]",  # nullable date: NaT
    "target_product_id": "Int64",  # nullable foreign key: <NA>
    "amount_arr": "float64",  # nullable decimal: NaN
    "score": "float64",  # float
    "new_champion_needed": "bool",  # boolean
    "key": "str",  # text
    "triggers": "str",  # JSON, as its text
    "updated": "datetime64[ns, UTC]",  # timestamp
    "account__customer_since": "datetime64[ns]",  # across a required relation
    "target_product__tier_rank": "Int64",  # behind a nullable relation
    "sponsor__active": "boolean",  # behind a nullable relation: <NA>
}


def _opportunities() -> tuple[Opportunity, Opportunity]:
    """One opportunity with every field set, one with every nullable field NULL."""
    account = AccountFactory(customer_since=dt.date(2024, 2, 29))
    product = ProductFactory(kind="tier", tier_rank=2)
    sponsor = StakeholderFactory(account=account, active=False)
    full = OpportunityFactory(
        account=account,
        key="tier_upgrade:FULL",
        created=dt.date(2025, 6, 1),
        closed=dt.date(2026, 3, 31),
        target_product=product,
        amount_arr=Decimal("1234.50"),
        score=12.5,
        new_champion_needed=True,
        triggers=["usage", "seats"],
        sponsor=sponsor,
    )
    bare = OpportunityFactory(account=account, key="tier_upgrade:BARE", score=0)
    return full, bare


def _assert_typed(frame: pd.DataFrame, full: Opportunity, bare: Opportunity) -> None:
    assert {c: str(t) for c, t in frame.dtypes.items()} == TYPED_COLUMNS
    rows = frame.set_index("key")
    got, empty = rows.loc["tier_upgrade:FULL"], rows.loc["tier_upgrade:BARE"]
    assert got["id"] == full.pk and got["account_id"] == full.account_id
    assert got["created"] == pd.Timestamp("2025-06-01")
    assert got["closed"] == pd.Timestamp("2026-03-31")
    assert got["target_product_id"] == full.target_product_id
    assert got["amount_arr"] == 1234.5 and got["score"] == 12.5
    assert got["new_champion_needed"] and not empty["new_champion_needed"]
    assert json.loads(got["triggers"]) == ["usage", "seats"]
    assert got["updated"] == pd.Timestamp(full.updated)
    assert got["account__customer_since"] == pd.Timestamp("2024-02-29")
    assert got["target_product__tier_rank"] == 2
    assert not got["sponsor__active"]
    assert pd.isna(empty["closed"]) and pd.isna(empty["target_product_id"])
    assert pd.isna(empty["amount_arr"]) and pd.isna(empty["target_product__tier_rank"])
    assert pd.isna(empty["sponsor__active"])
    assert json.loads(empty["triggers"]) == []


def test_each_field_kind_reads_as_one_dtype(db) -> None:
    full, bare = _opportunities()

    frame = read_frame(Opportunity.objects.all(), list(TYPED_COLUMNS))

    _assert_typed(frame, full, bare)


@pytest.mark.services
def test_each_field_kind_reads_as_one_dtype_through_copy(services_urls, db) -> None:
    """The same through PostgreSQL's COPY, which sends text: on DATABASE_URL."""
    assert connection.vendor == "postgresql"
    full, bare = _opportunities()

    frame = read_frame(Opportunity.objects.all(), list(TYPED_COLUMNS))

    _assert_typed(frame, full, bare)


@pytest.mark.parametrize(
    "queryset",
    [Opportunity.objects.none(), Opportunity.objects.filter(key="nothing")],
    ids=["no query", "no rows"],
)
def test_no_rows_keep_the_dtypes(db, queryset) -> None:
    frame = read_frame(queryset, list(TYPED_COLUMNS))

    assert frame.empty
    assert {c: str(t) for c, t in frame.dtypes.items()} == TYPED_COLUMNS


def test_a_reverse_relation_may_have_no_row() -> None:
    """A stakeholder without priorities reads NULL for ``priorities__year`` (an outer join),
    though the field itself is required."""
    assert column_dtype(Stakeholder, "priorities__year") == "Int64"
    assert column_dtype(Stakeholder, "account__id") == "int64"
    assert column_dtype(Product, "department") == "str"
