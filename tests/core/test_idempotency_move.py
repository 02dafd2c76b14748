"""Idempotency keys moved from ``signals`` to ``core`` (issue 11) without touching the table:
the two migrations change the state only, and the purge keeps the task name beat calls."""

from __future__ import annotations

import pytest
from django.db.migrations import RunPython, SeparateDatabaseAndState
from django.db.migrations.loader import MigrationLoader

from core.models import IdempotencyRecord
from core.tasks import idempotency_records_purge_task


@pytest.mark.parametrize(
    ("app", "migration"), [("core", "0001_initial"), ("signals", "0005_delete_idempotencyrecord")]
)
def test_the_move_changes_no_table(app: str, migration: str) -> None:
    """Every schema operation is state-only; the one data step renames the content type."""
    operations = MigrationLoader(None).get_migration(app, migration).operations
    for operation in operations:
        if isinstance(operation, SeparateDatabaseAndState):
            assert operation.database_operations == []
            assert operation.state_operations
        else:
            assert isinstance(operation, RunPython)


def test_the_model_keeps_the_signals_table() -> None:
    assert IdempotencyRecord._meta.db_table == "signals_idempotencyrecord"


def test_the_purge_task_keeps_its_registered_name() -> None:
    assert idempotency_records_purge_task.name == "signals.tasks.idempotency_records_purge_task"
