"""The judgment book (one account per rule of scoring.md v2 that keeps a play defensible):
its EXPECTED.md through the REST API after ``import_book`` and ``score_accounts``."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import Account
from playbooks.models import Opportunity, Stage
from scoring.models import AccountAction, HealthSnapshot
from tests.conftest import SHARED
from tests.factories import UserFactory

from .expected_md import assert_api_matches, read_expected

pytestmark = pytest.mark.django_db
JUDGMENT_BOOK = SHARED / "judgment-book"
AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def judgment_book(db):
    if not JUDGMENT_BOOK.is_dir():
        pytest.fail(f"the judgment book is missing: {JUDGMENT_BOOK}")
    call_command("import_book", str(JUDGMENT_BOOK), stdout=io.StringIO())
    assert Account.objects.count() == 7
    call_command("score_accounts", "--as-of", AS_OF.isoformat(), stdout=io.StringIO())


def _all(client: APIClient, url: str) -> list[dict]:
    results = []
    while url:
        page = client.get(url).json()
        results += page["results"]
        url = page["next"]
    return results


def test_judgment_book_gives_expected_md_through_the_api(judgment_book) -> None:
    client = APIClient()
    client.force_authenticate(UserFactory(username="boss", roles=["manager"]))
    expected = read_expected(JUDGMENT_BOOK / "EXPECTED.md")
    assert len(expected) == 7
    accounts = _all(client, "/api/v1/accounts/")
    opportunities = [
        o
        for o in _all(client, "/api/v1/opportunities/?page_size=500")
        if o["stage"] == "identified"
    ]
    assert_api_matches(expected, accounts, opportunities)


def test_explanations_name_what_the_rules_saw(judgment_book) -> None:
    held = {
        h.account.external_id: h.held_back
        for h in HealthSnapshot.objects.filter(as_of=AS_OF).select_related("account")
    }
    assert held["LH-014"][0]["detail"] == "CREDIT lost on 2026-04-15"
    assert held["GD-016"][0]["detail"] == "upsell deal for CORE-ENT at proposal already"
    assert held["FC-015"][0]["detail"] == "waits for tier_upgrade -> CORE-PRO"
    lamna = Opportunity.objects.get(account__external_id="LH-014", stage=Stage.IDENTIFIED)
    assert "left CORE-ENT on 2025-04-30" in lamna.explanation
    assert "hours saved at 30 % of target" in lamna.explanation
    detail = AccountAction.objects.get(account__external_id="TR-017", as_of=AS_OF).detail
    assert "severity 1 support ticket on 2026-06-20: data loss incident" in detail
    detail = AccountAction.objects.get(account__external_id="MT-013", as_of=AS_OF).detail
    assert "latest NPS 6 on 2026-05-20" in detail
