"""Reads for scoring: its inputs and its runs.

``scoring_input_load`` builds the engine's frames for one range of account ids with a fixed
number of queries whatever the range's size: the catalogue, all accounts and all contract
lines (lookalike peers are book-wide), and for the range only: entitlements, stakeholders,
priorities, signals, success metrics, and usage aggregated in SQL over the windows (the raw
daily rows never leave the database).
"""

from __future__ import annotations

import datetime as dt
import sys

import pandas as pd
from django.conf import settings
from django.db import connection
from django.db.models import Q

from accounts.models import (
    Account,
    Adjacency,
    ContractLine,
    Entitlement,
    Priority,
    Product,
    Stakeholder,
)
from core.bulk import FLOAT, INT, TEXT, read_frame, read_sql_frame, sort_memory
from playbooks.models import Opportunity, Stage
from signals.models import AccountSignal, DailyUsage, SuccessMetric

from .config import ScoringConfig
from .engine import ScoringInput
from .models import ScoringRun, ScoringRunStatus

#: Reading in range: 0 <= quantity <= %(max_quantity)s (NaN and infinities are not).
_IN_RANGE = "u.quantity >= 0 AND u.quantity <= %(max_quantity)s"


def usage_window_sql(table: str) -> str:
    """Per (account, metric): usage over the utilization window, over the prior window, and
    the latest reading in the utilization window; and ``out_of_range``, the number of
    readings that the sums leave out because they are not in range (see
    ``max_usage_quantity``). Portable across PostgreSQL and SQLite."""
    return f"""
        WITH agg AS (
            SELECT u.account_id, u.metric,
                   SUM(CASE WHEN u.date >= %(last_start)s AND {_IN_RANGE}
                            THEN u.quantity ELSE 0 END) AS used_last,
                   SUM(CASE WHEN u.date < %(last_start)s AND {_IN_RANGE}
                            THEN u.quantity ELSE 0 END) AS used_prior,
                   MAX(CASE WHEN u.date >= %(last_start)s THEN u.date END) AS latest_date,
                   SUM(CASE WHEN {_IN_RANGE} THEN 0 ELSE 1 END) AS out_of_range
            FROM {table} u
            WHERE u.date >= %(prior_start)s AND u.date <= %(as_of)s
              AND u.account_id >= %(lo)s AND u.account_id <= %(hi)s
            GROUP BY u.account_id, u.metric
        )
        SELECT agg.account_id, agg.metric, agg.used_last, agg.used_prior, l.quantity AS latest,
               agg.out_of_range
        FROM agg
        LEFT JOIN {table} l
          ON l.account_id = agg.account_id AND l.metric = agg.metric AND l.date = agg.latest_date
    """


def usage_window_sql_postgresql(table: str) -> str:
    """The same in one pass that PostgreSQL can run in parallel: the latest reading is the
    second element of the largest ``[day number, quantity]`` pair (arrays compare element by
    element), built only for the metrics whose latest reading is used."""
    return f"""
        SELECT u.account_id, u.metric,
               SUM(u.quantity) FILTER (WHERE u.date >= %(last_start)s AND {_IN_RANGE})
                   AS used_last,
               SUM(u.quantity) FILTER (WHERE u.date < %(last_start)s AND {_IN_RANGE})
                   AS used_prior,
               (MAX(ARRAY[(u.date - %(prior_start)s)::float8, u.quantity])
                    FILTER (WHERE u.date >= %(last_start)s
                            AND u.metric = ANY(%(latest_metrics)s)))[2] AS latest,
               COUNT(*) FILTER (WHERE NOT ({_IN_RANGE})) AS out_of_range
        FROM {table} u
        WHERE u.date >= %(prior_start)s AND u.date <= %(as_of)s
          AND u.account_id >= %(lo)s AND u.account_id <= %(hi)s
        GROUP BY u.account_id, u.metric
    """


def max_usage_quantity(config: ScoringConfig) -> float:
    """The largest daily reading the window sums take: one whose sum over every day of the
    windows stays a finite double (a sum of larger ones overflows: PostgreSQL raises, SQLite
    gives infinity). A reading beyond it (or NaN, or negative) is bad data: the scoring leaves
    its account out and reports it on the run."""
    days = config.usage_window_days + config.trend_prior_days
    return sys.float_info.max / (days + 1)


def usage_aggregates_query(
    *, as_of: dt.date, config: ScoringConfig, lo: int, hi: int, latest_metrics: list[str]
) -> tuple[str, dict]:
    """The statement (and its parameters) behind ``usage_aggregates_load``, for this
    connection's database."""
    last_start = as_of - dt.timedelta(days=config.usage_window_days - 1)
    prior_start = last_start - dt.timedelta(days=config.trend_prior_days)
    params = {
        "last_start": last_start,
        "prior_start": prior_start,
        "as_of": as_of,
        "lo": lo,
        "hi": hi,
        "max_quantity": max_usage_quantity(config),
    }
    build = usage_window_sql
    if connection.vendor == "postgresql":
        # Only this statement takes the list: SQLite cannot bind one, not even unused.
        build, params["latest_metrics"] = usage_window_sql_postgresql, sorted(set(latest_metrics))
    return build(DailyUsage._meta.db_table), params


def usage_aggregates_load(
    *, as_of: dt.date, config: ScoringConfig, lo: int, hi: int, latest_metrics: list[str]
) -> pd.DataFrame:
    """Window sums per (account, metric) for accounts lo..hi; ``latest`` is filled at least
    for ``latest_metrics`` (the metrics of entitlements measured by their latest reading)."""
    sql, params = usage_aggregates_query(
        as_of=as_of, config=config, lo=lo, hi=hi, latest_metrics=latest_metrics
    )
    dtypes = {
        "account_id": INT,
        "metric": TEXT,
        "used_last": FLOAT,
        "used_prior": FLOAT,
        "latest": FLOAT,
        "out_of_range": INT,
    }
    with sort_memory(settings.SCORING_WORK_MEM):
        frame = read_sql_frame(sql, params, dtypes)
    # A window without rows sums to 0 (SQL's FILTER gives NULL), as in the engine.
    frame[["used_last", "used_prior"]] = frame[["used_last", "used_prior"]].fillna(0.0)
    return frame


DEAL_STAGES = (Stage.QUALIFIED, Stage.PROPOSAL, Stage.NEGOTIATION)


def account_id_chunks(*, chunk_size: int) -> list[tuple[int, int]]:
    """Inclusive id ranges of about ``chunk_size`` accounts each, in id order."""
    ids = list(Account.objects.order_by("id").values_list("id", flat=True))
    return [
        (ids[i], ids[min(i + chunk_size, len(ids)) - 1]) for i in range(0, len(ids), chunk_size)
    ]


Peers = tuple[pd.DataFrame, pd.DataFrame]
#: ``peers`` of a chunk that spans the whole book: its own accounts and lines are the peers.
OWN_PEERS: Peers = (pd.DataFrame(), pd.DataFrame())


def scoring_peers_load(*, as_of: dt.date) -> Peers:
    """Lookalike peers are book-wide: every account, and the lines active on the date. A run
    in one process loads them once; each Celery chunk task loads its own."""
    accounts = read_frame(Account.objects.all(), ["id", "segment", "industry"])
    lines = read_frame(
        ContractLine.objects.filter(start_date__lte=as_of, end_date__gte=as_of),
        ["id", "account_id", "product_id", "start_date", "end_date"],
    )
    return accounts, lines


def scoring_input_load(
    *, as_of: dt.date, config: ScoringConfig, lo: int, hi: int, peers: Peers | None = None
) -> ScoringInput:
    """The engine's input for accounts with ids in lo..hi (see the module docstring).
    ``peers``: loaded book-wide when None; ``OWN_PEERS`` when lo..hi is the whole book.
    Contract lines and stakeholders are read as the engine uses them: the lines active on
    the date, the active stakeholders."""
    in_range = {"account_id__gte": lo, "account_id__lte": hi}
    account_columns = ["id", "external_id", "name", "segment", "industry", "customer_since"]
    accounts = read_frame(Account.objects.filter(id__gte=lo, id__lte=hi), account_columns)
    products = read_frame(
        Product.objects.all(),
        ["id", "sku", "name", "kind", "family", "tier_rank", "department", "list_arr"],
    )
    adjacencies = read_frame(Adjacency.objects.all(), ["from_product_id", "to_product_id", "pitch"])
    line_columns = ["id", "account_id", "product_id", "start_date", "end_date", "arr"]
    # the lines active on the date, and those ended within the windows that look back at
    # ownership: a tier left, a product owned over the ownership window
    since = as_of - dt.timedelta(days=max(config.tier_left_days, config.ownership_days) - 1)
    lines = read_frame(
        ContractLine.objects.filter(**in_range, start_date__lte=as_of, end_date__gte=since),
        line_columns,
    )
    entitlements = read_frame(
        Entitlement.objects.filter(
            contract__account_id__gte=lo,
            contract__account_id__lte=hi,
            contract__start_date__lte=as_of,
            contract__end_date__gte=as_of,
        ),
        ["id", "contract_id", "metric", "limit", "period"],
    )
    stakeholders = read_frame(
        Stakeholder.objects.filter(**in_range, active=True),
        ["id", "account_id", "name", "department", "role", "active"],
    )
    priorities = read_frame(
        Priority.objects.filter(
            stakeholder__account_id__gte=lo, stakeholder__account_id__lte=hi, year=as_of.year
        ),
        ["id", "stakeholder_id", "year", "priority", "department"],
    )
    oldest = as_of - dt.timedelta(
        days=max(
            config.nps_window_days,
            config.support_window_days,
            config.signal_window_days,
            config.new_users_window_days,
            config.incident_window_days,
        )
    )
    signals = read_frame(
        AccountSignal.objects.filter(**in_range, date__gt=oldest, date__lte=as_of),
        ["account_id", "date", "kind", "value", "department", "detail"],
    )
    success = read_frame(
        SuccessMetric.objects.filter(**in_range, as_of__lte=as_of),
        ["account_id", "name", "target", "achieved", "as_of"],
    )
    # section 4b: deals in progress, and those lost in the cooldown window
    lost_since = as_of - dt.timedelta(days=config.lost_cooldown_days - 1)
    deals = read_frame(
        Opportunity.objects.filter(**in_range).filter(
            Q(stage__in=DEAL_STAGES)
            | Q(stage=Stage.LOST, closed__gte=lost_since, closed__lte=as_of)
        ),
        ["account_id", "key", "motion", "target_product_id", "stage", "closed"],
    )
    usage = usage_aggregates_load(
        as_of=as_of,
        config=config,
        lo=lo,
        hi=hi,
        latest_metrics=list(entitlements.loc[entitlements["period"] != "month", "metric"]),
    )
    if peers is None:
        peers = scoring_peers_load(as_of=as_of)
    own = peers is OWN_PEERS
    return ScoringInput(
        accounts=accounts,
        products=products,
        adjacencies=adjacencies,
        lines=lines,
        entitlements=entitlements,
        usage=usage,
        stakeholders=stakeholders,
        priorities=priorities,
        signals=signals,
        success_metrics=success,
        peer_accounts=None if own else peers[0],
        peer_lines=None if own else peers[1],
        opportunities=deals,
    )


def latest_scoring_run() -> ScoringRun | None:
    """The latest successful scoring run: what "current" results mean on pages and in the API."""
    return (
        ScoringRun.objects.filter(status=ScoringRunStatus.SUCCEEDED)
        .order_by("-finished", "-pk")
        .first()
    )


