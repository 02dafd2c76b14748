"""The database layer computes usage windows in SQL; they must equal the engine's own
pandas definition (usage_window_aggregates) on the same rows, on every backend."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from scoring.config import ScoringConfig
from scoring.engine import SCHEMA, usage_window_aggregates
from scoring.selectors import account_id_chunks, scoring_input_load, usage_aggregates_load
from signals.models import DailyUsage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("as_of", [dt.date(2026, 6, 30), dt.date(2026, 5, 1), dt.date(2026, 3, 31)])
def test_sql_usage_windows_equal_the_engine_definition(imported_sample_book, as_of) -> None:
    config = ScoringConfig()
    raw = pd.DataFrame.from_records(
        list(DailyUsage.objects.values("account_id", "metric", "date", "quantity"))
    )

    expected = usage_window_aggregates(raw, as_of=as_of, config=config)
    got = usage_aggregates_load(
        as_of=as_of, config=config, lo=0, hi=10**9, latest_metrics=list(raw["metric"])
    )

    columns = ["account_id", "metric", "used_last", "used_prior", "latest"]
    expected = expected[columns].sort_values(["account_id", "metric"]).reset_index(drop=True)
    got = got[columns].sort_values(["account_id", "metric"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_latest_reading_is_given_for_the_metrics_asked(imported_sample_book) -> None:
    """The latest reading is needed only for entitlements measured by it (``instant``):
    for those metrics it is exact, whatever else the backend skips."""
    as_of, config = dt.date(2026, 6, 30), ScoringConfig()
    raw = pd.DataFrame.from_records(
        list(DailyUsage.objects.values("account_id", "metric", "date", "quantity"))
    )
    expected = usage_window_aggregates(raw, as_of=as_of, config=config)

    got = usage_aggregates_load(
        as_of=as_of, config=config, lo=0, hi=10**9, latest_metrics=["seats"]
    )

    keys = ["account_id", "metric"]
    seats = got[got["metric"] == "seats"].merge(expected, on=keys, suffixes=("", "_expected"))
    assert len(seats) == (expected["metric"] == "seats").sum() > 0
    assert (seats["latest"] == seats["latest_expected"]).all()
    assert (got["used_last"].sum(), got["used_prior"].sum()) == pytest.approx(
        (expected["used_last"].sum(), expected["used_prior"].sum())
    )


def test_account_chunks_cover_every_account_once(imported_sample_book) -> None:
    chunks = account_id_chunks(chunk_size=5)

    assert [hi - lo >= 0 for lo, hi in chunks] == [True] * 3
    assert chunks[0][0] < chunks[0][1] < chunks[1][0] < chunks[1][1] < chunks[2][0]


def test_usage_windows_load_under_the_debug_cursor(imported_sample_book) -> None:
    """DEBUG (the demo's setting) logs each query with its parameters: every parameter
    sent must be one the backend can bind (SQLite cannot bind a list)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        got = usage_aggregates_load(
            as_of=dt.date(2026, 6, 30),
            config=ScoringConfig(),
            lo=0,
            hi=10**9,
            latest_metrics=["seats"],
        )

    reads = [q for q in queries if "signals_dailyusage" in q["sql"]]
    logged = 0 if connection.vendor == "postgresql" else 1  # a COPY bypasses the debug cursor
    assert len(got) > 0 and len(reads) == logged


#: The dtypes the reads give each kind of the engine's schema (a nullable integer read for a
#: "float" column, such as a product's tier rank, is Int64).
READ_DTYPES = {
    "int": {"int64"},
    "float": {"float64", "Int64"},
    "date": {"datetime64[ns]"},
    "str": {"str"},
    "bool": {"bool"},
}


def test_the_engine_input_is_read_typed(imported_sample_book) -> None:
    """The engine gets dates, numbers and text as the database typed them: nothing between
    the read and the engine parses them again."""
    data = scoring_input_load(as_of=dt.date(2026, 6, 30), config=ScoringConfig(), lo=0, hi=10**9)

    frames = {name: (getattr(data, name), name) for name in SCHEMA}
    frames |= {"peer_accounts": (data.peer_accounts, "accounts")}
    frames |= {"peer_lines": (data.peer_lines, "lines")}
    wrong = {
        (name, column): str(frame[column].dtype)
        for name, (frame, schema) in frames.items()
        for column, kind in SCHEMA[schema].items()
        if column in frame and str(frame[column].dtype) not in READ_DTYPES[kind]
    }
    assert not wrong
    assert all(not frame.empty for frame, _ in frames.values() if frame is not data.opportunities)


def test_usage_windows_are_typed_without_rows_too(db) -> None:
    got = usage_aggregates_load(
        as_of=dt.date(2026, 6, 30), config=ScoringConfig(), lo=1, hi=0, latest_metrics=["seats"]
    )

    assert got.empty
    assert {c: str(t) for c, t in got.dtypes.items()} == {
        "account_id": "int64",
        "metric": "str",
        "used_last": "float64",
        "used_prior": "float64",
        "latest": "float64",
        "out_of_range": "int64",
    }
