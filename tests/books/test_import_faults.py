"""import_book with a broken row or an unreadable file: the broken row is rejected alone with
its line and reason, an unreadable file is reported with its name and why, every other row
and file is imported, and the exit code follows interfaces.md (issue 10, item 5)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import Account, ContractLine, Priority, Product, Stakeholder
from books.schema import BOOK_FILES
from playbooks.models import Opportunity
from signals.models import AccountSignal, DailyUsage, SuccessMetric

pytestmark = pytest.mark.django_db

SAMPLE_ROWS = {
    "contracts.csv": 23,
    "stakeholders.csv": 20,
    "priorities.csv": 10,
    "usage.csv": 1980,
    "signals.csv": 22,
}


def _run(directory: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("import_book", str(directory), *args, stdout=out, stderr=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _files_after_are_imported() -> None:
    """The files after stakeholders.csv in the book's order all went in."""
    assert DailyUsage.objects.count() == SAMPLE_ROWS["usage.csv"]
    assert AccountSignal.objects.count() == SAMPLE_ROWS["signals.csv"]
    assert SuccessMetric.objects.count() == 1
    assert Opportunity.objects.count() == 3


def test_a_row_with_extra_fields_is_rejected_alone(book_copy: Path) -> None:
    path = book_copy / "contracts.csv"
    lines = _lines(path)
    lines.insert(5, "NW-001-L9,NW-001,FRAUD,2026-01-01,2026-12-31,100,surplus")
    _write(path, lines)

    code, output = _run(book_copy)

    assert code == 1, output
    assert "rejected contracts.csv:6: (row): 7 fields where the header has 6" in output
    assert ContractLine.objects.count() == SAMPLE_ROWS["contracts.csv"]
    assert not ContractLine.objects.filter(external_id="NW-001-L9").exists()
    assert Stakeholder.objects.count() == SAMPLE_ROWS["stakeholders.csv"]
    _files_after_are_imported()
    assert "Traceback" not in output


def test_an_unbalanced_quote_rejects_its_line_and_the_rows_after_it_still_import(
    book_copy: Path,
) -> None:
    """GIVEN a quote opened on line 4 of stakeholders.csv and never closed WHEN imported THEN
    line 4 is rejected with the reason, and every later row of the file is imported (the
    quote would have swallowed them), as are the later files."""
    path = book_copy / "stakeholders.csv"
    lines = _lines(path)
    lines.insert(3, 'NW-001-S9,NW-001,"Open Quote,o@customer.example,,Ops,champion,3,true')
    _write(path, lines)

    code, output = _run(book_copy)

    assert code == 1, output
    assert "rejected stakeholders.csv:4: (row): unbalanced quote" in output
    assert Stakeholder.objects.count() == SAMPLE_ROWS["stakeholders.csv"]
    assert Priority.objects.count() == SAMPLE_ROWS["priorities.csv"]
    _files_after_are_imported()


def test_a_quote_closed_by_a_later_rows_quote_swallows_nothing(book_copy: Path) -> None:
    """The quote opened on line 3 pairs with the first quote of line 6: a record of the
    wrong width spanning lines 3..6. Line 3 is rejected; lines 4, 5 and 6 are rows."""
    path = book_copy / "stakeholders.csv"
    lines = [
        _lines(path)[0],
        "NW-001-S1,NW-001,Dana Ops,dana@customer.example,,Ops,champion,3,true",
        'NW-001-S7,NW-001,"Bad Quote,b@customer.example,,Ops,champion,3,true',
        "NW-001-S2,NW-001,Chris Info,chris@customer.example,CIO,Ops,executive_sponsor,3,true",
        "NW-001-S3,NW-001,Third One,t@customer.example,,Ops,user,2,true",
        'NW-001-S4,NW-001,"Quoted, Fine",q@customer.example,,Ops,user,2,true',
    ]
    _write(path, lines)
    (book_copy / "priorities.csv").write_text("stakeholder_id,year,priority\n")

    code, output = _run(book_copy)

    assert code == 1, output
    assert "rejected stakeholders.csv:3: (row): unbalanced quote" in output
    assert output.count("rejected stakeholders.csv") == 1
    assert sorted(Stakeholder.objects.values_list("external_id", "name")) == [
        ("NW-001-S1", "Dana Ops"),
        ("NW-001-S2", "Chris Info"),
        ("NW-001-S3", "Third One"),
        ("NW-001-S4", "Quoted, Fine"),
    ]


def test_special_text_and_line_breaks_in_quoted_fields_keep_true_line_numbers(
    book_copy: Path,
) -> None:
    """A quoted name over two lines, names the COPY formats treat specially, then a broken
    row: the names are stored exactly and the broken row is reported at its own line."""
    path = book_copy / "stakeholders.csv"
    names = ["\\N", "Tab\there", 'Say ""hi""', "Back\\slash", "Two\nlines"]
    lines = _lines(path)[:1]
    for i, name in enumerate(names):
        lines.append(f'NW-001-X{i},NW-001,"{name}",,,Ops,user,2,true')
    lines.append("NW-001-X9,NW-001,Broken,,,Ops,user,2,true,extra")
    _write(path, lines)
    (book_copy / "priorities.csv").write_text("stakeholder_id,year,priority\n")

    code, output = _run(book_copy)

    assert code == 1, output
    # header 1, five rows on lines 2..6 of which the last spans 6..7, the broken one on 8
    assert "rejected stakeholders.csv:8: (row): 10 fields where the header has 9" in output
    stored = dict(Stakeholder.objects.values_list("external_id", "name"))
    assert stored == {f"NW-001-X{i}": name.replace('""', '"') for i, name in enumerate(names)}


def test_a_file_that_is_not_utf8_is_reported_and_the_other_files_import(
    book_copy: Path,
) -> None:
    """GIVEN usage.csv with a latin-1 byte on line 901 (past the first 8 KB) WHEN imported
    THEN usage.csv is reported with that line and why, nothing of it is written, and the
    files after it (signals, success metrics, opportunities) are imported."""
    path = book_copy / "usage.csv"
    lines = path.read_bytes().split(b"\n")
    lines[900] = lines[900].replace(b"api_calls", b"api_call\xe9")
    path.write_bytes(b"\n".join(lines))
    assert len(b"\n".join(lines[:900])) > 8192

    code, output = _run(book_copy)

    assert code == 1, output
    assert "rejected usage.csv:901: (file): not UTF-8: byte 0xe9" in output
    assert "file not imported" in output
    assert DailyUsage.objects.count() == 0
    assert AccountSignal.objects.count() == SAMPLE_ROWS["signals.csv"]
    assert SuccessMetric.objects.count() == 1
    assert Opportunity.objects.count() == 3


def test_a_bad_byte_in_an_optional_files_header_is_not_fatal(book_copy: Path) -> None:
    path = book_copy / "signals.csv"
    path.write_bytes(path.read_bytes().replace(b"detail", b"d\xe9tail", 1))

    code, output = _run(book_copy)

    assert code == 1, output
    assert "rejected signals.csv:1: (file): not UTF-8" in output
    assert AccountSignal.objects.count() == 0
    assert SuccessMetric.objects.count() == 1 and Opportunity.objects.count() == 3


def test_a_required_file_that_is_not_utf8_is_fatal_and_writes_nothing(book_copy: Path) -> None:
    path = book_copy / "accounts.csv"
    path.write_bytes(path.read_bytes().replace(b"Northwind", b"N\xf6rthwind"))

    code, output = _run(book_copy)

    assert code == 2, output
    assert "accounts.csv:2: not UTF-8: byte 0xf6" in output
    assert Product.objects.count() == 0


def test_an_empty_optional_file_is_simply_empty(book_copy: Path) -> None:
    (book_copy / "signals.csv").write_bytes(b"")

    code, output = _run(book_copy)

    assert code == 0, output
    assert "signals.csv: 0 read" in output
    assert AccountSignal.objects.count() == 0
    for spec in BOOK_FILES:
        if spec.filename != "signals.csv":
            assert spec.model.objects.exists(), spec.filename


def test_an_empty_accounts_file_is_fatal(book_copy: Path) -> None:
    (book_copy / "accounts.csv").write_bytes(b"")

    code, output = _run(book_copy)

    assert code == 2, output
    assert "accounts.csv: empty (it is required)" in output
    assert Account.objects.count() == 0


def test_dry_run_reports_the_faults_and_writes_nothing(book_copy: Path, tmp_path: Path) -> None:
    path = book_copy / "contracts.csv"
    _write(path, [*_lines(path), "NW-001-L9,NW-001,FRAUD,2026-01-01,2026-12-31,100,surplus"])
    errors = tmp_path / "errors.csv"

    code, output = _run(book_copy, "--dry-run", "--errors", str(errors))

    assert code == 1, output
    assert "contracts.csv,25,(row)," in errors.read_text()
    assert Account.objects.count() == 0



@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite stores any decimal")
def test_a_file_the_database_refuses_is_reported_and_the_files_after_it_import(
    book_copy: Path,
) -> None:
    """GIVEN a contract ARR beyond its column's precision (numeric(14, 2)) WHEN imported on
    PostgreSQL THEN contracts.csv is reported (row or file), nothing of it is half-written,
    the later files import and the exit code is 1, never a traceback."""
    path = book_copy / "contracts.csv"
    _write(path, [*_lines(path), "NW-001-L9,NW-001,FRAUD,2026-01-01,2026-12-31,1e13"])

    code, output = _run(book_copy)

    assert code == 1, output
    assert "rejected contracts.csv:25: " in output
    assert not ContractLine.objects.filter(external_id="NW-001-L9").exists()
    assert Stakeholder.objects.count() == SAMPLE_ROWS["stakeholders.csv"]
    _files_after_are_imported()
