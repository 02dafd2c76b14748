"""Celery tasks of the infrastructure (thin: one function each)."""

from __future__ import annotations

from celery import shared_task

from .idempotency import idempotency_records_purge


# The registered name is the one it had in ``signals`` (beat rows and queued messages use it).
@shared_task(name="signals.tasks.idempotency_records_purge_task")
def idempotency_records_purge_task() -> int:
    """Daily: forget Idempotency-Keys older than 24 hours (they no longer replay anyway)."""
    return idempotency_records_purge()
