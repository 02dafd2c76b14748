"""Revenue metrics for a user's book: contract lines read once into pandas, then the pure
functions of ``metrics.revenue``."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from accounts.models import ContractLine

from . import revenue


def contract_lines_frame(*, user, segment: str | None = None) -> pd.DataFrame:
    lines = ContractLine.objects.restrict(user)
    if segment:
        lines = lines.filter(account__segment=segment)
    frame = pd.DataFrame.from_records(
        list(lines.values("account_id", "start_date", "end_date", "arr")),
        columns=["account_id", "start_date", "end_date", "arr"],
    )
    return frame


def revenue_between(*, user, start: dt.date, end: dt.date, segment: str | None = None) -> dict:
    return revenue.revenue_summary(contract_lines_frame(user=user, segment=segment), start, end)


def revenue_by_month(
    *, user, start: dt.date, end: dt.date, segment: str | None = None
) -> list[dict]:
    frame = revenue.monthly_movements(contract_lines_frame(user=user, segment=segment), start, end)
    return frame.to_dict("records")
