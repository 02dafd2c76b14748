"""Utilization (spec section 1), health (section 2) and guardrails (section 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas import DataFrame

from codes.health import GuardrailReason, HealthComponent

from .context import Context
from .frames import window_start
from .text import fmt_date, fmt_entitlement_use, fmt_num

COMPONENTS = list(HealthComponent.codes)
# guardrail reason codes, in the spec's order (section 3)
REASONS = GuardrailReason.codes


def utilization(ctx: Context) -> DataFrame:
    """One row per entitlement of a line active on T."""
    cfg = ctx.cfg
    ent = ctx.data.entitlements.rename(columns={"id": "entitlement_id"})
    ent = ent.merge(
        ctx.active[
            [
                "line_id",
                "account_id",
                "product_id",
                "sku",
                "dkey",
                "department",
                "is_tier",
                "family",
                "tier_rank",
            ]
        ],
        left_on="contract_id",
        right_on="line_id",
        how="inner",
    ).drop(columns="line_id")
    ent = ent.merge(ctx.data.usage, on=["account_id", "metric"], how="left")
    is_month = ent["period"].str.casefold().eq("month").to_numpy()
    last = ent["used_last"].fillna(0.0).to_numpy(dtype="float64")
    latest = ent["latest"].fillna(0.0).to_numpy(dtype="float64")
    used = np.where(is_month, last, latest)
    limit = ent["limit"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(limit > 0, used / limit, np.nan)
        pct = np.where(limit > 0, used * 100.0 / limit, np.nan)
    level = np.zeros(len(ent), dtype="int64")
    slot = np.zeros(len(ent), dtype="int64")  # 0 none, 1..3 alert slot (by ascending level)
    for i, (_code, lvl, _pts) in enumerate(cfg.alert_slots(), start=1):
        reached = (limit > 0) & (used * 100.0 >= lvl * limit)  # exact: no division
        level = np.where(reached, round(lvl), level)
        slot = np.where(reached, i, slot)
    ent = ent.assign(
        used=used,
        ratio=ratio,
        pct=pct,
        level=level,
        slot=slot,
        is_month=is_month,
        used_prior=ent["used_prior"].fillna(0.0),
        used_last=last,
    )
    return ent.sort_values(["account_id", "entitlement_id"], kind="mergesort").reset_index(
        drop=True
    )


UTILIZATION_COLUMNS = [
    "entitlement_id",
    "account_id",
    "contract_id",
    "product_id",
    "sku",
    "metric",
    "limit",
    "period",
    "used",
    "ratio",
    "level",
]


def health(ctx: Context, util: DataFrame) -> DataFrame:
    """Components, score, eligibility and reason flags per scored account."""
    cfg, t = ctx.cfg, ctx.t
    acc = ctx.accounts[
        ["account_id", "external_id", "name", "segment", "industry", "customer_since"]
    ].copy()
    ids = acc["account_id"]

    # adoption: mean over active entitlements of min(utilization, 1) x 100
    adopt = util.assign(a=np.minimum(util["pct"].fillna(0.0), 100.0))
    adoption = adopt.groupby("account_id")["a"].mean()
    acc["adoption"] = ids.map(adoption).fillna(cfg.adoption_no_entitlement).to_numpy()

    # trend: per month entitlement base + slope x (last/prior - 1), clamped, then the mean
    m = util[util["is_month"]]
    prior = m["used_prior"].to_numpy(dtype="float64")
    lastv = m["used_last"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        tr = cfg.trend_base + cfg.trend_slope * (lastv - prior) / prior
    tr = np.where(prior > 0, np.clip(tr, 0.0, 100.0), cfg.trend_no_prior)
    trend = pd.Series(tr, index=m.index).groupby(m["account_id"]).mean()
    acc["trend"] = ids.map(trend).fillna(cfg.trend_no_prior).to_numpy()

    # sentiment: latest NPS in the NPS window x multiplier
    sig = ctx.signals
    nps = sig[
        (sig["kind"] == "nps")
        & (sig["date"] >= window_start(t, cfg.nps_window_days))
        & sig["value"].notna()
    ]
    last_day = nps.groupby("account_id")["date"].transform("max")
    nps = nps[nps["date"] == last_day]
    nps_latest = nps.groupby("account_id").agg(nps=("value", "mean"), nps_date=("date", "max"))
    nps_latest = acc[["account_id"]].merge(nps_latest.reset_index(), on="account_id", how="left")
    acc["nps"] = nps_latest["nps"].astype("float64").to_numpy()
    acc["nps_date"] = nps_latest["nps_date"].astype("datetime64[ns]").to_numpy()
    sent = np.clip(acc["nps"] * cfg.sentiment_nps_multiplier, 0.0, 100.0)
    acc["sentiment"] = sent.fillna(cfg.sentiment_no_nps)

    # support: base - penalty x tickets in the support window, at least 0
    tickets = sig[
        (sig["kind"] == "support_ticket")
        & (sig["date"] >= window_start(t, cfg.support_window_days))
    ]
    n_tickets = tickets.groupby("account_id").size()
    acc["tickets"] = ids.map(n_tickets).fillna(0).astype("int64").to_numpy()
    acc["support"] = np.maximum(cfg.support_base - cfg.support_ticket_penalty * acc["tickets"], 0.0)

    # relationship
    st = ctx.stakeholders
    champ = set(st.loc[st["role"] == cfg.champion_role.casefold(), "account_id"])
    roles = [r.casefold() for r in cfg.sponsor_role_list()]
    spons = set(st.loc[st["role"].isin(roles), "account_id"])
    acc["has_champion"] = ids.isin(champ).to_numpy()
    acc["has_sponsor"] = ids.isin(spons).to_numpy()
    acc["relationship"] = (
        np.where(acc["has_champion"], cfg.relationship_champion, 0.0)
        + np.where(acc["has_sponsor"], cfg.relationship_sponsor, 0.0)
    ).clip(0.0, 100.0)

    weights = np.array(
        [
            cfg.weight_adoption,
            cfg.weight_trend,
            cfg.weight_sentiment,
            cfg.weight_support,
            cfg.weight_relationship,
        ],
        dtype="float64",
    )
    comp = acc[COMPONENTS].to_numpy(dtype="float64")
    acc["score"] = (comp * weights).sum(axis=1) / weights.sum()

    # incident: the latest support ticket of the incident severity (1 the most severe) or
    # worse in the incident window
    inc = sig[
        (sig["kind"] == "support_ticket")
        & (sig["date"] >= window_start(t, cfg.incident_window_days))
        & sig["value"].notna()
        & (sig["value"] <= cfg.incident_severity)
    ].sort_values(["account_id", "date", "detail"], kind="mergesort")
    inc = inc.drop_duplicates("account_id", keep="last").set_index("account_id")

    days = (t - acc["customer_since"]).dt.days
    acc["unhealthy"] = acc["score"] <= cfg.health_threshold
    acc["underutilized"] = acc["adoption"] < cfg.adoption_threshold
    acc["onboarding"] = (days < cfg.onboarding_days).fillna(False).astype(bool)
    acc["detractor"] = (acc["nps"] <= cfg.detractor_nps).fillna(False).astype(bool)
    acc["incident"] = ids.isin(inc.index).to_numpy()
    acc["eligible"] = ~acc[list(REASONS)].any(axis=1)

    # the weakest component (first in spec order on a tie) and what it shows
    weakest = np.argmin(comp, axis=1)
    acc["weakest"] = np.array(COMPONENTS, dtype=object)[weakest]
    acc["weakest_value"] = comp[np.arange(len(acc)), weakest] if len(acc) else []
    low = (
        util.assign(_p=util["pct"].fillna(0.0))
        .sort_values(["account_id", "_p", "sku", "metric", "entitlement_id"], kind="mergesort")
        .drop_duplicates("account_id")
        .set_index("account_id")
    )
    low_txt = fmt_entitlement_use(low)
    lowest = ids.map(low_txt).astype(object)
    acc["lowest_use"] = lowest.where(lowest.notna(), "no active entitlement").to_numpy()
    hints = {
        "adoption": "lowest use: " + acc["lowest_use"],
        "trend": pd.Series("usage is falling against the prior period", index=acc.index),
        "sentiment": np.where(
            acc["nps"].notna(),
            "latest NPS " + fmt_num(acc["nps"]) + " on " + fmt_date(acc["nps_date"]),
            "no recent NPS",
        ),
        "support": acc["tickets"].astype(str)
        + " support tickets in the last "
        + str(cfg.support_window_days)
        + " days",
        "relationship": np.select(
            [~acc["has_champion"] & ~acc["has_sponsor"], ~acc["has_champion"]],
            ["no active champion nor executive sponsor", "no active champion"],
            "no active executive sponsor or economic buyer",
        ),
    }
    hint = np.select(
        [acc["weakest"] == c for c in COMPONENTS],
        [np.asarray(hints[c], dtype=object) for c in COMPONENTS],
        "",
    )
    acc["recovery_detail"] = (
        "weakest component: "
        + acc["weakest"]
        + " at "
        + acc["weakest_value"].map("{:.1f}".format).astype(str)
        + " ("
        + pd.Series(hint, index=acc.index)
        + ")"
    )
    acc["detractor_detail"] = (
        "close the loop with the detractor first: latest NPS "
        + fmt_num(acc["nps"])
        + " on "
        + fmt_date(acc["nps_date"])
    )
    seen = acc[["account_id"]].merge(
        inc.reset_index()[["account_id", "date", "value", "detail"]], on="account_id", how="left"
    )
    seen.index = acc.index
    inc_what = seen["detail"].fillna("").astype(str)
    acc["incident_detail"] = (
        "severity "
        + fmt_num(seen["value"].fillna(0.0))
        + " support ticket on "
        + fmt_date(seen["date"])
        + np.where(inc_what != "", ": " + inc_what, "")
        + ": resolve the incident first"
    )
    acc["adoption_detail"] = (
        "adoption at "
        + acc["adoption"].map("{:.1f}".format).astype(str)
        + " is below "
        + fmt_num(pd.Series([cfg.adoption_threshold] * len(acc), index=acc.index))
        + ": the customer uses too little of what it bought; lowest use: "
        + acc["lowest_use"]
    )
    return acc.reset_index(drop=True)
