"""The OpenAPI schema validates with no warning; Swagger UI works offline; throttling."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from scoring.models import Notification
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings(tmp_path) -> None:
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/v1/opportunities/",
        "/api/v1/usage/",
        "/api/v1/metrics/revenue/",
        "/api/v1/accounts/{external_id}/",
        "/api/v1/notifications/",
    ):
        assert f"{path}:" in text


def test_schema_types_numbers_as_numbers_and_lists_enums(manager_client) -> None:
    client = manager_client
    schema = client.get("/api/schema/?format=json").json()
    opportunity = schema["components"]["schemas"]["Opportunity"]["properties"]
    assert opportunity["score"]["type"] == "number"
    assert opportunity["amount_arr"]["type"] == "number"
    stage_enum = schema["components"]["schemas"]["StageEnum"]["enum"]
    assert stage_enum == [
        "identified",
        "qualified",
        "proposal",
        "negotiation",
        "won",
        "lost",
        "expired",
    ]
    revenue = schema["components"]["schemas"]["Revenue"]["properties"]
    assert revenue["nrr"]["type"] == "number"


def test_swagger_ui_loads_only_local_assets(manager_client) -> None:
    client = manager_client
    html = client.get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui" in s for s in sources)
    assert all(not s.startswith(("http://", "https://", "//")) for s in sources), sources


def test_usage_is_throttled_per_user(monkeypatch, manager_client) -> None:
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    cache.clear()
    # DRF binds the rates when it is imported; the class attribute is what it reads.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"usage": "2/min"})
    client = manager_client
    statuses = [client.post("/api/v1/usage/", [], format="json").status_code for _ in range(3)]
    cache.clear()
    assert statuses == [200, 200, 429]


def test_notifications_are_the_users_own_and_can_be_marked_read() -> None:
    me, other = UserFactory(username="csm1", roles=["csm"]), UserFactory(username="csm2")
    mine = Notification.objects.create(user=me, message="Acme reached 90 %")
    Notification.objects.create(user=other, message="not yours")
    AccountFactory()
    client = APIClient()
    client.force_authenticate(me)

    listed = client.get("/api/v1/notifications/").json()["results"]
    client.patch(f"/api/v1/notifications/{mine.pk}/", {"read": True}, format="json")

    assert [n["message"] for n in listed] == ["Acme reached 90 %"]
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.get("/api/v1/notifications/?read_at__isnull=true").json()["count"] == 0
