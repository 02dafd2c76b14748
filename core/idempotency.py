"""Idempotency keys for API writes (Stripe's rules): a request with an ``Idempotency-Key``
runs at most once per (user, endpoint, key) within 24 hours; a retry with the same body gets
the stored answer, another body 422 and nothing done, a retry while the first still runs 409.

The key is claimed in its own committed transaction before the work runs (so concurrent
requests see it); the work stores its answer with ``idempotency_answer_store`` in the same
transaction as its writes (so a stored answer always describes writes that happened); a
failure releases the key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import IdempotencyRecord

IDEMPOTENCY_TTL = dt.timedelta(hours=24)
#: A key claimed this long ago whose request never finished (its process died) may be
#: claimed again; far longer than any request may run.
IDEMPOTENCY_IN_FLIGHT_TIMEOUT = dt.timedelta(minutes=10)


@dataclass
class IdempotentAnswer:
    """What a request with an ``Idempotency-Key`` gets: the ingest's answer (``replayed``
    when stored by an earlier request with the key), or an error for the key's misuse."""

    status_code: int
    body: dict
    replayed: bool = False



def idempotency_claim(
    *, user, endpoint: str, key: str, request_hash: str
) -> tuple[str, IdempotencyRecord | None]:
    """Claim the key for this request, committed at once (its own transaction) so that
    concurrent requests with the key see it: ("new", record) when this request must run;
    otherwise the key's record with "replay", "in_flight" or "mismatch" (another body).
    An expired record, or a claim abandoned in flight, is replaced."""
    record = None
    for _ in range(3):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, endpoint=endpoint, key=key, request_hash=request_hash
                )
            return "new", record
        except IntegrityError:
            pass
        record = IdempotencyRecord.objects.filter(user=user, endpoint=endpoint, key=key).first()
        if record is None:
            continue  # removed meanwhile: claim again
        now = timezone.now()
        expired = record.created < now - IDEMPOTENCY_TTL
        abandoned = record.status_code is None and (
            record.created < now - IDEMPOTENCY_IN_FLIGHT_TIMEOUT
        )
        if expired or abandoned:
            IdempotencyRecord.objects.filter(pk=record.pk, created=record.created).delete()
            continue
        # Records stored before bodies were hashed have none: taken as the same body.
        if record.request_hash and record.request_hash != request_hash:
            return "mismatch", record
        return ("in_flight" if record.status_code is None else "replay"), record
    return "in_flight", record


def idempotency_records_purge() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(
        created__lt=timezone.now() - IDEMPOTENCY_TTL
    ).delete()
    return deleted


def idempotency_answer_store(*, record: IdempotencyRecord, status_code: int, body: dict) -> None:
    """The answer to replay for the claimed key; call it inside the work's transaction."""
    IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=status_code, response=body)


def idempotent_run(
    *,
    user,
    endpoint: str,
    key: str,
    request_hash: str,
    run: Callable[[IdempotencyRecord], IdempotentAnswer],
) -> IdempotentAnswer:
    """``run(record)`` at most once per (user, endpoint, key): the first request with the key
    runs (and must store its answer with ``idempotency_answer_store``); a later one with the
    same body gets the stored answer, with another body 422, while the first still runs 409."""
    state, record = idempotency_claim(
        user=user, endpoint=endpoint, key=key, request_hash=request_hash
    )
    if state == "mismatch":
        return IdempotentAnswer(
            422,
            {"detail": "this Idempotency-Key was used with a different request body"},
        )
    if state == "in_flight":
        return IdempotentAnswer(
            409, {"detail": "a request with this Idempotency-Key is still in progress"}
        )
    if state == "replay":
        return IdempotentAnswer(record.status_code, record.response, replayed=True)
    try:
        return run(record)
    except BaseException:
        IdempotencyRecord.objects.filter(pk=record.pk, status_code__isnull=True).delete()
        raise
