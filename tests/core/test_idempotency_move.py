"""Idempotency keys moved from ``signals`` to ``core`` (issue 11) without touching the table:
the two migrations change the state only, and the purge keeps the task name beat calls."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from core.models import IdempotencyRecord
from core.tasks import idempotency_records_purge_task


@pytest.mark.django_db
@pytest.mark.parametrize(("app", "migration"), [("core", "0001"), ("signals", "0005")])
def test_the_move_emits_no_sql(app: str, migration: str) -> None:
    out = io.StringIO()
    call_command("sqlmigrate", app, migration, stdout=out)
    statements = [
        line
        for line in out.getvalue().splitlines()
        if line.strip() and not line.startswith("--") and line not in ("BEGIN;", "COMMIT;")
    ]
    assert statements == []
    assert not re.search(r"\b(CREATE|DROP|ALTER)\b", out.getvalue())


def test_the_model_keeps_the_signals_table() -> None:
    assert IdempotencyRecord._meta.db_table == "signals_idempotencyrecord"


def test_the_purge_task_keeps_its_registered_name() -> None:
    assert idempotency_records_purge_task.name == "signals.tasks.idempotency_records_purge_task"
