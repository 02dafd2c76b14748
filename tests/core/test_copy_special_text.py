"""Text that the COPY formats treat specially round-trips through every bulk write and read
(``upsert_frame``, ``insert_frame``, ``update_frame``, ``read_frame``), the scoring's
explanations and the API, on SQLite and PostgreSQL (issue 10, item 13): ``\\N`` is the
NULL marker of the COPY reader, a tab and a newline separate fields and rows of the text
format, quotes and commas those of CSV, a backslash escapes, ``\\.`` ends COPY data."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from rest_framework.test import APIClient

from accounts.models import Priority, Stakeholder
from core.bulk import insert_frame, read_frame, update_frame, upsert_frame
from playbooks.models import Opportunity
from scoring import services
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db

SPECIAL = [
    "\\N",
    "\\\\N",
    "NULL",
    "NA",
    "nan",
    "\\.",
    "a\tb",
    "line one\nline two",
    "carriage\rreturn\r\n",
    'say "hi"',
    '"',
    "a, b",
    "back\\slash",
    "\\",
    " padded ",
    "",
]
IDS = [repr(text) for text in SPECIAL]


def _frame(account_id: int, prefix: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "external_id": [f"{prefix}-{i}" for i in range(len(SPECIAL))],
            "account_id": [account_id] * len(SPECIAL),
            "name": SPECIAL,
            "title": list(reversed(SPECIAL)),
            "role": ["champion"] * len(SPECIAL),
        }
    )


def _stored(prefix: str) -> list[tuple[str, str]]:
    rows = Stakeholder.objects.filter(external_id__startswith=f"{prefix}-")
    by_id = {e: (n, t) for e, n, t in rows.values_list("external_id", "name", "title")}
    return [by_id[f"{prefix}-{i}"] for i in range(len(SPECIAL))]


def _read(prefix: str) -> list[tuple[str, str]]:
    frame = read_frame(
        Stakeholder.objects.filter(external_id__startswith=f"{prefix}-"),
        ["external_id", "name", "title"],
    )
    by_id = {row.external_id: (row.name, row.title) for row in frame.itertuples()}
    return [by_id[f"{prefix}-{i}"] for i in range(len(SPECIAL))]


EXPECTED = list(zip(SPECIAL, reversed(SPECIAL), strict=True))


def test_upsert_then_read_frame_round_trips_special_text() -> None:
    account = AccountFactory()

    created, _, _ = upsert_frame(
        Stakeholder, _frame(account.pk, "U"), key_fields=["external_id"], copy_into_empty=True
    )

    assert created == len(SPECIAL)
    assert _stored("U") == EXPECTED
    assert _read("U") == EXPECTED


def test_upsert_of_the_same_rows_changes_nothing_and_updates_compare_exactly() -> None:
    account = AccountFactory()
    upsert_frame(Stakeholder, _frame(account.pk, "U"), key_fields=["external_id"])

    again = upsert_frame(Stakeholder, _frame(account.pk, "U"), key_fields=["external_id"])
    swapped = _frame(account.pk, "U").rename(columns={"name": "title", "title": "name"})
    changed = upsert_frame(Stakeholder, swapped, key_fields=["external_id"])

    assert again == (0, 0, len(SPECIAL))
    assert changed[1] == len(SPECIAL)
    assert _stored("U") == [(t, n) for n, t in EXPECTED]


def test_insert_and_update_frame_round_trip_special_text() -> None:
    account = AccountFactory()

    insert_frame(Stakeholder, _frame(account.pk, "I"))
    ids = dict(
        Stakeholder.objects.filter(external_id__startswith="I-").values_list("external_id", "id")
    )
    update = pd.DataFrame(
        {
            "id": [ids[f"I-{i}"] for i in range(len(SPECIAL))],
            "department": SPECIAL,
        }
    )
    update_frame(Stakeholder, update)

    assert _stored("I") == EXPECTED
    assert _read("I") == EXPECTED
    departments = read_frame(
        Stakeholder.objects.filter(external_id__startswith="I-"), ["external_id", "department"]
    )
    assert dict(zip(departments.external_id, departments.department, strict=True)) == {
        f"I-{i}": text for i, text in enumerate(SPECIAL)
    }


def test_a_null_is_still_a_null_beside_text_that_looks_like_one() -> None:
    account = AccountFactory(owner_email="")
    person = Stakeholder.objects.create(
        external_id="S-1", account=account, name="\\N", role="champion"
    )
    Priority.objects.create(stakeholder=person, year=2026, priority="\\N")

    frame = read_frame(
        Stakeholder.objects.all(), ["name", "priorities__priority", "priorities__department"]
    )
    lonely = Stakeholder.objects.create(
        external_id="S-2", account=account, name="Nobody", role="user"
    )
    outer = read_frame(Stakeholder.objects.filter(pk=lonely.pk), ["name", "priorities__priority"])

    assert frame.to_dict("records") == [
        {"name": "\\N", "priorities__priority": "\\N", "priorities__department": ""}
    ]
    assert outer["name"].tolist() == ["Nobody"]
    assert pd.isna(outer["priorities__priority"].iloc[0])


@pytest.mark.parametrize("name", ["\\N", "Tab\there", "Two\nlines", 'Quote "Q"', "Back\\slash"])
def test_sponsor_names_reach_the_explanation_and_the_api(imported_sample_book, name) -> None:
    """GIVEN the sample book's sponsor of a ready opportunity renamed WHEN the book is scored
    THEN the explanation and the API name the sponsor exactly."""
    as_of = dt.date(2026, 6, 30)
    services.scoring_run_execute(as_of=as_of)
    ready = Opportunity.objects.filter(status="ready", sponsor__isnull=False).order_by("id")
    opportunity = ready.first()
    assert opportunity is not None
    Stakeholder.objects.filter(pk=opportunity.sponsor_id).update(name=name)

    services.scoring_run_execute(as_of=as_of + dt.timedelta(days=1))

    opportunity.refresh_from_db()
    assert f"sponsor: {name}, whose " in opportunity.explanation
    client = APIClient()
    client.force_authenticate(UserFactory(username="boss", roles=["manager"]))
    body = client.get(f"/api/v1/opportunities/{opportunity.pk}/").json()
    assert body["sponsor"]["name"] == name
    listed = client.get(
        "/api/v1/opportunities/", {"account": opportunity.account.external_id}
    ).json()["results"]
    assert [o["sponsor"]["name"] for o in listed if o["id"] == opportunity.pk] == [name]
    people = client.get(
        "/api/v1/stakeholders/", {"account__external_id": opportunity.account.external_id}
    ).json()["results"]
    assert name in [p["name"] for p in people]
