"""The opportunity list cache: a cached page is served without touching the database, and
every kind of write that changes what the list shows is visible on the next request."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Account
from playbooks.models import Opportunity
from scoring import services

pytestmark = pytest.mark.django_db
URL = "/api/v1/opportunities/?stage=identified&page_size=500"


@pytest.fixture(autouse=True)
def list_cache(settings):
    settings.OPPORTUNITY_LIST_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def imported_sample_book(sample_book_in_module, db):
    """One import for the module (every test reads it; what a test writes is rolled back);
    the scoring stays per test: the tests measure what a run invalidates."""
    return sample_book_in_module


@pytest.fixture
def scored(imported_sample_book, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_run_execute(as_of=dt.date(2026, 6, 30))


def listed(client: APIClient) -> list[dict]:
    return client.get(URL).json()["results"]


def test_a_cached_page_is_served_without_a_query(client_for, scored) -> None:
    manager = client_for("boss", ["manager"])
    first = listed(manager)

    with CaptureQueriesContext(connection) as queries:
        again = listed(manager)

    assert again == first and len(first) == 10
    assert len(queries) == 0


def test_scopes_never_share_a_page(client_for, scored) -> None:
    manager, ae = client_for("boss", ["manager"]), client_for("ae9", ["ae"])
    Account.objects.filter(external_id="NW-001").update(owner_email="ae9@vendor.example")

    assert len(listed(manager)) == 10
    assert {o["account"]["external_id"] for o in listed(ae)} == {"NW-001"}


def test_a_stage_change_through_the_api_shows_at_once(
    client_for, scored, django_capture_on_commit_callbacks
) -> None:
    manager = client_for("boss", ["manager"])
    target = listed(manager)[0]

    with django_capture_on_commit_callbacks(execute=True):
        manager.patch(
            f"/api/v1/opportunities/{target['id']}/", {"stage": "qualified"}, format="json"
        )

    assert target["id"] not in {o["id"] for o in listed(manager)}


def test_a_saved_account_shows_at_once(
    client_for, scored, django_capture_on_commit_callbacks
) -> None:
    manager = client_for("boss", ["manager"])
    listed(manager)

    with django_capture_on_commit_callbacks(execute=True):
        account = Account.objects.get(external_id="AW-006")
        account.name = "Adventure Works Group"
        account.save()

    assert "Adventure Works Group" in {o["account"]["name"] for o in listed(manager)}


def test_an_import_shows_at_once(
    client_for, scored, book_copy: Path, django_capture_on_commit_callbacks
) -> None:
    manager = client_for("boss", ["manager"])
    listed(manager)
    path = book_copy / "accounts.csv"
    path.write_text(path.read_text().replace("Northwind Bank", "Northwind Bank plc"))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_book", str(book_copy), stdout=io.StringIO())

    assert "Northwind Bank plc" in {o["account"]["name"] for o in listed(manager)}


def test_a_scoring_run_shows_at_once(
    client_for, scored, django_capture_on_commit_callbacks
) -> None:
    manager = client_for("boss", ["manager"])
    before = {o["id"] for o in listed(manager)}
    Opportunity.objects.exclude(key="").delete()  # signals: invalidates (not captured)
    cache.clear()
    listed(manager)  # a page of nothing is now cached

    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_run_execute(as_of=dt.date(2026, 7, 1))

    after = listed(manager)
    assert len(after) >= 10 and not before & {o["id"] for o in after}


def test_expiry_by_a_scoring_run_shows_at_once(
    client_for, scored, django_capture_on_commit_callbacks
) -> None:
    from signals.models import AccountSignal

    manager = client_for("boss", ["manager"])
    assert any(o["play"] == "compliance_module" for o in listed(manager))
    AccountSignal.objects.filter(kind="compliance_change").delete()

    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_run_execute(as_of=dt.date(2026, 7, 1))

    assert not any(o["play"] == "compliance_module" for o in listed(manager))


def test_pages_kept_in_process_follow_the_shared_version(client_for, scored) -> None:
    """A page kept in this process's memory is served while the shared version stands (even
    if the shared copy is gone), and never after another process bumps the version."""
    from playbooks.listcache import VERSION_KEY

    manager = client_for("boss", ["manager"])
    first = listed(manager)
    version = cache.get(VERSION_KEY)
    cache.clear()
    cache.set(VERSION_KEY, version, timeout=None)  # only the shared page copies are gone
    with CaptureQueriesContext(connection) as queries:
        assert listed(manager) == first
    assert len(queries) == 0

    Opportunity.objects.filter(pk=first[0]["id"]).update(stage="qualified")  # no signal
    cache.incr(VERSION_KEY)  # as another process's commit would

    assert first[0]["id"] not in {o["id"] for o in listed(manager)}
