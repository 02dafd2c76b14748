"""Benchmark: import_book on PostgreSQL against a raw COPY of the same usage rows.

Generates a book of N accounts (default 10,000: about 2.7 million usage rows), then in one
run and one database:
  1. baseline: COPY the usage rows (account ids already resolved) into an empty table with
     the same columns, constraints and indexes as the project's usage table;
  2. import_book of the whole book (first import);
  3. import_book again (unchanged book).
Prints rows/s of the usage file in each and the ratios. Target: import >= 50 % of the COPY
rate; the re-import no slower than the first.

    .venv/bin/python bench/import_book.py [--accounts 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, django_on, scratch_database, timed

AS_OF = dt.date(2026, 6, 30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    django_on(scratch_database("expansion_bench_import"))
    import pandas as pd
    from django.db import connection

    from books.demo_book import demo_book_write
    from books.services import book_import

    book = OUT / f"book-{args.accounts}-{args.seed}"
    if not (book / "usage.csv").exists():
        demo_book_write(directory=book, accounts=args.accounts, seed=args.seed, as_of=AS_OF)
    results: dict[str, float] = {}

    # Baseline input, prepared outside the timing: the usage rows with account ids resolved,
    # against a copy of the accounts (ids 1..N in file order) so the FK holds.
    accounts = pd.read_csv(book / "accounts.csv", dtype=str, keep_default_na=False)
    ids = {ext: i + 1 for i, ext in enumerate(accounts["external_id"])}
    usage = pd.read_csv(book / "usage.csv", dtype=str, keep_default_na=False)
    usage["account_id"] = usage["account_id"].map(ids)
    rows = len(usage)
    payload = usage[["account_id", "metric", "date", "quantity"]].to_csv(index=False, header=False)
    del usage
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_account (id bigint PRIMARY KEY)")
        with cursor.cursor.copy("COPY bench_account (id) FROM STDIN") as copy:
            copy.write("\n".join(str(i) for i in ids.values()) + "\n")
        cursor.execute(
            "CREATE TABLE bench_usage (LIKE signals_dailyusage INCLUDING ALL);"
            "ALTER TABLE bench_usage ADD FOREIGN KEY (account_id) REFERENCES bench_account (id)"
            " DEFERRABLE INITIALLY DEFERRED"
        )
        with (
            timed(results, "copy"),
            cursor.cursor.copy(
                "COPY bench_usage (account_id, metric, date, quantity) FROM STDIN (FORMAT csv)"
            ) as copy,
        ):
            view = memoryview(payload.encode())
            for start in range(0, len(view), 1 << 20):
                copy.write(view[start : start + (1 << 20)])

    def usage_seconds(report) -> float:
        return next(f.seconds for f in report.files if f.filename == "usage.csv")

    with timed(results, "import_total"):
        first = book_import(directory=book, progress=False)
    results["import_usage"] = usage_seconds(first)
    with timed(results, "reimport_total"):
        second = book_import(directory=book, progress=False)
    results["reimport_usage"] = usage_seconds(second)
    assert first.exit_code == 0 and second.exit_code == 0, (first.fatal, first.rejected)
    assert second.totals()["created"] == second.totals()["updated"] == 0

    total_rows = first.totals()["read"]
    copy_rate = rows / results["copy"]
    import_rate = rows / results["import_usage"]
    reimport_rate = rows / results["reimport_usage"]
    print(f"book: {args.accounts} accounts, {total_rows:,} rows, {rows:,} usage rows")
    print(f"raw COPY into usage-shaped table : {results['copy']:7.1f} s  {copy_rate:10,.0f} rows/s")
    print(
        f"import_book, usage.csv (first)   : {results['import_usage']:7.1f} s  "
        f"{import_rate:10,.0f} rows/s  ratio to COPY {import_rate / copy_rate:.2f}"
    )
    print(
        f"import_book, usage.csv (again)   : {results['reimport_usage']:7.1f} s  "
        f"{reimport_rate:10,.0f} rows/s  ratio to COPY {reimport_rate / copy_rate:.2f}"
    )
    print(
        f"import_book, whole book          : first {results['import_total']:.1f} s, "
        f"again {results['reimport_total']:.1f} s "
        f"({total_rows / results['import_total']:,.0f} and "
        f"{total_rows / results['reimport_total']:,.0f} rows/s)"
    )
    again = results["reimport_usage"] / results["import_usage"]
    print(f"re-import / first import time    : {again:.2f} (target <= 1.0)")
    verdict = "met" if import_rate / copy_rate >= 0.5 else "NOT met"
    print(f"target import >= 0.50 of COPY    : {verdict}")


if __name__ == "__main__":
    main()
