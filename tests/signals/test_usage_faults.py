"""POST /api/v1/usage/ with values that used to crash the ingest (a 500 that lost the whole
batch) or poison the nightly scoring: each is rejected alone, by index, field and reason,
and the valid rows sent with it are kept. Also the model's own bound, and an
``Idempotency-Key`` reused with another body."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import IdempotencyRecord
from signals.models import DailyUsage
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/usage/"


@pytest.fixture
def client(client_for) -> APIClient:
    AccountFactory(external_id="ACC-1")
    return client_for("ae1", ["ae"])


def _valid_rows() -> list[dict]:
    return [
        {"account_id": "ACC-1", "metric": "api_calls", "date": f"2026-06-{d:02d}", "quantity": 5}
        for d in range(1, 29)
    ]


def _post(client: APIClient, rows: list) -> dict:
    """Posted as JSON text, so that a lone surrogate travels as ``\\ud800``."""
    response = client.post(URL, data=json.dumps(rows), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def _far_ahead() -> str:
    return (timezone.localdate() + dt.timedelta(days=366)).isoformat()


BAD_VALUES = [
    ("quantity", 1e308, "must be <= 1e+12, got 1e+308"),
    ("quantity", 1.5e12, "must be <= 1e+12, got 1500000000000.0"),
    ("date", "0000-01-01", "date '0000-01-01' is before 1990-01-01"),
    ("date", "0001-01-01", "date '0001-01-01' is before 1990-01-01"),
    ("date", "1989-12-31", "date '1989-12-31' is before 1990-01-01"),
    ("date", "9999-12-31", None),
    ("date", "far ahead", None),
    (
        "date",
        "\uff11\uff19\uff19\uff19-01-01",  # full-width digits
        "not a date in YYYY-MM-DD with ASCII digits: '\uff11\uff19\uff19\uff19-01-01'",
    ),
    (
        "date",
        "\u0662\u0660\u0662\u0666-01-01",  # Arabic-Indic digits
        "not a date in YYYY-MM-DD with ASCII digits: '\u0662\u0660\u0662\u0666-01-01'",
    ),
    ("metric", "api\ud800", "contains a lone surrogate (invalid text)"),
    ("account_id", "\ud800", "contains a lone surrogate (invalid text)"),
]


@pytest.mark.parametrize(("field", "value", "error"), BAD_VALUES)
def test_a_bad_value_is_rejected_alone_and_the_28_valid_rows_are_kept(
    client, field, value, error
) -> None:
    if value == "far ahead":
        value = _far_ahead()
    rows = _valid_rows()
    rows.insert(14, {**rows[0], "date": "2026-07-01", field: value})

    body = _post(client, rows)

    if error is None:  # the latest date accepted is a year from today
        latest = (timezone.localdate() + dt.timedelta(days=365)).isoformat()
        error = f"date '{value}' is after {latest} (at most 365 days ahead)"
    assert body == {"accepted": 28, "rejected": [{"index": 14, "field": field, "error": error}]}
    assert DailyUsage.objects.count() == 28
    assert not DailyUsage.objects.filter(date=dt.date(2026, 7, 1)).exists()


def test_the_edges_of_the_ranges_are_accepted(client) -> None:
    latest = (timezone.localdate() + dt.timedelta(days=365)).isoformat()
    rows = [
        {"account_id": "ACC-1", "metric": "m", "date": "1990-01-01", "quantity": 0},
        {"account_id": "ACC-1", "metric": "m", "date": latest, "quantity": 1e12},
    ]

    assert _post(client, rows) == {"accepted": 2, "rejected": []}
    assert max(DailyUsage.objects.values_list("quantity", flat=True)) == 1e12


@pytest.mark.parametrize("quantity", [1e13, 1e308, math.inf, math.nan])
def test_the_model_refuses_a_quantity_above_the_maximum(quantity) -> None:
    account = AccountFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        DailyUsage.objects.create(
            account=account, metric="m", date=dt.date(2026, 6, 1), quantity=quantity
        )


def test_an_idempotency_key_reused_with_another_body_is_a_422_and_stores_nothing(
    client,
) -> None:
    first = client.post(URL, _valid_rows()[:1], format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    record = IdempotencyRecord.objects.values().get()

    other = client.post(URL, _valid_rows()[1:3], format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == 200
    assert other.status_code == 422
    assert other.json() == {
        "detail": "this Idempotency-Key was used with a different request body"
    }
    assert list(DailyUsage.objects.values_list("date", flat=True)) == [dt.date(2026, 6, 1)]
    assert IdempotencyRecord.objects.values().get() == record
    # The same body again is still a replay of the first answer.
    again = client.post(URL, _valid_rows()[:1], format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (again.status_code, again.json()) == (200, first.json())
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_key_whose_request_failed_can_be_used_again(client, monkeypatch) -> None:
    """A claim is released when its request fails, so the client's retry runs."""
    import signals.services

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(signals.services, "upsert_frame", broken)
    client.raise_request_exception = False
    failed = client.post(URL, _valid_rows(), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    monkeypatch.undo()

    retry = client.post(URL, _valid_rows(), format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    assert failed.status_code == 500
    assert (retry.status_code, retry.json()["accepted"]) == (200, 28)
    assert "Idempotent-Replayed" not in retry.headers


def test_a_claim_left_in_flight_by_a_dead_request_is_taken_over_after_10_minutes(
    client,
) -> None:
    body = json.dumps(_valid_rows())
    IdempotencyRecord.objects.create(
        user=UserFactory(username="ae1"),
        endpoint="usage",
        key="k-3",
        request_hash=hashlib.sha256(body.encode()).hexdigest(),
    )
    post = {"data": body, "content_type": "application/json", "HTTP_IDEMPOTENCY_KEY": "k-3"}
    in_flight = client.post(URL, **post)
    IdempotencyRecord.objects.update(created=timezone.now() - dt.timedelta(minutes=11))

    taken_over = client.post(URL, **post)

    assert in_flight.status_code == 409
    assert in_flight.json() == {
        "detail": "a request with this Idempotency-Key is still in progress"
    }
    assert (taken_over.status_code, taken_over.json()["accepted"]) == (200, 28)
    assert DailyUsage.objects.count() == 28
