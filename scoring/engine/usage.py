"""From raw daily usage rows to the per-(account, metric) window aggregates the engine reads."""

from __future__ import annotations

from datetime import date

import pandas as pd
from pandas import DataFrame

from ..config import ScoringConfig
from .frames import as_days, as_numbers, as_timestamp, window_start

USAGE_COLUMNS = ["account_id", "metric", "used_last", "used_prior", "latest"]


def usage_window_aggregates(usage: DataFrame, *, as_of: date, config: ScoringConfig) -> DataFrame:
    """Aggregate raw rows (account_id, metric, date, quantity) for the scoring date ``as_of``.

    - ``used_last``: sum of quantity over the usage window T-(W-1) .. T (W = usage_window_days);
    - ``used_prior``: sum over the trend_prior_days before that window;
    - ``latest``: the quantity on the latest date of the usage window with a reading (NaN if
      none).

    One row per (account_id, metric) with a reading in either window. A day sent twice counts
    once (the larger quantity, so that the result does not depend on row order).
    """
    t = as_timestamp(as_of)
    last_start = window_start(t, config.usage_window_days)
    prior_start = last_start - pd.Timedelta(days=int(config.trend_prior_days))
    u = DataFrame(
        {
            "account_id": as_numbers(usage["account_id"]),
            "metric": usage["metric"].astype("object").fillna("").astype(str).str.strip(),
            "date": as_days(usage["date"]),
            "quantity": as_numbers(usage["quantity"]),
        }
    ).dropna(subset=["account_id", "date", "quantity"])
    u = u[(u["date"] >= prior_start) & (u["date"] <= t)]
    if u.empty:
        out = DataFrame({c: pd.Series(dtype="float64") for c in USAGE_COLUMNS})
        out["account_id"] = out["account_id"].astype("int64")
        out["metric"] = out["metric"].astype(str)
        return out
    u = u.assign(account_id=u["account_id"].astype("int64"))
    u = u.groupby(["account_id", "metric", "date"], as_index=False, sort=True)["quantity"].max()
    in_last = u["date"] >= last_start
    u = u.assign(
        last_q=u["quantity"].where(in_last, 0.0),
        prior_q=u["quantity"].where(~in_last, 0.0),
    )
    keys = ["account_id", "metric"]
    sums = u.groupby(keys, as_index=False, sort=True).agg(
        used_last=("last_q", "sum"), used_prior=("prior_q", "sum")
    )
    # u is sorted by (account, metric, date): the last row of the window is the latest reading
    latest = u[in_last].groupby(keys, as_index=False, sort=True).agg(latest=("quantity", "last"))
    out = sums.merge(latest, on=keys, how="left")
    return out[USAGE_COLUMNS].sort_values(keys, kind="mergesort").reset_index(drop=True)
