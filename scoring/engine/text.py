"""Text helpers of the scoring engine: numbers, percentages and dates as the reasons,
details and explanations show them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas import DataFrame


def _fmt_one(x: float) -> str:
    if np.isclose(x, np.round(x)):
        return f"{int(np.round(x)):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def fmt_num(s: pd.Series) -> pd.Series:
    """1000000 -> '1,000,000'; 12.5 -> '12.5'. Each distinct value is formatted once (limits
    and counts repeat across accounts)."""
    v = s.astype("float64").fillna(0.0)
    labels = {x: _fmt_one(x) for x in pd.unique(v.to_numpy())}
    return v.map(labels).astype(str)


def fmt_pct(used: pd.Series, limit: pd.Series) -> pd.Series:
    """Whole percent, rounded down so that 79.99 % never shows as 80 %."""
    pct = np.floor(used.to_numpy(dtype="float64") * 100.0 / limit.to_numpy(dtype="float64") + 1e-9)
    return pd.Series(pct.astype("int64"), index=used.index).astype(str) + "%"


def fmt_entitlement_use(ent: DataFrame) -> pd.Series:
    """'api_calls at 92% of 1,000,000 (CORE-PRO)' from metric, used, limit and sku columns."""
    return (
        ent["metric"]
        + " at "
        + fmt_pct(ent["used"], ent["limit"])
        + " of "
        + fmt_num(ent["limit"])
        + " ("
        + ent["sku"]
        + ")"
    )


def fmt_date(s: pd.Series) -> pd.Series:
    return s.dt.strftime("%Y-%m-%d").fillna("")
