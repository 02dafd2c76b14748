"""Input and output containers of the scoring engine, and input normalisation.

The app's reads (``scoring.selectors``) come typed: ids int64, numbers float64, dates
datetime64[ns], text str. ``normalise_input`` passes such columns through and coerces the
others (frames built by hand, from CSV or from ``values()``), so that the engine stays
usable on its own."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

import numpy as np
import pandas as pd
from pandas import DataFrame

# column -> kind ("int", "float", "str", "date", "bool"); the order is the output order
SCHEMA: dict[str, dict[str, str]] = {
    "accounts": {
        "id": "int",
        "external_id": "str",
        "name": "str",
        "segment": "str",
        "industry": "str",
        "customer_since": "date",
    },
    "products": {
        "id": "int",
        "sku": "str",
        "name": "str",
        "kind": "str",
        "family": "str",
        "tier_rank": "float",
        "department": "str",
        "list_arr": "float",  # optional: ranks "the best" product; 0 when absent
    },
    "adjacencies": {"from_product_id": "int", "to_product_id": "int", "pitch": "str"},
    "lines": {
        "id": "int",
        "account_id": "int",
        "product_id": "int",
        "start_date": "date",
        "end_date": "date",
        "arr": "float",
    },
    "entitlements": {
        "id": "int",
        "contract_id": "int",
        "metric": "str",
        "limit": "float",
        "period": "str",
    },
    "usage": {
        "account_id": "int",
        "metric": "str",
        "used_last": "float",
        "used_prior": "float",
        "latest": "float",
    },
    "stakeholders": {
        "id": "int",
        "account_id": "int",
        "name": "str",
        "department": "str",
        "role": "str",
        "active": "bool",
    },
    "priorities": {
        "id": "int",
        "stakeholder_id": "int",
        "year": "int",
        "priority": "str",
        "department": "str",
    },
    "signals": {
        "account_id": "int",
        "date": "date",
        "kind": "str",
        "value": "float",
        "department": "str",
        "detail": "str",
    },
    "success_metrics": {
        "account_id": "int",
        "name": "str",
        "target": "float",
        "achieved": "float",
        "as_of": "date",
    },
    # the CRM's deals that section 4b weighs: those in progress and those recently lost
    "opportunities": {
        "account_id": "int",
        "key": "str",
        "motion": "str",
        "target_product_id": "float",  # may be empty
        "stage": "str",
        "closed": "date",
    },
}

# the sort order that makes every later step independent of the input row order
SORT_KEYS: dict[str, list[str]] = {
    "accounts": ["id"],
    "products": ["id"],
    "adjacencies": ["from_product_id", "to_product_id", "pitch"],
    "lines": ["id"],
    "entitlements": ["id"],
    "usage": ["account_id", "metric", "used_last", "used_prior", "latest"],
    "stakeholders": ["id"],
    "priorities": ["id"],
    "signals": ["account_id", "date", "kind", "department", "detail", "value"],
    "success_metrics": ["account_id", "name", "as_of", "target", "achieved"],
    "opportunities": ["account_id", "key", "motion", "target_product_id", "stage", "closed"],
}


@dataclass(frozen=True)
class ScoringInput:
    """Everything the engine reads, as plain-column DataFrames (see SCHEMA)."""

    accounts: DataFrame
    products: DataFrame
    adjacencies: DataFrame
    lines: DataFrame
    entitlements: DataFrame
    usage: DataFrame
    stakeholders: DataFrame
    priorities: DataFrame
    signals: DataFrame
    success_metrics: DataFrame
    # Lookalike peers, when ``accounts``/``lines`` are one chunk of the book: the whole book's
    # accounts and contract lines. None: the peers are ``accounts``/``lines`` themselves.
    peer_accounts: DataFrame | None = None
    peer_lines: DataFrame | None = None
    # Deals in progress (qualified, proposal, negotiation) and lost ones (with their closing
    # date) of ``accounts``; None: none. ``lines`` may hold lines ended before T (a tier left,
    # ownership over a window): only the lines active on T are owned.
    opportunities: DataFrame | None = None


@dataclass(frozen=True)
class ScoringResult:
    health: DataFrame
    utilization: DataFrame
    opportunities: DataFrame
    # candidates that wait (section 4b): account_id, key, play, target_sku, score, reason, detail
    held_back: DataFrame | None = None


def as_numbers(s: pd.Series) -> pd.Series:
    """Numbers as float64, NaN where missing or not a number. A float64 column (the
    database's reads) is returned as it is."""
    if s.dtype == "float64":
        return s
    return pd.to_numeric(s, errors="coerce").astype("float64")


def as_days(s: pd.Series) -> pd.Series:
    """Dates as datetime64[ns], NaT where missing or not a date. A datetime64[ns] column (the
    database's reads) is returned as it is."""
    if s.dtype == "datetime64[ns]":
        return s
    return pd.to_datetime(s, errors="coerce").astype("datetime64[ns]")


def empty_frame(name: str) -> DataFrame:
    return normalise_frame(name, DataFrame())


def _to_bool(s: pd.Series) -> pd.Series:
    if s.dtype == bool:
        return s
    missing = s.isna().to_numpy()
    lowered = s.astype("object").astype(str).str.strip().str.casefold()
    out = ~lowered.isin(["false", "0", "0.0", "no", "n", "f"]).to_numpy()
    return pd.Series(out | missing, index=s.index, dtype=bool)


def normalise_frame(name: str, df: DataFrame | None) -> DataFrame:
    """Keep the schema's columns (missing ones added empty), coerce types, sort by key."""
    schema = SCHEMA[name]
    df = DataFrame() if df is None else df
    n = len(df)
    out: dict[str, pd.Series] = {}
    for col, kind in schema.items():
        s = df[col] if col in df.columns else pd.Series([np.nan] * n, index=df.index)
        s = s.reset_index(drop=True)
        if kind == "int":
            s = s if s.dtype == "int64" else as_numbers(s)  # NaN rows are dropped below
        elif kind == "float":
            s = as_numbers(s)
        elif kind == "str":
            if isinstance(s.dtype, pd.StringDtype):
                s = s.fillna("").str.strip()
            else:
                s = s.astype("object").where(s.notna(), "").astype(str).str.strip()
        elif kind == "date":
            s = as_days(s)
        elif kind == "bool":
            s = _to_bool(s)
        out[col] = s
    frame = DataFrame(out, columns=list(schema))
    int_cols = [c for c, k in schema.items() if k == "int"]
    if int_cols:
        frame = frame.dropna(subset=int_cols)
        for c in int_cols:
            frame[c] = frame[c].astype("int64")
    if name == "products":
        frame["list_arr"] = frame["list_arr"].fillna(0.0)
    frame = frame.sort_values(SORT_KEYS[name], kind="mergesort", na_position="last")
    return frame.reset_index(drop=True)


PEER_FRAMES = {"peer_accounts": "accounts", "peer_lines": "lines"}


def normalise_input(data: ScoringInput) -> ScoringInput:
    frames = {}
    for f in fields(ScoringInput):
        value = getattr(data, f.name)
        if f.name in PEER_FRAMES:
            frames[f.name] = None if value is None else normalise_frame(PEER_FRAMES[f.name], value)
        else:
            frames[f.name] = normalise_frame(f.name, value)
    return ScoringInput(**frames)


def as_timestamp(value: date | str | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(value).normalize().as_unit("ns")


def window_start(as_of: pd.Timestamp, days: int) -> pd.Timestamp:
    """First day of the window of ``days`` days ending on ``as_of`` inclusive."""
    return as_of - pd.Timedelta(days=int(days) - 1)


def dept_key(s: pd.Series) -> pd.Series:
    """Departments compare case- and space-insensitively."""
    return s.fillna("").astype(str).str.strip().str.casefold()
