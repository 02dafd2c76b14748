"""Deterministic generator of a realistic synthetic book (the CSV import format).

`demo_book_write` writes the eleven CSV files of the import format (book-format.md);
the same (seed, accounts, as_of) always gives byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from . import catalog as c
from .accounts import BookBuilder
from .model import FILES
from .scenarios import account_plans
from .usage import write_usage

__all__ = ["demo_book_write"]

FLUSH_EVERY = 5000  # accounts between two flushes of the small files


def _catalog_rows() -> dict[str, tuple[tuple[str, ...], list[tuple]]]:
    products = [
        (
            p.sku,
            p.name,
            p.kind,
            p.family,
            "" if p.tier_rank is None else p.tier_rank,
            p.department or "",
            p.list_arr,
        )
        for p in c.PRODUCTS
    ]
    return {
        "products": (
            ("sku", "name", "kind", "family", "tier_rank", "department", "list_arr"),
            products,
        ),
        "adjacencies": (("from_sku", "to_sku", "pitch"), list(c.ADJACENCIES)),
    }


def demo_book_write(
    *, directory: Path, accounts: int = 500, seed: int = 7, as_of: dt.date
) -> dict[str, int]:
    """Write the book into `directory` (created if needed); returns rows written per file."""
    if accounts < 1:
        raise ValueError("accounts must be at least 1")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for name, (header, rows) in _catalog_rows().items():
        with open(directory / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        counts[f"{name}.csv"] = len(rows)

    builder = BookBuilder(seed, as_of)
    handles = {
        name: open(directory / f"{name}.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
        for name in FILES
    }
    try:
        writers = {name: csv.writer(fh, lineterminator="\n") for name, fh in handles.items()}
        for name, header in FILES.items():
            writers[name].writerow(header)
            counts[f"{name}.csv"] = 0

        def flush() -> None:
            for name, rows in builder.rows.items():
                writers[name].writerows(rows)
                counts[f"{name}.csv"] += len(rows)
                rows.clear()

        for i, plan in enumerate(account_plans(builder.r, accounts)):
            builder.add_account(i, plan)
            if (i + 1) % FLUSH_EVERY == 0:
                flush()
        flush()
    finally:
        for fh in handles.values():
            fh.close()
    counts["usage.csv"] = write_usage(
        directory / "usage.csv", builder.usage, builder.account_ids, seed=seed, as_of=as_of
    )
    return dict(sorted(counts.items()))
