"""Writes through the API follow the book import's rules (core/validation.py): a record the
import rejects is a 400 through the API too, with the import's reason, on create and on a
partial update."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from accounts.models import Priority
from signals.models import AccountSignal
from tests.factories import (
    AccountFactory,
    AccountSignalFactory,
    PriorityFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client_for) -> APIClient:
    account = AccountFactory(external_id="ACC-1")
    person = StakeholderFactory(external_id="S-1", account=account, name="Dana")
    PriorityFactory(stakeholder=person, priority="Grow")
    AccountSignalFactory(account=account, date=dt.date(2026, 6, 1))
    return client_for("csm1", ["csm"])


def _signal(**overrides) -> dict:
    return {"account": "ACC-1", "date": "2026-06-02", "kind": "nps", "value": 7, **overrides}


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (_signal(value=-5), {"value": ["NPS must be between 0 and 10, got -5"]}),
        (_signal(value=11), {"value": ["NPS must be between 0 and 10, got 11"]}),
        (
            _signal(kind="support_ticket", value=9),
            {"value": ["ticket severity must be between 1 and 4, got 9"]},
        ),
        (
            _signal(kind="new_users", value=-3),
            {"value": ["new users must be >= 0, got -3"]},
        ),
        (_signal(date="1980-01-01"), {"date": ["date '1980-01-01' is before 1990-01-01"]}),
    ],
)
def test_a_signal_the_import_rejects_is_a_400(client, payload, errors) -> None:
    response = client.post("/api/v1/signals/", payload, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert AccountSignal.objects.count() == 1


def test_a_partial_update_is_checked_with_the_stored_values(client) -> None:
    signal = AccountSignal.objects.get()

    response = client.patch(f"/api/v1/signals/{signal.pk}/", {"value": -5}, format="json")

    assert response.status_code == 400
    assert response.json() == {"value": ["NPS must be between 0 and 10, got -5"]}
    signal.refresh_from_db()
    assert signal.value == 9


def test_a_valid_signal_is_still_created(client) -> None:
    response = client.post("/api/v1/signals/", _signal(value=0), format="json")

    assert response.status_code == 201, response.content


def test_a_priority_year_the_import_rejects_is_a_400(client) -> None:
    response = client.post(
        "/api/v1/priorities/",
        {"stakeholder": "S-1", "year": 5, "priority": "Expand"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"year": ["must be >= 1900, got 5"]}
    assert Priority.objects.count() == 1
