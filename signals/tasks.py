"""Celery tasks of the signals app (thin: one service each)."""

from __future__ import annotations

from celery import shared_task

from .services import idempotency_records_purge


@shared_task
def idempotency_records_purge_task() -> int:
    """Daily: forget Idempotency-Keys older than 24 hours (they no longer replay anyway)."""
    return idempotency_records_purge()
