"""Benchmark: the full nightly scoring run on PostgreSQL against the single SQL statement
that computes the 30-day utilization per entitlement over the same data, in the same run.

For each scale (default 10,000 and 100,000 accounts; ~3 metrics x 90 days of usage each), a
generated book is imported into a scratch database (in a subprocess, not timed), then:
  baseline: the one utilization statement, all rows fetched, timed with the server's default
            work_mem and with the scoring's (SCORING_WORK_MEM); the faster is the baseline;
  full run: every component, every trigger, results written and committed, either
            in-process (scoring_run_execute, the command's path) or, with --workers N, as the
            nightly Celery task fanned out over N real prefork worker processes on Redis,
            timed from the dispatch until the run is recorded as succeeded;
  floor:    the run's database work alone, with no computation: the usage aggregation it
            needs (counted on the server) and the very rows it wrote, written again by COPY
            into the same tables, indexes and constraints, and committed. No implementation
            that keeps this schema can be faster than the floor.
Prints the times, their ratio, the growth between scales and the peak memory of the run.
Targets: full run within 4x of the statement at 100,000 accounts; 10x the accounts within
12x the time; peak memory under 4 GiB.

    .venv/bin/python bench/scoring.py [--accounts 10000 100000] [--reuse] [--workers 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ADMIN_URL, OUT, REPO, scratch_database

AS_OF = dt.date(2026, 6, 30)

UTILIZATION_SQL = """
    SELECT e.id, SUM(u.quantity) / e."limit" AS ratio
    FROM accounts_entitlement e
    JOIN accounts_contractline c ON c.id = e.contract_id
    JOIN signals_dailyusage u
      ON u.account_id = c.account_id AND u.metric = e.metric
     AND u.date BETWEEN %(start)s AND %(as_of)s
    WHERE c.start_date <= %(as_of)s AND c.end_date >= %(as_of)s
    GROUP BY e.id, e."limit"
"""


# The scoring app's models keep their playbooks_* table names (Meta.db_table, issue 11).
RESULT_TABLES = (
    "playbooks_opportunitystagechange, playbooks_opportunity, playbooks_healthsnapshot, "
    "playbooks_utilizationsnapshot, playbooks_accountaction, playbooks_usagealert, "
    "playbooks_notification, playbooks_scoringrun"
)


def prepare(accounts: int, seed: int, reuse: bool) -> str:
    """Generate and import the book into its own database (not timed). With ``reuse``, an
    already imported database keeps its book and only loses earlier scoring results, so the
    run measured is always a first run."""
    name = f"expansion_bench_scoring_{accounts}"
    url = urlunparse(urlparse(ADMIN_URL)._replace(path=f"/{name}"))
    if reuse:
        done = subprocess.run(
            ["psql", url, "-qtAc", "SELECT count(*) FROM accounts_account"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0 and done.stdout.strip() == str(accounts):
            subprocess.run(["psql", url, "-qc", f"TRUNCATE {RESULT_TABLES} CASCADE"], check=True)
            return url
    url = scratch_database(name)
    book = OUT / f"book-{accounts}-{seed}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "expansion.settings.local"}
    env.pop("CELERY_BROKER_URL", None)
    manage = [sys.executable, str(REPO / "manage.py")]
    if not (book / "usage.csv").exists():
        subprocess.run(
            [
                *manage,
                "generate_demo_book",
                str(book),
                "--accounts",
                str(accounts),
                "--seed",
                str(seed),
                "--as-of",
                AS_OF.isoformat(),
            ],
            env=env,
            check=True,
        )
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [*manage, "import_book", str(book)], env=env, check=True, stdout=subprocess.DEVNULL
    )
    subprocess.run(["psql", url, "-qc", "VACUUM ANALYZE"], check=True)
    return url


STATEMENT = """
import datetime as dt, json, resource, sys, time
sys.path.insert(0, {repo!r})
import os
os.environ["DATABASE_URL"] = {url!r}
os.environ["DJANGO_SETTINGS_MODULE"] = "expansion.settings.local"
os.environ.pop("CELERY_BROKER_URL", None)
# Alert e-mails go out through SMTP in production; the console would time the terminal.
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
import django; django.setup()
from django.conf import settings
from django.db import connection
from bench.scoring import UTILIZATION_SQL
as_of = dt.date.fromisoformat({as_of!r})
params = {{"start": as_of - dt.timedelta(days=29), "as_of": as_of}}
with connection.cursor() as c:
    c.execute(UTILIZATION_SQL, params); c.fetchall()  # warm the cache once
    times = {{}}
    # The baseline gets the same sort memory as the scoring's aggregation, if that is faster.
    for work_mem in ("default", settings.SCORING_WORK_MEM):
        if work_mem != "default":
            c.execute("SELECT set_config('work_mem', %s, false)", [work_mem])
        t = time.perf_counter()
        c.execute(UTILIZATION_SQL, params); rows = len(c.fetchall())
        times[work_mem] = time.perf_counter() - t
    c.execute("RESET work_mem")
statement = min(times.values())
"""

IN_PROCESS = """
from scoring.services import scoring_run_execute
base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
run = scoring_run_execute(as_of=as_of)
full = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

WORKERS = """
# The production path: the nightly task fans the run out as a chord over real Celery
# workers ({workers} prefork processes on Redis), one chunk of accounts per process.
import signal, subprocess, uuid
from expansion.celery import app
from scoring.models import ScoringRun
from scoring.tasks import score_accounts_task
queue = "bench-" + uuid.uuid4().hex[:8]
env = {{**os.environ, "CELERY_BROKER_URL": {broker!r}, "CELERY_TASK_DEFAULT_QUEUE": queue,
       "CELERY_TASK_ALWAYS_EAGER": "false"}}
worker = subprocess.Popen(
    [sys.executable, "-m", "celery", "-A", "expansion", "worker", "--pool=prefork",
     "--concurrency={workers}", "-Q", queue, "--loglevel=WARNING", "--without-gossip",
     "--without-mingle", "--without-heartbeat"],
    cwd={repo!r}, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
app.conf.update(broker_url={broker!r}, result_backend={broker!r}, task_always_eager=False,
                task_default_queue=queue)
try:
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if time.monotonic() > deadline or worker.poll() is not None:
            raise SystemExit("no Celery worker answered within 60 s")
    chunk = -(-{accounts} // ({workers} * {chunks_per_worker}))
    t = time.perf_counter()
    run_id = score_accounts_task.delay(as_of=as_of.isoformat(), chunk_size=chunk).get(timeout=600)
    run = ScoringRun.objects.get(pk=run_id)
    while run.status == "running":
        time.sleep(0.05)
        run.refresh_from_db()
    full = time.perf_counter() - t
    if run.status != "succeeded":
        raise SystemExit(run.error)
    children = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True)
    peaks = []
    for pid in [worker.pid, *map(int, children.stdout.split())]:
        with open(f"/proc/{{pid}}/status") as status:
            hwm = [line for line in status if line.startswith("VmHWM")][0]
        peaks.append(int(hwm.split()[1]) / 1024)
    peak = max(peaks)
finally:
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=60)
"""

FLOOR = """
# The floor: the database work that no implementation of this run can skip, with no Python
# computation at all. In one transaction: the usage aggregation the run needs (counted on the
# server, nothing fetched), then the run's own result rows, copied out beforehand, written
# back by COPY into the same tables with their constraints and indexes; then the commit,
# where PostgreSQL checks the deferred foreign keys.
from django.db import transaction
from accounts.models import Entitlement
from core.bulk import sort_memory
from playbooks.models import Opportunity, OpportunityCriterionCheck, OpportunityStageChange
from scoring.models import (AccountAction, HealthSnapshot, Notification, UsageAlert,
                            UtilizationSnapshot)
from scoring.config import ScoringConfig
from scoring.selectors import usage_aggregates_query
written = [HealthSnapshot, UtilizationSnapshot, AccountAction, Opportunity, UsageAlert,
           Notification]
tables = [m._meta.db_table for m in written]
saved = {{}}
with connection.cursor() as c:
    for table in tables:
        with c.cursor.copy(f"COPY {{table}} TO STDOUT (FORMAT binary)") as copy:
            saved[table] = b"".join(bytes(block) for block in copy)
    # The rows referring to opportunities go too (the run writes neither; checks are empty).
    refer = [OpportunityStageChange._meta.db_table, OpportunityCriterionCheck._meta.db_table]
    c.execute(f"TRUNCATE {{', '.join(tables + refer)}}")
# The run's own list: the metrics of the active entitlements read by their latest value.
latest = Entitlement.objects.filter(
    contract__start_date__lte=as_of, contract__end_date__gte=as_of
).exclude(period="month").values_list("metric", flat=True)
sql, query_params = usage_aggregates_query(
    as_of=as_of, config=ScoringConfig.from_dict(run.settings), lo=0, hi=2**62,
    latest_metrics=list(latest.distinct()))
floors = {{}}
t = time.perf_counter()
with transaction.atomic():
    with connection.cursor() as c:
        with sort_memory(settings.SCORING_WORK_MEM):
            c.execute(f"SELECT count(*) FROM ({{sql}}) agg", query_params); c.fetchall()
        floors["usage aggregation"] = time.perf_counter() - t
        for table in tables:
            with c.cursor.copy(f"COPY {{table}} FROM STDIN (FORMAT binary)") as copy:
                copy.write(saved[table])
    floors["result rows copied"] = time.perf_counter() - t - floors["usage aggregation"]
    before_commit = time.perf_counter()
floors["commit"] = time.perf_counter() - before_commit
floor = time.perf_counter() - t
"""

REPORT = """
print(json.dumps({{"statement": statement, "statements": times, "rows": rows, "full": full,
                  "counts": run.counts, "peak_mib": peak, "floor": floor, "floors": floors}}))
"""


def measure(url: str, accounts: int, workers: int, broker: str, chunks_per_worker: int) -> dict:
    """Run in a fresh process so that peak memory is the scoring run's own (with workers:
    the largest worker process's)."""
    values = {
        "repo": str(REPO),
        "url": url,
        "as_of": AS_OF.isoformat(),
        "workers": workers,
        "broker": broker,
        "accounts": accounts,
        "chunks_per_worker": chunks_per_worker,
    }
    body = WORKERS if workers else IN_PROCESS
    code = (STATEMENT + body + FLOOR + REPORT).format(**values)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False
    )
    if out.returncode:
        raise SystemExit(out.stderr[-4000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--reuse", action="store_true", help="keep an already imported book (results are cleared)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="run the nightly task on this many Celery worker processes (0: in this process)",
    )
    parser.add_argument(
        "--broker", default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/15")
    )
    parser.add_argument(
        "--chunks-per-worker",
        type=int,
        default=2,
        help="chunks of accounts per worker process: while one chunk writes, another computes",
    )
    args = parser.parse_args()
    results = {}
    for n in args.accounts:
        started = time.perf_counter()
        url = prepare(n, args.seed, args.reuse)
        print(f"[{n} accounts prepared in {time.perf_counter() - started:.0f} s]", flush=True)
        r = results[n] = measure(url, n, args.workers, args.broker, args.chunks_per_worker)
        c = r["counts"]
        statements = ", ".join(f"{k} work_mem {v:.2f} s" for k, v in r["statements"].items())
        print(
            f"{n:>7} accounts: utilization statement {r['statement']:6.2f} s "
            f"({r['rows']:,} entitlements); full scoring run {r['full']:6.2f} s "
            f"({c.get('accounts_scored', 0):,} scored, "
            f"{sum(v for k, v in c.items() if k.startswith('play:')):,} opportunities); "
            f"ratio {r['full'] / r['statement']:.2f}; peak memory {r['peak_mib']:,.0f} MiB "
            f"[statement: {statements}]",
            flush=True,
        )
        parts = ", ".join(f"{k} {v:.2f} s" for k, v in r["floors"].items())
        print(
            f"{'':>16}floor (the run's database work alone, no computation) {r['floor']:6.2f} s, "
            f"ratio {r['floor'] / r['statement']:.2f} [{parts}]",
            flush=True,
        )
    if len(results) >= 2:
        small, large = sorted(results)[0], sorted(results)[-1]
        growth = results[large]["full"] / results[small]["full"]
        print(
            f"growth: {large / small:.0f}x the accounts took {growth:.1f}x the time (target <= 12x)"
        )
    largest = results[max(results)]
    print(
        f"target full run <= 4x the statement at {max(results):,}: "
        f"{'met' if largest['full'] <= 4 * largest['statement'] else 'NOT met'} "
        f"({largest['full'] / largest['statement']:.2f}x)"
    )
    print(f"target peak memory < 4 GiB: {'met' if largest['peak_mib'] < 4096 else 'NOT met'}")


if __name__ == "__main__":
    main()
