"""import_book: counts, upsert, rejected rows with file:line, column and reason, exit codes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from accounts.models import Account, ContractLine, Product
from books.schema import BOOK_FILES
from books.services import book_import
from signals.models import AccountSignal, DailyUsage

pytestmark = pytest.mark.django_db


def _csv_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def _run(directory: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("import_book", str(directory), *args, stdout=out, stderr=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def _table_contents() -> dict[str, list[tuple]]:
    """Every row of every table the book writes, including timestamps and ids."""
    contents = {}
    for spec in BOOK_FILES:
        model = spec.model
        contents[model._meta.label] = sorted(
            tuple(str(v) for v in row) for row in model.objects.values_list()
        )
    return contents


def test_sample_book_imports_every_row(sample_book_dir: Path) -> None:
    code, output = _run(sample_book_dir)

    assert code == 0, output
    for spec in BOOK_FILES:
        expected = _csv_rows(sample_book_dir / spec.filename)
        assert spec.model.objects.count() == expected, spec.filename
    assert "2100 created, 0 updated, 0 unchanged, 0 rejected" in output


def test_second_import_changes_nothing(sample_book_dir: Path) -> None:
    _run(sample_book_dir)
    before = _table_contents()

    code, output = _run(sample_book_dir)

    assert code == 0
    assert "0 created, 0 updated, 2100 unchanged, 0 rejected" in output
    assert _table_contents() == before


def _append(path: Path, line: str) -> int:
    """Append a row and return its line number (the header is line 1)."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    return sum(1 for _ in path.open(encoding="utf-8"))


def test_broken_rows_are_rejected_alone(book_copy: Path) -> None:
    bad = {
        (
            "usage.csv",
            _append(book_copy / "usage.csv", "NW-001,api_calls,2026-07-01,-5"),
            "quantity",
            "must be >= 0, got -5",
        ),
        (
            "usage.csv",
            _append(book_copy / "usage.csv", "ZZ-999,api_calls,2026-06-01,5"),
            "account_id",
            "unknown account 'ZZ-999'",
        ),
        (
            "signals.csv",
            _append(book_copy / "signals.csv", "NW-001,2026-02-30,nps,9,,"),
            "date",
            "invalid date '2026-02-30' (expected YYYY-MM-DD)",
        ),
        (
            "contracts.csv",
            _append(
                book_copy / "contracts.csv", "NW-001-L9,NW-001,FRAUD,2026-05-01,2026-04-30,100"
            ),
            "end_date",
            "end date 2026-04-30 is before start_date 2026-05-01",
        ),
        (
            "accounts.csv",
            _append(book_copy / "accounts.csv", "XX-013,Bad Segment,megacorp,,,,,,2024-01-01"),
            "segment",
            "unknown value 'megacorp' (expected one of enterprise, mid_market, smb)",
        ),
    }

    report = book_import(directory=book_copy)
    code, output = _run(book_copy)

    assert report.exit_code == 1 and code == 1
    reported = {(e.filename, e.line, e.column, e.reason) for f in report.files for e in f.errors}
    assert reported == bad
    for filename, line, column, reason in bad:
        assert f"rejected {filename}:{line}: {column}: {reason}" in output
    # Every other row is in.
    assert Account.objects.count() == 12
    assert ContractLine.objects.count() == 23
    assert DailyUsage.objects.count() == 1980
    assert AccountSignal.objects.count() == 22
    assert not Account.objects.filter(external_id="XX-013").exists()


def test_missing_accounts_file_is_fatal_and_writes_nothing(book_copy: Path) -> None:
    (book_copy / "accounts.csv").unlink()

    code, output = _run(book_copy)

    assert code == 2
    assert "accounts.csv: missing" in output
    assert Product.objects.count() == 0


def test_missing_required_column_is_fatal_and_writes_nothing(book_copy: Path) -> None:
    path = book_copy / "contracts.csv"
    path.write_text(path.read_text().replace(",arr\n", ",amount\n", 1))

    code, output = _run(book_copy)

    assert code == 2
    assert "contracts.csv:1: missing required column(s): arr" in output
    assert Account.objects.count() == 0


def test_dry_run_validates_and_writes_nothing(book_copy: Path) -> None:
    _append(book_copy / "usage.csv", "NW-001,api_calls,2026-07-01,-1")

    code, output = _run(book_copy, "--dry-run")

    assert code == 1
    assert "usage.csv:1982: quantity: must be >= 0, got -1" in output
    assert "dry run" in output
    assert all(apps.get_model(s.model._meta.label).objects.count() == 0 for s in BOOK_FILES)


def test_changed_row_is_updated_not_duplicated(book_copy: Path) -> None:
    _run(book_copy)
    path = book_copy / "contracts.csv"
    path.write_text(
        path.read_text().replace(
            "NW-001-L3,NW-001,FRAUD,2024-01-01,2026-12-31,80000",
            "NW-001-L3,NW-001,FRAUD,2024-01-01,2026-12-31,90000",
        )
    )

    report = book_import(directory=book_copy)

    contracts = next(f for f in report.files if f.filename == "contracts.csv")
    assert (contracts.created, contracts.updated, contracts.unchanged) == (0, 1, 22)
    assert ContractLine.objects.get(external_id="NW-001-L3").arr == 90000
    assert ContractLine.objects.count() == 23


def test_resent_usage_day_replaces_it(book_copy: Path) -> None:
    _run(book_copy)
    _append(book_copy / "usage.csv", "NW-001,api_calls,2026-08-01,10")
    _run(book_copy)
    path = book_copy / "usage.csv"
    path.write_text(
        path.read_text().replace("NW-001,api_calls,2026-08-01,10", "NW-001,api_calls,2026-08-01,7")
    )

    _run(book_copy)

    rows = DailyUsage.objects.filter(
        account__external_id="NW-001", metric="api_calls", date="2026-08-01"
    )
    assert [r.quantity for r in rows] == [7.0]


def test_duplicate_key_within_a_file_is_rejected(book_copy: Path) -> None:
    line = _append(book_copy / "accounts.csv", "NW-001,Northwind Again,enterprise,,,,,,2023-07-01")

    report = book_import(directory=book_copy)

    errors = [e for f in report.files for e in f.errors]
    assert [(e.filename, e.line, e.reason) for e in errors] == [
        ("accounts.csv", line, "duplicate key, already given on line 2")
    ]
    assert Account.objects.get(external_id="NW-001").name == "Northwind Bank"


def test_extra_columns_are_ignored_and_reported_once(book_copy: Path) -> None:
    path = book_copy / "products.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0] + ",colour"] + [x + ",red" for x in lines[1:]]) + "\n")

    report = book_import(directory=book_copy)

    products = next(f for f in report.files if f.filename == "products.csv")
    assert products.notes == ["ignored column(s): colour"]
    assert report.exit_code == 0


def test_emails_are_stored_lower_case(book_copy: Path) -> None:
    path = book_copy / "accounts.csv"
    path.write_text(
        path.read_text().replace("ae1@vendor.example,csm1", "AE1@Vendor.Example,csm1", 1)
    )

    book_import(directory=book_copy)

    assert Account.objects.get(external_id="NW-001").owner_email == "ae1@vendor.example"


def test_a_generated_demo_book_imports_without_a_single_rejection(tmp_path: Path) -> None:
    """GIVEN the demo generator's book WHEN imported THEN every row of every file goes in:
    the generator and the importer agree on the format (columns, enums, references)."""
    import datetime as dt

    from books.demo_book import demo_book_write

    written = demo_book_write(directory=tmp_path, accounts=60, seed=3, as_of=dt.date(2026, 6, 30))

    report = book_import(directory=tmp_path)

    assert report.exit_code == 0, [str(e) for f in report.files for e in f.errors][:10]
    assert {f.filename: f.created for f in report.files} == written
    assert not [f.notes for f in report.files if f.notes]
