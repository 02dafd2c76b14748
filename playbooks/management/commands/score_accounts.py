from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from playbooks.services import DEFAULT_CHUNK_SIZE, scoring_run_execute


class Command(BaseCommand):
    help = "Run the nightly scoring now for one date (default: today); prints a summary."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="scoring date YYYY-MM-DD (default: today)",
        )
        parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE)

    def handle(self, *args, as_of: dt.date | None, chunk_size: int, **options) -> None:
        run = scoring_run_execute(as_of=as_of or timezone.localdate(), chunk_size=chunk_size)
        c = run.counts
        plays = sum(v for k, v in c.items() if k.startswith("play:"))
        seconds = (run.finished - run.started).total_seconds()
        self.stdout.write(
            f"scoring run {run.pk} as of {run.as_of}: {c.get('accounts_scored', 0)} accounts "
            f"scored, {c.get('eligible', 0)} eligible, {plays} opportunities "
            f"({c.get('status:ready', 0)} ready), {c.get('opportunities_expired', 0)} expired, "
            f"{c.get('alerts_raised', 0)} alerts, in {seconds:.1f} s"
        )
