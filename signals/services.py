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


JSON_TYPES = {bool: "a boolean", list: "an array", dict: "an object"}


def _shape_errors(rows: list) -> list[dict]:
    """Rows that are not objects, and values that are not a string, a number or null."""
    errors = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            errors.append(
                {"index": index, "field": "non_field_errors", "error": "expected an object"}
            )
            continue
        for name in USAGE_FIELDS:
            kind = JSON_TYPES.get(type(row.get(name)))
            if kind:
                errors.append(
                    {
                        "index": index,
                        "field": name,
                        "error": f"expected a string or a number, got {kind}",
                    }
                )
    return errors


def usage_ingest(*, user, rows: list) -> IngestResult:
    """Validate each row, keep the valid ones (upsert by account, metric, date), report the
    others by index and field. Accounts outside the user's reach are unknown to it."""
    result = IngestResult()
    shape_errors = _shape_errors(rows)
    misshapen = {e["index"] for e in shape_errors}
    kept = [i for i in range(len(rows)) if i not in misshapen]
    raw = pd.DataFrame(
        {
            name: ["" if rows[i].get(name) is None else str(rows[i][name]).strip() for i in kept]
            for name in USAGE_FIELDS
        }
    )
    raw.insert(0, LINE, kept)
    accounts = dict(Account.objects.visible_to(user).values_list("external_id", "id"))
    valid, errors, _ = validate_frame(USAGE_SPEC, raw, {"account": accounts}, position="at index")
    result.rejected = sorted(
        shape_errors + [{"index": e.line, "field": e.column, "error": e.reason} for e in errors],
        key=lambda x: (x["index"], x["field"]),
    )
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
