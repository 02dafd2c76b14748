from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from books.schema import FileReport
from books.services import book_import

MAX_ERRORS_SHOWN_PER_FILE = 1000


class Command(BaseCommand):
    help = (
        "Import a book (a folder of CSV files, shared/spec/book-format.md). Exit 0: every row "
        "imported; 1: some rows rejected, the valid ones imported; 2: nothing usable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate, write nothing")
        parser.add_argument(
            "--errors", type=Path, help="also write every rejected row's error to this CSV file"
        )

    def handle(self, *args, directory: Path, dry_run: bool, errors: Path | None, **options):
        report = book_import(directory=directory, dry_run=dry_run, on_file=self._print_file)
        for problem in report.fatal:
            self.stderr.write(f"error: {problem}")
        if report.fatal:
            raise CommandError("nothing imported: the book is not usable", returncode=2)
        totals = report.totals()
        verb = (
            "would import (dry run, nothing written)"
            if dry_run
            else "imported (each file in one transaction)"
        )
        self.stdout.write(
            f"{verb}: {len(report.files)} files, {totals['read']} rows read, "
            f"{totals['created']} created, {totals['updated']} updated, "
            f"{totals['unchanged']} unchanged, {totals['rejected']} rejected"
        )
        if errors:
            with errors.open("w", encoding="utf-8") as handle:
                handle.write("file,line,column,reason\n")
                for file_report in report.files:
                    for e in file_report.errors:
                        reason = e.reason.replace('"', '""')
                        handle.write(f'{e.filename},{e.line},{e.column},"{reason}"\n')
        if report.exit_code:
            raise CommandError(
                f"{totals['rejected']} row(s) rejected; every other row was imported",
                returncode=report.exit_code,
            )

    def _print_file(self, file_report: FileReport) -> None:
        line = (
            f"{file_report.filename}: {file_report.read} read, {file_report.created} created, "
            f"{file_report.updated} updated, {file_report.unchanged} unchanged, "
            f"{file_report.rejected} rejected"
        )
        self.stdout.write(line)
        for note in file_report.notes:
            self.stdout.write(f"  note: {note}")
        for error in file_report.errors[:MAX_ERRORS_SHOWN_PER_FILE]:
            self.stdout.write(f"  rejected {error}")
        hidden = len(file_report.errors) - MAX_ERRORS_SHOWN_PER_FILE
        if hidden > 0:
            self.stdout.write(f"  ... and {hidden} more errors (use --errors FILE for all)")
