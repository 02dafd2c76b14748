"""Set-based writes of DataFrames into a model's table: upsert by natural key, plain insert,
update by primary key. Shared by the book import, the usage API and the scoring run.

PostgreSQL: COPY into a temporary staging table, then one ``INSERT ... ON CONFLICT DO
UPDATE ... WHERE (values) IS DISTINCT FROM (new values)``, so unchanged rows are not
touched at all. Other databases (SQLite, the embedded default): compare with what is stored,
then ``bulk_create(update_conflicts=True)`` the new and changed rows in batches.

Both return (created, updated, unchanged) counts; neither runs a query per row.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, models, transaction
from django.dispatch import Signal
from django.utils import timezone

COPY_CHUNK_ROWS = 100_000

#: Sent (``sender`` = the model) after a bulk write, like Django's post_save for the rows
#: these writers put in without saving model instances.
bulk_written = Signal()
Progress = Callable[[int], None]


def _concrete_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _default_for(field: models.Field):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField):
        return ""
    raise ValueError(f"{field.name} has no value and no default")


def _with_defaults(model: type[models.Model], frame: pd.DataFrame) -> pd.DataFrame:
    """Add every column the frame does not set, with the model field's default (for
    inserts), and serialise JSON columns for COPY."""
    out = frame.copy()
    for field in _concrete_fields(model):
        if field.attname not in out.columns:
            out[field.attname] = [_default_for(field)] * len(out)
    return _json_encoded(model, out)


def _json_encoded(model: type[models.Model], frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its JSON fields' values as JSON text, as COPY takes them."""
    out = frame.copy()
    for field in model._meta.concrete_fields:
        if isinstance(field, models.JSONField) and field.attname in out.columns:
            out[field.attname] = [json.dumps(v) for v in out[field.attname]]
    return out


def upsert_frame(
    model: type[models.Model],
    frame: pd.DataFrame,
    *,
    key_fields: Iterable[str],
    progress: Progress | None = None,
    copy_into_empty: bool = False,
) -> tuple[int, int, int]:
    """Insert or update ``frame`` (columns = model attnames) by ``key_fields``.

    ``copy_into_empty`` (bulk loads such as the book import): on PostgreSQL, lock the table
    against concurrent writers for the transaction and, if it is empty, COPY straight in.
    """
    key_fields = list(key_fields)
    if frame.empty:
        return 0, 0, 0
    if connection.vendor == "postgresql":
        counts = _upsert_postgresql(model, frame, key_fields, progress, copy_into_empty)
    else:
        counts = _upsert_generic(model, frame, key_fields, progress)
    if counts[0] or counts[1]:
        bulk_written.send(sender=model)
    return counts


def _upsert_postgresql(
    model: type[models.Model],
    frame: pd.DataFrame,
    key_fields: list[str],
    progress: Progress | None,
    copy_into_empty: bool,
) -> tuple[int, int, int]:
    table = model._meta.db_table
    by_attname = {f.attname: f for f in _concrete_fields(model)}
    value_fields = [c for c in frame.columns if c not in key_fields]
    touch_fields = [
        name
        for name, f in by_attname.items()
        if getattr(f, "auto_now", False) and name not in frame.columns
    ]
    full = _with_defaults(model, frame)
    columns = list(full.columns)
    qn = connection.ops.quote_name
    column_sql = ", ".join(qn(by_attname[c].column) for c in columns)
    with connection.cursor() as cursor:
        if copy_into_empty:
            # SHARE ROW EXCLUSIVE conflicts with itself and with other writers: a second bulk
            # load waits, then finds the table filled and takes the upsert path.
            cursor.execute(f"LOCK TABLE {qn(table)} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {qn(table)})")
            if not cursor.fetchone()[0]:
                # An empty table cannot conflict (duplicate keys were rejected in
                # validation): COPY straight into it, the fastest path PostgreSQL has.
                _copy(cursor, qn(table), column_sql, full, progress)
                return len(frame), 0, 0
        conflict = ", ".join(qn(by_attname[c].column) for c in key_fields)
        if value_fields:
            sets = [
                f"{qn(by_attname[c].column)} = EXCLUDED.{qn(by_attname[c].column)}"
                for c in value_fields + touch_fields
            ]
            old = ", ".join(f"t.{qn(by_attname[c].column)}" for c in value_fields)
            new = ", ".join(f"EXCLUDED.{qn(by_attname[c].column)}" for c in value_fields)
            action = f"DO UPDATE SET {', '.join(sets)} WHERE ROW({old}) IS DISTINCT FROM ROW({new})"
        else:
            action = "DO NOTHING"
        with _staged(cursor, table, column_sql, full, progress) as stage:
            # In key order: every writer then locks the rows it shares with another in the
            # same order, so that two overlapping batches wait for each other, never
            # deadlock (each would hold a row the other needs next).
            cursor.execute(
                f"WITH written AS (INSERT INTO {qn(table)} AS t ({column_sql}) "
                f"SELECT {column_sql} FROM {stage} ORDER BY {conflict} "
                f"ON CONFLICT ({conflict}) {action} "
                f"RETURNING (xmax = 0) AS inserted) "
                f"SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) "
                f"FROM written"
            )
            created, updated = cursor.fetchone()
    return created, updated, len(frame) - created - updated


@contextmanager
def _staged(
    cursor, table: str, column_sql: str, frame: pd.DataFrame, progress: Progress | None = None
) -> Iterator[str]:
    """A temporary table shaped like ``table``'s columns ``column_sql``, holding ``frame``
    (COPY); yields its quoted name and drops it afterwards."""
    qn = connection.ops.quote_name
    stage = qn(f"stage_{table}")
    cursor.execute(f"DROP TABLE IF EXISTS {stage}")
    cursor.execute(
        f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS "
        f"SELECT {column_sql} FROM {qn(table)} WITH NO DATA"
    )
    _copy(cursor, stage, column_sql, frame, progress)
    yield stage
    cursor.execute(f"DROP TABLE {stage}")


def _copy(
    cursor, table_sql: str, column_sql: str, frame: pd.DataFrame, progress: Progress | None
) -> None:
    """COPY the frame in as CSV written by Arrow's C++ writer (pandas' ``to_csv`` formats
    each cell in Python, three times slower). Every value is quoted and a missing one is
    not, which is exactly how PostgreSQL's CSV format tells an empty string from NULL."""
    table = _arrow_table(frame)
    options = pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")
    with cursor.cursor.copy(
        f"COPY {table_sql} ({column_sql}) FROM STDIN WITH (FORMAT csv)"
    ) as copy:
        for start in range(0, table.num_rows, COPY_CHUNK_ROWS):
            chunk = table.slice(start, COPY_CHUNK_ROWS)
            sink = pa.BufferOutputStream()
            pa_csv.write_csv(chunk, sink, options)
            copy.write(sink.getvalue())
            if progress:
                progress(chunk.num_rows)


def _arrow_table(frame: pd.DataFrame) -> pa.Table:
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # A column of mixed Python objects (say 42 and "x"): written as text, as CSV would.
        mixed = [c for c in frame.columns if frame[c].dtype == object]
        text = frame.astype({c: "str" for c in mixed})
        for c in mixed:
            text[c] = text[c].where(frame[c].notna(), None)
        return pa.Table.from_pandas(text, preserve_index=False)


def _python_values(model: type[models.Model], frame: pd.DataFrame) -> pd.DataFrame:
    """Convert the validated strings to the Python types the ORM returns, for comparison."""
    by_attname = {f.attname: f for f in _concrete_fields(model)}
    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        field, series = by_attname[name], frame[name]
        if isinstance(field, models.DateField):
            parsed = pd.to_datetime(series, format="%Y-%m-%d")
            out[name] = [None if pd.isna(v) else v.date() for v in parsed]
        elif isinstance(field, models.DecimalField):
            exponent = Decimal(1).scaleb(-field.decimal_places)
            out[name] = [
                None if v is None or pd.isna(v) else Decimal(v).quantize(exponent) for v in series
            ]
        elif isinstance(field, models.FloatField):
            out[name] = pd.to_numeric(series).astype(float)
        elif isinstance(field, models.BooleanField):
            out[name] = series.astype(bool)
        elif isinstance(field, models.IntegerField | models.ForeignKey):
            out[name] = [None if pd.isna(v) else int(v) for v in series]
        else:
            out[name] = series.astype(object)
    return out


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA


def same_value(a, b) -> bool:
    """Stored value vs new value: None, NaN and NA are one "missing"; otherwise ``==``."""
    if _missing(a) or _missing(b):
        return _missing(a) and _missing(b)
    return bool(a == b)


def _upsert_generic(
    model: type[models.Model], frame: pd.DataFrame, key_fields: list[str], progress: Progress | None
) -> tuple[int, int, int]:
    values = _python_values(model, frame)
    value_fields = [c for c in values.columns if c not in key_fields]
    stored = pd.DataFrame.from_records(
        list(model.objects.values_list(*key_fields, *value_fields)),
        columns=key_fields + [f"{c}__stored" for c in value_fields],
    )
    merged = values.merge(stored, on=key_fields, how="left", indicator=True)
    is_new = (merged["_merge"] == "left_only").to_numpy()
    changed = pd.Series(False, index=merged.index)
    for name in value_fields:
        pairs = zip(merged[f"{name}__stored"], merged[name], strict=True)
        same = [same_value(a, b) for a, b in pairs]
        changed |= ~pd.Series(same, index=merged.index, dtype=bool)
    is_changed = (~is_new) & changed.to_numpy()
    to_write = values[is_new | is_changed]
    batch = settings.BOOK_IMPORT_BATCH_SIZE
    auto_now = [f.attname for f in _concrete_fields(model) if getattr(f, "auto_now", False)]
    records = to_write.astype(object).where(to_write.notna(), None).to_dict("records")
    for start in range(0, len(records), batch):
        objs = [model(**row) for row in records[start : start + batch]]
        model.objects.bulk_create(
            objs,
            update_conflicts=bool(value_fields),
            ignore_conflicts=not value_fields,
            unique_fields=key_fields if value_fields else None,
            update_fields=(value_fields + auto_now) or None,
        )
        if progress:
            progress(len(objs))
    created, updated = int(is_new.sum()), int(is_changed.sum())
    return created, updated, len(frame) - created - updated


def insert_frame(model: type[models.Model], frame: pd.DataFrame) -> int:
    """Insert rows known not to exist yet (COPY on PostgreSQL, bulk_create elsewhere)."""
    if frame.empty:
        return 0
    bulk_written.send(sender=model)
    if connection.vendor == "postgresql":
        full = _with_defaults(model, frame)
        by_attname = {f.attname: f for f in _concrete_fields(model)}
        qn = connection.ops.quote_name
        column_sql = ", ".join(qn(by_attname[c].column) for c in full.columns)
        with connection.cursor() as cursor:
            _copy(cursor, qn(model._meta.db_table), column_sql, full, None)
        return len(frame)
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    model.objects.bulk_create(
        [model(**r) for r in records], batch_size=settings.BOOK_IMPORT_BATCH_SIZE
    )
    return len(frame)


def update_frame(model: type[models.Model], frame: pd.DataFrame) -> int:
    """Update existing rows by primary key (``frame`` has ``id`` and the columns to set):
    COPY into a staging table and one UPDATE ... FROM on PostgreSQL, bulk_update elsewhere."""
    if frame.empty:
        return 0
    fields = [c for c in frame.columns if c != "id"]
    bulk_written.send(sender=model)
    if connection.vendor == "postgresql":
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        qn = connection.ops.quote_name
        table = model._meta.db_table
        column_sql = ", ".join(qn(by_attname[c].column) for c in ["id", *fields])
        sets = ", ".join(
            f"{qn(by_attname[c].column)} = s.{qn(by_attname[c].column)}" for c in fields
        )
        with (
            connection.cursor() as cursor,
            _staged(cursor, table, column_sql, _json_encoded(model, frame)) as stage,
        ):
            cursor.execute(
                f"UPDATE {qn(table)} AS t SET {sets} FROM {stage} AS s WHERE t.id = s.id"
            )
        return len(frame)
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    objs = [model(**r) for r in records]
    model.objects.bulk_update(objs, fields, batch_size=settings.BOOK_IMPORT_BATCH_SIZE)
    return len(frame)


# The dtypes of a typed read (``read_frame``, ``read_sql_frame``). A column whose dtype is
# None is read as the backend gives it.
DATE = "datetime64[ns]"  # DateField: days, NaT for NULL
DATETIME = "datetime64[ns, UTC]"  # DateTimeField (USE_TZ: stored in UTC)
INT = "int64"  # integers, primary and foreign keys
NULLABLE_INT = "Int64"  # the same where NULL may come: <NA>
FLOAT = "float64"  # DecimalField, FloatField: NaN for NULL
BOOL = "bool"
NULLABLE_BOOL = "boolean"  # <NA> for NULL
TEXT = "str"  # CharField, TextField, and JSONField as its JSON text: NaN for NULL
Dtypes = Mapping[str, str | None]


def read_frame(queryset: models.QuerySet, columns: list[str]) -> pd.DataFrame:
    """The queryset's ``values_list(*columns)`` as a DataFrame typed by the model's fields
    (see ``column_dtype``), without a Python tuple per row on PostgreSQL, and in no
    particular order unless the queryset orders it. Text stays text (an empty string is not
    NULL). PostgreSQL: through ``COPY (query) TO STDOUT`` and pandas' CSV reader."""
    dtypes = {column: column_dtype(queryset.model, column) for column in columns}
    try:
        sql, params = values_sql(queryset, columns)
    except EmptyResultSet:  # e.g. ``pk__in=[]``: nothing to ask the database
        return _empty(dtypes)
    return read_sql_frame(sql, params, dtypes)


def column_dtype(model: type[models.Model], path: str) -> str | None:
    """The dtype of the values ``values_list`` gives for ``path`` (a field, or a lookup across
    relations such as ``account__name``). Nullable where the field may be NULL or a relation
    on the way may have no row (a LEFT OUTER JOIN: a nullable foreign key, a reverse or
    many-to-many relation)."""
    *relations, name = path.split("__")
    nullable = False
    for relation in relations:
        field = model._meta.get_field(relation)
        nullable |= _may_be_missing(field)
        model = field.related_model
    field = model._meta.get_field(name)
    while field.is_relation:  # a relation's own column: the key it points at
        nullable |= _may_be_missing(field)
        field = field.target_field if field.concrete else field.related_model._meta.pk
    if isinstance(field, models.DateTimeField):
        return DATETIME
    if isinstance(field, models.DateField):
        return DATE
    if isinstance(field, models.BooleanField):
        return NULLABLE_BOOL if nullable or field.null else BOOL
    if isinstance(field, models.IntegerField):
        return NULLABLE_INT if nullable or field.null else INT
    if isinstance(field, models.DecimalField | models.FloatField):
        return FLOAT
    if isinstance(field, models.CharField | models.TextField | models.JSONField):
        return TEXT
    return None


def _may_be_missing(relation: models.Field) -> bool:
    return bool(relation.null or relation.one_to_many or relation.many_to_many)


def values_sql(queryset: models.QuerySet, columns: list[str]) -> tuple[str, tuple]:
    """The SELECT of ``values_list(*columns)``, without the model's default ordering (a sort,
    or even a join, that bulk readers do not need); an explicit ``order_by`` stays."""
    if not queryset.query.order_by:
        queryset = queryset.order_by()
    return queryset.values_list(*columns).query.sql_with_params()


def read_sql_frame(sql: str, params, dtypes: Dtypes) -> pd.DataFrame:
    """A SELECT's rows as a DataFrame with the columns and dtypes of ``dtypes`` (see
    ``DATE`` and the others; a DATE column must be an SQL date, a DATETIME one a timestamp).
    Vectorised: no Python code runs per row beyond the SQLite driver's own tuples."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return _typed(pd.DataFrame.from_records(rows, columns=list(dtypes)), dtypes)
    import psycopg

    connection.ensure_connection()
    query = psycopg.ClientCursor(connection.connection).mogrify(sql, params)
    return _read_copy(query, dtypes)


def _typed(frame: pd.DataFrame, dtypes: Dtypes) -> pd.DataFrame:
    """The driver's values (SQLite: dates as ``date`` objects or ISO text, booleans as bools
    or 0/1, numbers as numbers, None for NULL) as ``dtypes``."""
    for column, dtype in dtypes.items():
        if dtype is None:
            continue
        if dtype == DATE:
            frame[column] = pd.to_datetime(frame[column]).astype(DATE)
        elif dtype == DATETIME:  # stored as UTC without an offset
            frame[column] = pd.to_datetime(frame[column], utc=True).astype(DATETIME)
        else:
            frame[column] = frame[column].astype(dtype)
    return frame


@contextmanager
def sort_memory(size: str) -> Iterator[None]:
    """A transaction (or savepoint) whose statements get ``size`` of PostgreSQL sort and hash
    memory each (``work_mem``); the previous value holds again after it."""
    with transaction.atomic():
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('work_mem'), set_config('work_mem', %s, true)", [size]
            )
            previous = cursor.fetchone()[0]
        yield  # on an error, rolling back the savepoint or transaction restores it too
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [previous])


def _empty(dtypes: Dtypes) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=d or object) for c, d in dtypes.items()})


#: The COPY reader's NULL marker. pandas' CSV reader cannot tell a quoted field from an
#: unquoted one, so a text value equal to the marker would read as NULL: text values that
#: start with a backslash leave PostgreSQL with one more backslash in front (no text value
#: is then the marker) and lose it again in ``_read_copy``.
_COPY_NULL = "\\N"

#: What PostgreSQL sends for each dtype, so that pandas' CSV reader only parses integers,
#: floats and text: dates as day numbers, timestamps as microseconds since 1970-01-01 UTC,
#: booleans as 0/1 (all nullable on the wire), text with the escape of ``_COPY_NULL``.
_WIRE: dict[str | None, tuple[str, str | None]] = {
    DATE: ("({a})::date - DATE '1970-01-01'", NULLABLE_INT),
    DATETIME: ("(extract(epoch FROM {a}) * 1000000)::int8", NULLABLE_INT),
    BOOL: ("({a})::int", INT),
    NULLABLE_BOOL: ("({a})::int", NULLABLE_INT),
    TEXT: ("CASE WHEN left({a}::text, 1) = '\\' THEN '\\' || {a}::text ELSE {a}::text END", TEXT),
}
#: int64 -> datetime64: the integer of NaT.
_NAT = np.iinfo(np.int64).min


def _wire_select(query: str, dtypes: Dtypes) -> str:
    """``query`` with each column as ``_WIRE`` sends its dtype."""
    qn = connection.ops.quote_name
    aliases = [qn(f"c{i}") for i in range(len(dtypes))]
    select = [
        _WIRE[dtype][0].format(a=a) if dtype in _WIRE else a
        for dtype, a in zip(dtypes.values(), aliases, strict=True)
    ]
    return f"SELECT {', '.join(select)} FROM ({query}) AS q ({', '.join(aliases)})"


def _read_copy(query: str, dtypes: Dtypes) -> pd.DataFrame:
    buffer = io.BytesIO()
    statement = (
        f"COPY ({_wire_select(query, dtypes)}) TO STDOUT WITH (FORMAT csv, NULL '{_COPY_NULL}')"
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for block in copy:
            buffer.write(block)
    if not buffer.getbuffer().nbytes:
        return _empty(dtypes)
    buffer.seek(0)
    columns = list(dtypes)
    frame = pd.read_csv(
        buffer,
        names=columns,
        header=None,
        dtype={c: _WIRE[d][1] if d in _WIRE else d for c, d in dtypes.items() if d},
        keep_default_na=False,
        na_values={c: [_COPY_NULL] for c in columns},
    )
    for column, dtype in dtypes.items():
        values = frame[column]
        if dtype == TEXT:
            escaped = values.str.startswith("\\", na=False)
            if escaped.any():
                frame.loc[escaped, column] = values[escaped].str[1:]
        elif dtype == DATE:
            days = values.to_numpy(dtype="int64", na_value=_NAT).view("datetime64[D]")
            frame[column] = pd.Series(days, index=frame.index).astype(DATE)
        elif dtype == DATETIME:
            micros = values.to_numpy(dtype="int64", na_value=_NAT).view("datetime64[us]")
            frame[column] = pd.Series(micros, index=frame.index).dt.tz_localize("UTC")
            frame[column] = frame[column].astype(DATETIME)
        elif dtype in (BOOL, NULLABLE_BOOL):
            frame[column] = values.astype(dtype)
    return frame
