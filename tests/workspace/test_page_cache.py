"""The pages' cache on the ranked list and the opportunity page: a cached page is served
without its queries, every kind of write that changes what the page shows is seen on the next
request, the forms in cached content carry each session's own CSRF token, and another
user's scope never gets someone else's cached page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from accounts.models import Account, Stakeholder
from accounts.services import demo_users_ensure
from core.pagecache import CSRF_PLACEHOLDER
from playbooks import services
from playbooks.models import Opportunity
from scoring import services as scoring_services
from signals.models import SuccessMetric

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)
LIST = "/opportunities/"


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.OPPORTUNITY_LIST_CACHE_SECONDS = 300
    settings.OPPORTUNITY_PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def book(imported_sample_book, django_capture_on_commit_callbacks):
    demo_users_ensure(per_role=2)
    with django_capture_on_commit_callbacks(execute=True):
        scoring_services.scoring_run_execute(as_of=AS_OF)


@pytest.fixture
def opportunity(book) -> Opportunity:
    return Opportunity.objects.get(account__external_id="NW-001", play="tier_upgrade")


def _client(username: str, **kwargs) -> Client:
    client = Client(**kwargs)
    assert client.login(username=username, password="expansion-demo")
    return client


def _results(client: Client, query: str = ""):
    return client.get(LIST + query, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")


def _main(response) -> str:
    """The page's content, its forms' CSRF tokens aside (masked anew on every response)."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+"', r'\1"', main)


def test_a_cached_list_runs_no_page_query(book, django_assert_num_queries) -> None:
    client = _client("ae1")
    first_partial = _results(client, "?q=a").content.decode()
    first_page = client.get(LIST + "?q=a")

    # session, user, roles: the list's own queries are not run again
    with django_assert_num_queries(3):
        partial = _results(client, "?q=a").content.decode()
    with django_assert_num_queries(3):
        page = client.get(LIST + "?q=a")

    assert partial == first_partial and partial.lstrip().startswith('<div id="results"')
    assert "<html" in page.content.decode() and _main(page) == _main(first_page)
    assert '<tr id="opp-' in partial


def test_a_cached_opportunity_page_runs_no_page_query(
    opportunity, django_assert_num_queries
) -> None:
    client = _client("ae1")
    first = client.get(f"/opportunities/{opportunity.pk}/")

    with django_assert_num_queries(3):
        again = client.get(f"/opportunities/{opportunity.pk}/")

    assert again.status_code == 200
    assert _main(again) == _main(first)
    assert "Stages and exit criteria" in _main(again)
    assert "<title>Tier upgrade · Northwind" in again.content.decode()
    assert CSRF_PLACEHOLDER not in again.content.decode()


def _write(kind: str, opportunity: Opportunity) -> str:
    """One kind of write the opportunity page shows; the text it shows afterwards."""
    ae1 = get_user_model().objects.get(username="ae1")
    account = opportunity.account
    if kind == "criterion":
        services.opportunity_criterion_set(
            opportunity=opportunity, criterion="trigger_confirmed", checked=True, user=ae1
        )
        return "Checked by ae1"
    if kind == "stage":
        services.opportunity_stage_change(opportunity=opportunity, stage="qualified", user=ae1)
        return "Identified → Qualified"
    if kind == "deal":
        services.opportunity_update(opportunity=opportunity, user=ae1, notes="Call on Monday")
        return "Call on Monday"
    if kind == "stakeholder":
        person = Stakeholder.objects.filter(account=account).order_by("pk").first()
        person.name = "Renamed Person"
        person.save()
        return "Renamed Person"
    if kind == "metric":
        SuccessMetric.objects.create(
            account=account, name="tickets resolved", unit="%", target=80, achieved=92, as_of=AS_OF
        )
        return "tickets resolved"
    account.name = "Northwind Renamed"
    account.save()
    return "Northwind Renamed"


@pytest.mark.parametrize(
    "write", ["criterion", "stage", "deal", "stakeholder", "metric", "account"]
)
def test_every_write_the_opportunity_page_shows_is_seen_on_the_next_request(
    opportunity, write, django_capture_on_commit_callbacks
) -> None:
    client = _client("ae1")
    url = f"/opportunities/{opportunity.pk}/"
    before = client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        expected = _write(write, opportunity)

    assert expected not in before
    assert expected in client.get(url).content.decode()


@pytest.mark.parametrize("write", ["account", "stage", "scoring"])
def test_every_write_the_list_shows_is_seen_on_the_next_request(
    opportunity, write, django_capture_on_commit_callbacks
) -> None:
    client = _client("ae1")
    before = _results(client).content.decode()
    page_before = client.get(LIST).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        if write == "account":
            account = Account.objects.get(pk=opportunity.account_id)
            account.name = "Northwind Renamed"
            account.save()
            check = (lambda html: "Northwind Renamed" in html, "Northwind Renamed" in before)
        elif write == "stage":
            services.opportunity_stage_change(opportunity=opportunity, stage="won")
            gone = f'<tr id="opp-{opportunity.pk}"'
            check = (lambda html: gone not in html, gone not in before)
        else:
            scoring_services.scoring_run_execute(as_of=dt.date(2026, 7, 1))
            check = (lambda html: "Scored as of 1 Jul 2026" in html, False)

    seen, already = check
    assert not already
    if write != "scoring":  # the partial does not show the run's date
        assert seen(_results(client).content.decode())
    assert seen(client.get(LIST).content.decode())
    assert not seen(page_before)


def test_cached_forms_carry_each_sessions_own_csrf_token(opportunity) -> None:
    """GIVEN the page cached by one session of ae1 WHEN another session of ae1 reads it THEN
    the token in its forms is valid for that session (and is not the first session's)."""
    url = f"/opportunities/{opportunity.pk}/"
    first = _client("ae1", enforce_csrf_checks=True)
    first_page = first.get(url).content.decode()
    other = _client("ae1", enforce_csrf_checks=True)

    page = other.get(url).content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)

    assert tokens and CSRF_PLACEHOLDER not in page
    assert not set(tokens) & set(re.findall(r'csrfmiddlewaretoken" value="([^"]+)"', first_page))
    form = re.search(r'action="(/opportunities/\d+/deal/)"', page).group(1)
    response = other.post(form, {"csrfmiddlewaretoken": tokens[0], "notes": "From the form"})
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.notes == "From the form"


def test_another_scope_never_gets_someone_elses_cached_page(opportunity) -> None:
    url = f"/opportunities/{opportunity.pk}/"
    ae1 = _client("ae1")
    assert "Move the opportunity" in ae1.get(url).content.decode()
    ae1_rows = _results(ae1).content.decode()

    # Another AE: not theirs, a 404, not ae1's cached page.
    ae2 = _client("ae2")
    assert ae2.get(url).status_code == 404
    ae2_rows = _results(ae2).content.decode()
    assert f'<tr id="opp-{opportunity.pk}"' in ae1_rows
    assert f'<tr id="opp-{opportunity.pk}"' not in ae2_rows
    # A CSM who reads the account: the page without ae1's forms.
    csm = _client("csm1")
    html = csm.get(url).content.decode()
    assert "You can read this opportunity" in html and "Move the opportunity" not in html


def test_page_links_are_the_whole_range_rule_on_the_pages_it_shows() -> None:
    """The pagination looks at a few pages, not every page of the book, with the rule the
    template applied to every page before."""
    from core.paging import page_links

    for last in range(1, 30):
        for number in range(1, last + 1):
            expected = []
            for n in range(1, last + 1):
                if n == number:
                    expected.append((n, "current"))
                elif n == 1 or n == last or (n - 2 <= number and n + 2 >= number):
                    expected.append((n, "link"))
                elif n == 2 or n == last - 1:
                    expected.append((n, "gap"))
            assert page_links(number=number, last=last) == expected, (number, last)
