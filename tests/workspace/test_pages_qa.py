"""QA fixes on the account executive's pages: a deal in progress at an account blocked for
expansion says so, the business case of an imported deal, the printed case, the stage bar,
the branded error pages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client

from accounts.models import Account, Product
from accounts.services import demo_users_ensure
from playbooks.models import Opportunity
from scoring import services
from scoring.models import HealthSnapshot, UtilizationSnapshot
from signals.models import SuccessMetric
from workspace.selectors.opportunities import opportunity_page

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def book(imported_sample_book):
    demo_users_ensure(per_role=2)
    return services.scoring_run_execute(as_of=AS_OF)


def _client(username: str = "manager") -> Client:
    client = Client()
    assert client.login(username=username, password="expansion-demo")
    return client


def _blocked_account() -> tuple[Account, dict]:
    snap = (
        HealthSnapshot.objects.filter(as_of=AS_OF, eligible=False)
        .exclude(reasons=[])
        .order_by("score")
        .select_related("account")
        .first()
    )
    assert snap is not None, "the sample book has an account blocked for expansion"
    return snap.account, {"score": snap.score, "reasons": snap.reasons}


def _imported(account: Account, **fields) -> Opportunity:
    """A deal imported from the CRM: no play, no triggers, never scored."""
    values = {
        "account": account,
        "external_id": "CRM-QA-1",
        "play": "",
        "motion": "upsell",
        "stage": "proposal",
        "score": 0,
        "created": dt.date(2026, 5, 1),
    }
    values.update(fields)
    return Opportunity.objects.create(**values)


def test_deal_at_a_blocked_account_shows_the_guardrail_reasons(book):
    """GIVEN a deal imported at Proposal at an account whose latest health snapshot blocks
    expansion
    WHEN its page, its ranked-list row's explanation and the account page are read
    THEN each says the account is blocked for expansion, with the reasons in words."""
    account, snap = _blocked_account()
    o = _imported(account)
    client = _client()
    page = client.get(f"/opportunities/{o.pk}/").content.decode()
    assert "The account is blocked for expansion" in page
    if "unhealthy" in snap["reasons"]:
        assert f"unhealthy (health {snap['score']:.1f})" in page
    assert "recover first" in page
    row = client.get(
        f"/opportunities/{o.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET=f"why-{o.pk}"
    ).content.decode()
    assert "The account is blocked for expansion" in row
    account_page = client.get(f"/accounts/{account.external_id}/").content.decode()
    assert "Blocked for expansion" in account_page


def _owned_and_used() -> tuple[Account, object]:
    """An account and a product it owns whose usage is measured on the scoring date."""
    u = (
        UtilizationSnapshot.objects.filter(as_of=AS_OF, ratio__gt=0.8)
        .select_related("entitlement__contract__account", "entitlement__contract__product")
        .order_by("-ratio")
        .first()
    )
    assert u is not None
    return u.entitlement.contract.account, u.entitlement.contract.product


def test_imported_upsell_of_an_owned_product_is_sized_by_extra_units(book):
    """GIVEN a deal imported from the CRM (no play) upselling a product the account owns
    WHEN its business case is read
    THEN the ask is extra capacity, not a second licence at full list price; and the amount
    recorded on the deal, once there is one, is the ask."""
    account, product = _owned_and_used()
    o = _imported(account, target_product=product, stage="qualified")
    ask = opportunity_page(opportunity=o)["case"]["ask"]
    assert ask["kind"] == "capacity"
    assert ask["proposed"] is None or ask["proposed"] < product.list_arr
    assert ask["proposed"] is not None or "collect" in ask["missing"]
    o.amount_arr = Decimal("12345.00")
    o.save()
    ask = opportunity_page(opportunity=o)["case"]["ask"]
    assert ask["proposed"] == Decimal("12345.00")
    assert ask["increase"] == Decimal("12345.00")
    assert "recorded on the deal" in ask["basis"]


def _customer_why(html: str) -> str:
    match = re.search(r'<p class="print-only customer-why">(.*?)</p>', html, re.S)
    assert match, "the printed case has a customer-facing sentence"
    return re.sub(r"<[^>]+>", "", match.group(1))


@pytest.mark.parametrize("external_id", ["NW-001", "AW-006", "LW-005"])
def test_printed_business_case_speaks_to_the_customer(book, external_id):
    """GIVEN scored opportunities (utilization, referral, renewal, NPS triggers)
    WHEN the opportunity page is printed
    THEN the case's why-now sentence names products (no SKU), has no NPS, no sponsor, no
    internal priority wording, and the internal explanation does not print."""
    skus = set(Product.objects.values_list("sku", flat=True))
    for o in Opportunity.objects.filter(account__external_id=external_id, stage="identified"):
        html = _client().get(f"/opportunities/{o.pk}/").content.decode()
        case = html[html.index('id="case-title"') :]
        why = _customer_why(case)
        assert not any(sku in why for sku in skus), why
        assert "NPS" not in why and "sponsor" not in why.lower() and "priority" not in why
        assert not re.search(r"\d{4}-\d{2}-\d{2}", why), why
        if o.explanation and o.motion != "renewal":
            assert f'<p class="muted no-print">{o.explanation}' in unescape(case)


def test_ask_says_added_or_new_line_arr_and_the_account_total(book):
    """GIVEN a tier upgrade (replaces a line) and a cross-sell (adds one)
    WHEN their business cases are read
    THEN the upgrade's ask is 'New ARR for the line', the cross-sell's 'Added ARR', and each
    shows the account's ARR after it beside today's."""
    upgrade = Opportunity.objects.get(account__external_id="NW-001", play="tier_upgrade")
    cross = Opportunity.objects.get(account__external_id="AW-006", play="automation_audit")
    for o, words in ((upgrade, "New ARR for the line"), (cross, "Added ARR")):
        case = opportunity_page(opportunity=o)["case"]
        html = _client().get(f"/opportunities/{o.pk}/").content.decode()
        assert words in html and "Proposed ARR" not in html
        assert "Account ARR after" in html
        assert case["total_after"] == case["current_arr"] + case["ask"]["increase"]
        assert f"${case['total_after']:,.0f}" in html


def test_a_skipped_stage_is_not_marked_done(book):
    """GIVEN a deal at Proposal whose Qualified criteria were never checked (moved past with a
    reason, or imported there)
    WHEN its page is read
    THEN the stage bar marks Qualified as skipped, not done."""
    account, _ = _owned_and_used()
    o = _imported(account)
    html = _client().get(f"/opportunities/{o.pk}/").content.decode()
    start = html.index('<ol class="stages"')
    bar = html[start : html.index("</ol>", start)]
    assert '<li class="skipped">Qualified' in bar
    assert '<li class="done">Qualified' not in bar
    assert '<li class="current" aria-current="step">Proposal' in bar


def test_anchor_says_the_unit_once(book):
    """GIVEN a success metric 'automated workflows' counted in workflows
    WHEN the business case anchors on it
    THEN it reads 'You reached 104 automated workflows', not '104 workflows of automated
    workflows'."""
    account, _ = _owned_and_used()
    SuccessMetric.objects.filter(account=account).delete()
    SuccessMetric.objects.create(
        account=account,
        name="automated workflows",
        unit="workflows",
        target=212,
        achieved=104,
        as_of=AS_OF,
    )
    o = _imported(account)
    html = " ".join(_client().get(f"/opportunities/{o.pk}/").content.decode().split())
    assert "You reached 104 automated workflows against a target of 212." in html
    assert "workflows of automated workflows" not in html
