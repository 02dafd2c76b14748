from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from scoring.models import ScoringRun
from scoring.services import DEFAULT_CHUNK_SIZE, ScoringRunInProgress, scoring_run_execute

#: Exit code while another run is in progress (sysexits' EX_TEMPFAIL: try again later).
EXIT_IN_PROGRESS = 75


class Command(BaseCommand):
    help = (
        "Run the nightly scoring now for one date (default: today); prints a summary. "
        f"Exit 0: done (accounts with unusable data are listed as skipped); 1: the run "
        f"failed; {EXIT_IN_PROGRESS}: another run is in progress."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="scoring date YYYY-MM-DD (default: today)",
        )
        parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE)

    def handle(self, *args, as_of: dt.date | None, chunk_size: int, **options) -> None:
        day = as_of or timezone.localdate()
        try:
            run = scoring_run_execute(as_of=day, chunk_size=chunk_size)
        except ScoringRunInProgress as busy:
            raise CommandError(str(busy), returncode=EXIT_IN_PROGRESS) from None
        except Exception as exc:
            failed = ScoringRun.objects.filter(as_of=day, status="failed").order_by("-pk").first()
            which = f"scoring run {failed.pk}" if failed else "the scoring run"
            raise CommandError(f"{which} as of {day} failed: {type(exc).__name__}: {exc}") from exc
        c = run.counts
        plays = sum(v for k, v in c.items() if k.startswith("play:"))
        seconds = (run.finished - run.started).total_seconds()
        self.stdout.write(
            f"scoring run {run.pk} as of {run.as_of}: {c.get('accounts_scored', 0)} accounts "
            f"scored, {c.get('eligible', 0)} eligible, {plays} opportunities "
            f"({c.get('status:ready', 0)} ready), {c.get('opportunities_expired', 0)} expired, "
            f"{c.get('alerts_raised', 0)} alerts, {len(run.skipped)} skipped, in {seconds:.1f} s"
        )
        for entry in run.skipped:
            self.stderr.write(
                f"skipped account {entry['external_id'] or entry['account_id']} "
                f"(id {entry['account_id']}): {entry['reason']}"
            )
