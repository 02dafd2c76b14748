"""Vectorised validation of one book file: every rule checked over whole columns at once.

Input is the raw CSV as strings; output is a frame of model field values for the valid rows
(strings for text, dates, numbers; integer ids for references) plus a ``RowError`` for every
problem of every rejected row. Line numbers count the header as line 1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.utils import timezone

LINE = "_line"
DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
#: The same shape in any script's digits (``\d`` is Unicode): named as such when rejected.
ANY_DIGITS_DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
#: No date in a book or a usage batch is older (sooner is kept out by ``max_days_ahead``).
EARLIEST_DATE = dt.date(1990, 1, 1)
SURROGATES = "[\ud800-\udfff]"
EMAIL_PATTERN = r"[^@\s]+@[^@\s]+\.[^@\s]+"
TRUE_WORDS = ("true", "1", "yes", "y", "t")
FALSE_WORDS = ("false", "0", "no", "n", "f")

KnownKeys = dict[str, dict[str, int]]


@dataclass(frozen=True)
class Column:
    """One CSV column. ``kind``: str, email, date, decimal, int, enum, bool or ref.

    Dates are ASCII ``YYYY-MM-DD`` from ``EARLIEST_DATE`` to ``max_days_ahead`` days after
    today (``None``: any later date, e.g. a contract's end).
    """

    name: str
    kind: str = "str"
    required: bool = False
    field: str = ""  # the model field; defaults to ``name`` (``<name>_id`` for refs)
    choices: tuple[str, ...] = ()
    ref: str = ""  # for refs: the referenced file's entity, e.g. "account"
    min_value: float | None = None
    min_exclusive: bool = False
    max_value: float | None = None
    max_length: int | None = None
    lower: bool = False  # stored lower-case (e-mails used for role scoping)
    max_days_ahead: int | None = 365

    @property
    def model_field(self) -> str:
        if self.field:
            return self.field
        return self.name


def reference(name: str, entity: str, model_field: str, required: bool = True) -> Column:
    """A column naming a row of another book file by its key (``entity``: that file's)."""
    return Column(name, "ref", required=required, ref=entity, field=model_field)


NON_NEGATIVE = {"min_value": 0.0}
POSITIVE = {"min_value": 0.0, "min_exclusive": True}


@dataclass(frozen=True)
class FileSpec:
    filename: str
    model: type
    key: tuple[str, ...]  # CSV column names forming the natural key
    columns: tuple[Column, ...]
    entity: str = ""  # name other files use to reference this file's rows
    entity_key: str = ""  # the CSV column those references name
    required_file: bool = False
    #: the cross-column rules of this file: ``(raw, clean, errors)``, adding to ``errors``
    row_rules: Callable[[pd.DataFrame, pd.DataFrame, Errors], None] | None = None

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def key_fields(self) -> tuple[str, ...]:
        return tuple(self.column(name).model_field for name in self.key)


@dataclass
class RowError:
    filename: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}: {self.column}: {self.reason}"




class Errors:
    """Collects errors column-wise; each ``add`` takes a boolean mask over the frame."""

    def __init__(self, filename: str, lines: pd.Series) -> None:
        self.filename = filename
        self.lines = lines
        self.bad = pd.Series(False, index=lines.index)
        self.items: list[tuple[int, int, str, str]] = []  # (line, order, column, reason)

    def add(self, mask: pd.Series, column: str, reasons: pd.Series | str) -> None:
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        self.bad |= mask
        hit = mask[mask].index
        texts = pd.Series(reasons, index=hit) if isinstance(reasons, str) else reasons.loc[hit]
        order = len(self.items)
        self.items.extend(
            (int(line), order, column, str(text))
            for line, text in zip(self.lines.loc[hit], texts, strict=True)
        )

    def row_errors(self) -> list[RowError]:
        return [
            RowError(self.filename, line, column, reason)
            for line, _, column, reason in sorted(self.items)
        ]


def _quoted(values: pd.Series) -> pd.Series:
    return "'" + values.str.slice(0, 80) + "'"


def _check_column(
    column: Column, values: pd.Series, errors: Errors, known: KnownKeys
) -> pd.Series:
    """Validate one column; return its clean values (None where empty)."""
    present = values != ""
    name = column.name
    # PostgreSQL text cannot hold NUL; such a value is bad input, never a server error.
    errors.add(values.str.contains("\x00", regex=False), name, "contains a NUL character")
    values = values.str.replace("\x00", "", regex=False)
    # A lone surrogate (JSON "\\ud800") is not text UTF-8 can encode: bad input too.
    errors.add(values.str.contains(SURROGATES), name, "contains a lone surrogate (invalid text)")
    values = values.str.replace(SURROGATES, "\ufffd", regex=True)
    if column.required:
        errors.add(~present, name, "required value is missing")
    if column.kind in ("str", "email"):
        if column.lower:
            values = values.str.lower()
        if column.max_length:
            too_long = values.str.len() > column.max_length
            errors.add(too_long, name, f"longer than {column.max_length} characters")
        if column.kind == "email":
            bad = present & ~values.str.fullmatch(EMAIL_PATTERN)
            errors.add(bad, name, "not an e-mail address: " + _quoted(values))
        return values
    if column.kind == "enum":
        bad = present & ~values.isin(column.choices)
        errors.add(
            bad,
            name,
            "unknown value " + _quoted(values) + f" (expected one of {', '.join(column.choices)})",
        )
        return values.where(present, None)
    if column.kind == "bool":
        lowered = values.str.lower()
        bad = present & ~lowered.isin(TRUE_WORDS + FALSE_WORDS)
        errors.add(bad, name, "not true or false: " + _quoted(values))
        return ~lowered.isin(FALSE_WORDS)  # empty means the default, true
    if column.kind == "date":
        shaped = values.str.fullmatch(DATE_PATTERN).fillna(False).astype(bool)
        foreign = present & ~shaped & values.str.fullmatch(ANY_DIGITS_DATE_PATTERN)
        foreign = foreign.fillna(False).astype(bool)
        errors.add(
            foreign, name, "not a date in YYYY-MM-DD with ASCII digits: " + _quoted(values)
        )
        parsed = pd.to_datetime(values.where(shaped, None), format="%Y-%m-%d", errors="coerce")
        bad = present & ~foreign & parsed.isna()
        errors.add(bad, name, "invalid date " + _quoted(values) + " (expected YYYY-MM-DD)")
        ok = present & ~foreign & ~bad
        # ASCII YYYY-MM-DD strings sort as the dates do.
        earliest = EARLIEST_DATE.isoformat()
        early = ok & (values < earliest)
        errors.add(early, name, "date " + _quoted(values) + f" is before {earliest}")
        late = pd.Series(False, index=values.index)
        if column.max_days_ahead is not None:
            latest = (timezone.localdate() + dt.timedelta(days=column.max_days_ahead)).isoformat()
            late = ok & (values > latest)
            errors.add(
                late,
                name,
                "date " + _quoted(values) + f" is after {latest} "
                f"(at most {column.max_days_ahead} days ahead)",
            )
        return values.where(ok & ~early & ~late, None)
    if column.kind in ("decimal", "int"):
        numbers = pd.to_numeric(values.where(present, None), errors="coerce")
        bad_number = present & (numbers.isna() | ~np.isfinite(numbers.fillna(0)))
        errors.add(bad_number, name, "not a number: " + _quoted(values))
        ok = present & ~bad_number
        if column.kind == "int":
            errors.add(ok & (numbers % 1 != 0), name, "not a whole number: " + _quoted(values))
        if column.min_value is not None:
            if column.min_exclusive:
                below, rule = numbers <= column.min_value, f"must be > {column.min_value:g}"
            else:
                below, rule = numbers < column.min_value, f"must be >= {column.min_value:g}"
            errors.add(ok & below, name, rule + ", got " + values)
        if column.max_value is not None:
            above = numbers > column.max_value
            errors.add(ok & above, name, f"must be <= {column.max_value:g}, got " + values)
        if column.kind == "int":
            return numbers.where(ok & (numbers % 1 == 0)).astype("Int64")
        return values.where(present, None)
    if column.kind == "ref":
        ids = values.map(known.get(column.ref, {}))
        unknown = present & ids.isna()
        errors.add(unknown, name, f"unknown {column.ref} " + _quoted(values))
        return ids.astype("Int64")
    raise ValueError(f"unknown column kind {column.kind!r}")


class _UniqueErrors:
    """Collects errors found on a column's distinct values, to expand onto the rows."""

    def __init__(self) -> None:
        self.found: list[tuple[pd.Series, str, pd.Series | str]] = []

    def add(self, mask: pd.Series, column: str, reasons: pd.Series | str) -> None:
        self.found.append((mask, column, reasons))


def _check_column_by_values(
    column: Column, values: pd.Series, errors: Errors, known: KnownKeys
) -> pd.Series:
    """Check each distinct value once, then expand to the rows: a usage file of millions of
    rows has a few hundred distinct dates and metrics."""
    codes, uniques = pd.factorize(values, sort=False)
    distinct = pd.Series(uniques, dtype=object)
    collector = _UniqueErrors()
    clean = _check_column(column, distinct, collector, known)
    for mask, name, reasons in collector.found:
        mask = mask.fillna(False).astype(bool).to_numpy()
        row_mask = pd.Series(mask[codes], index=values.index)
        if isinstance(reasons, str):
            errors.add(row_mask, name, reasons)
        else:
            expanded = reasons.reindex(distinct.index).to_numpy(dtype=object)[codes]
            errors.add(row_mask, name, pd.Series(expanded, index=values.index))
    expanded = clean.to_numpy()[codes]
    return pd.Series(pd.array(expanded, dtype=clean.dtype), index=values.index)


def _check_duplicates(spec: FileSpec, raw: pd.DataFrame, errors: Errors, position: str) -> None:
    key = raw[list(spec.key)]
    repeated = key.duplicated(keep="first")
    if not repeated.any():
        return
    first_line = raw[LINE].groupby([key[c] for c in spec.key], sort=False).transform("min")
    errors.add(
        repeated,
        ", ".join(spec.key),
        f"duplicate key, already given {position} " + first_line.astype(str),
    )


def validate_frame(
    spec: FileSpec, raw: pd.DataFrame, known: KnownKeys, *, position: str = "on line"
) -> tuple[pd.DataFrame, list[RowError], int]:
    """Validate ``raw`` (all strings, stripped, with a ``_line`` column).

    Returns the valid rows as model field values (plus ``_line``), the errors of the
    rejected rows, and how many rows were rejected.

    ``position`` says how messages name another row: "on line" for files, "at index" for
    an API batch (whose ``_line`` holds the row's index).
    """
    for column in spec.columns:
        if column.name not in raw.columns:
            raw[column.name] = ""
        raw[column.name] = raw[column.name].astype(object)
    if raw.empty:
        empty = pd.DataFrame({LINE: [], **{c.model_field: [] for c in spec.columns}})
        return empty, [], 0
    errors = Errors(spec.filename, raw[LINE])
    clean = pd.DataFrame({LINE: raw[LINE]}, index=raw.index)
    for column in spec.columns:
        clean[column.model_field] = _check_column_by_values(column, raw[column.name], errors, known)
    if spec.row_rules is not None:
        spec.row_rules(raw, clean, errors)
    _check_duplicates(spec, raw, errors, position)
    valid = clean[~errors.bad]
    return valid, errors.row_errors(), int(errors.bad.sum())


def record_errors(spec: FileSpec, values: dict[str, str]) -> dict[str, list[str]]:
    """The file's rules applied to one record (CSV column -> text, as in the file): the
    reasons per column, none when it would be imported. References are taken as found
    (the caller resolves them, in the user's reach)."""
    raw = pd.DataFrame(
        {LINE: [0], **{c.name: [values.get(c.name, "")] for c in spec.columns}}, dtype=object
    )
    known = {c.ref: {values.get(c.name, ""): 0} for c in spec.columns if c.kind == "ref"}
    _, errors, _ = validate_frame(spec, raw, known)
    found: dict[str, list[str]] = {}
    for error in errors:
        found.setdefault(error.column, []).append(error.reason)
    return found
