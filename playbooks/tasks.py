"""Celery tasks: thin wrappers that take primitives and call one service each.

The nightly run fans out as a chord: one ``scoring_chunk_score_task`` per account-id range,
then ``scoring_run_finish_task`` with their counts. Without a broker (the embedded default)
Celery runs them eagerly, in-process.
"""

from __future__ import annotations

import datetime as dt

from celery import chord, shared_task
from django.utils import timezone

from . import services
from .alerts import usage_alerts_notify


@shared_task(acks_late=True)
def scoring_chunk_score_task(run_id: int, lo: int, hi: int) -> dict[str, int]:
    try:
        return services.scoring_chunk_score(run_id=run_id, lo=lo, hi=hi)
    except Exception as exc:
        services.scoring_run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(acks_late=True)
def scoring_run_finish_task(chunk_counts: list[dict[str, int]], run_id: int) -> int:
    return services.scoring_run_finish(run_id=run_id, chunk_counts=chunk_counts).pk


@shared_task
def score_accounts_task(
    as_of: str | None = None, chunk_size: int = services.DEFAULT_CHUNK_SIZE
) -> int:
    """The nightly scoring (default: today). Returns the ScoringRun id."""
    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    run = services.scoring_run_create(as_of=day)
    chunks = services.scoring_chunks(chunk_size=chunk_size)
    if not chunks:
        services.scoring_run_finish(run_id=run.pk, chunk_counts=[])
        return run.pk
    chord(scoring_chunk_score_task.s(run.pk, lo, hi) for lo, hi in chunks)(
        scoring_run_finish_task.s(run.pk)
    )
    return run.pk


@shared_task(
    acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5
)
def usage_alerts_notify_task(as_of: str, lo: int, hi: int) -> int:
    return usage_alerts_notify(as_of=dt.date.fromisoformat(as_of), lo=lo, hi=hi)
