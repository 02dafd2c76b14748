"""Benchmark: POST /api/v1/usage/ in 10,000-row batches over loopback against gunicorn and
PostgreSQL, against a raw COPY of the same rows into an empty table with the usage table's
columns, constraints and indexes, in the same run. Prints rows/s of both and the ratio.
Target: ingest at least 25 % of the COPY rate.

    .venv/bin/python bench/ingest.py [--accounts 1000] [--days 35]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import django_on, scratch_database, timed
from _load import gunicorn

PORT = 8792
BATCH = 10_000
METRICS = ("api_calls", "data_gb", "seats")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--days", type=int, default=35)
    args = parser.parse_args()
    url = scratch_database("expansion_bench_ingest")
    django_on(url)
    from django.contrib.auth.models import User
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from accounts.models import Account
    from accounts.services import demo_users_ensure

    Account.objects.bulk_create(
        Account(
            external_id=f"A{i:06d}",
            name=f"Account {i}",
            segment="smb",
            customer_since=dt.date(2024, 1, 1),
        )
        for i in range(args.accounts)
    )
    ids = dict(Account.objects.values_list("external_id", "id"))
    demo_users_ensure()
    token = Token.objects.get_or_create(user=User.objects.get(username="manager"))[0].key
    start = dt.date(2026, 5, 1)
    rows = [
        {
            "account_id": ext,
            "metric": metric,
            "date": (start + dt.timedelta(days=d)).isoformat(),
            "quantity": (i * 37 + d) % 997,
        }
        for i, ext in enumerate(sorted(ids))
        for metric in METRICS
        for d in range(args.days)
    ]
    batches = [json.dumps(rows[i : i + BATCH]) for i in range(0, len(rows), BATCH)]
    results: dict[str, float] = {}

    payload = "".join(
        f"{ids[r['account_id']]},{r['metric']},{r['date']},{r['quantity']}\n" for r in rows
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_usage (LIKE signals_dailyusage INCLUDING ALL);"
            "ALTER TABLE bench_usage ADD FOREIGN KEY (account_id) "
            "REFERENCES accounts_account (id) DEFERRABLE INITIALLY DEFERRED"
        )
        with (
            timed(results, "copy"),
            cursor.cursor.copy(
                "COPY bench_usage (account_id, metric, date, quantity) FROM STDIN (FORMAT csv)"
            ) as copy,
        ):
            copy.write(payload)
    connection.close()

    server = gunicorn(url, PORT, workers=2, threads=1)
    try:

        def post_all(name: str) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
            with timed(results, name):
                for number, body in enumerate(batches):
                    conn.request(
                        "POST",
                        "/api/v1/usage/",
                        body=body,
                        headers={
                            "Authorization": f"Token {token}",
                            "Content-Type": "application/json",
                            "Idempotency-Key": f"{name}-{number}",
                        },
                    )
                    answer = json.loads(conn.getresponse().read())
                    assert not answer["rejected"], answer["rejected"][:3]
            conn.close()

        post_all("ingest")
        post_all("resend")  # same days again: each replaces, none adds
    finally:
        server.terminate()
        server.wait(timeout=30)
    n = len(rows)
    copy_rate, ingest_rate, resend_rate = (n / results[k] for k in ("copy", "ingest", "resend"))
    print(f"{n:,} usage rows in {len(batches)} batches of up to {BATCH:,}")
    print(f"raw COPY into usage-shaped table : {results['copy']:6.2f} s {copy_rate:10,.0f} rows/s")
    print(
        f"POST /api/v1/usage/ (new days)   : {results['ingest']:6.2f} s {ingest_rate:10,.0f} "
        f"rows/s  ratio to COPY {ingest_rate / copy_rate:.2f}"
    )
    print(
        f"POST /api/v1/usage/ (re-sent)    : {results['resend']:6.2f} s {resend_rate:10,.0f} "
        f"rows/s  ratio to COPY {resend_rate / copy_rate:.2f}"
    )
    verdict = "met" if ingest_rate / copy_rate >= 0.25 else "NOT met"
    print(f"target ingest >= 0.25 of COPY    : {verdict}")


if __name__ == "__main__":
    main()
