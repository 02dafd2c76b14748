"""The account pages over HTTP: the one authorization rule (404 outside one's reach), the
htmx partials, constant query counts per request, and the usage-alert links landing here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from accounts.models import Account, ContractLine, Entitlement
from scoring.models import Notification, UsageAlert
from scoring.services import scoring_run_execute
from signals.models import DailyUsage
from tests.factories import UserFactory
from tests.workspace.test_account_pages import AS_OF, BEFORE, _book

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored_sample(imported_sample_book):
    scoring_run_execute(as_of=BEFORE)
    scoring_run_execute(as_of=AS_OF)
    for name, role in (("ae1", "ae"), ("ae2", "ae"), ("csm1", "csm"), ("manager", "manager")):
        UserFactory(username=name, roles=[role])


def client_for(username: str) -> Client:
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_pages_need_a_sign_in() -> None:
    for url in ("/accounts/", "/accounts/NW-001/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_ae_sees_its_accounts_and_404_outside_its_reach(scored_sample) -> None:
    Account.objects.filter(external_id="NW-001").update(owner_email="ae2@vendor.example")
    ae1, ae2 = client_for("ae1"), client_for("ae2")

    page = ae2.get("/accounts/NW-001/")
    assert page.status_code == 200
    assert b"Northwind Bank" in page.content and b"Why it changed." in page.content
    policy = page["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "unsafe" not in policy

    assert ae1.get("/accounts/NW-001/").status_code == 404
    assert (
        ae1.get("/accounts/NW-001/", {"timeline": "alert"}, HTTP_HX_REQUEST="true").status_code
        == 404
    )
    assert ae1.get("/accounts/NO-SUCH/").status_code == 404
    listing = ae1.get("/accounts/").content.decode()
    assert "CT-002" in listing and "NW-001" not in listing
    # A CSM reaches the accounts it manages, a manager every account.
    assert client_for("csm1").get("/accounts/NW-001/").status_code == 200
    assert client_for("manager").get("/accounts/NW-001/").status_code == 200


def test_htmx_requests_get_the_partial_alone(scored_sample) -> None:
    manager = client_for("manager")

    results = manager.get(
        "/accounts/",
        {"ordering": "-health", "q": "o"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    ).content.decode()
    assert results.lstrip().startswith('<div id="results"')
    assert "<html" not in results and "TT-004" in results
    assert "?ordering=health&amp;q=o" in results  # the next click sorts ascending, same filter

    timeline = manager.get(
        "/accounts/CT-002/",
        {"timeline": "signal"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="timeline",
    ).content.decode()
    assert timeline.lstrip().startswith('<div id="timeline"')
    assert "Support ticket, severity 4: outage" in timeline
    assert "reached" not in timeline  # no usage alert among the signals

    full = manager.get("/accounts/CT-002/", {"timeline": "signal"}).content.decode()
    assert "<html" in full and "Support ticket, severity 4: outage" in full


def test_list_states_are_in_the_url(scored_sample) -> None:
    manager = client_for("manager")

    page = manager.get("/accounts/", {"reason": "onboarding"}).content.decode()

    assert "TT-004" in page and "NW-001" not in page
    assert '<option value="onboarding" selected>' in page
    empty = manager.get("/accounts/", {"q": "no such account"}).content.decode()
    assert "No account matches these filters" in empty


@pytest.mark.parametrize(("accounts", "metrics"), [(2, 1), (10, 3)])
def test_account_page_request_runs_a_fixed_number_of_queries(
    accounts, metrics, django_assert_num_queries
) -> None:
    _book(accounts, metrics)
    client = client_for_new("ae1", "ae")

    # session, user, roles, then the page's own thirteen
    with django_assert_num_queries(16):
        assert client.get("/accounts/GEN-0001/").status_code == 200


@pytest.mark.parametrize("accounts", [3, 30])
def test_account_list_request_runs_a_fixed_number_of_queries(
    accounts, django_assert_num_queries
) -> None:
    _book(accounts, 1)
    client = client_for_new("ae1", "ae")

    # session, user, roles, run, count, page, health + utilization + actions of the page
    with django_assert_num_queries(9):
        response = client.get("/accounts/", {"ordering": "-utilization", "renewal_within": 120})
    assert response.status_code == 200
    with django_assert_num_queries(9):
        client.get("/accounts/", {"page": 2}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")


def client_for_new(username: str, role: str) -> Client:
    client = Client()
    client.force_login(UserFactory(username=username, roles=[role]))
    return client


# --- usage-alert links ----------------------------------------------------------------------


def test_usage_alert_links_land_on_the_account_page(
    scored_sample, django_capture_on_commit_callbacks
) -> None:
    """GIVEN an account whose external id needs escaping in a URL (space, '#', '/')
    WHEN its usage crosses 80 % and the alert is sent
    THEN the notification's link opens that account's page for its AE."""
    account = Account.objects.get(external_id="CW-010")
    account.external_id = "CW 010/#2"
    account.save()
    line = ContractLine.objects.get(account=account, start_date__lte=AS_OF, end_date__gte=AS_OF)
    Entitlement.objects.create(contract=line, metric="exports", limit=100, period="month")
    DailyUsage.objects.bulk_create(
        DailyUsage(account=account, metric="exports", date=AS_OF - dt.timedelta(days=d), quantity=3)
        for d in range(30)
    )
    with django_capture_on_commit_callbacks(execute=True):
        scoring_run_execute(as_of=AS_OF + dt.timedelta(days=1))
    assert UsageAlert.objects.filter(entitlement__metric="exports", level=80).exists()

    links = set(Notification.objects.filter(user__username="ae1").values_list("url", flat=True))
    assert "/accounts/CW%20010/%232/" in links
    ae1 = client_for("ae1")
    for url in links:
        page = ae1.get(url)
        assert page.status_code == 200, url
    page = ae1.get("/accounts/CW%20010/%232/")
    assert page.context["page"].account.external_id == "CW 010/#2"


def test_the_plays_come_first_so_a_phone_shows_them_before_the_charts(scored_sample) -> None:
    """The account page's columns stack on a phone in document order: what to propose must
    not wait below the usage charts (QA at 390 px)."""
    page = client_for("manager").get("/accounts/CT-002/").content.decode()
    cards = [page.index(f'id="{card}"') for card in ("plays", "health", "utilization", "usage")]
    assert cards == sorted(cards)
