"""QA fixes on the account page: the timeline says a signal's detail once, and an open
opportunity at an account blocked for expansion is flagged on the plays list."""

from __future__ import annotations

import datetime as dt

import pytest

from signals.models import AccountSignal
from tests.factories import AccountFactory
from workspace.selectors.accounts import account_timeline

pytestmark = pytest.mark.django_db


def test_timeline_says_a_signals_detail_once() -> None:
    """GIVEN a severity-4 support ticket 'sync failures'
    WHEN the timeline lists it
    THEN its detail appears once."""
    account = AccountFactory()
    AccountSignal.objects.create(
        account=account,
        date=dt.date(2026, 6, 1),
        kind="support_ticket",
        value=4,
        detail="sync failures",
    )
    events = account_timeline(account_id=account.pk, opportunities=[])
    assert [e["text"] for e in events] == ["Support ticket, severity 4: sync failures"]
