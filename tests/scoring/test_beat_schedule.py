"""The migrated beat schedule names only tasks Celery knows (the tasks moved to ``scoring``)."""

from __future__ import annotations

import pytest
from django_celery_beat.models import PeriodicTask

from expansion.celery import app

pytestmark = pytest.mark.django_db


def test_every_scheduled_task_is_a_registered_task() -> None:
    """GIVEN the migrated schedule WHEN Celery loads the apps' tasks THEN every row names one."""
    app.loader.import_default_modules()
    scheduled = set(PeriodicTask.objects.values_list("task", flat=True))
    assert scheduled >= {
        "playbooks.tasks.score_accounts_task",
        "playbooks.tasks.usage_alerts_sweep_task",
        "playbooks.tasks.scoring_runs_reap_task",
        "signals.tasks.idempotency_records_purge_task",
    }
    assert scheduled <= set(app.tasks), scheduled - set(app.tasks)
