"""Celery tasks: thin wrappers that take primitives and call one service each.

The nightly run fans out as a chord: one ``scoring_chunk_score_task`` per account-id range,
then ``scoring_run_finish_task`` with their counts. Without a broker (the embedded default)
Celery runs them eagerly, in-process.

The tasks moved here from ``playbooks.tasks`` (issue 11) and keep their registered names
(``name=``): the django-celery-beat rows and any message queued before a deploy name them so.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import chord, shared_task
from django.utils import timezone

from . import services
from .alerts import usage_alerts_notify

logger = logging.getLogger(__name__)

#: A nightly trigger that finds a run of another date in progress tries again this often.
BUSY_RETRY_SECONDS = 300


@shared_task(name="playbooks.tasks.scoring_chunk_score_task", acks_late=True)
def scoring_chunk_score_task(run_id: int, lo: int, hi: int) -> dict[str, int]:
    try:
        return services.scoring_chunk_score(run_id=run_id, lo=lo, hi=hi)
    except Exception as exc:
        services.scoring_run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(name="playbooks.tasks.scoring_run_finish_task", acks_late=True)
def scoring_run_finish_task(chunk_counts: list[dict[str, int]], run_id: int) -> int:
    run_id = services.scoring_run_finish(run_id=run_id, chunk_counts=chunk_counts).pk
    usage_alerts_sweep_task.delay()  # what earlier runs or failed sends left unsent
    return run_id


@shared_task(name="playbooks.tasks.score_accounts_task", bind=True, max_retries=24)
def score_accounts_task(
    self, as_of: str | None = None, chunk_size: int = services.DEFAULT_CHUNK_SIZE
) -> int | None:
    """The nightly scoring (default: today). Returns the ScoringRun id. A duplicate trigger
    joins the run of the same date in progress (returns its id); while a run of another
    date is in progress it tries again later (with a broker) or gives up with a warning."""
    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    try:
        run = services.scoring_run_create(as_of=day)
    except services.ScoringRunInProgress as busy:
        if busy.run.as_of == day:
            logger.warning("%s: joining it", busy)
            return busy.run.pk
        if not self.request.is_eager:
            raise self.retry(countdown=BUSY_RETRY_SECONDS) from None
        logger.warning("%s: no run for %s", busy, day)
        return None
    chunks = services.scoring_chunks(chunk_size=chunk_size)
    if not chunks:
        services.scoring_run_finish(run_id=run.pk, chunk_counts=[])
        return run.pk
    chord(scoring_chunk_score_task.s(run.pk, lo, hi) for lo, hi in chunks)(
        scoring_run_finish_task.s(run.pk)
    )
    return run.pk


@shared_task(
    name="playbooks.tasks.usage_alerts_notify_task", bind=True, acks_late=True, max_retries=8
)
def usage_alerts_notify_task(self, as_of: str | None, lo: int, hi: int) -> int:
    """Send the unsent alerts of one chunk (``as_of`` None: of any day). Failed e-mails are
    retried with backoff by a worker; run in-process, they wait for the next run or sweep."""
    delivery = usage_alerts_notify(
        as_of=dt.date.fromisoformat(as_of) if as_of else None, lo=lo, hi=hi
    )
    if delivery.failed and delivery.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=delivery.retry_in.total_seconds() + 1)
    return delivery.sent


@shared_task(name="playbooks.tasks.usage_alerts_sweep_task", acks_late=True)
def usage_alerts_sweep_task() -> int:
    """Periodic ("Unsent usage alerts") and after each run: whatever is still unsent."""
    return usage_alerts_notify().sent


@shared_task(name="playbooks.tasks.scoring_runs_reap_task")
def scoring_runs_reap_task() -> list[int]:
    """Periodic ("Stale scoring runs"): runs whose process is gone are marked failed."""
    return services.scoring_runs_reap()
