"""The account executive's pages: the ranked list (the same opportunities in the same order as
the API), its filters and partials, the explanation, the opportunity page's checklist, stage
moves and business case, authorization (404 outside one's reach) and query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from accounts.models import Account
from accounts.services import demo_users_ensure
from playbooks.models import (
    OPEN_STAGES,
    Opportunity,
    OpportunityCriterionCheck,
    OpportunityStageChange,
)
from scoring import services

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)
AE2_ACCOUNTS = ["AW-006", "LW-005", "WW-009", "CW-010"]


@pytest.fixture
def book(imported_sample_book):
    """The sample book scored as of 2026-06-30, four accounts moved to ae2."""
    demo_users_ensure(per_role=2)
    Account.objects.filter(external_id__in=AE2_ACCOUNTS).update(owner_email="ae2@vendor.example")
    return services.scoring_run_execute(as_of=AS_OF)


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password="expansion-demo")
    return client


def _htmx(client: Client, url: str, target: str):
    return client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=target)


def _row_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr id="opp-(\d+)"', html)]


# --- The ranked list ------------------------------------------------------------------


@pytest.mark.parametrize("username", ["ae1", "ae2", "manager"])
def test_list_shows_the_apis_open_opportunities_in_the_apis_order(book, username):
    """GIVEN the sample book scored as of 2026-06-30 and split between two AEs
    WHEN each opens /opportunities/ and reads /api/v1/opportunities/
    THEN the page lists the API's open opportunities (won, lost, expired left out), in order."""
    client = _client(username)
    api = client.get("/api/v1/opportunities/?page_size=500").json()["results"]
    expected = [o["id"] for o in api if o["stage"] in OPEN_STAGES]
    page = client.get("/opportunities/?page=1")
    assert page.status_code == 200
    shown = _row_ids(page.content.decode())
    assert shown == expected[:25]
    assert expected, "the sample book gives every owner something to work"
    if username == "ae2":
        accounts = set(
            Opportunity.objects.filter(pk__in=shown).values_list("account__external_id", flat=True)
        )
        assert accounts <= set(AE2_ACCOUNTS)


def test_list_orders_the_sample_book_as_expected(book):
    """EXPECTED.md: the Northwind tier upgrade ranks above the Coho seat expansion."""
    html = _client("manager").get("/opportunities/").content.decode()
    assert html.index("Northwind Bank") < html.index("Coho Winery")
    assert "Utilization past 90 %" in html  # the top reasons in words


def test_home_is_the_ranked_list_and_needs_a_login(book):
    assert Client().get("/").status_code == 302
    assert Client().get("/opportunities/")["Location"].startswith("/login/")
    assert _client("ae1").get("/")["Location"] == "/opportunities/"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "status=needs_sponsor",
            {("NW-001", "adjacent_cross_sell")},
        ),
        ("play=tier_upgrade", {("NW-001", "tier_upgrade")}),
        ("q=north", {("NW-001", "tier_upgrade"), ("NW-001", "adjacent_cross_sell")}),
        # scoring.md v2: no adjacent cross-sell for WG-007 (no proof of value yet)
        ("q=wg-007", {("WG-007", "compliance_module")}),
        ("segment=smb", set()),
        ("renewal_within=90", set()),
    ],
)
def test_filters_through_the_apis_filterset(book, query, expected):
    client = _client("ae1")
    html = _htmx(client, f"/opportunities/?{query}", "results").content.decode()
    shown = set(
        Opportunity.objects.filter(pk__in=_row_ids(html)).values_list(
            "account__external_id", "play"
        )
    )
    api = client.get(f"/api/v1/opportunities/?{query}&page_size=500").json()["results"]
    assert shown == {
        (o["account"]["external_id"], o["play"]) for o in api if o["stage"] in OPEN_STAGES
    }
    if expected:
        assert expected <= shown


def test_renewal_within_finds_the_renewing_accounts(book):
    html = _client("ae2").get("/opportunities/?renewal_within=90").content.decode()
    accounts = set(
        Opportunity.objects.filter(pk__in=_row_ids(html)).values_list(
            "account__external_id", flat=True
        )
    )
    assert "LW-005" in accounts  # its core line ends within 90 days of the scoring date
    assert "CW-010" not in accounts


def test_htmx_request_gets_the_results_partial_and_a_reload_the_whole_page(book):
    client = _client("ae1")
    partial = _htmx(client, "/opportunities/?ordering=account", "results")
    assert partial.status_code == 200
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body
    assert partial["Vary"] and "HX-Request" in partial["Vary"]
    full = client.get("/opportunities/?ordering=account").content.decode()
    assert "<html" in full and _row_ids(full) == _row_ids(body)
    names = re.findall(r'<span class="cell-title"><a [^>]+>([^<]+)</a>', body)
    assert names == sorted(names)


def test_pagination_keeps_the_filters_and_sort(book):
    _grow(30)  # 30 more ready opportunities for ae1
    client = _client("ae1")
    first = client.get("/opportunities/?status=ready&ordering=account").content.decode()
    assert len(_row_ids(first)) == 25
    assert 'href="?status=ready&amp;ordering=account&amp;page=2"' in first
    second = _htmx(client, "/opportunities/?status=ready&ordering=account&page=2", "results")
    ids = _row_ids(second.content.decode())
    api = client.get("/api/v1/opportunities/?status=ready&ordering=account&page_size=500").json()
    expected = [o["id"] for o in api["results"] if o["stage"] in OPEN_STAGES]
    assert _row_ids(first) + ids == expected


def test_empty_states_say_why(db, imported_sample_book):
    demo_users_ensure(per_role=2)
    not_scored = _client("ae1").get("/opportunities/").content.decode()
    assert "Nothing scored yet" in not_scored
    services.scoring_run_execute(as_of=AS_OF)
    empty_book = _client("ae2").get("/opportunities/").content.decode()
    assert "No open opportunity in your book" in empty_book
    filtered = _client("ae1").get("/opportunities/?q=no-such-account").content.decode()
    assert "No opportunity matches these filters" in filtered


# --- Explanation ----------------------------------------------------------------------


def test_row_expands_to_the_whole_explanation(book):
    client = _client("ae1")
    o = Opportunity.objects.get(account__external_id="NW-001", play="tier_upgrade")
    partial = _htmx(client, f"/opportunities/{o.pk}/", f"why-{o.pk}")
    body = partial.content.decode()
    assert "<html" not in body
    assert "Utilization past 90 %" in body and "Promoter (NPS 9+)" in body
    assert "40 points x health 84.5 % = 33.8" in body
    o2 = Opportunity.objects.get(account__external_id="NW-001", play="adjacent_cross_sell")
    body2 = _htmx(client, f"/opportunities/{o2.pk}/", f"why-{o2.pk}").content.decode()
    assert "halved because it needs a sponsor = 8.4" in body2
    assert "New champion needed" in body2


def test_value_review_shows_no_expansion(book):
    o = Opportunity.objects.get(account__external_id="LW-005", play="value_review")
    html = _client("ae2").get(f"/opportunities/{o.pk}/").content.decode()
    assert "never conditioned on an expansion" in html
    assert "Renewal of Automation Platform Enterprise at the current ARR" in html
    assert "FRAUD" not in html  # the module is its own opportunity, never bundled in


# --- The opportunity page -------------------------------------------------------------


def test_opportunity_outside_ones_reach_is_a_404(book):
    o = Opportunity.objects.get(account__external_id="NW-001", play="tier_upgrade")
    ae2 = _client("ae2")
    assert ae2.get(f"/opportunities/{o.pk}/").status_code == 404
    assert _htmx(ae2, f"/opportunities/{o.pk}/", f"why-{o.pk}").status_code == 404
    assert ae2.post(f"/opportunities/{o.pk}/stage/", {"stage": "qualified"}).status_code == 404
    assert ae2.post(f"/opportunities/{o.pk}/deal/", {"notes": "x"}).status_code == 404
    assert ae2.post(f"/opportunities/{o.pk}/criteria/requirements/", {}).status_code == 404
    assert _client("ae1").get(f"/opportunities/{o.pk}/").status_code == 200


def test_csm_reads_but_cannot_change(book):
    o = Opportunity.objects.get(account__external_id="NW-001", play="tier_upgrade")
    csm = _client("csm1")
    assert csm.get(f"/opportunities/{o.pk}/").status_code == 200
    assert csm.post(f"/opportunities/{o.pk}/stage/", {"stage": "qualified"}).status_code == 403


def test_unsafe_requests_need_the_csrf_token(book):
    o = Opportunity.objects.get(account__external_id="NW-001", play="tier_upgrade")
    client = Client(enforce_csrf_checks=True)
    client.login(username="ae1", password="expansion-demo")
    response = client.post(f"/opportunities/{o.pk}/deal/", {"notes": "x"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    page = client.get(f"/opportunities/{o.pk}/").content.decode()
    token = re.search(r'hx-headers=\'\{"x-csrftoken": "([^"]+)"\}\'', page).group(1)
    ok = client.post(
        f"/opportunities/{o.pk}/deal/",
        {"notes": "x"},
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN=token,
    )
    assert ok.status_code == 200


def test_checklist_data_criteria_and_ticks(book):
    o = Opportunity.objects.get(account__external_id="NW-001", play="tier_upgrade")
    client = _client("ae1")
    html = client.get(f"/opportunities/{o.pk}/").content.decode()
    assert "From the data: health 84.5" in html
    assert "Budget and timeline confirmed with the existing budget owner" in html  # upsell
    assert "target department&#x27;s executive" not in html
    response = client.post(
        f"/opportunities/{o.pk}/criteria/trigger_confirmed/",
        {"checked": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Checked by ae1" in response.content.decode()
    check = OpportunityCriterionCheck.objects.get(opportunity=o, criterion="trigger_confirmed")
    assert check.checked and check.checked_by.username == "ae1"
    # A data criterion cannot be ticked by a person.
    client.post(f"/opportunities/{o.pk}/criteria/health/", {"checked": "1"})
    assert not OpportunityCriterionCheck.objects.filter(criterion="health").exists()


def test_cross_sell_gets_its_own_checklist(book):
    o = Opportunity.objects.get(account__external_id="NW-001", play="adjacent_cross_sell")
    html = _client("ae1").get(f"/opportunities/{o.pk}/").content.decode()
    assert "A new champion in the target department" in html
    assert "Business case presented to the target department&#x27;s executive" in html
    assert (
        "existing budget owner"
        not in html.split("Stages and exit criteria")[1].split("Business case</h2>")[0]
    )


def test_advancing_past_unchecked_criteria_asks_for_a_reason(book):
    o = Opportunity.objects.get(account__external_id="NW-001", play="tier_upgrade")
    client = _client("ae1")
    refused = client.post(
        f"/opportunities/{o.pk}/stage/", {"stage": "qualified"}, HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 200
    assert "give a reason to move on anyway" in refused.content.decode()
    o.refresh_from_db()
    assert o.stage == "identified"
    moved = client.post(
        f"/opportunities/{o.pk}/stage/",
        {"stage": "qualified", "reason": "Sponsor confirmed by phone"},
        HTTP_HX_REQUEST="true",
    )
    assert "Moved to Qualified" in moved.content.decode()
    change = OpportunityStageChange.objects.get(opportunity=o)
    assert (change.from_stage, change.to_stage, change.note) == (
        "identified",
        "qualified",
        "Sponsor confirmed by phone",
    )
    assert change.changed_by.username == "ae1"


def test_advancing_with_every_criterion_checked_needs_no_reason(book):
    o = Opportunity.objects.get(account__external_id="AW-006", play="automation_audit")
    client = _client("ae2")
    # A cross-sell with a new champion needed: its data criterion is unchecked, so tick the
    # person's ones and move from qualified (set by the API's PATCH) to proposal.
    client.patch(
        f"/api/v1/opportunities/{o.pk}/", {"stage": "qualified"}, content_type="application/json"
    )
    for code in (
        "requirements",
        "business_case_validated",
        "department_executive",
        "department_budget",
        "decision_process",
        "technical_requirements",
    ):
        client.post(f"/opportunities/{o.pk}/criteria/{code}/", {"checked": "1"})
    response = client.post(f"/opportunities/{o.pk}/stage/", {"stage": "proposal"})
    assert response.status_code == 302
    o.refresh_from_db()
    assert o.stage == "proposal"
    assert list(o.stage_changes.values_list("to_stage", "note")) == [
        ("qualified", ""),
        ("proposal", ""),
    ]


def test_deal_amount_and_notes(book):
    o = Opportunity.objects.get(account__external_id="NW-001", play="tier_upgrade")
    client = _client("ae1")
    response = client.post(
        f"/opportunities/{o.pk}/deal/",
        {"amount_arr": "90000", "notes": "Call on Monday"},
        HTTP_HX_REQUEST="true",
    )
    assert "Deal saved." in response.content.decode()
    o.refresh_from_db()
    assert o.amount_arr == 90000 and o.notes == "Call on Monday"
    bad = client.post(f"/opportunities/{o.pk}/deal/", {"amount_arr": "-5"}, HTTP_HX_REQUEST="true")
    assert "greater than or equal to 0" in bad.content.decode()


# --- The business case ----------------------------------------------------------------


def test_business_case_anchor_framing_and_ask(book):
    o = Opportunity.objects.get(account__external_id="AW-006", play="automation_audit")
    html = _client("ae2").get(f"/opportunities/{o.pk}/").content.decode()
    assert "You reached 91 % forecast accuracy against a target of 85 %." in html
    assert "Internal referral" in html
    assert "Added ARR" in html


def test_business_case_says_what_to_collect(book):
    o = Opportunity.objects.get(account__external_id="NW-001", play="tier_upgrade")
    html = _client("ae1").get(f"/opportunities/{o.pk}/").content.decode()
    assert "To collect:" in html and "success metric" in html
    assert "$150,000" in html  # CORE-ENT's list price
    assert "replacing Automation Platform Professional" in html


# --- Query counts ---------------------------------------------------------------------


def _grow(book_size: int) -> None:
    """Copy the scored opportunities of NW-001 ``book_size`` times onto new accounts."""
    from tests.factories import AccountFactory

    template = list(
        Opportunity.objects.filter(account__external_id="NW-001", stage__in=OPEN_STAGES)
    )
    for i in range(book_size):
        account = AccountFactory(external_id=f"GROW-{i}", owner_email="ae1@vendor.example")
        for o in template:
            o.pk = None
            o.external_id = None
            o.account = account
            o.key = f"{o.key}-{i}"
            o.save()


@pytest.mark.parametrize(
    "url",
    ["/opportunities/", "/opportunities/?status=ready&ordering=account&page=2", "results"],
)
def test_list_query_count_is_constant(book, django_assert_num_queries, url):
    client = _client("ae1")

    def fetch():
        if url == "results":
            return _htmx(client, "/opportunities/?q=a", "results")
        return client.get(url)

    fetch()
    with django_assert_num_queries(6):
        fetch()
    _grow(40)
    with django_assert_num_queries(6):
        assert fetch().status_code == 200


def test_detail_and_explanation_query_counts_are_constant(book, django_assert_num_queries):
    client = _client("ae1")
    o = Opportunity.objects.get(account__external_id="NW-001", play="tier_upgrade")
    client.get(f"/opportunities/{o.pk}/")
    with django_assert_num_queries(12):
        client.get(f"/opportunities/{o.pk}/")
    with django_assert_num_queries(5):
        _htmx(client, f"/opportunities/{o.pk}/", f"why-{o.pk}")
    _grow(40)
    for code in ("requirements", "decision_process"):
        client.post(f"/opportunities/{o.pk}/criteria/{code}/", {"checked": "1"})
    with django_assert_num_queries(12):
        client.get(f"/opportunities/{o.pk}/")
    with django_assert_num_queries(5):
        _htmx(client, f"/opportunities/{o.pk}/", f"why-{o.pk}")


def test_closed_crm_opportunity_page_reads_without_a_score(book):
    """An opportunity imported from the CRM (no trigger, no scoring date), already lost."""
    o = Opportunity.objects.get(external_id="AS-011-O2")
    response = _client("ae1").get(f"/opportunities/{o.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "imported from the CRM" in html
    assert "The score</h3>" not in html
    assert "Move the opportunity" not in html  # closed: nothing to move


def test_managers_list_query_count_is_constant(book, django_assert_num_queries):
    """A manager's list also reads the owners for its owner filter: one more query."""
    client = _client("manager")
    client.get("/opportunities/?owner=ae1@vendor.example")
    with django_assert_num_queries(7):
        client.get("/opportunities/?owner=ae1@vendor.example")
    _grow(40)
    with django_assert_num_queries(7):
        assert client.get("/opportunities/?owner=ae1@vendor.example").status_code == 200


# --- Every route, every role ----------------------------------------------------------

ROUTES = [
    # (name, method, path template, htmx target)
    ("home", "get", "/", None),
    ("list", "get", "/opportunities/", None),
    ("list-rows", "get", "/opportunities/?status=ready", "results"),
    ("detail", "get", "/opportunities/{pk}/", None),
    ("why", "get", "/opportunities/{pk}/", "why-{pk}"),
    ("stage", "post", "/opportunities/{pk}/stage/", None),
    ("deal", "post", "/opportunities/{pk}/deal/", None),
    ("tick", "post", "/opportunities/{pk}/criteria/requirements/", None),
]
# NW-001 belongs to ae1 (and csm1); ae2 owns other accounts.
EXPECTED = {
    "anonymous": {
        "home": 302,
        "list": 302,
        "list-rows": 302,
        "detail": 302,
        "why": 302,
        "stage": 302,
        "deal": 302,
        "tick": 302,
    },
    "ae1": {
        "home": 302,
        "list": 200,
        "list-rows": 200,
        "detail": 200,
        "why": 200,
        "stage": 200,
        "deal": 200,
        "tick": 200,
    },
    "ae2": {
        "home": 302,
        "list": 200,
        "list-rows": 200,
        "detail": 404,
        "why": 404,
        "stage": 404,
        "deal": 404,
        "tick": 404,
    },
    "csm1": {
        "home": 302,
        "list": 200,
        "list-rows": 200,
        "detail": 200,
        "why": 200,
        "stage": 403,
        "deal": 403,
        "tick": 403,
    },
    "manager": {
        "home": 302,
        "list": 200,
        "list-rows": 200,
        "detail": 200,
        "why": 200,
        "stage": 200,
        "deal": 200,
        "tick": 200,
    },
}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_every_route_for_every_role(book, username):
    """One table: each page and partial, each role. Outside one's reach is a 404 whatever
    the method; every answer carries the Content-Security-Policy."""
    assert set(EXPECTED[username]) == {name for name, *_ in ROUTES}, "a route without an entry"
    client = Client() if username == "anonymous" else _client(username)
    pk = Opportunity.objects.get(account__external_id="NW-001", play="tier_upgrade").pk
    for name, method, template, target in ROUTES:
        path = template.format(pk=pk)
        headers = {}
        if target:
            headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": target.format(pk=pk)}
        if method == "post":
            headers["HTTP_HX_REQUEST"] = "true"
            response = client.post(path, {"stage": "identified", "checked": ""}, **headers)
        else:
            response = client.get(path, **headers)
        assert response.status_code == EXPECTED[username][name], (username, name)
        assert "default-src 'self'" in response["Content-Security-Policy"]


def test_list_ignores_bad_parameters(book):
    client = _client("ae1")
    response = client.get("/opportunities/?status=bogus&page=abc&renewal_within=x&ordering=nope")
    assert response.status_code == 200
    assert _row_ids(response.content.decode()) == _row_ids(
        client.get("/opportunities/").content.decode()
    )


def test_form_partials_query_counts_are_constant(book, django_assert_num_queries):
    """The htmx answers to a tick, a deal save and a refused stage move: the same number of
    queries on a small and a grown book."""
    client = _client("ae1")
    o = Opportunity.objects.get(account__external_id="NW-001", play="tier_upgrade")
    url = f"/opportunities/{o.pk}"

    def calls():
        client.post(f"{url}/criteria/requirements/", {"checked": "1"}, HTTP_HX_REQUEST="true")
        client.post(f"{url}/deal/", {"notes": "n"}, HTTP_HX_REQUEST="true")
        client.post(f"{url}/stage/", {"stage": "proposal"}, HTTP_HX_REQUEST="true")

    calls()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        calls()
    _grow(40)
    with django_assert_num_queries(len(small.captured_queries)):
        calls()


def test_capacity_ask_sizes_the_extra_units_from_the_list_price(book):
    """Coho Winery uses 46 of its 50 seats: 8 more bring it back to 80 % of a 58-seat limit,
    at CORE-STARTER's list price per seat (24,000 / 50)."""
    o = Opportunity.objects.get(account__external_id="CW-010", play="seat_expansion")
    html = _client("ae2").get(f"/opportunities/{o.pk}/").content.decode()
    assert "seats: 46 used of 50; 8 more to be back at 80 % of the limit" in html
    assert "$3,840" in html
