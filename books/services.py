"""Importing a book: ``book_import`` reads, validates and upserts every file of a folder.

Contract (interfaces.md): every valid row goes in, every bad row is reported with
file:line, column and reason; a file is written in one transaction (an interrupted import
leaves each file either fully imported or untouched); importing the same book twice leaves
the database unchanged. ``dry_run`` validates everything and writes nothing.
"""

from __future__ import annotations

import codecs
import csv
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from django.db import DatabaseError, transaction
from tqdm import tqdm

from core.bulk import upsert_frame
from core.validation import LINE, KnownKeys, validate_frame

from .reading import FILE_COLUMN, book_file_read, utf8_fault
from .schema import BOOK_FILES, FileReport, FileSpec, RowError

PROGRESS_MIN_BYTES = 5_000_000
DRY_RUN_ID = -1


@dataclass
class ImportReport:
    directory: Path
    dry_run: bool = False
    files: list[FileReport] = field(default_factory=list)
    fatal: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def exit_code(self) -> int:
        """0: every row imported; 1: some rows rejected; 2: nothing usable."""
        if self.fatal:
            return 2
        return 1 if self.rejected else 0

    def totals(self) -> dict[str, int]:
        keys = ("read", "created", "updated", "unchanged", "rejected")
        return {k: sum(getattr(f, k) for f in self.files) for k in keys}


def _entity_keys(spec: FileSpec) -> dict[str, int]:
    key_field = spec.column(spec.entity_key).model_field
    return dict(spec.model.objects.values_list(key_field, "id"))


def _header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [name.strip() for name in next(csv.reader(handle), [])]


def _is_empty(path: Path) -> bool:
    """0 bytes, or nothing but a byte-order mark and white space."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    return not head.removeprefix(codecs.BOM_UTF8).strip() and path.stat().st_size == len(head)


def _preflight(directory: Path, report: ImportReport) -> list[tuple[FileSpec, Path]]:
    """Check the folder and every file's header before anything is written."""
    if not directory.is_dir():
        report.fatal.append(f"{directory}: not a folder")
        return []
    present = []
    for spec in BOOK_FILES:
        path = directory / spec.filename
        if not path.exists():
            if spec.required_file:
                report.fatal.append(f"{spec.filename}: missing (it is required)")
            continue
        if _is_empty(path):
            if spec.required_file:
                report.fatal.append(f"{spec.filename}: empty (it is required)")
            present.append((spec, path))  # an optional file that is empty has no rows
            continue
        fault = utf8_fault(path) if spec.required_file else None
        if fault:  # without it nothing is usable: refuse before anything is written
            report.fatal.append(f"{spec.filename}:{fault.line}: {fault.reason}")
            continue
        try:
            header = _header(path)
        except UnicodeDecodeError:
            present.append((spec, path))  # reported with its line when read; the rest imports
            continue
        missing = [c for c in spec.required_columns if c not in header]
        if missing:
            report.fatal.append(
                f"{spec.filename}:1: missing required column(s): {', '.join(missing)}"
            )
        present.append((spec, path))
    return present


def _refused_line(exc: Exception, valid) -> int:
    """The file's line of the row a COPY refused (its error names the COPY data's line),
    else 1: the file as a whole."""
    found = re.search(r"COPY \S+, line (\d+)", str(exc))
    if found and 1 <= int(found[1]) <= len(valid):
        return int(valid[LINE].iloc[int(found[1]) - 1])
    return 1


def book_import(
    *,
    directory: Path,
    dry_run: bool = False,
    progress: bool | None = None,
    on_file: Callable[[FileReport], None] | None = None,
) -> ImportReport:
    """Import the book in ``directory``; see the module docstring for the contract."""
    directory = Path(directory)
    report = ImportReport(directory=directory, dry_run=dry_run)
    present = _preflight(directory, report)
    if report.fatal:
        return report
    if progress is None:
        progress = sys.stderr.isatty()
    known: KnownKeys = {}
    for spec in BOOK_FILES:
        if spec.entity:
            known[spec.entity] = _entity_keys(spec)
    for spec, path in present:
        file_report = FileReport(spec.filename)
        started = time.perf_counter()
        show = progress and path.stat().st_size >= PROGRESS_MIN_BYTES
        raw = book_file_read(path=path, spec=spec, file_report=file_report, show=show)
        if raw is None:  # not readable at all (say, not UTF-8): reported, the rest goes on
            file_report.seconds = time.perf_counter() - started
            report.files.append(file_report)
            if on_file:
                on_file(file_report)
            continue
        unreadable_rows = file_report.rejected
        file_report.read = len(raw) + unreadable_rows
        valid, errors, rejected = validate_frame(spec, raw, known)
        file_report.errors = sorted([*file_report.errors, *errors], key=lambda e: e.line)
        file_report.rejected = unreadable_rows + rejected
        rows = valid.drop(columns=LINE)
        if dry_run:
            file_report.notes.append(f"{len(rows)} valid row(s) would be written")
            if spec.entity:
                new_keys = valid[spec.column(spec.entity_key).model_field]
                known[spec.entity].update(dict.fromkeys(new_keys, DRY_RUN_ID))
        else:
            try:
                with (
                    tqdm(
                        desc=f"write {spec.filename}",
                        total=len(rows),
                        unit=" rows",
                        disable=not show,
                        leave=False,
                    ) as bar,
                    transaction.atomic(),
                ):
                    created, updated, unchanged = upsert_frame(
                        spec.model,
                        rows,
                        key_fields=spec.key_fields,
                        copy_into_empty=True,
                        progress=bar.update,
                    )
            except (DatabaseError, psycopg.Error) as exc:  # COPY raises psycopg's own
                # A value validation let through and the database refuses (say, a number
                # beyond a column's precision): this file's transaction is rolled back and
                # reported; the files after it still import.
                refusal = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                file_report.errors.append(
                    RowError(
                        spec.filename,
                        _refused_line(exc, valid),
                        FILE_COLUMN,
                        f"file not imported: the database refused its rows ({refusal})",
                    )
                )
                file_report.rejected += len(rows)
            else:
                file_report.created, file_report.updated = created, updated
                file_report.unchanged = unchanged
                if spec.entity:
                    known[spec.entity] = _entity_keys(spec)
        file_report.seconds = time.perf_counter() - started
        report.files.append(file_report)
        if on_file:
            on_file(file_report)
    return report
