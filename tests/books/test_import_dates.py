"""import_book with dates and quantities that used to reach COPY (and end the import in a
traceback) or were rejected for the wrong reason: each row is rejected alone, with its line
and the real fault, and the rest of the book imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.models import ContractLine
from books.services import book_import
from signals.models import DailyUsage

pytestmark = pytest.mark.django_db


def _append(path: Path, line: str) -> int:
    """Append a row and return its line number (the header is line 1)."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    return sum(1 for _ in path.open(encoding="utf-8"))


def _errors(report) -> set[tuple[str, int, str, str]]:
    return {(e.filename, e.line, e.column, e.reason) for f in report.files for e in f.errors}


def test_bad_usage_dates_and_quantities_are_rejected_alone(book_copy: Path) -> None:
    usage = book_copy / "usage.csv"
    expected = {
        (
            "usage.csv",
            _append(usage, "NW-001,api_calls,0000-01-01,5"),
            "date",
            "date '0000-01-01' is before 1990-01-01",
        ),
        (
            "usage.csv",
            _append(usage, "NW-001,api_calls,\uff12\uff10\uff12\uff16-01-01,5"),
            "date",
            "not a date in YYYY-MM-DD with ASCII digits: '\uff12\uff10\uff12\uff16-01-01'",
        ),
        (
            "usage.csv",
            _append(usage, "NW-001,api_calls,\u0662\u0660\u0662\u0666-01-02,5"),
            "date",
            "not a date in YYYY-MM-DD with ASCII digits: '\u0662\u0660\u0662\u0666-01-02'",
        ),
        (
            "usage.csv",
            _append(usage, "NW-001,api_calls,2026-07-01,1e308"),
            "quantity",
            "must be <= 1e+12, got 1e308",
        ),
    }

    report = book_import(directory=book_copy)

    assert _errors(report) == expected
    assert report.exit_code == 1
    assert DailyUsage.objects.count() == 1980  # the sample book's rows, all in


def test_a_full_width_contract_date_is_rejected_for_what_it_is(book_copy: Path) -> None:
    line = _append(
        book_copy / "contracts.csv",
        "NW-001-L9,NW-001,FRAUD,\uff12\uff10\uff12\uff16-05-01,2026-12-31,100",
    )

    report = book_import(directory=book_copy)

    assert _errors(report) == {
        (
            "contracts.csv",
            line,
            "start_date",
            "not a date in YYYY-MM-DD with ASCII digits: '\uff12\uff10\uff12\uff16-05-01'",
        )
    }
    assert ContractLine.objects.count() == 23


def test_a_contract_may_end_years_ahead(book_copy: Path) -> None:
    _append(book_copy / "contracts.csv", "NW-001-L9,NW-001,FRAUD,2026-05-01,2031-04-30,100")

    report = book_import(directory=book_copy)

    assert _errors(report) == set()
    assert ContractLine.objects.count() == 24
