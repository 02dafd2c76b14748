"""The scoring engine: a pure, set-based function of pandas DataFrames (docs: spec/scoring.md).

No Django, no database, no clock: ``score_book(data, as_of=T, config=cfg)`` depends only on its
arguments, and sorts every intermediate frame by ids so that the input row order never matters.

Windows are N days ending on T inclusive (T-(N-1) .. T) everywhere.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..config import ScoringConfig
from .assemble import (
    HELD_COLUMNS,
    OPPORTUNITY_COLUMNS,
    account_lists,
    finish_opportunities,
    focus,
    held_lists,
    merge_opportunities,
)
from .context import build_context
from .frames import SCHEMA, ScoringInput, ScoringResult, as_timestamp, normalise_input
from .health import COMPONENTS, UTILIZATION_COLUMNS, health, utilization
from .plays import (
    CODE_ORDER,
    PLAY_MOTION,
    adjacent_rows,
    boost_rows,
    compliance_rows,
    feature_rows,
    outcome_metrics,
    outcome_notes,
    referral_rows,
    renewal_rows,
    seat_rows,
    utilization_rows,
)
from .usage import usage_window_aggregates

__all__ = [
    "CODE_ORDER",
    "COMPONENTS",
    "HEALTH_COLUMNS",
    "HELD_COLUMNS",
    "OPPORTUNITY_COLUMNS",
    "PLAY_MOTION",
    "SCHEMA",
    "UTILIZATION_COLUMNS",
    "ScoringConfig",
    "ScoringInput",
    "ScoringResult",
    "score_book",
    "usage_window_aggregates",
]

HEALTH_COLUMNS = [
    "account_id",
    "external_id",
    "score",
    *COMPONENTS,
    "eligible",
    "reasons",
    "actions",
    "held_back",
    "weakest_component",
]


def score_book(data: ScoringInput, *, as_of: date, config: ScoringConfig) -> ScoringResult:
    """Score every account with a contract line active on ``as_of``.

    Returns health (one row per scored account), utilization (one row per active entitlement)
    and opportunities (one row per account, play and target, in ranking order).
    """
    t = as_timestamp(as_of)
    ctx = build_context(normalise_input(data), t, config)
    util = utilization(ctx)
    acc = health(ctx, util)
    outcomes = outcome_metrics(ctx, acc)
    acc["outcome_note"] = outcome_notes(acc, outcomes).to_numpy()
    eligible = acc.loc[acc["eligible"], "account_id"]

    cand = pd.concat(
        [
            utilization_rows(ctx, util, eligible),
            seat_rows(ctx, util, eligible),
            renewal_rows(ctx, eligible),  # every scored account; module only when eligible
            referral_rows(ctx, eligible),
            compliance_rows(ctx, eligible),
            feature_rows(ctx, eligible),
            adjacent_rows(ctx, eligible),
        ],
        ignore_index=True,
    )
    opp, trig = merge_opportunities(ctx, cand, boost_rows(ctx, acc, outcomes))
    opps, held = focus(ctx, finish_opportunities(ctx, opp, trig, acc))

    lists = account_lists(ctx, acc, opps)
    h = acc.merge(lists, on="account_id", how="left").rename(
        columns={"weakest": "weakest_component"}
    )
    h["held_back"] = held_lists(h, held).to_numpy()
    h = h.sort_values("account_id", kind="mergesort")[HEALTH_COLUMNS].reset_index(drop=True)
    u = util[UTILIZATION_COLUMNS].reset_index(drop=True)
    return ScoringResult(health=h, utilization=u, opportunities=opps, held_back=held)
