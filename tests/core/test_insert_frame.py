"""insert_frame: rows written in bulk (Arrow's CSV into COPY on PostgreSQL) must read back
through the ORM exactly as written, on every backend: an empty string is not NULL, quotes,
commas and line breaks survive, JSON stays JSON, missing ids are NULL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from django.db import connection
from django.utils import timezone

from core.bulk import insert_frame
from playbooks.models import Opportunity
from scoring.models import Notification
from tests.factories import AccountFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_rows_read_back_as_written() -> None:
    account = AccountFactory()
    product = ProductFactory()
    stamp = timezone.now().replace(microsecond=123456)
    frame = pd.DataFrame(
        {
            "account_id": [account.pk, account.pk],
            "key": ['a "quoted", key', "second\nline"],
            "motion": ["upsell", "cross_sell"],
            "department": ["", "Ops, EMEA"],
            "target_product_id": pd.array([product.pk, None], dtype="Int64"),
            "score": [12.5, 0.1 + 0.2],
            "triggers": [[{"code": "nps", "points": 10.0, "detail": 'said "yes", twice'}], []],
            "new_champion_needed": [True, False],
            "as_of": [dt.date(2026, 6, 30), None],
            "created": [dt.date(2026, 6, 30), dt.date(2026, 7, 1)],
            "updated": [stamp, stamp],
        }
    )

    assert insert_frame(Opportunity, frame) == 2

    got = list(
        Opportunity.objects.order_by("created").values(
            "key",
            "department",
            "target_product_id",
            "score",
            "triggers",
            "new_champion_needed",
            "as_of",
            "notes",
            "external_id",
            "updated",
        )
    )
    # COPY writes the given time; bulk_create (SQLite) lets auto_now set its own.
    written = [row.pop("updated") for row in got]
    if connection.vendor == "postgresql":
        assert written == [stamp, stamp]
    assert all(w.tzinfo is not None for w in written)
    assert got == [
        {
            "key": 'a "quoted", key',
            "department": "",
            "target_product_id": product.pk,
            "score": 12.5,
            "triggers": [{"code": "nps", "points": 10.0, "detail": 'said "yes", twice'}],
            "new_champion_needed": True,
            "as_of": dt.date(2026, 6, 30),
            "notes": "",
            "external_id": None,
        },
        {
            "key": "second\nline",
            "department": "Ops, EMEA",
            "target_product_id": None,
            "score": 0.1 + 0.2,
            "triggers": [],
            "new_champion_needed": False,
            "as_of": None,
            "notes": "",
            "external_id": None,
        },
    ]


def test_a_column_of_mixed_values_is_written_as_text(django_user_model) -> None:
    user = django_user_model.objects.create(username="u")
    frame = pd.DataFrame(
        {"user_id": [user.pk] * 3, "message": [42, "forty-two", 4.5], "url": ["", None, "/x"]}
    )
    frame["url"] = frame["url"].fillna("")

    insert_frame(Notification, frame.assign(created=timezone.now()))

    got = sorted(Notification.objects.values_list("message", "url"))
    assert got == [("4.5", "/x"), ("42", ""), ("forty-two", "")]
