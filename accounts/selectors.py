"""Reads of accounts alone (the reads that join the scoring's results are in
``scoring.selectors``)."""

from __future__ import annotations

from .models import Account
from .querysets import sees_everything


def account_owner_emails(*, user) -> list[str]:
    """The AEs' e-mails a user may filter lists by: every owner for those who see every
    account (managers), none for the others (their list is their own book)."""
    if not sees_everything(user):
        return []
    return list(
        Account.objects.exclude(owner_email="")
        .order_by("owner_email")
        .values_list("owner_email", flat=True)
        .distinct()
    )
