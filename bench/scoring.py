"""Benchmark: the full nightly scoring run on PostgreSQL against the single SQL statement
that computes the 30-day utilization per entitlement over the same data, in the same run.

For each scale (default 10,000 and 100,000 accounts; ~3 metrics x 90 days of usage each), a
generated book is imported into a scratch database (in a subprocess, not timed), then:
  baseline: the one utilization statement, all rows fetched;
  full run: scoring_run_execute (every component, every trigger, results written).
Prints both times, their ratio, the growth between scales and the peak memory of the run.
Targets: full run within 4x of the statement at 100,000 accounts; 10x the accounts within
12x the time; peak memory under 4 GiB.

    .venv/bin/python bench/scoring.py [--accounts 10000 100000]
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


def measure(url: str) -> dict:
    """Run in a fresh process so that peak memory is the scoring run's own."""
    code = f"""
import datetime as dt, json, resource, sys, time
sys.path.insert(0, {str(REPO)!r})
import os
os.environ["DATABASE_URL"] = {url!r}
os.environ["DJANGO_SETTINGS_MODULE"] = "expansion.settings.local"
os.environ.pop("CELERY_BROKER_URL", None)
# Alert e-mails go out through SMTP in production; the console would time the terminal.
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
import django; django.setup()
from django.db import connection
from playbooks.services import scoring_run_execute
from bench.scoring import UTILIZATION_SQL
as_of = dt.date.fromisoformat({AS_OF.isoformat()!r})
params = {{"start": as_of - dt.timedelta(days=29), "as_of": as_of}}
with connection.cursor() as c:
    c.execute(UTILIZATION_SQL, params); c.fetchall()  # warm the cache once
t = time.perf_counter()
with connection.cursor() as c:
    c.execute(UTILIZATION_SQL, params); rows = len(c.fetchall())
statement = time.perf_counter() - t
base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
run = scoring_run_execute(as_of=as_of)
full = time.perf_counter() - t
print(json.dumps({{"statement": statement, "rows": rows, "full": full, "counts": run.counts,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "base_mib": base_rss / 1024}}))
"""
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
    args = parser.parse_args()
    results = {}
    for n in args.accounts:
        started = time.perf_counter()
        url = prepare(n, args.seed, args.reuse)
        print(f"[{n} accounts prepared in {time.perf_counter() - started:.0f} s]", flush=True)
        r = results[n] = measure(url)
        c = r["counts"]
        print(
            f"{n:>7} accounts: utilization statement {r['statement']:6.2f} s "
            f"({r['rows']:,} entitlements); full scoring run {r['full']:6.2f} s "
            f"({c.get('accounts_scored', 0):,} scored, "
            f"{sum(v for k, v in c.items() if k.startswith('play:')):,} opportunities); "
            f"ratio {r['full'] / r['statement']:.2f}; peak memory {r['peak_mib']:,.0f} MiB",
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
