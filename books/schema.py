"""The book format (shared/spec/book-format.md) as data: one ``FileSpec`` per CSV file, in
the order the importer reads them (a file's references point to files read before it).

Each spec lives with the models it fills (``accounts/book.py``, ``signals/book.py``,
``playbooks/book.py``), so that the apps' API row rules read their own specs and never import
this package; the importer is driven entirely by these specs: columns, types, required
values, natural keys, references to other files, and the row rules the format states.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.book import (
    ACCOUNTS_FILE,
    ADJACENCIES_FILE,
    CONTRACTS_FILE,
    ENTITLEMENTS_FILE,
    PRIORITIES_FILE,
    PRODUCTS_FILE,
    STAKEHOLDERS_FILE,
)
from core.validation import FileSpec, RowError
from playbooks.book import OPPORTUNITIES_FILE
from signals.book import SIGNALS_FILE, SUCCESS_METRICS_FILE, USAGE_FILE

BOOK_FILES: tuple[FileSpec, ...] = (
    PRODUCTS_FILE,
    ADJACENCIES_FILE,
    ACCOUNTS_FILE,
    CONTRACTS_FILE,
    ENTITLEMENTS_FILE,
    STAKEHOLDERS_FILE,
    PRIORITIES_FILE,
    USAGE_FILE,
    SIGNALS_FILE,
    SUCCESS_METRICS_FILE,
    OPPORTUNITIES_FILE,
)

BOOK_FILES_BY_NAME = {spec.filename: spec for spec in BOOK_FILES}


@dataclass
class FileReport:
    filename: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    seconds: float = 0.0
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
