"""Reading one book file: its rows as stripped strings, each with its line in the file.

A fault in one row never costs the rest of the file, and a fault in one file never the
rest of the book:

- The fast path is pandas' C reader. A row with more fields than the header is rejected
  alone, with its line (pandas skips it and says which line). When pandas stops (a quote
  that never closes) or when the file's records are not one per line (a quoted field holds
  a line break, or a stray quote pairs with a later one, so row numbers are no longer line
  numbers), the file is read again record by record with the ``csv`` module, which numbers
  every physical line.
- There a quote that opens on a line and does not close where a row could end (it runs to
  the end of the file, past the longest field ``csv`` takes, or swallows lines into a
  record of the wrong width) rejects the line where it opened; the lines after it are read
  again as rows of their own, so the rows the quote would have swallowed are still
  imported (or rejected for their own faults). A record over several lines with the
  header's width is a quoted line break, and is kept.
- A file that is not UTF-8 is not read at all: an encoding is a property of the whole file
  (a latin-1 export has its accents on every row), so importing its ASCII-only rows would
  import a part of it silently. It is reported with the line and byte of the first byte
  that is not UTF-8; the other files still import.
- An empty file (0 bytes, or nothing but white space) has no rows.
"""

from __future__ import annotations

import codecs
import csv
import re
import warnings
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from core.validation import LINE

from .schema import FileReport, FileSpec, RowError

READ_CHUNK_ROWS = 250_000
SCAN_BLOCK_BYTES = 1 << 20
#: pandas' words for a row it skipped (``on_bad_lines="warn"``); the line is the file's
SKIPPED_LINE = re.compile(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)")
FILE_COLUMN = "(file)"
ROW_COLUMN = "(row)"


class Unreadable(Exception):
    """The file cannot be read as UTF-8 text; ``line`` is where the first bad byte is."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def book_file_read(
    *, path: Path, spec: FileSpec, file_report: FileReport, show: bool = False
) -> pd.DataFrame | None:
    """The file's rows (columns of ``spec``, stripped strings) with a ``_line`` column, the
    header being line 1; blank rows dropped. Rows that cannot be read are added to
    ``file_report`` (errors, rejected). None when the file cannot be read at all (also
    reported there, with every line of it counted as read and rejected)."""
    try:
        raw = _read_fast(path, spec, file_report, show)
        if raw is None:
            file_report.errors, file_report.rejected = [], 0
            raw = _read_by_record(path, spec, file_report)
    except Unreadable as exc:
        file_report.errors.append(
            RowError(spec.filename, exc.line, FILE_COLUMN, f"{exc.reason}; file not imported")
        )
        file_report.read = file_report.rejected = max(_line_count(path) - 1, 1)
        return None
    if list(raw.columns) == [LINE]:
        file_report.notes.append("empty file: no rows")
    raw.columns = [str(c).strip() for c in raw.columns]
    ignored = [c for c in raw.columns if c not in spec.column_names and c != LINE]
    if ignored:
        file_report.notes.append(f"ignored column(s): {', '.join(ignored)}")
    raw = raw[[LINE, *(c for c in raw.columns if c in spec.column_names)]]
    texts = [c for c in raw.columns if c != LINE]
    if len(raw):
        raw[texts] = raw[texts].apply(lambda s: s.str.strip())
    blank = (raw[texts] == "").all(axis=1)
    return raw[~blank].reset_index(drop=True)


def _read_fast(
    path: Path, spec: FileSpec, file_report: FileReport, show: bool
) -> pd.DataFrame | None:
    """pandas' C reader, which skips (and we reject) rows with more fields than the header;
    None when the file needs reading record by record."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            reader = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                encoding="utf-8-sig",
                chunksize=READ_CHUNK_ROWS,
                on_bad_lines="warn",
            )
            chunks = []
            with tqdm(
                desc=f"read {spec.filename}", unit=" rows", disable=not show, leave=False
            ) as bar:
                for chunk in reader:
                    chunks.append(chunk)
                    bar.update(len(chunk))
    except pd.errors.EmptyDataError:  # 0 bytes, or only blank lines: no header, no rows
        return pd.DataFrame({LINE: pd.Series(dtype="int64")})
    except pd.errors.ParserError:  # e.g. a quote that never closes
        return None
    except UnicodeDecodeError:
        raise utf8_fault(path) or Unreadable(1, "not UTF-8") from None
    skipped: dict[int, tuple[str, str]] = {}
    for warning in caught:
        found = SKIPPED_LINE.findall(str(warning.message))
        if not found:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
        skipped.update({int(line): (expected, saw) for line, expected, saw in found})
    raw = pd.concat(chunks) if chunks else pd.DataFrame(columns=_header(path), dtype=str)
    total = _line_count(path)
    if len(raw) + len(skipped) + 1 != total:
        return None  # a record spans lines: row numbers are not line numbers
    raw.insert(0, LINE, np.setdiff1d(np.arange(2, total + 1), list(skipped)))
    for line, (expected, saw) in sorted(skipped.items()):
        file_report.errors.append(_too_many_fields(spec, line, int(saw), int(expected)))
    file_report.rejected += len(skipped)
    return raw


def _too_many_fields(spec: FileSpec, line: int, fields: int, width: int) -> RowError:
    return RowError(
        spec.filename,
        line,
        ROW_COLUMN,
        f"{fields} fields where the header has {width} (a comma in a value that is not quoted?)",
    )


def _header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return next(csv.reader(handle), [])


def _line_count(path: Path) -> int:
    """Physical lines, as an editor numbers them (a last line without its newline counts)."""
    count, last = 0, b"\n"
    with path.open("rb") as handle:
        while block := handle.read(SCAN_BLOCK_BYTES):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def utf8_fault(path: Path) -> Unreadable | None:
    """Where the first byte that is not UTF-8 is, as a line and a byte offset; None when
    the whole file is UTF-8. Reads the file in blocks (its size does not matter)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, line = 0, 1
    with path.open("rb") as handle:
        while True:
            block = handle.read(SCAN_BLOCK_BYTES)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                # the decoder may hold back up to 3 bytes of an unfinished character
                held = len(exc.object) - len(block)
                position = offset + exc.start - held
                line += exc.object[: exc.start].count(b"\n")
                bad = exc.object[exc.start : exc.start + 1].hex()
                return Unreadable(
                    line,
                    f"not UTF-8: byte 0x{bad} at offset {position} ({exc.reason}); "
                    "save the file as UTF-8",
                )
            if not block:
                return None
            offset += len(block)
            line += block.count(b"\n")


class _Lines:
    """The physical lines of a text file (line endings kept) for ``csv.reader``, with their
    numbers. ``taken`` holds the lines handed out since the last ``start_record``; lines can
    be given back to be read again."""

    def __init__(self, handle) -> None:
        self._handle = handle
        self._pending: deque[tuple[int, str]] = deque()
        self._read = 0
        self.taken: list[tuple[int, str]] = []
        self.at_end = False

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self._pending:
            number, line = self._pending.popleft()
        else:
            try:
                line = next(self._handle)
            except StopIteration:
                self.at_end = True
                raise
            self._read += 1
            number = self._read
        self.taken.append((number, line))
        return line

    def start_record(self) -> None:
        self.taken = []
        self.at_end = False

    def give_back(self, lines: list[tuple[int, str]]) -> None:
        self._pending.extendleft(reversed(lines))
        self.at_end = False


def _read_by_record(path: Path, spec: FileSpec, file_report: FileReport) -> pd.DataFrame:
    """The csv module, record by record: see the module docstring."""
    rows: list[list[str]] = []
    numbers: list[int] = []
    errors: list[RowError] = []
    chunks: list[pd.DataFrame] = []  # rows in compact frames, READ_CHUNK_ROWS at a time
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            lines = _Lines(handle)
            reader = csv.reader(lines)
            header = next(reader, [])
            width = len(header)
            while True:
                lines.start_record()
                try:
                    fields = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    reason = (
                        "unbalanced quote: the quoted field that opens on this line does not "
                        f"close ({exc}); this line is rejected, the lines after it are read again"
                    )
                    errors.append(_reject_first_line(spec, lines, reason))
                    reader = csv.reader(lines)
                    continue
                first, last = lines.taken[0][0], lines.taken[-1][0]
                if first != last and (
                    len(fields) != width
                    or (lines.at_end and sum(t.count('"') for _, t in lines.taken) % 2)
                ):
                    where = "the end of the file" if lines.at_end else f"line {last}"
                    reason = (
                        "unbalanced quote: the quoted field that opens on this line runs to "
                        f"{where}; this line is rejected, the lines after it are read again"
                    )
                    errors.append(_reject_first_line(spec, lines, reason))
                    reader = csv.reader(lines)
                    continue
                if len(fields) > width:
                    errors.append(_too_many_fields(spec, first, len(fields), width))
                    continue
                rows.append(fields + [""] * (width - len(fields)))
                numbers.append(first)
                if len(rows) == READ_CHUNK_ROWS:
                    chunks.append(_frame(header, rows, numbers))
                    rows, numbers = [], []
    except UnicodeDecodeError:
        raise utf8_fault(path) or Unreadable(1, "not UTF-8") from None
    file_report.errors.extend(errors)
    file_report.rejected += len(errors)
    chunks.append(_frame(header, rows, numbers))
    return pd.concat(chunks, ignore_index=True)


def _frame(header: list[str], rows: list[list[str]], numbers: list[int]) -> pd.DataFrame:
    positions = list(range(len(header)))
    frame = pd.DataFrame(rows or None, columns=positions, dtype=str)
    first = {name: i for i, name in reversed(list(enumerate(header)))}  # a repeated name:
    frame = frame[sorted(first.values())]  # its first column
    frame.columns = [header[i] for i in sorted(first.values())]
    frame.insert(0, LINE, np.asarray(numbers, dtype=np.int64))
    return frame


def _reject_first_line(spec: FileSpec, lines: _Lines, reason: str) -> RowError:
    """Reject the record's first line; its other lines are read again as rows."""
    if not lines.taken:
        return RowError(spec.filename, 0, ROW_COLUMN, reason)
    (first, _), *rest = lines.taken
    lines.give_back(rest)
    return RowError(spec.filename, first, ROW_COLUMN, reason)
