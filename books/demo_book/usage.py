"""Vectorised daily usage: one (entitlements x 90 days) matrix per chunk of accounts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from .catalog import METRIC_NAMES
from .model import USAGE_DAYS, UsageSpec

CHUNK_ACCOUNTS = 2000  # fixed, so that the noise of a chunk never depends on the book size
WEEKEND_FACTOR = 0.6
NOISE_SIGMA = 0.12
HEADER = "account_id,metric,date,quantity\n"


def _quantities(
    rng: np.random.Generator,
    weekend: np.ndarray,
    instant: np.ndarray,
    limit: np.ndarray,
    util: np.ndarray,
    growth: np.ndarray,
    first_day: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Integer quantities (E x 90) and the mask of days that exist.

    A `month` row's last 30 days sum to round(util x limit) and its last/prior 30-day ratio
    is about `growth`; an `instant` row is a level that ends exactly at round(util x limit).
    """
    t = np.arange(USAGE_DAYS, dtype=np.float64)
    mask = t[None, :] >= first_day[:, None]
    g = growth[:, None]
    raw = g ** ((t[None, :] - (USAGE_DAYS - 15.5)) / 30.0)
    raw = raw * np.where(weekend, WEEKEND_FACTOR, 1.0)[None, :]
    raw = raw * rng.lognormal(0.0, NOISE_SIGMA, size=raw.shape) * mask
    target = np.round(util * limit)
    last = raw[:, -30:].sum(axis=1)
    month = np.floor(raw * (target / np.where(last > 0, last, 1.0))[:, None] + 0.5)
    month[:, -1] = np.maximum(month[:, -1] + target - month[:, -30:].sum(axis=1), 0)
    final = np.maximum(target, 1.0)[:, None]
    level = np.round(final * g ** ((t[None, :] - (USAGE_DAYS - 1)) / (USAGE_DAYS - 1)))
    q = np.where(instant[:, None], level, month).astype(np.int64)
    return q, mask


def write_usage(
    path: Path, spec: UsageSpec, account_ids: list[str], *, seed: int, as_of: dt.date
) -> int:
    """Write usage.csv in chunks of accounts; returns the number of rows."""
    start = as_of - dt.timedelta(days=USAGE_DAYS - 1)
    days = [start + dt.timedelta(days=i) for i in range(USAGE_DAYS)]
    dates = np.array([d.isoformat() for d in days], dtype=object)
    weekend = np.array([d.weekday() >= 5 for d in days])
    metric_names = np.array(METRIC_NAMES, dtype=object)
    ids = np.array(account_ids, dtype=object)
    acc = np.asarray(spec.account, dtype=np.int64)
    cols = {
        "metric": np.asarray(spec.metric, dtype=np.int64),
        "instant": np.asarray(spec.instant, dtype=bool),
        "limit": np.asarray(spec.limit, dtype=np.float64),
        "util": np.asarray(spec.util, dtype=np.float64),
        "growth": np.asarray(spec.growth, dtype=np.float64),
        "first_day": np.asarray(spec.first_day, dtype=np.int64),
    }
    total = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        for chunk, lo_acc in enumerate(range(0, len(account_ids), CHUNK_ACCOUNTS)):
            lo, hi = np.searchsorted(acc, [lo_acc, lo_acc + CHUNK_ACCOUNTS])
            if lo == hi:
                continue
            part = {k: v[lo:hi] for k, v in cols.items()}
            rng = np.random.default_rng([seed, 0x05A6E, chunk])
            q, mask = _quantities(
                rng,
                weekend,
                part["instant"],
                part["limit"],
                part["util"],
                part["growth"],
                part["first_day"],
            )
            ent, day = np.nonzero(mask)
            frame = pd.DataFrame(
                {
                    "account_id": ids[acc[lo:hi][ent]],
                    "metric": metric_names[part["metric"][ent]],
                    "date": dates[day],
                    "quantity": q[ent, day],
                }
            )
            frame.to_csv(fh, header=False, index=False, lineterminator="\n")
            total += len(frame)
    return total
