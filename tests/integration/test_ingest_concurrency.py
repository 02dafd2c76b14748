"""Concurrent usage uploads on the real PostgreSQL: real requests on threads, each with its
own database connection, started together.

- Overlapping batches (the same rows in other orders, or two users' overlapping accounts)
  all succeed: the upsert locks rows in key order, and a deadlock that still happens is
  retried, never answered 500.
- Ten requests with one ``Idempotency-Key``: exactly one runs the ingest; the others get its
  stored answer, or 409 while it is still in flight.
"""

from __future__ import annotations

import random
import threading
from collections import Counter

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections
from rest_framework.test import APIClient

from accounts.models import Account
from core.models import IdempotencyRecord
from signals.models import DailyUsage
from tests.factories import AccountFactory, UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
URL = "/api/v1/usage/"
DATES = [f"2026-06-{day:02d}" for day in range(1, 29)]


@pytest.fixture
def book(services_urls) -> list[Account]:
    """20 accounts: the first 12 are ae1's, the last 12 csm1's (8 shared)."""
    for name in ("ae", "csm", "manager"):  # a transactional test may follow a flush
        Group.objects.get_or_create(name=name)
    return [
        AccountFactory(
            external_id=f"ACC-{n:02d}",
            owner_email="ae1@vendor.example" if n < 12 else "ae2@vendor.example",
            csm_email="csm1@vendor.example" if n >= 8 else "csm2@vendor.example",
        )
        for n in range(20)
    ]


def _rows(accounts: list[Account], quantity: float = 10) -> list[dict]:
    return [
        {"account_id": a.external_id, "metric": metric, "date": date, "quantity": quantity}
        for a in accounts
        for metric in ("api_calls", "seats")
        for date in DATES
    ]


def _client(username: str, roles: list[str]) -> APIClient:
    client = APIClient(raise_request_exception=False)  # a server error is an answer here
    client.force_authenticate(UserFactory(username=username, roles=roles))
    return client


def _concurrently(calls: list) -> list:
    """Run each call on its own thread (its own connection), all released at once."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = calls[index]()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_ten_batches_of_the_same_rows_in_different_orders_all_succeed(book) -> None:
    rows = _rows(book)
    assert len(rows) == 1120
    client = _client("boss", ["manager"])
    DailyUsage.objects.bulk_create(  # half the rows exist: updates and inserts mix
        [
            DailyUsage(account=a, metric="api_calls", date=d, quantity=1)
            for a in book
            for d in DATES[::2]
        ]
    )
    batches = []
    for seed in range(10):
        batch = [dict(r, quantity=seed + 1) for r in rows]
        random.Random(seed).shuffle(batch)
        batches.append(batch)

    responses = _concurrently(
        [lambda b=b: client.post(URL, b, format="json") for b in batches]
    )

    assert [r.status_code for r in responses] == [200] * 10, [
        r.content[:300] for r in responses if r.status_code != 200
    ]
    assert all(r.json() == {"accepted": 1120, "rejected": []} for r in responses)
    assert DailyUsage.objects.count() == 1120
    # The last writer's batch holds whole: every row has one batch's quantity.
    assert DailyUsage.objects.values("quantity").distinct().count() == 1


def test_an_ae_and_a_csm_sending_overlapping_accounts_at_once_both_succeed(book) -> None:
    ae, csm = _client("ae1", ["ae"]), _client("csm1", ["csm"])
    ae_rows, csm_rows = _rows(book[:12], quantity=1), _rows(book[8:], quantity=2)
    calls = []
    for seed in range(5):
        for client, rows in ((ae, ae_rows), (csm, csm_rows)):
            batch = list(rows)
            random.Random(seed).shuffle(batch)
            calls.append(lambda c=client, b=batch: c.post(URL, b, format="json"))

    responses = _concurrently(calls)

    assert [r.status_code for r in responses] == [200] * 10, [
        r.content[:300] for r in responses if r.status_code != 200
    ]
    assert [r.json()["accepted"] for r in responses] == [672] * 10
    assert DailyUsage.objects.count() == 20 * 2 * 28


def test_ten_requests_with_one_idempotency_key_run_the_ingest_once(book) -> None:
    rows = _rows(book)
    clients = [_client("boss", ["manager"]) for _ in range(10)]

    responses = _concurrently(
        [
            lambda c=c: c.post(URL, rows, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
            for c in clients
        ]
    )

    kinds = Counter(
        "ran"
        if r.status_code == 200 and "Idempotent-Replayed" not in r.headers
        else "replayed"
        if r.status_code == 200
        else r.status_code
        for r in responses
    )
    assert kinds["ran"] == 1, kinds
    assert set(kinds) <= {"ran", "replayed", 409}, kinds
    for response in responses:
        if response.status_code == 200:
            assert response.json() == {"accepted": 1120, "rejected": []}
        else:
            assert "in progress" in response.json()["detail"]
    assert DailyUsage.objects.count() == 1120
    record = IdempotencyRecord.objects.get()
    assert (record.status_code, record.response["accepted"]) == (200, 1120)

    # Once the first has finished, a retry gets its answer.
    retry = clients[0].post(URL, rows, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    assert retry.status_code == 200
    assert retry.headers["Idempotent-Replayed"] == "true"


def test_a_deadlock_inside_a_write_is_retried(book) -> None:
    """Two writes that lock two rows in opposite orders: PostgreSQL aborts one with
    DeadlockDetected; the retry runs it again and both complete."""
    from signals.services import _retrying

    first, second = book[0].pk, book[1].pk
    both_hold_one = threading.Barrier(2)
    attempts = Counter()

    def write(order: tuple[int, int], name: str):
        def attempt() -> None:
            attempts[name] += 1
            with connection.cursor() as cursor:
                cursor.execute("UPDATE accounts_account SET name = name WHERE id = %s", [order[0]])
                if attempts[name] == 1:
                    both_hold_one.wait(timeout=30)
                cursor.execute("UPDATE accounts_account SET name = name WHERE id = %s", [order[1]])

        return lambda: _retrying(attempt)

    _concurrently([write((first, second), "a"), write((second, first), "b")])

    assert sorted(attempts.values()) == [1, 2]  # one was aborted once, then succeeded
