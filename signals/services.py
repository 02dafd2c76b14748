"""Writes of the signals app: usage ingest from the REST API; a person's account signal
(API, admin, pages) through ``account_signal_create/update/delete``.

Usage rows go through the same validation and the same set-based upsert as the book import
(``core.validation`` / ``books.writers``), so a row the API accepts is a row the importer
would accept, and a re-sent day replaces the stored one.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypedDict, TypeVar

import pandas as pd
from django.db import OperationalError, connection, transaction

from accounts.models import Account
from core.bulk import upsert_frame
from core.idempotency import (
    IdempotentAnswer,
    idempotency_answer_store,
    idempotent_run,
)
from core.models import IdempotencyRecord
from core.validation import LINE, validate_frame

from .book import USAGE_FILE
from .models import AccountSignal, DailyUsage

USAGE_FIELDS = ("account_id", "metric", "date", "quantity")
#: PostgreSQL aborts one of two transactions that wait on each other (deadlock detected)
#: or, above READ COMMITTED, that saw each other's writes (serialization failure); a fresh
#: attempt of the aborted one succeeds.
RETRY_SQLSTATES = ("40P01", "40001")
WRITE_ATTEMPTS = 4
T = TypeVar("T")


@dataclass
class IngestResult:
    accepted: int = 0
    rejected: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "rejected": self.rejected}


JSON_TYPES = {bool: "a boolean", list: "an array", dict: "an object"}
SURROGATE_RANGE = range(0xD800, 0xE000)


def _has_surrogate(value) -> bool:
    """A lone surrogate (JSON ``"\\ud800"``) is not text: UTF-8 cannot encode it."""
    return isinstance(value, str) and any(ord(c) in SURROGATE_RANGE for c in value)


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
            if _has_surrogate(row.get(name)):
                errors.append(
                    {
                        "index": index,
                        "field": name,
                        "error": "contains a lone surrogate (invalid text)",
                    }
                )
            elif kind:
                errors.append(
                    {
                        "index": index,
                        "field": name,
                        "error": f"expected a string or a number, got {kind}",
                    }
                )
    return errors


def _retrying(write: Callable[[], T]) -> T:
    """``write()`` in a transaction, run again (a few times, after a short random pause)
    when PostgreSQL aborts it for a deadlock or a serialization failure. Inside an outer
    transaction there is nothing to retry: the error goes up as it is."""
    outer = connection.in_atomic_block
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return write()
        except OperationalError as exc:
            sqlstate = getattr(exc.__cause__, "sqlstate", None)
            if outer or attempt == WRITE_ATTEMPTS or sqlstate not in RETRY_SQLSTATES:
                raise
            time.sleep(random.uniform(0.02, 0.1) * attempt)
    raise AssertionError("unreachable")


def usage_ingest(
    *, user, rows: list, idempotency: IdempotencyRecord | None = None
) -> IngestResult:
    """Validate each row, keep the valid ones (upsert by account, metric, date), report the
    others by index and field. Accounts outside the user's reach are unknown to it.

    ``idempotency``: the claimed key's record, given the answer in the same transaction as
    the rows (so a stored answer always describes rows that were written)."""
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
    accounts = dict(Account.objects.restrict(user).values_list("external_id", "id"))
    valid, errors, _ = validate_frame(USAGE_FILE, raw, {"account": accounts}, position="at index")
    result.rejected = sorted(
        shape_errors + [{"index": e.line, "field": e.column, "error": e.reason} for e in errors],
        key=lambda x: (x["index"], x["field"]),
    )
    result.accepted = len(valid)

    def write() -> None:
        upsert_frame(DailyUsage, valid.drop(columns=LINE), key_fields=USAGE_FILE.key_fields)
        if idempotency is not None:
            idempotency_answer_store(record=idempotency, status_code=200, body=result.as_dict())

    _retrying(write)
    return result


def usage_ingest_once(*, user, rows: list, key: str, request_hash: str) -> IdempotentAnswer:
    """``usage_ingest`` at most once per (user, key) within 24 hours (``core.idempotency``):
    the first request with the key runs; a later one with the same body gets the stored
    answer, with another body 422 and nothing stored; while the first still runs, 409."""

    def ingest(record: IdempotencyRecord) -> IdempotentAnswer:
        result = usage_ingest(user=user, rows=rows, idempotency=record)
        return IdempotentAnswer(200, result.as_dict())

    return idempotent_run(
        user=user, endpoint="usage", key=key, request_hash=request_hash, run=ingest
    )


class AccountSignalChanges(TypedDict, total=False):
    account: Account
    date: dt.date
    kind: str
    value: Decimal | None
    department: str
    detail: str


@transaction.atomic
def account_signal_create(
    *,
    account: Account,
    date: dt.date,
    kind: str,
    value: Decimal | None = None,
    department: str = "",
    detail: str = "",
) -> AccountSignal:
    return AccountSignal.objects.create(
        account=account, date=date, kind=kind, value=value, department=department, detail=detail
    )


@transaction.atomic
def account_signal_update(*, signal: AccountSignal, changes: AccountSignalChanges) -> AccountSignal:
    for name, value in changes.items():
        setattr(signal, name, value)
    signal.save()
    return signal


@transaction.atomic
def account_signal_delete(*, signal: AccountSignal) -> None:
    signal.delete()
