"""End to end on the real stack: a Celery worker process on Redis runs the nightly scoring
task against PostgreSQL, fanned out as a chord of chunks."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import uuid
from urllib.parse import urlparse, urlunparse

import pytest
from django.core.management import call_command
from django.db import connection

from expansion.celery import app as celery_app
from playbooks.models import Opportunity
from scoring.models import ScoringRun, ScoringRunStatus
from scoring.tasks import score_accounts_task
from tests.conftest import REPO

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(services_urls):
    """A real worker process on its own queue, reading the test database."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    test_db = urlunparse(
        urlparse(services_urls["database"])._replace(path=f"/{connection.settings_dict['NAME']}")
    )
    env = {
        **os.environ,
        "DATABASE_URL": test_db,
        "CELERY_BROKER_URL": services_urls["broker"],
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "expansion.settings.local",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "expansion",
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "-Q",
            queue,
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.task_default_queue)
    conf.task_always_eager, conf.task_default_queue = False, queue
    yield process
    conf.task_always_eager, conf.task_default_queue = saved
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_worker_runs_the_nightly_scoring_end_to_end(sample_book_dir, worker) -> None:
    call_command("import_book", str(sample_book_dir), stdout=io.StringIO())

    run_id = score_accounts_task.delay(as_of="2026-06-30", chunk_size=4).get(timeout=120)

    deadline = time.monotonic() + 120
    run = ScoringRun.objects.get(pk=run_id)
    while run.status == ScoringRunStatus.RUNNING and time.monotonic() < deadline:
        time.sleep(0.5)
        run.refresh_from_db()
    if run.status != ScoringRunStatus.SUCCEEDED:
        worker.terminate()
        pytest.fail(f"run {run.status}: {run.error}\n{worker.stdout.read()[-4000:]}")
    assert run.counts["accounts_scored"] == 11
    assert run.counts["status:ready"] == 6  # scoring.md v2: LW-005 needs a sponsor
    assert Opportunity.objects.exclude(key="").count() == 10  # one held back
    top = Opportunity.objects.exclude(key="").order_by("-score").first()
    assert (top.account.external_id, top.play) == ("AW-006", "automation_audit")
