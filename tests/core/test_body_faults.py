"""Request bodies the API cannot take: JSON nested a thousand deep (Python's decoder gives up
with RecursionError) and a body over DATA_UPLOAD_MAX_MEMORY_SIZE. On every endpoint that
takes a body, each is a 400 in JSON, never a server error or an HTML page."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import Priority, Stakeholder
from playbooks.models import Opportunity
from scoring.models import Notification
from signals.models import AccountSignal, DailyUsage
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoints(db) -> tuple[APIClient, list[tuple[str, str]]]:
    """A manager's client and every (method, url) that takes a body."""
    user = UserFactory(username="boss", roles=["manager"])
    account = AccountFactory(external_id="ACC-1")
    person = Stakeholder.objects.create(
        external_id="S-1", account=account, name="Dana", role="champion"
    )
    priority = Priority.objects.create(stakeholder=person, year=2026, priority="Grow")
    signal = AccountSignal.objects.create(
        account=account, date=dt.date(2026, 6, 1), kind="nps", value=9
    )
    opportunity = Opportunity.objects.create(
        account=account,
        key="tier_upgrade:X",
        play="tier_upgrade",
        motion="upsell",
        status="ready",
        score=10,
        created=dt.date(2026, 6, 1),
    )
    notification = Notification.objects.create(user=user, message="hello")
    client = APIClient()
    client.force_authenticate(user)
    return client, [
        ("post", "/api/v1/usage/"),
        ("post", "/api/v1/stakeholders/"),
        ("put", f"/api/v1/stakeholders/{person.pk}/"),
        ("patch", f"/api/v1/stakeholders/{person.pk}/"),
        ("post", "/api/v1/priorities/"),
        ("patch", f"/api/v1/priorities/{priority.pk}/"),
        ("post", "/api/v1/signals/"),
        ("patch", f"/api/v1/signals/{signal.pk}/"),
        ("patch", f"/api/v1/opportunities/{opportunity.pk}/"),
        ("patch", f"/api/v1/notifications/{notification.pk}/"),
    ]


DEEP = {
    "arrays": "[" * 1000 + "]" * 1000,
    "objects": '{"a":' * 1000 + "1" + "}" * 1000,
    "arrays in a row": '[{"account_id": ' + "[" * 5000 + "]" * 5000 + "}]",
}


@pytest.mark.parametrize("shape", list(DEEP))
def test_json_nested_a_thousand_deep_is_a_400_in_json_everywhere(endpoints, shape) -> None:
    client, targets = endpoints
    for method, url in targets:
        response = getattr(client, method)(url, data=DEEP[shape], content_type="application/json")

        assert response.status_code == 400, (method, url, response.content[:200])
        assert response["Content-Type"] == "application/json", (method, url)
        assert response.json() == {"detail": "JSON parse error - nested too deeply"}
    assert not DailyUsage.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
@pytest.mark.parametrize("idempotency_key", [None, "big-1"])
def test_an_oversized_body_is_a_400_in_json_everywhere(endpoints, idempotency_key) -> None:
    client, targets = endpoints
    client.raise_request_exception = False
    rows = [
        {"account_id": "ACC-1", "metric": "api_calls", "date": "2026-06-01", "quantity": 1}
    ] * 200
    body = json.dumps(rows)
    assert len(body) > 10_000
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    for method, url in targets:
        response = getattr(client, method)(
            url, data=body, content_type="application/json", **headers
        )

        assert response.status_code == 400, (method, url, response.content[:200])
        assert response["Content-Type"] == "application/json", (method, url)
        assert response.json() == {
            "detail": "The request body is larger than 10000 bytes."
        }, (method, url)
    assert not DailyUsage.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_an_oversized_form_outside_the_api_stays_an_html_page(db) -> None:
    client = APIClient(raise_request_exception=False)

    response = client.post(
        "/login/", data="a=" + "x" * 20_000, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
