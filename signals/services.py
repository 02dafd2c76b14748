"""Writes of the signals app: usage ingest from the REST API.

Usage rows go through the same validation and the same set-based upsert as the book import
(``books.validation`` / ``books.writers``), so a row the API accepts is a row the importer
would accept, and a re-sent day replaces the stored one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Account
from books.schema import BOOK_FILES_BY_NAME
from books.validation import LINE, validate_frame
from expansion.bulk import upsert_frame

from .models import DailyUsage, IdempotencyRecord

USAGE_SPEC = BOOK_FILES_BY_NAME["usage.csv"]
USAGE_FIELDS = ("account_id", "metric", "date", "quantity")
IDEMPOTENCY_TTL = dt.timedelta(hours=24)


@dataclass
class IngestResult:
    accepted: int = 0
    rejected: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "rejected": self.rejected}


def _as_text(value) -> str:
    if value is None or isinstance(value, bool | dict | list):
        return "" if value is None else "\0invalid"
    return str(value).strip()


def usage_ingest(*, user, rows: list[dict]) -> IngestResult:
    """Validate each row, keep the valid ones (upsert by account, metric, date), report the
    others by index and field. Accounts outside the user's reach are unknown to it."""
    result = IngestResult()
    raw = pd.DataFrame(
        {
            name: [_as_text(r.get(name)) if isinstance(r, dict) else "\0invalid" for r in rows]
            for name in USAGE_FIELDS
        }
    )
    raw.insert(0, LINE, range(len(rows)))
    not_objects = [i for i, r in enumerate(rows) if not isinstance(r, dict)]
    accounts = dict(Account.objects.visible_to(user).values_list("external_id", "id"))
    valid, errors, _ = validate_frame(USAGE_SPEC, raw, {"account": accounts})
    result.rejected = [
        {
            "index": e.line,
            "field": e.column,
            "error": e.reason.replace("\0invalid", "").replace("on line", "at index"),
        }
        for e in errors
        if e.line not in not_objects
    ] + [
        {"index": i, "field": "non_field_errors", "error": "expected an object"}
        for i in not_objects
    ]
    result.rejected.sort(key=lambda x: (x["index"], x["field"]))
    with transaction.atomic():
        upsert_frame(DailyUsage, valid.drop(columns=LINE), key_fields=USAGE_SPEC.key_fields)
    result.accepted = len(valid)
    return result


def idempotent_response_get(*, user, endpoint: str, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(
        user=user, endpoint=endpoint, key=key, created__gte=timezone.now() - IDEMPOTENCY_TTL
    ).first()


def idempotent_response_save(
    *, user, endpoint: str, key: str, status_code: int, response: dict
) -> None:
    """Store the response for the key; an expired record with the same key is replaced."""
    IdempotencyRecord.objects.filter(
        user=user, endpoint=endpoint, key=key, created__lt=timezone.now() - IDEMPOTENCY_TTL
    ).delete()
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                user=user, endpoint=endpoint, key=key, status_code=status_code, response=response
            )
    except IntegrityError:
        pass  # a concurrent retry stored it first; both carry the same outcome


def idempotency_records_purge() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(
        created__lt=timezone.now() - IDEMPOTENCY_TTL
    ).delete()
    return deleted
