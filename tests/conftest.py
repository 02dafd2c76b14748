"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL + Redis when
DATABASE_URL / CELERY_BROKER_URL are set (that is how CI runs it, twice)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SAMPLE_BOOK = SHARED / "sample-book"


@pytest.fixture
def sample_book_dir() -> Path:
    if not SAMPLE_BOOK.is_dir():
        pytest.fail(f"the sample book is missing: {SAMPLE_BOOK}")
    return SAMPLE_BOOK


@pytest.fixture
def book_copy(tmp_path: Path, sample_book_dir: Path) -> Path:
    """A writable copy of the sample book."""
    target = tmp_path / "book"
    shutil.copytree(sample_book_dir, target)
    return target


@pytest.fixture
def imported_sample_book(db, sample_book_dir: Path) -> Path:
    call_command("import_book", str(sample_book_dir), stdout=io.StringIO())
    return sample_book_dir
