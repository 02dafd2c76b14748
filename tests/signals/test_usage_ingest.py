"""POST /api/v1/usage/: row-by-row validation, partial acceptance, replace-not-add,
Idempotency-Key replay, batch limit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import IdempotencyRecord
from signals.models import DailyUsage
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/usage/"


@pytest.fixture
def client(manager_client) -> APIClient:
    AccountFactory(external_id="ACC-1")
    return manager_client


def row(**overrides) -> dict:
    return {
        "account_id": "ACC-1",
        "metric": "api_calls",
        "date": "2026-06-01",
        "quantity": 10,
        **overrides,
    }


def test_valid_rows_are_kept_when_others_are_rejected(client) -> None:
    rows = [
        row(),
        row(date="2026-02-30"),
        row(quantity=-1, date="2026-06-02"),
        row(account_id="NOPE"),
        row(metric="", date="2026-06-03"),
        row(date="2026-06-04", quantity="abc"),
        row(date="2026-06-05"),
    ]

    response = client.post(URL, rows, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "accepted": 2,
        "rejected": [
            {
                "index": 1,
                "field": "date",
                "error": "invalid date '2026-02-30' (expected YYYY-MM-DD)",
            },
            {"index": 2, "field": "quantity", "error": "must be >= 0, got -1"},
            {"index": 3, "field": "account_id", "error": "unknown account 'NOPE'"},
            {"index": 4, "field": "metric", "error": "required value is missing"},
            {"index": 5, "field": "quantity", "error": "not a number: 'abc'"},
        ],
    }
    assert sorted(DailyUsage.objects.values_list("date", flat=True)) == [
        dt.date(2026, 6, 1),
        dt.date(2026, 6, 5),
    ]


def test_resent_day_replaces_never_adds(client) -> None:
    client.post(URL, [row(quantity=10)], format="json")
    client.post(URL, [row(quantity=7)], format="json")

    assert list(DailyUsage.objects.values_list("quantity", flat=True)) == [7.0]


def test_duplicate_rows_within_a_batch_are_reported(client) -> None:
    body = client.post(URL, [row(), row(quantity=3)], format="json").json()

    assert body["accepted"] == 1
    assert body["rejected"] == [
        {
            "index": 1,
            "field": "account_id, metric, date",
            "error": "duplicate key, already given at index 0",
        }
    ]


def test_idempotency_key_makes_a_retry_count_once(client) -> None:
    headers = {"HTTP_IDEMPOTENCY_KEY": "batch-42"}
    first = client.post(URL, [row(quantity=10)], format="json", **headers)
    DailyUsage.objects.update(quantity=99)  # e.g. a later correction by another batch

    retry = client.post(URL, [row(quantity=10)], format="json", **headers)

    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert list(DailyUsage.objects.values_list("quantity", flat=True)) == [99.0]


def test_idempotency_key_expires_after_24_hours(client) -> None:
    headers = {"HTTP_IDEMPOTENCY_KEY": "batch-43"}
    client.post(URL, [row(quantity=10)], format="json", **headers)
    IdempotencyRecord.objects.update(created=timezone.now() - dt.timedelta(hours=25))
    DailyUsage.objects.update(quantity=99)

    client.post(URL, [row(quantity=10)], format="json", **headers)

    assert list(DailyUsage.objects.values_list("quantity", flat=True)) == [10.0]
    assert IdempotencyRecord.objects.count() == 1


def test_batch_of_more_than_10000_rows_is_refused_whole(client) -> None:
    rows = [
        row(date=(dt.date(2000, 1, 1) + dt.timedelta(days=i)).isoformat()) for i in range(10_001)
    ]

    response = client.post(URL, rows, format="json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["at most 10000 rows per batch, got 10001"]}
    assert not DailyUsage.objects.exists()


def test_a_batch_of_10000_rows_is_accepted(client) -> None:
    rows = [
        row(date=(dt.date(2000, 1, 1) + dt.timedelta(days=i)).isoformat()) for i in range(10_000)
    ]

    assert client.post(URL, rows, format="json").json() == {"accepted": 10_000, "rejected": []}
    assert DailyUsage.objects.count() == 10_000


@pytest.mark.parametrize("payload", [{"account_id": "ACC-1"}, "text", 5])
def test_a_body_that_is_not_a_list_is_a_400(client, payload) -> None:
    response = client.post(URL, payload, format="json")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_rows_that_are_not_objects_are_rejected_alone(client) -> None:
    body = client.post(URL, [row(), "x", [1]], format="json").json()

    assert body["accepted"] == 1
    assert [r["index"] for r in body["rejected"]] == [1, 2]
    assert {r["field"] for r in body["rejected"]} == {"non_field_errors"}


def test_values_of_the_wrong_json_type_are_named_as_such(client) -> None:
    body = client.post(
        URL,
        [row(quantity=True), row(account_id=["ACC-1"], date="2026-06-02"), row(date="2026-06-03")],
        format="json",
    ).json()

    assert body == {
        "accepted": 1,
        "rejected": [
            {
                "index": 0,
                "field": "quantity",
                "error": "expected a string or a number, got a boolean",
            },
            {
                "index": 1,
                "field": "account_id",
                "error": "expected a string or a number, got an array",
            },
        ],
    }


def test_the_daily_purge_forgets_only_expired_keys(client) -> None:
    from django_celery_beat.models import PeriodicTask

    from core.tasks import idempotency_records_purge_task

    client.post(URL, [row()], format="json", HTTP_IDEMPOTENCY_KEY="old")
    client.post(URL, [row(date="2026-06-02")], format="json", HTTP_IDEMPOTENCY_KEY="new")
    IdempotencyRecord.objects.filter(key="old").update(
        created=timezone.now() - dt.timedelta(hours=25)
    )

    assert idempotency_records_purge_task.delay().get() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert PeriodicTask.objects.filter(
        task="signals.tasks.idempotency_records_purge_task", enabled=True
    ).exists()
