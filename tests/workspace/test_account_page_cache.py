"""The account page cache: a cached page is served without its queries, every kind of write
that changes what the page shows is visible on the next request, the layout around the
cached content stays the session's own (its CSRF token), and the one authorization rule
still answers 404 outside one's reach."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import Account, Stakeholder
from playbooks.models import Opportunity
from playbooks.services import opportunity_stage_change
from scoring.services import scoring_run_execute
from signals.models import AccountSignal
from signals.services import usage_ingest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/accounts/NW-001/"


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.ACCOUNT_PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def scored(imported_sample_book, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        scoring_run_execute(as_of=dt.date(2026, 6, 30))
    return UserFactory(username="ae1", roles=["ae"])


def _client(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_a_cached_page_runs_no_page_query(scored, django_assert_num_queries) -> None:
    client = _client(scored)
    first = client.get(URL)

    # session, user, roles: the page's own queries are not run again
    with django_assert_num_queries(3):
        again = client.get(URL)

    assert again.status_code == 200
    # The same content; the layout around it carries a freshly masked CSRF token.
    assert _main(again) == _main(first)
    assert "Why it changed." in _main(again)


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.mark.parametrize(
    "write",
    ["signal", "stakeholder", "stage", "usage", "scoring", "owner"],
)
def test_every_write_the_page_shows_is_seen_on_the_next_request(
    scored, write, django_capture_on_commit_callbacks
) -> None:
    client = _client(scored)
    before = client.get(URL).content.decode()
    account = Account.objects.get(external_id="NW-001")

    with django_capture_on_commit_callbacks(execute=True):
        if write == "signal":
            AccountSignal.objects.create(
                account=account, date=dt.date(2026, 6, 29), kind="milestone", detail="Go-live EMEA"
            )
            expected = "Go-live EMEA"
        elif write == "stakeholder":
            person = Stakeholder.objects.get(account=account, name="Dana Ops")
            person.name = "Dana Operations"
            person.save()
            expected = "Dana Operations"
        elif write == "stage":
            opportunity = Opportunity.objects.get(account=account, play="tier_upgrade")
            opportunity_stage_change(opportunity=opportunity, stage="qualified", user=scored)
            expected = "Tier upgrade: Identified → Qualified by ae1"
        elif write == "usage":
            result = usage_ingest(
                user=UserFactory(username="manager", roles=["manager"]),
                rows=[
                    {
                        "account_id": "NW-001",
                        "metric": "api_calls",
                        "date": "2026-06-30",
                        "quantity": 123456,
                    }
                ],
            )
            assert result.accepted == 1
            expected = "123456"  # the day's value in the usage chart's table
        elif write == "scoring":
            scoring_run_execute(as_of=dt.date(2026, 7, 1))
            expected = "Scored as of 1 Jul 2026"
        else:
            account.owner_email = "ae2@vendor.example"
            account.save()
            expected = None

    after = client.get(URL)
    if expected is None:  # no longer ae1's: a 404, not the cached page
        assert after.status_code == 404
        return
    assert expected not in before
    assert expected in after.content.decode()


def test_the_layout_keeps_each_sessions_own_csrf_token(scored) -> None:
    """GIVEN the page cached by one session of ae1 WHEN another session of ae1 reads it
    THEN the htmx CSRF header of the page it gets is valid for that session."""
    _client(scored).get(URL)
    other = _client(scored, enforce_csrf_checks=True)

    page = other.get(URL).content.decode()
    token = re.search(r'"x-csrftoken": "([^"]+)"', page).group(1)

    assert other.post("/logout/", HTTP_X_CSRFTOKEN=token).status_code == 302


def test_outside_ones_reach_is_still_404(scored) -> None:
    _client(scored).get(URL)
    ae2 = _client(UserFactory(username="ae2", roles=["ae"]))

    assert ae2.get(URL).status_code == 404
    assert ae2.get(URL, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline").status_code == 404


def test_the_timeline_partial_is_cached_apart_from_the_page(scored) -> None:
    client = _client(scored)
    full = client.get(URL, {"timeline": "alert"}).content.decode()
    partial = client.get(
        URL, {"timeline": "alert"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline"
    ).content.decode()

    assert "<html" in full and "<html" not in partial
    assert partial.lstrip().startswith('<div id="timeline"')
