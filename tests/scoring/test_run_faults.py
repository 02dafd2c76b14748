"""Faults around the nightly scoring (issue 10, items 1, 8, 9, 10), on every backend: stored
values that cannot be summed, mail that cannot be sent, a notifier or a run that was killed,
a second run or trigger while one is in progress. Kill and concurrency tests with real
processes on PostgreSQL are in tests/integration/test_run_kill_concurrency.py."""

from __future__ import annotations

import datetime as dt
import io
import os
import socket
import subprocess
import sys

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import CheckConstraint
from django.test import override_settings
from django.utils import timezone

from accounts.models import Account
from playbooks.models import Opportunity, Stage
from scoring import services, tasks
from scoring.models import HealthSnapshot, Notification, ScoringRun, ScoringRunStatus, UsageAlert
from signals.models import DailyUsage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)
LATER = AS_OF + dt.timedelta(days=1)
#: Nothing listens here (the helper's own port range): SMTP is down.
SMTP_DOWN = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": 8819,
    "EMAIL_TIMEOUT": 2,
}


def _store_usage(account: Account, quantities: list[float], *, metric: str = "api_calls") -> None:
    """Readings written straight into the table (as an old import or a bug could have left
    them), bypassing every validation, the table's CHECK constraints included (dropped for
    this test's transaction on PostgreSQL, ignored on SQLite): one per day up to LATER."""
    table = DailyUsage._meta.db_table
    checks = [c.name for c in DailyUsage._meta.constraints if isinstance(c, CheckConstraint)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks: ALTER may run
            for name in checks:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT IF EXISTS "{name}"')
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        for days_back, quantity in enumerate(quantities):
            day = LATER - dt.timedelta(days=days_back)
            cursor.execute(
                f"DELETE FROM {table} WHERE account_id = %s AND metric = %s AND date = %s",
                [account.pk, metric, day],
            )
            cursor.execute(
                f"INSERT INTO {table} (account_id, metric, date, quantity) VALUES (%s, %s, %s, %s)",
                [account.pk, metric, day, quantity],
            )
        if connection.vendor != "postgresql":
            cursor.execute("PRAGMA ignore_check_constraints = OFF")


def _score(as_of: dt.date = AS_OF, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("score_accounts", "--as-of", as_of.isoformat(), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# Item 1: one account's bad data never stops the run for the others.


@pytest.mark.parametrize(
    "quantities",
    [
        pytest.param([1e308, 1e308], id="two-1e308-overflow-the-sum"),
        pytest.param([float("inf")], id="infinite"),
        pytest.param([float("nan")], id="nan"),
        pytest.param([-5.0], id="negative"),
    ],
)
def test_an_account_whose_usage_cannot_be_summed_is_skipped_and_the_rest_scored(
    imported_sample_book, quantities
) -> None:
    if connection.vendor == "sqlite" and any(q != q for q in quantities):
        pytest.skip("SQLite stores NaN as NULL: it cannot hold one")
    services.scoring_run_execute(as_of=AS_OF)
    nw = Account.objects.get(external_id="NW-001")
    opportunities = sorted(
        Opportunity.objects.filter(account=nw).exclude(key="").values_list("id", "stage", "as_of")
    )
    _store_usage(nw, quantities)

    out, err = _score(LATER)

    run = ScoringRun.objects.get(as_of=LATER)
    assert run.status == ScoringRunStatus.SUCCEEDED
    assert run.skipped == [
        {"account_id": nw.pk, "external_id": "NW-001", "reason": "usage quantity out of range"}
    ]
    assert run.counts["accounts_skipped"] == 1 and run.counts["accounts_scored"] == 10
    assert "1 skipped" in out and "skipped account NW-001" in err
    scored = set(
        HealthSnapshot.objects.filter(as_of=LATER).values_list("account__external_id", flat=True)
    )
    assert len(scored) == 10 and "NW-001" not in scored
    # Not scored is not "triggers gone": its opportunities are left as they were.
    after = sorted(
        Opportunity.objects.filter(account=nw).exclude(key="").values_list("id", "stage", "as_of")
    )
    assert after == opportunities and all(stage == Stage.IDENTIFIED for _, stage, _ in after)


def test_a_skipped_account_is_scored_again_once_its_data_is_fixed(imported_sample_book) -> None:
    nw = Account.objects.get(external_id="NW-001")
    _store_usage(nw, [1e308, 1e308], metric="bad_meter")
    services.scoring_run_execute(as_of=LATER)
    DailyUsage.objects.filter(metric="bad_meter").delete()

    run = services.scoring_run_execute(as_of=LATER)

    assert run.skipped == [] and run.counts["accounts_scored"] == 11


def test_skipping_an_account_changes_no_other_result(imported_sample_book) -> None:
    """The skipped account stays a lookalike peer: the others' results are the same as with
    its data fixed, in one chunk or many."""
    services.scoring_run_execute(as_of=LATER)
    clean = dict(HealthSnapshot.objects.filter(as_of=LATER).values_list("account_id", "score"))
    clean_opps = sorted(
        Opportunity.objects.exclude(key="").values_list("account_id", "key", "score")
    )
    nw = Account.objects.get(external_id="NW-001")
    _store_usage(nw, [1e308, 1e308], metric="bad_meter")

    for chunk_size in (100, 3):
        services.scoring_run_execute(as_of=LATER, chunk_size=chunk_size)

        got = dict(HealthSnapshot.objects.filter(as_of=LATER).values_list("account_id", "score"))
        assert got == {a: s for a, s in clean.items() if a != nw.pk}
        opps = sorted(Opportunity.objects.exclude(key="").values_list("account_id", "key", "score"))
        assert opps == clean_opps


# Item 8: usage alerts are sent at least once.


def _alert_users() -> None:
    UserFactory(username="ae1", roles=["ae"])
    UserFactory(username="csm1", roles=["csm"])


def test_alerts_left_unsent_by_a_killed_notifier_are_sent_by_the_next_run(
    imported_sample_book, django_capture_on_commit_callbacks
) -> None:
    _alert_users()
    # The chunks commit, the notifications never run (the process died after the commit).
    services.scoring_run_execute(as_of=AS_OF)
    raised = UsageAlert.objects.count()
    assert raised and UsageAlert.objects.filter(sent_at__isnull=True).count() == raised
    assert not mail.outbox

    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_run_execute(as_of=AS_OF)

    assert not UsageAlert.objects.filter(sent_at__isnull=True).exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["ae1@vendor.example", "csm1@vendor.example"]
    alerted = UsageAlert.objects.values("entitlement_id").distinct().count()
    assert mail.outbox[0].body.count("\n") - 1 == alerted
    assert Notification.objects.filter(user__username="csm1").count() == alerted


def test_with_smtp_down_the_run_succeeds_and_its_alerts_wait_for_a_later_sweep(
    imported_sample_book, django_capture_on_commit_callbacks
) -> None:
    _alert_users()
    with override_settings(**SMTP_DOWN), django_capture_on_commit_callbacks(execute=True):
        out, _ = _score(AS_OF)

    run = ScoringRun.objects.get(as_of=AS_OF)
    assert run.status == ScoringRunStatus.SUCCEEDED and "alerts" in out
    alerts = UsageAlert.objects.all()
    assert alerts and all(a.sent_at is None and a.attempts >= 1 for a in alerts)
    assert all(a.lease_until > timezone.now() for a in alerts)  # backoff
    notified = Notification.objects.count()
    assert notified  # in-app notifications do not wait for the mail

    assert tasks.usage_alerts_sweep_task() == 0  # within the backoff: not yet
    UsageAlert.objects.update(lease_until=timezone.now() - dt.timedelta(seconds=1))  # time passes
    assert tasks.usage_alerts_sweep_task() == 2  # SMTP is back (the test backend)

    assert not UsageAlert.objects.filter(sent_at__isnull=True).exists()
    assert len(mail.outbox) == 2 and Notification.objects.count() == notified
    assert tasks.usage_alerts_sweep_task() == 0  # sent once


def test_alerts_leased_by_a_live_notifier_are_left_to_it_until_the_lease_ends(
    imported_sample_book,
) -> None:
    _alert_users()
    services.scoring_run_execute(as_of=AS_OF)
    UsageAlert.objects.update(
        lease_token="other", lease_until=timezone.now() + dt.timedelta(minutes=5)
    )

    assert tasks.usage_alerts_sweep_task() == 0 and not mail.outbox

    UsageAlert.objects.update(lease_until=timezone.now() - dt.timedelta(seconds=1))  # it died
    assert tasks.usage_alerts_sweep_task() == 2
    assert not UsageAlert.objects.filter(sent_at__isnull=True).exists()


# Item 9: a run whose process is gone does not stay running.


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _running(**fields) -> ScoringRun:
    return ScoringRun.objects.create(
        as_of=fields.pop("as_of", AS_OF), status=ScoringRunStatus.RUNNING, **fields
    )


def test_a_run_whose_process_died_is_marked_failed_by_the_next_run(imported_sample_book) -> None:
    dead = _running(pid=_dead_pid(), hostname=socket.gethostname(), heartbeat=timezone.now())

    out, _ = _score(AS_OF)

    dead.refresh_from_db()
    assert dead.status == ScoringRunStatus.FAILED and dead.finished is not None
    assert f"process {dead.pid} on {socket.gethostname()} is gone" in dead.error
    assert ScoringRun.objects.get(as_of=AS_OF, status=ScoringRunStatus.SUCCEEDED)
    assert "11 accounts scored" in out


def test_a_chord_run_without_heartbeat_is_marked_failed_by_the_periodic_check(db) -> None:
    stale = _running(heartbeat=timezone.now() - dt.timedelta(hours=3))
    stale_started = ScoringRun.objects.filter(pk=stale.pk)
    stale_started.update(started=timezone.now() - dt.timedelta(hours=4))

    assert tasks.scoring_runs_reap_task() == [stale.pk]

    stale.refresh_from_db()
    assert stale.status == ScoringRunStatus.FAILED and "no sign of life" in stale.error


def test_a_live_run_is_left_running(db) -> None:
    live = _running(pid=os.getpid(), hostname=socket.gethostname(), heartbeat=timezone.now())

    assert tasks.scoring_runs_reap_task() == []

    live.refresh_from_db()
    assert live.status == ScoringRunStatus.RUNNING


def test_a_chord_run_with_a_recent_heartbeat_is_left_running(db) -> None:
    chord_run = _running(heartbeat=timezone.now() - dt.timedelta(minutes=5))

    assert tasks.scoring_runs_reap_task() == []

    chord_run.refresh_from_db()
    assert chord_run.status == ScoringRunStatus.RUNNING


# Item 10: a second run, or a duplicate trigger, while one is in progress.


def test_a_second_run_refuses_cleanly_while_one_is_in_progress(imported_sample_book) -> None:
    live = _running(
        as_of=dt.date(2026, 11, 30),
        pid=os.getpid(),
        hostname=socket.gethostname(),
        heartbeat=timezone.now(),
    )

    with pytest.raises(CommandError) as refused:
        _score(dt.date(2026, 11, 30))

    assert refused.value.returncode == 75
    assert str(refused.value).startswith("a run for 2026-11-30 is already in progress")
    assert f"run {live.pk}" in str(refused.value)
    assert list(ScoringRun.objects.all()) == [live]


def test_a_duplicate_nightly_trigger_joins_the_run_in_progress(imported_sample_book) -> None:
    live = _running(
        as_of=dt.date(2026, 11, 30),
        pid=os.getpid(),
        hostname=socket.gethostname(),
        heartbeat=timezone.now(),
    )

    assert tasks.score_accounts_task(as_of="2026-11-30") == live.pk

    assert list(ScoringRun.objects.all()) == [live]
