"""The per-run context of the scoring engine: the input narrowed to what one scoring date
needs (the scored accounts, their active lines and products, signals, stakeholders and
sponsors, the lookalike peers), built once and read by every section."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas import DataFrame

from ..config import ScoringConfig
from .frames import ScoringInput, dept_key


@dataclass(frozen=True)
class Context:
    t: pd.Timestamp
    cfg: ScoringConfig
    data: ScoringInput
    accounts: DataFrame  # scored accounts: account_id, external_id, name, segment, industry, ...
    products: DataFrame  # product_id, sku, name, kind, family, tier_rank, department, dkey, ...
    active: DataFrame  # lines active on T, with their product's attributes
    owned: DataFrame  # distinct (account_id, product_id) of active lines
    owned_tiers: DataFrame  # (account_id, family, max_rank): best tier owned per family
    signals: DataFrame  # signals of scored accounts dated <= T
    stakeholders: DataFrame  # active stakeholders of scored accounts, with dkey
    sponsors: DataFrame  # best sponsor per (account_id, dkey) with a priority of T's year
    peer_accounts: DataFrame  # lookalike peers: account_id, segment, industry (active on T)
    peer_owned: DataFrame  # distinct (account_id, product_id) of the peers' active lines


def build_context(data: ScoringInput, t: pd.Timestamp, cfg: ScoringConfig) -> Context:
    products = data.products.rename(columns={"id": "product_id"}).assign(
        dkey=lambda p: dept_key(p["department"]),
        is_tier=lambda p: p["kind"].str.casefold().eq("tier") & p["tier_rank"].notna(),
    )
    lines = data.lines
    active = lines[(lines["start_date"] <= t) & (lines["end_date"] >= t)]
    active = active[active["account_id"].isin(data.accounts["id"])]
    active = active.rename(columns={"id": "line_id"}).merge(
        products[
            [
                "product_id",
                "sku",
                "name",
                "kind",
                "family",
                "tier_rank",
                "department",
                "dkey",
                "is_tier",
                "list_arr",
            ]
        ].rename(columns={"name": "product_name"}),
        on="product_id",
        how="inner",
    )
    active = active.sort_values("line_id", kind="mergesort").reset_index(drop=True)
    accounts = data.accounts.rename(columns={"id": "account_id"})
    accounts = accounts[accounts["account_id"].isin(active["account_id"])].reset_index(drop=True)
    owned = (
        active[["account_id", "product_id"]]
        .drop_duplicates()
        .sort_values(["account_id", "product_id"], kind="mergesort")
        .reset_index(drop=True)
    )
    owned_tiers = (
        active[active["is_tier"]]
        .groupby(["account_id", "family"], as_index=False, sort=True)
        .agg(max_rank=("tier_rank", "max"))
    )
    sig = data.signals
    sig = sig[(sig["date"] <= t) & sig["account_id"].isin(accounts["account_id"])]
    sig = sig.assign(kind=sig["kind"].str.casefold()).reset_index(drop=True)

    st = data.stakeholders
    st = st[st["active"] & st["account_id"].isin(accounts["account_id"])]
    st = st.rename(columns={"id": "stakeholder_id"}).assign(
        dkey=lambda s: dept_key(s["department"]), role=lambda s: s["role"].str.casefold()
    )
    roles = [r.casefold() for r in cfg.sponsor_role_list()]
    sp = st[st["role"].isin(roles)].assign(
        role_rank=lambda s: s["role"].map({r: i for i, r in enumerate(roles)})
    )
    pr = data.priorities
    pr = pr[pr["year"] == t.year].rename(
        columns={"id": "priority_id", "priority": "priority", "department": "p_department"}
    )
    sponsors = sp[["stakeholder_id", "account_id", "name", "role_rank"]].merge(
        pr[["priority_id", "stakeholder_id", "priority", "p_department"]], on="stakeholder_id"
    )
    sponsors = sponsors.assign(dkey=dept_key(sponsors["p_department"]))
    sponsors = sponsors[sponsors["dkey"] != ""]
    sponsors = (
        sponsors.sort_values(
            ["account_id", "dkey", "role_rank", "stakeholder_id", "priority_id"], kind="mergesort"
        )
        .drop_duplicates(["account_id", "dkey"])
        .rename(
            columns={
                "stakeholder_id": "sponsor_stakeholder_id",
                "name": "sponsor_name",
                "priority_id": "sponsor_priority_id",
                "priority": "sponsor_priority",
            }
        )[
            [
                "account_id",
                "dkey",
                "sponsor_stakeholder_id",
                "sponsor_name",
                "sponsor_priority_id",
                "sponsor_priority",
                "p_department",
            ]
        ]
        .reset_index(drop=True)
    )
    return Context(
        t=t,
        cfg=cfg,
        data=data,
        accounts=accounts,
        products=products,
        active=active,
        owned=owned,
        owned_tiers=owned_tiers,
        signals=sig,
        stakeholders=st.reset_index(drop=True),
        sponsors=sponsors,
        **_peers(data, t, accounts, owned),
    )


def _peers(
    data: ScoringInput, t: pd.Timestamp, accounts: DataFrame, owned: DataFrame
) -> dict[str, DataFrame]:
    """The accounts lookalike compares with: the scored ones, or the whole book's when the
    input is a chunk (so that a chunk's results never depend on the chunking)."""
    columns = ["account_id", "segment", "industry"]
    if data.peer_accounts is None or data.peer_lines is None:
        return {"peer_accounts": accounts[columns], "peer_owned": owned}
    lines = data.peer_lines
    active = lines[(lines["start_date"] <= t) & (lines["end_date"] >= t)]
    active = active[active["product_id"].isin(data.products["id"])]
    peer_owned = (
        active[["account_id", "product_id"]]
        .drop_duplicates()
        .sort_values(["account_id", "product_id"], kind="mergesort")
        .reset_index(drop=True)
    )
    peers = data.peer_accounts.rename(columns={"id": "account_id"})
    peers = peers[peers["account_id"].isin(peer_owned["account_id"])]
    peer_owned = peer_owned[peer_owned["account_id"].isin(peers["account_id"])]
    return {
        "peer_accounts": peers[columns].reset_index(drop=True),
        "peer_owned": peer_owned.reset_index(drop=True),
    }


def lacks(ctx: Context, account_id: pd.Series, product_id: pd.Series) -> np.ndarray:
    """True where the account does not own the product (for a tier: nor a tier of the same
    family at the same or a higher rank)."""
    pairs = DataFrame({"account_id": account_id.to_numpy(), "product_id": product_id.to_numpy()})
    owns = pairs.merge(ctx.owned.assign(_own=True), on=["account_id", "product_id"], how="left")
    owns = owns["_own"].fillna(False).to_numpy(dtype=bool)
    prod = ctx.products.set_index("product_id")
    pairs["family"] = pairs["product_id"].map(prod["family"])
    rank = pairs["product_id"].map(prod["tier_rank"]).to_numpy(dtype="float64")
    is_tier = pairs["product_id"].map(prod["is_tier"]).fillna(False).to_numpy(dtype=bool)
    best = pairs.merge(ctx.owned_tiers, on=["account_id", "family"], how="left")["max_rank"]
    covered = is_tier & (best.to_numpy(dtype="float64") >= rank)
    return ~(owns | covered)
