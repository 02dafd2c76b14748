"""generate_demo_book DIR [--accounts N] [--seed S] [--as-of YYYY-MM-DD]"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from books.demo_book import demo_book_write


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--as-of must be YYYY-MM-DD, got {value!r}") from exc


class Command(BaseCommand):
    help = "Write a deterministic synthetic demo book (the CSV import format) into DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="folder to write the CSV files into")
        parser.add_argument("--accounts", type=int, default=500, help="number of accounts")
        parser.add_argument("--seed", type=int, default=7, help="random seed")
        parser.add_argument(
            "--as-of",
            dest="as_of",
            type=_date,
            default=None,
            help="the book's today, YYYY-MM-DD (default: today)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["accounts"] < 1:
            raise CommandError("--accounts must be at least 1")
        as_of = options["as_of"] or dt.date.today()
        counts = demo_book_write(
            directory=options["directory"],
            accounts=options["accounts"],
            seed=options["seed"],
            as_of=as_of,
        )
        self.stdout.write(
            f"Wrote {sum(counts.values())} rows in {len(counts)} files to "
            f"{options['directory']} ({counts['accounts.csv']} accounts, "
            f"{counts['usage.csv']} usage rows, seed {options['seed']}, as of {as_of})"
        )
