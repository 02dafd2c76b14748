"""Kills and concurrency of the nightly scoring with real processes on PostgreSQL (issue 10,
items 8, 9, 10): ``manage.py score_accounts`` processes killed with SIGKILL mid-run, several
started at once, and duplicate nightly triggers on a real Celery worker.

A process is held mid-run by a table lock that this test takes on its own connection: the
process blocks on its first write to that table, which is where it is killed (or left
waiting while the others start)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from scoring.models import HealthSnapshot, Notification, ScoringRun, ScoringRunStatus, UsageAlert
from tests.conftest import REPO
from tests.factories import UserFactory
from tests.integration.test_celery_worker import worker  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
AS_OF = "2026-06-30"


@pytest.fixture
def book(services_urls, sample_book_dir) -> str:
    """The sample book in the test database; returns that database's URL."""
    call_command("import_book", str(sample_book_dir), stdout=io.StringIO())
    return urlunparse(
        urlparse(services_urls["database"])._replace(path=f"/{connection.settings_dict['NAME']}")
    )


_started: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _no_process_left(transactional_db):
    """A failing test leaves none of its processes running (killed before the database is
    flushed, which they would block)."""
    yield
    while _started:
        process = _started.pop()
        if process.poll() is None:
            _kill(process)


def _score(database: str, *args: str) -> subprocess.Popen:
    """``manage.py score_accounts`` in its own process: in-process tasks (no broker), mail on
    the console (its stdout)."""
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "CELERY_BROKER_URL": "",
        "DJANGO_SETTINGS_MODULE": "expansion.settings.local",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "score_accounts", "--as-of", AS_OF, *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _started.append(process)
    return process


@contextlib.contextmanager
def _locked(database: str, table: str) -> Iterator[psycopg.Connection]:
    """``table`` locked against every access until the block ends."""
    with psycopg.connect(database) as held:
        held.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        yield held
        held.rollback()


def _wait_until(
    condition, *, timeout: float = 60, what: str = "", process: subprocess.Popen | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the process ended while waiting for {what}: {process.communicate()}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def _blocked(held: psycopg.Connection) -> int:
    """Backends of this database waiting for a lock (the statistics are a snapshot per
    transaction: cleared first)."""
    held.execute("SELECT pg_stat_clear_snapshot()")
    return held.execute(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    ).fetchone()[0]


def _kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def test_a_run_killed_mid_run_is_marked_failed_by_the_next_run(book) -> None:
    table = HealthSnapshot._meta.db_table
    with _locked(book, table) as held:
        victim = _score(book)
        _wait_until(
            lambda: _blocked(held) >= 1, what="the run to block on its write", process=victim
        )
        _kill(victim)
    killed = ScoringRun.objects.get()
    assert killed.status == ScoringRunStatus.RUNNING and killed.pid == victim.pid

    survivor = _score(book)
    _, err = survivor.communicate(timeout=120)

    assert survivor.returncode == 0, err
    killed.refresh_from_db()
    assert killed.status == ScoringRunStatus.FAILED
    assert f"process {victim.pid}" in killed.error and "is gone" in killed.error
    assert ScoringRun.objects.get(status=ScoringRunStatus.SUCCEEDED).counts["accounts_scored"] == 11
    assert HealthSnapshot.objects.filter(as_of=AS_OF).count() == 11


def test_runs_started_at_once_refuse_cleanly_but_one(book) -> None:
    table = HealthSnapshot._meta.db_table
    with _locked(book, table):
        processes = [_score(book) for _ in range(4)]
        _wait_until(
            lambda: sum(p.poll() is not None for p in processes) == 3,
            what="three of the four runs to refuse",
        )
        refused = [p for p in processes if p.poll() is not None]
        (running,) = [p for p in processes if p.poll() is None]
        running_runs = list(ScoringRun.objects.filter(status=ScoringRunStatus.RUNNING))
    _, err = running.communicate(timeout=120)

    assert running.returncode == 0, err
    assert len(running_runs) == 1 and running_runs[0].pid == running.pid
    for process in refused:
        _, message = process.communicate()
        assert process.returncode == 75, message
        assert f"a run for {AS_OF} is already in progress (run {running_runs[0].pk}" in message
        assert "Traceback" not in message and "UniqueViolation" not in message
    assert list(ScoringRun.objects.values_list("status", flat=True)) == [ScoringRunStatus.SUCCEEDED]


def test_alerts_of_a_run_killed_before_its_notifications_are_sent_by_the_next_run(book) -> None:
    UserFactory(username="ae1", roles=["ae"])
    UserFactory(username="csm1", roles=["csm"])
    with _locked(book, Notification._meta.db_table) as held:
        victim = _score(book, "--chunk-size", "4")
        # The first chunk committed its alerts; its notifier blocks on the in-app ones.
        _wait_until(lambda: _blocked(held) >= 1, what="the notifier to block", process=victim)
        _kill(victim)
    raised = UsageAlert.objects.count()
    assert raised and UsageAlert.objects.filter(sent_at__isnull=True).count() == raised

    survivor = _score(book, "--chunk-size", "4")
    out, err = survivor.communicate(timeout=120)

    assert survivor.returncode == 0, err
    assert not UsageAlert.objects.filter(sent_at__isnull=True).exists()
    alerted = UsageAlert.objects.values("entitlement_id").distinct().count()
    assert Notification.objects.filter(user__username="csm1").count() == alerted
    assert out.count("Subject: Usage alerts:") >= 2
    for email in ("ae1@vendor.example", "csm1@vendor.example"):
        assert f"To: {email}" in out


def test_duplicate_nightly_triggers_on_a_worker_make_one_run(book, worker) -> None:  # noqa: F811
    from scoring.tasks import score_accounts_task

    with _locked(book, HealthSnapshot._meta.db_table):
        first = score_accounts_task.delay(as_of=AS_OF, chunk_size=4)
        second = score_accounts_task.delay(as_of=AS_OF, chunk_size=4)
        ids = {first.get(timeout=60), second.get(timeout=60)}
        (run_id,) = ids
        assert ScoringRun.objects.get().pk == run_id

    run = ScoringRun.objects.get(pk=run_id)
    _wait_until(lambda: run.refresh_from_db() or run.status != "running", what="the run")
    assert run.status == ScoringRunStatus.SUCCEEDED, run.error
    assert run.counts["accounts_scored"] == 11


@pytest.fixture
def smtp_down(monkeypatch) -> None:
    """Workers started after this send mail by SMTP to localhost:25, where nothing listens."""
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")


def test_a_failed_alert_mail_is_retried_with_backoff_by_the_worker(
    book,
    smtp_down,
    worker,  # noqa: F811
) -> None:
    from celery.result import AsyncResult

    from expansion.celery import app as celery_app
    from scoring import services
    from scoring.tasks import usage_alerts_notify_task

    UserFactory(username="ae1", roles=["ae"])
    UserFactory(username="csm1", roles=["csm"])
    celery_app.conf.task_always_eager = True  # the run in this process, its alerts raised
    try:
        services.scoring_run_execute(as_of=dt.date.fromisoformat(AS_OF))
    finally:
        celery_app.conf.task_always_eager = False
    UsageAlert.objects.update(sent_at=None, notified_at=None)  # as if never sent

    result: AsyncResult = usage_alerts_notify_task.delay(AS_OF, 0, 2**62)

    _wait_until(lambda: result.state == "RETRY", what="the worker to schedule a retry")
    alerts = list(UsageAlert.objects.all())
    assert alerts and all(a.sent_at is None and a.attempts == 1 for a in alerts)
    assert all(a.lease_until > timezone.now() for a in alerts)  # backed off until the retry
    assert ScoringRun.objects.get().status == ScoringRunStatus.SUCCEEDED
