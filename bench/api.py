"""Benchmark: GET /api/v1/opportunities/?page_size=100 at 100,000 opportunities, 20
concurrent clients over loopback against gunicorn and PostgreSQL, against a bare view that
returns a constant JSON body (/healthz: the framework's floor on this machine), same run.
Prints p50/p95/p99 and requests/s of both. Targets: p95 within 3x the floor's, under 150 ms.

    .venv/bin/python bench/api.py [--opportunities 100000] [--requests 100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import django_on, scratch_database
from _load import gunicorn, load

PORT = 8791


def populate(opportunities: int) -> str:
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    from accounts.models import Account, Product, Stakeholder
    from accounts.services import demo_users_ensure
    from playbooks.models import Opportunity

    accounts = max(1, opportunities // 10)
    product = Product.objects.create(
        sku="CORE-ENT", name="Enterprise", kind="tier", family="core", tier_rank=3, department="Ops"
    )
    Account.objects.bulk_create(
        Account(
            external_id=f"A{i:06d}",
            name=f"Account {i}",
            segment="smb",
            owner_email=f"ae{i % 5 + 1}@vendor.example",
            customer_since=dt.date(2024, 1, 1),
        )
        for i in range(accounts)
    )
    ids = list(Account.objects.order_by("id").values_list("id", flat=True))
    Stakeholder.objects.bulk_create(
        Stakeholder(
            external_id=f"S{i}", account_id=a, name=f"Sponsor {i}", role="executive_sponsor"
        )
        for i, a in enumerate(ids)
    )
    sponsors = dict(Stakeholder.objects.values_list("account_id", "id"))
    triggers = [
        {
            "code": "utilization_90",
            "points": 30.0,
            "detail": "api_calls at 92% of 1,000,000 (CORE-PRO)",
        },
        {"code": "promoter_nps", "points": 10.0, "detail": "NPS 9 on 2026-05-10"},
    ]
    Opportunity.objects.bulk_create(
        (
            Opportunity(
                account_id=ids[i % len(ids)],
                key=f"tier_upgrade:CORE-ENT:{i}",
                play="tier_upgrade",
                motion="upsell",
                target_product=product,
                department="Ops",
                status="ready",
                score=(i * 7919) % 10_000 / 100,
                triggers=triggers,
                explanation="Propose Enterprise: api_calls at 92 %.",
                sponsor_id=sponsors[ids[i % len(ids)]],
                created=dt.date(2026, 6, 30),
                as_of=dt.date(2026, 6, 30),
            )
            for i in range(opportunities)
        ),
        batch_size=5000,
    )
    demo_users_ensure()
    return Token.objects.get_or_create(user=User.objects.get(username="manager"))[0].key


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=100, help="per client")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per process")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/3")
    args = parser.parse_args()
    url = scratch_database("expansion_bench_api")
    django_on(url)
    token = populate(args.opportunities)
    print(
        f"gunicorn: {args.workers} processes x {args.threads} threads; "
        f"{args.clients} clients x {args.requests} requests"
    )
    subprocess.run(["psql", url, "-qc", "VACUUM ANALYZE"], check=True)
    headers = {"Authorization": f"Token {token}"}
    path = "/api/v1/opportunities/?page_size=100"
    configurations = {
        "list cache on (shared Redis cache, the production setting)": {
            "CACHE_URL": args.cache_url,
            "OPPORTUNITY_LIST_CACHE_SECONDS": "300",
        },
        "list cache off (every request queries PostgreSQL)": {
            "OPPORTUNITY_LIST_CACHE_SECONDS": "0"
        },
    }
    results = {}
    for name, extra in configurations.items():
        server = gunicorn(url, PORT, workers=args.workers, threads=args.threads, extra_env=extra)
        try:
            load(PORT, "/healthz", headers=headers, clients=args.clients, requests=5)  # warm
            load(PORT, path, headers=headers, clients=args.clients, requests=5)
            floor = load(
                PORT, "/healthz", headers=headers, clients=args.clients, requests=args.requests
            )
            listing = load(
                PORT, path, headers=headers, clients=args.clients, requests=args.requests
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
        results[name] = (floor, listing)
    for name, (floor, listing) in results.items():
        print(f"-- {name}")
        for label, r in (("floor: GET /healthz", floor), (f"GET {path}", listing)):
            print(
                f"{label:<48} p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  "
                f"p99 {r['p99']:6.1f} ms  {r['rps']:7.1f} req/s  ({r['n']} requests)"
            )
        ratio = listing["p95"] / floor["p95"]
        verdict = "met" if ratio <= 3 and listing["p95"] < 150 else "NOT met"
        print(
            f"p95 ratio to the floor: {ratio:.2f} (target <= 3); p95 {listing['p95']:.1f} ms "
            f"(target < 150 ms): {verdict}"
        )


if __name__ == "__main__":
    main()
