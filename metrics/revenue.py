"""Revenue metrics over contract lines (spec: metrics.md), as pure pandas functions.

Input: a DataFrame ``lines`` with one row per contract line and the columns
``account_id`` (any hashable), ``start_date`` and ``end_date`` (python dates,
strings or datetime64; the end date is inclusive) and ``arr`` (float, int or
Decimal). Extra columns are ignored; to compute a metric for one segment,
region or owner, filter ``lines`` before calling.

A line is active on day d when ``start_date <= d <= end_date``; an account's
MRR on d is the sum of ``arr / 12`` over its active lines.

Exactness: ARR is converted once to integer cents and every sum is done on
integer "ARR cents"; the division by 12 (and by 100) happens only at the end,
so 12 lines of 1,000 ARR give exactly 1,000.00 MRR and comparisons between
MRR values (expansion, contraction, churn) are exact. Amounts in the returned
DataFrames are floats rounded to 2 decimals; ``revenue_summary`` returns
Decimals.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

MOVEMENTS: tuple[str, ...] = ("new", "reactivation", "expansion", "contraction", "churn")
"""The movement kinds, in waterfall order."""

_CENT = Decimal("0.01")
_RATIO = Decimal("0.0001")
_ARR_CENTS_PER_MRR = 1200  # ARR cents -> MRR units: / 12 months / 100 cents
_FAR_FUTURE = np.iinfo(np.int64).max // 2

DateLike = Any  # date, datetime, str (ISO), pd.Timestamp or np.datetime64


# --------------------------------------------------------------------------- helpers


def _day(value: DateLike) -> int:
    """A date-like value as an integer day number (days since 1970-01-01)."""
    return int(pd.Timestamp(value).to_datetime64().astype("datetime64[D]").astype(np.int64))


def _day_to_date(day: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


def _days(column: pd.Series) -> np.ndarray:
    """A date column as int64 day numbers (NaT -> minimum int64)."""
    values = pd.to_datetime(column).to_numpy().astype("datetime64[D]")
    return values.astype(np.int64)


def _arr_cents(column: pd.Series) -> np.ndarray:
    """ARR values (float, int or Decimal) as int64 cents."""
    values = np.nan_to_num(column.astype(float).to_numpy(dtype=float), nan=0.0)
    return np.rint(values * 100).astype(np.int64)


class _Book:
    """Lines prepared once: account codes, day numbers and ARR cents."""

    def __init__(self, lines: pd.DataFrame) -> None:
        accounts = lines["account_id"]
        try:
            codes, uniques = pd.factorize(accounts, sort=True)
        except TypeError:  # account ids that cannot be ordered together
            codes, uniques = pd.factorize(accounts, sort=False)
        self.codes = np.asarray(codes, dtype=np.int64)
        self.accounts = pd.Index(uniques, name="account_id")
        self.start = _days(lines["start_date"])
        end = _days(lines["end_date"])
        # a missing end date is an open-ended line
        self.end = np.where(pd.isna(lines["end_date"]).to_numpy(), _FAR_FUTURE, end)
        self.arr = _arr_cents(lines["arr"])
        valid = (self.codes >= 0) & ~pd.isna(lines["start_date"]).to_numpy()
        if not valid.all():
            self.codes, self.start = self.codes[valid], self.start[valid]
            self.end, self.arr = self.end[valid], self.arr[valid]

    @property
    def n_accounts(self) -> int:
        return len(self.accounts)

    def arr_matrix(self, days: np.ndarray) -> np.ndarray:
        """ARR cents per account (rows) on each of ``days`` (sorted day numbers, columns).

        Vectorised over lines and days: each line is active on a contiguous run
        of the sorted days, added to a difference array and cumulated.
        """
        n_days = len(days)
        lo = np.searchsorted(days, self.start, side="left")
        hi = np.searchsorted(days, self.end, side="right")
        keep = lo < hi
        diff = np.zeros((self.n_accounts, n_days + 1), dtype=np.int64)
        np.add.at(diff, (self.codes[keep], lo[keep]), self.arr[keep])
        np.add.at(diff, (self.codes[keep], hi[keep]), -self.arr[keep])
        return np.cumsum(diff[:, :n_days], axis=1)

    def first_paid_start(self) -> np.ndarray:
        """Per account, the first start day of a line with arr > 0 (far future if none)."""
        first = np.full(self.n_accounts, _FAR_FUTURE, dtype=np.int64)
        paid = self.arr > 0
        np.minimum.at(first, self.codes[paid], self.start[paid])
        return first

    def active_mask(self, day: int) -> np.ndarray:
        """Per account, whether it has at least one line active on ``day``."""
        active = np.zeros(self.n_accounts, dtype=bool)
        on = (self.start <= day) & (day <= self.end)
        active[self.codes[on]] = True
        return active


def _classify(
    start: np.ndarray, end: np.ndarray, had_before: np.ndarray
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Movement masks and amounts (ARR cents) from MRR at d0, at d1 and prior revenue.

    Works element-wise on arrays of any (equal) shape.
    """
    was, now = start > 0, end > 0
    masks = {
        "new": ~was & now & ~had_before,
        "reactivation": ~was & now & had_before,
        "expansion": was & (end > start),
        "contraction": was & now & (end < start),
        "churn": was & ~now,
    }
    amounts = {
        "new": np.where(masks["new"], end, 0),
        "reactivation": np.where(masks["reactivation"], end, 0),
        "expansion": np.where(masks["expansion"], end - start, 0),
        "contraction": np.where(masks["contraction"], start - end, 0),
        "churn": np.where(masks["churn"], start, 0),
    }
    return masks, amounts


def _mrr_float(arr_cents: np.ndarray | int) -> np.ndarray | float:
    """ARR cents -> MRR as float rounded half-up to 2 decimals (as ``_mrr_decimal``)."""
    cents = np.asarray(arr_cents, dtype=np.int64)
    mrr_cents = (2 * cents + 12) // 24  # round(cents / 12), half-up, in integers
    return mrr_cents / 100


def _mrr_decimal(arr_cents: int) -> Decimal:
    """ARR cents -> MRR as a Decimal rounded half-up to the cent."""
    return (Decimal(int(arr_cents)) / _ARR_CENTS_PER_MRR).quantize(_CENT, ROUND_HALF_UP)


def mrr_from_arr(arr: Decimal | float | int | None) -> Decimal:
    """MRR of an ARR: ARR / 12, half-up to the cent. The one MRR rounding: the accounts API
    and every revenue figure here (``_mrr_decimal``, vectorised ``_mrr_float``) agree."""
    cents = (Decimal(str(arr or 0)) * 100).to_integral_value(ROUND_HALF_EVEN)  # as _arr_cents
    return _mrr_decimal(int(cents))


def _ratio(numerator: int, denominator: int) -> Decimal | None:
    if denominator == 0:
        return None
    return (Decimal(int(numerator)) / Decimal(int(denominator))).quantize(_RATIO, ROUND_HALF_UP)


def _month_ends(start_month: DateLike, end_month: DateLike) -> tuple[pd.PeriodIndex, np.ndarray]:
    """Months start..end and the day numbers of the month-ends from the month before start."""
    first = pd.Period(pd.Timestamp(start_month), freq="M")
    last = pd.Period(pd.Timestamp(end_month), freq="M")
    if last < first:
        raise ValueError("end_month is before start_month")
    months = pd.period_range(first, last, freq="M")
    snapshots = pd.period_range(first - 1, last, freq="M")
    ends = snapshots.to_timestamp(how="end").to_numpy().astype("datetime64[D]")
    return months, ends.astype(np.int64)


# --------------------------------------------------------------------------- public API


def mrr_on(lines: pd.DataFrame, day: DateLike) -> pd.Series:
    """MRR per account on ``day``: sum of arr/12 over the lines active that day.

    Indexed by account_id; only accounts with at least one active line appear.
    Values are floats rounded to 2 decimals.
    """
    book = _Book(lines)
    d = _day(day)
    cents = book.arr_matrix(np.array([d], dtype=np.int64))[:, 0]
    active = book.active_mask(d)
    return pd.Series(_mrr_float(cents[active]), index=book.accounts[active], name="mrr")


def mrr_movements(lines: pd.DataFrame, d0: DateLike, d1: DateLike) -> pd.DataFrame:
    """One row per account with its MRR movement between ``d0`` and ``d1``.

    Columns: account_id, mrr_start, mrr_end, movement (new, reactivation,
    expansion, contraction, churn or None when unchanged / never active) and
    amount (positive, float rounded to 2 decimals; 0 when no movement).
    """
    day0, day1 = _day(d0), _day(d1)
    if day0 >= day1:
        raise ValueError("d0 must be before d1")
    book = _Book(lines)
    start, end, masks, amounts = _movements_cents(book, day0, day1)
    movement = np.full(book.n_accounts, None, dtype=object)
    amount = np.zeros(book.n_accounts, dtype=np.int64)
    for kind in MOVEMENTS:
        movement[masks[kind]] = kind
        amount += amounts[kind]
    return pd.DataFrame(
        {
            "account_id": pd.Series(book.accounts, dtype=book.accounts.dtype),
            "mrr_start": _mrr_float(start),
            "mrr_end": _mrr_float(end),
            "movement": pd.Series(movement, dtype=object),
            "amount": _mrr_float(amount),
        }
    )


def _movements_cents(
    book: _Book, day0: int, day1: int
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    matrix = book.arr_matrix(np.array([day0, day1], dtype=np.int64))
    start, end = matrix[:, 0], matrix[:, 1]
    had_before = book.first_paid_start() < day0
    masks, amounts = _classify(start, end, had_before)
    return start, end, masks, amounts


def revenue_summary(lines: pd.DataFrame, d0: DateLike, d1: DateLike) -> dict[str, Decimal | None]:
    """Starting MRR, movements, ending MRR, NRR and GRR between ``d0`` and ``d1``.

    Money values are Decimals rounded to the cent; ``nrr`` and ``grr`` are
    Decimal ratios rounded to 4 places (None when starting MRR is 0). Ratios
    are computed on exact sums, before rounding. ``ending_mrr`` is
    starting + new + reactivation + expansion - contraction - churn of the
    rounded figures, so the waterfall adds up to the cent.
    """
    day0, day1 = _day(d0), _day(d1)
    if day0 >= day1:
        raise ValueError("d0 must be before d1")
    book = _Book(lines)
    start, _end, _masks, amounts = _movements_cents(book, day0, day1)
    totals = {kind: int(amounts[kind].sum()) for kind in MOVEMENTS}
    starting = int(start.sum())
    result: dict[str, Decimal | None] = {"starting_mrr": _mrr_decimal(starting)}
    for kind in MOVEMENTS:
        key = "churned_mrr" if kind == "churn" else f"{kind}_mrr"
        result[key] = _mrr_decimal(totals[kind])
    result["ending_mrr"] = (
        result["starting_mrr"]
        + result["new_mrr"]
        + result["reactivation_mrr"]
        + result["expansion_mrr"]
        - result["contraction_mrr"]
        - result["churned_mrr"]
    )
    retained = starting - totals["contraction"] - totals["churn"]
    result["nrr"] = _ratio(retained + totals["expansion"], starting)
    result["grr"] = _ratio(retained, starting)
    return result


def _months_with_data(book: _Book, ends: np.ndarray) -> slice:
    """The months (indices into ``ends[1:]``) that can hold MRR or a movement: those whose
    previous or own month-end falls within some line's term. Every other month is all zero,
    so the account x month arrays need only these: the cost follows the months the book
    covers, not the calendar span asked for."""
    if not len(book.start):
        return slice(0, 0)
    first = np.searchsorted(ends[1:], book.start.min(), side="left")
    last = np.searchsorted(ends[:-1], book.end.max(), side="right")
    return slice(int(first), int(max(first, last)))


def _monthly_arrays(
    lines: pd.DataFrame, start_month: DateLike, end_month: DateLike
) -> tuple[_Book, pd.PeriodIndex, slice, np.ndarray, np.ndarray, dict[str, np.ndarray], dict]:
    """Account x month arrays over the months with data (``_months_with_data``, returned as
    a slice of ``months``): MRR (ARR cents) at the previous and current month-end, movement
    masks and amounts; vectorised over accounts and months."""
    months, all_ends = _month_ends(start_month, end_month)
    book = _Book(lines)
    span = _months_with_data(book, all_ends)
    ends = all_ends[span.start : span.stop + 1]
    matrix = book.arr_matrix(ends)  # accounts x (months with data + 1)
    start, end = matrix[:, :-1], matrix[:, 1:]
    had_before = book.first_paid_start()[:, None] < ends[None, :-1]
    masks, amounts = _classify(start, end, had_before)
    return book, months, span, start, end, masks, amounts


def _month_totals(span: slice, n_months: int, values: np.ndarray) -> np.ndarray:
    """Per-month sums over accounts, zero outside the months with data."""
    totals = np.zeros(n_months, dtype=np.int64)
    totals[span] = values.sum(axis=0)
    return totals


def monthly_movements(
    lines: pd.DataFrame, start_month: DateLike, end_month: DateLike
) -> pd.DataFrame:
    """Month-by-month MRR waterfall from month-end snapshots.

    One row per month m from ``start_month`` to ``end_month`` (any day of the
    month, or "YYYY-MM"), comparing MRR on the last day of month m-1 with the
    last day of month m. Columns: month (first day, a date), starting_mrr,
    new_mrr, reactivation_mrr, expansion_mrr, contraction_mrr, churned_mrr,
    ending_mrr (floats rounded to 2 decimals; ending = starting + movements)
    and new_count, reactivation_count, expansion_count, contraction_count,
    churn_count.
    """
    _book, months, span, start, _end, masks, amounts = _monthly_arrays(
        lines, start_month, end_month
    )
    n = len(months)
    frame = pd.DataFrame({"month": [p.start_time.date() for p in months]})
    frame["starting_mrr"] = _mrr_float(_month_totals(span, n, start))
    for kind in MOVEMENTS:
        key = "churned_mrr" if kind == "churn" else f"{kind}_mrr"
        frame[key] = _mrr_float(_month_totals(span, n, amounts[kind]))
    frame["ending_mrr"] = np.round(
        frame["starting_mrr"]
        + frame["new_mrr"]
        + frame["reactivation_mrr"]
        + frame["expansion_mrr"]
        - frame["contraction_mrr"]
        - frame["churned_mrr"],
        2,
    )
    for kind in MOVEMENTS:
        frame[f"{kind}_count"] = _month_totals(span, n, masks[kind])
    return frame


def monthly_account_movements(
    lines: pd.DataFrame, start_month: DateLike, end_month: DateLike
) -> pd.DataFrame:
    """The account-months behind ``monthly_movements``: one row per account and month
    with a movement.

    Columns: account_id, month (first day, a date), mrr_start, mrr_end,
    movement and amount (floats rounded to 2 decimals), ordered by month then
    account. Useful e.g. for the first expansion month of each account.
    """
    book, months, span, start, end, masks, amounts = _monthly_arrays(
        lines, start_month, end_month
    )
    movement = np.full(start.shape, None, dtype=object)
    amount = np.zeros(start.shape, dtype=np.int64)
    for kind in MOVEMENTS:
        movement[masks[kind]] = kind
        amount += amounts[kind]
    moved = np.logical_or.reduce([masks[kind] for kind in MOVEMENTS])
    month_idx, account_idx = np.nonzero(moved.T)
    month_dates = np.array([p.start_time.date() for p in months[span]], dtype=object)
    return pd.DataFrame(
        {
            "account_id": pd.Series(book.accounts[account_idx], dtype=book.accounts.dtype),
            "month": pd.Series(month_dates[month_idx], dtype=object),
            "mrr_start": _mrr_float(start[account_idx, month_idx]),
            "mrr_end": _mrr_float(end[account_idx, month_idx]),
            "movement": pd.Series(movement[account_idx, month_idx], dtype=object),
            "amount": _mrr_float(amount[account_idx, month_idx]),
        }
    )
