"""Lookalike, merging trigger rows into opportunities, alignment (section 5), readiness score
and ranking (section 6), account actions."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from pandas import DataFrame

from codes.health import AccountActionCode, GuardrailReason
from codes.opportunities import (
    IN_PROGRESS_STAGES,
    MOTION_KIND,
    HeldBackReason,
    Motion,
    OpportunityStatus,
    Play,
    Stage,
)
from codes.triggers import LEVEL_TRIGGERS, Trigger

from .context import Context
from .frames import dept_key, window_start
from .health import REASONS
from .plays import CODE_ORDER

CODE_INDEX = {c: i for i, c in enumerate(CODE_ORDER)}
WORD_BITS = 62  # product bits per int64 word of an ownership mask

OPPORTUNITY_COLUMNS = [
    "account_id",
    "external_id",
    "key",
    "play",
    "motion",
    "target_product_id",
    "target_sku",
    "department",
    "status",
    "score",
    "points",
    "health",
    "triggers",
    "new_champion_needed",
    "sponsor_stakeholder_id",
    "sponsor_name",
    "sponsor_priority_id",
    "sponsor_priority",
    "pitch",
    "explanation",
]


def group_collect(df: DataFrame, keys: list[str], col: str, join: str | None = None) -> DataFrame:
    """Per run of equal ``keys`` in ``df`` (already sorted by them): the values of ``col`` as a
    list, or joined with ``join``. One vectorised split instead of a per-group Python call."""
    if df.empty:
        out = df[keys].iloc[0:0].reset_index(drop=True)
        out[col] = pd.Series(dtype=object)
        return out
    change = np.zeros(len(df), dtype=bool)
    change[0] = True
    for k in keys:
        v = df[k].to_numpy()
        change[1:] |= v[1:] != v[:-1]
    starts = np.flatnonzero(change)
    items = df[col].tolist()
    bounds = [*starts.tolist(), len(items)]
    spans = itertools.pairwise(bounds)
    if join is None:
        values = [items[a:b] for a, b in spans]
    else:
        values = [join.join(items[a:b]) for a, b in spans]
    out = df[keys].iloc[starts].reset_index(drop=True)
    out[col] = pd.Series(values, dtype=object)
    return out


def records(df: DataFrame, columns: list[str]) -> list[dict]:
    """``df[columns].to_dict("records")`` with plain Python values, without pandas' per-row
    boxing."""
    rows = zip(*(df[c].tolist() for c in columns), strict=True)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _peer_accounts(ctx: Context) -> DataFrame:
    a = ctx.peer_accounts
    a = a[(a["segment"] != "") & (a["industry"] != "")]
    return a[["account_id", "segment", "industry"]]


def _adjacent_lookalike(ctx: Context, base: DataFrame, owners: DataFrame) -> DataFrame:
    """Peers: same segment and industry, owning A (the product the adjacency starts from)."""
    adj = base[base["play"] == Play.ADJACENT_CROSS_SELL][
        ["account_id", "key", "target_product_id", "start_product_id", "aux"]
    ].drop_duplicates()
    adj = adj.astype({"target_product_id": "int64", "start_product_id": "int64"})
    adj = adj.merge(_peer_accounts(ctx), on="account_id")
    g = ["segment", "industry"]
    cnt_a = owners.groupby([*g, "product_id"]).size().rename("n_a").reset_index()
    pairs = adj[["start_product_id", "target_product_id"]].drop_duplicates()
    both = owners.merge(pairs, left_on="product_id", right_on="start_product_id").merge(
        ctx.peer_owned.rename(columns={"product_id": "target_product_id"}),
        on=["account_id", "target_product_id"],
    )
    cnt_ab = (
        both.groupby([*g, "start_product_id", "target_product_id"])
        .size()
        .rename("n_ab")
        .reset_index()
    )
    adj = adj.merge(
        cnt_a.rename(columns={"product_id": "start_product_id"}),
        on=[*g, "start_product_id"],
        how="left",
    ).merge(cnt_ab, on=[*g, "start_product_id", "target_product_id"], how="left")
    return adj.assign(
        peers=adj["n_a"].fillna(1).astype("int64") - 1,
        owners_b=adj["n_ab"].fillna(0).astype("int64"),
    )[["account_id", "key", "target_product_id", "peers", "owners_b", "aux"]]


def _audit_lookalike(ctx: Context, base: DataFrame, owners: DataFrame) -> DataFrame:
    """Peers: same segment and industry, owning any product this account owns. Ownership sets
    are bit masks (int64 words), compared against the distinct masks of the peer group."""
    aud = base[
        base["play"].isin([Play.AUTOMATION_AUDIT, Play.RENEWAL_MODULE])
        & base["target_product_id"].notna()
    ][["account_id", "key", "target_product_id"]].drop_duplicates()
    aud = aud.astype({"target_product_id": "int64"}).merge(_peer_accounts(ctx), on="account_id")
    cols = ["account_id", "key", "target_product_id", "peers", "owners_b", "aux"]
    if aud.empty:
        return DataFrame({c: pd.Series(dtype="int64") for c in cols}).astype(
            {"key": object, "aux": object}
        )
    g = ["segment", "industry"]
    pid = np.sort(ctx.products["product_id"].unique())
    n_words = len(pid) // WORD_BITS + 1
    wcols = [f"w{i}" for i in range(n_words)]
    groups = aud[g].drop_duplicates()
    own = owners.merge(groups, on=g)
    pos = np.searchsorted(pid, own["product_id"].to_numpy())
    own = own.assign(
        w=pos // WORD_BITS, b=np.left_shift(np.int64(1), (pos % WORD_BITS).astype("int64"))
    )
    own = own.drop_duplicates(["account_id", "product_id"])
    masks = own.groupby(["account_id", "w"])["b"].sum().unstack(fill_value=0)
    masks = masks.reindex(columns=range(n_words), fill_value=0)
    masks.columns = wcols
    masks = masks.reset_index().merge(_peer_accounts(ctx), on="account_id")
    gm = masks.groupby([*g, *wcols]).size().rename("n").reset_index()
    me = aud.merge(masks, on=["account_id", *g])
    j = me.merge(gm, on=g, suffixes=("_a", ""))
    a_words = j[[f"{c}_a" for c in wcols]].to_numpy(dtype="int64")
    p_words = j[wcols].to_numpy(dtype="int64")
    overlap = ((a_words & p_words) != 0).any(axis=1)
    tpos = np.searchsorted(pid, j["target_product_id"].to_numpy())
    word_b = np.take_along_axis(p_words, (tpos // WORD_BITS)[:, None], axis=1)[:, 0]
    owns_b = ((word_b >> (tpos % WORD_BITS)) & 1).astype(bool)
    j = j.assign(m=j["n"] * overlap, nb=j["n"] * (overlap & owns_b))
    out = j.groupby(["account_id", "key", "target_product_id"], as_index=False).agg(
        peers=("m", "sum"), owners_b=("nb", "sum")
    )
    return out.assign(peers=out["peers"] - 1, aux="")[cols]


def lookalike_rows(ctx: Context, base: DataFrame) -> DataFrame:
    cfg = ctx.cfg
    owners = ctx.peer_owned.merge(_peer_accounts(ctx), on="account_id")
    la = pd.concat(
        [_adjacent_lookalike(ctx, base, owners), _audit_lookalike(ctx, base, owners)],
        ignore_index=True,
    )
    peers = la["peers"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(peers > 0, la["owners_b"].to_numpy(dtype="float64") / peers, 0.0)
    la = la.assign(share=share)
    la = la[(la["peers"] >= cfg.lookalike_min_peers) & (la["share"] >= cfg.lookalike_min_share)]
    la = (
        la.assign(_neg_share=-la["share"], _neg_peers=-la["peers"])
        .sort_values(["account_id", "key", "_neg_share", "_neg_peers", "aux"], kind="mergesort")
        .drop_duplicates(["account_id", "key"])
    )
    sku = la["target_product_id"].map(ctx.products.set_index("product_id")["sku"])
    return DataFrame(
        {
            "account_id": la["account_id"].astype("int64"),
            "key": la["key"],
            "code": Trigger.LOOKALIKE,
            "points": cfg.points_lookalike * la["share"],
            "detail": la["owners_b"].astype(str)
            + " of "
            + la["peers"].astype(str)
            + " similar accounts also own "
            + sku,
            "level_rank": 0,
        }
    )


def merge_opportunities(
    ctx: Context, cand: DataFrame, boosts: DataFrame
) -> tuple[DataFrame, DataFrame]:
    """Trigger rows -> (opportunities, triggers): one opportunity per (account_id, key)."""
    keys = ["account_id", "key"]
    cand = cand.assign(code_ord=cand["code"].map(CODE_INDEX))
    look = lookalike_rows(ctx, cand)
    # an adjacent cross-sell needs proof of value: a promoter, an achieved outcome, or lookalike
    proof = boosts.loc[
        boosts["code"].isin([Trigger.PROMOTER_NPS, Trigger.OUTCOME_ACHIEVED]), "account_id"
    ]
    shown = cand[keys].merge(look[keys].assign(_look=True), on=keys, how="left")["_look"]
    unproven = (
        (cand["play"] == Play.ADJACENT_CROSS_SELL).to_numpy()
        & ~cand["account_id"].isin(proof).to_numpy()
        & shown.isna().to_numpy()
    )
    cand = cand[~unproven]
    srt = cand.assign(pitch=cand["pitch"].replace("", np.nan)).sort_values(
        ["account_id", "key", "level_rank", "code_ord", "aux", "detail"],
        ascending=[True, True, False, True, True, True],
        kind="mergesort",
    )
    opp = srt.groupby(keys, sort=True, as_index=False).agg(
        play=("play", "first"),
        motion=("motion", "first"),
        target_product_id=("target_product_id", "first"),
        department=("department", "first"),
        pitch=("pitch", "first"),
    )
    bst = opp[keys].merge(boosts, on="account_id").assign(level_rank=0)
    cols = ["account_id", "key", "code", "points", "detail", "level_rank"]
    trig = pd.concat([cand[cols], look[cols], bst[cols]], ignore_index=True)
    # a level trigger counts once, at its highest level
    is_level = trig["code"].isin(LEVEL_TRIGGERS)
    top = (
        trig["level_rank"]
        .where(is_level, 0)
        .groupby([trig["account_id"], trig["key"]])
        .transform("max")
    )
    trig = trig[~is_level | (trig["level_rank"] == top)]
    trig = trig.assign(code_ord=trig["code"].map(CODE_INDEX), detail=trig["detail"].fillna(""))
    trig = trig.drop_duplicates(["account_id", "key", "code", "detail"]).sort_values(
        ["account_id", "key", "code_ord", "detail"], kind="mergesort"
    )
    gkeys = ["account_id", "key", "code_ord", "code"]
    pts = trig.groupby(gkeys, sort=True, as_index=False)["points"].max()
    trig = pts.merge(group_collect(trig, gkeys, "detail", "; "), on=gkeys)
    return opp, trig


def finish_opportunities(
    ctx: Context, opp: DataFrame, trig: DataFrame, acc: DataFrame
) -> DataFrame:
    cfg = ctx.cfg
    keys = ["account_id", "key"]
    points = trig.groupby(keys, sort=True)["points"].sum().rename("points").reset_index()
    trig = trig.assign(obj=records(trig, ["code", "points", "detail"]))
    tl = (
        group_collect(trig, keys, "obj")
        .rename(columns={"obj": "triggers"})
        .merge(group_collect(trig, keys, "detail", "; ").rename(columns={"detail": "why"}), on=keys)
    )
    opp = opp.merge(points, on=keys).merge(tl, on=keys)
    opp = opp.merge(
        acc[
            [
                "account_id",
                "external_id",
                "name",
                "score",
                "eligible",
                "has_champion",
                "outcome_note",
            ]
        ].rename(columns={"score": "health", "name": "account_name"}),
        on="account_id",
    )
    pinfo = ctx.products.set_index("product_id")
    opp["target_sku"] = opp["target_product_id"].map(pinfo["sku"])
    opp["target_name"] = opp["target_product_id"].map(pinfo["name"])
    opp["department"] = opp["department"].where(opp["department"].fillna("") != "", None)
    opp["dkey"] = dept_key(opp["department"])

    # alignment
    opp = opp.merge(ctx.sponsors, on=["account_id", "dkey"], how="left")
    # ready: an active champion, and a sponsor with a priority in the play's department
    ready = opp["sponsor_stakeholder_id"].notna() & opp["has_champion"].astype(bool)
    opp["status"] = np.where(ready, OpportunityStatus.READY, OpportunityStatus.NEEDS_SPONSOR)
    st = ctx.stakeholders
    present = st.loc[st["dkey"] != "", ["account_id", "dkey"]].drop_duplicates().assign(_p=True)
    opp = opp.merge(present, on=["account_id", "dkey"], how="left")
    opp["new_champion_needed"] = (opp["motion"] == Motion.CROSS_SELL) & opp["_p"].isna()

    # readiness score
    factor = np.where(ready, 1.0, cfg.needs_sponsor_factor)
    opp["score"] = opp["points"] * opp["health"] / 100.0 * factor

    opp["explanation"] = _explain(ctx, opp)
    opp["target_product_id"] = opp["target_product_id"].astype("Int64")
    opp["sponsor_stakeholder_id"] = opp["sponsor_stakeholder_id"].astype("Int64")
    opp["sponsor_priority_id"] = opp["sponsor_priority_id"].astype("Int64")
    opp["target_sku"] = opp["target_sku"].astype(object).where(opp["target_sku"].notna(), None)
    for c in ("sponsor_name", "sponsor_priority", "pitch", "department"):
        opp[c] = opp[c].astype(object).where(opp[c].notna(), None)
    opp = opp.assign(_st=np.where(ready, 0, 1), _neg=-opp["score"]).sort_values(
        ["_neg", "_st", "external_id", "key"], kind="mergesort"
    )
    return opp[OPPORTUNITY_COLUMNS].reset_index(drop=True)


def _s(x) -> pd.Series:
    return x.fillna("").astype(str)


def _explain(ctx: Context, o: DataFrame) -> pd.Series:
    """One sentence: what to propose, why now, who sponsors it."""
    tsku, tname, dept = _s(o["target_sku"]), _s(o["target_name"]), _s(o["department"])
    has_t = o["target_sku"].notna()
    prod = tname + " (" + tsku + ")"
    play = o["play"]
    what = np.select(
        [
            play == Play.TIER_UPGRADE,
            play == Play.USAGE_EXPANSION,
            play == Play.SEAT_EXPANSION,
            play == Play.VALUE_REVIEW,
            play == Play.AUTOMATION_AUDIT,
            play == Play.COMPLIANCE_MODULE,
            play == Play.FEATURE_UPSELL,
            play == Play.ADJACENT_CROSS_SELL,
            play == Play.RENEWAL_MODULE,
        ],
        [
            "Propose the upgrade to " + prod,
            "Propose more " + prod + " capacity",
            "Propose more " + prod + " seats",
            "Run a value review of "
            + prod
            + np.where(
                o["eligible"], ": outcomes to date and a multi-year renewal", ": outcomes to date"
            ),
            "Run an automation audit of " + dept + np.where(has_t, " leading to " + prod, ""),
            "Propose " + prod + " for the new mandate",
            "Demo then trial " + prod,
            "Propose " + prod + " for the neighbouring workflow",
            "Propose " + prod + " to a new buyer, beside the renewal and sold separately",
        ],
        "Propose " + prod,
    )
    ready = o["status"] == OpportunityStatus.READY
    no_champion = ~ready & o["sponsor_stakeholder_id"].notna()
    who = np.select(
        [ready, no_champion],
        [
            "sponsor: "
            + _s(o["sponsor_name"])
            + ", whose "
            + str(ctx.t.year)
            + ' priority is "'
            + _s(o["sponsor_priority"])
            + '"',
            "no active champion yet: surface one beside "
            + _s(o["sponsor_name"])
            + ", whose "
            + str(ctx.t.year)
            + ' priority is "'
            + _s(o["sponsor_priority"])
            + '"',
        ],
        "no sponsor yet: first find an executive sponsor or economic buyer with a "
        + str(ctx.t.year)
        + " "
        + np.where(dept != "", dept, "departmental")
        + " priority",
    )
    champ = np.where(
        o["new_champion_needed"],
        ", and a new champion in " + np.where(dept != "", dept, "that department"),
        "",
    )
    what = pd.Series(what, index=o.index)
    what = what.str[:1].str.lower() + what.str[1:]
    out = (
        _s(o["account_name"])
        + ": "
        + what
        + ", now because "
        + _s(o["why"])
        + "; "
        + pd.Series(who, index=o.index)
        + pd.Series(champ, index=o.index)
        + "."
        + _s(o["outcome_note"]).where(
            o["outcome_note"].fillna("") == "", " " + _s(o["outcome_note"])
        )
    )
    return out


HELD_COLUMNS = ["account_id", "key", "play", "target_sku", "score", "reason", "detail"]


def focus(ctx: Context, opps: DataFrame) -> tuple[DataFrame, DataFrame]:
    """Section 4b: per account and kind (upsell, cross-sell), hold back what was recently
    lost, everything but the deal itself while a deal of the kind is in progress, and all
    but the best-scored candidate otherwise. Returns (opportunities, held back)."""
    cfg, t = ctx.cfg, ctx.t
    keys = ["account_id", "key"]
    o = opps.assign(
        _kind=opps["motion"].map(MOTION_KIND),
        _tid=opps["target_product_id"].astype("float64"),
        _row=np.arange(len(opps)),
    )
    kinded = o["_kind"].notna().to_numpy()
    deals = ctx.data.opportunities
    sku = ctx.products.set_index("product_id")["sku"]

    # 1. a target lost in the cooldown window
    lost = deals[
        (deals["stage"] == Stage.LOST)
        & deals["closed"].notna()
        & (deals["closed"] <= t)
        & (deals["closed"] >= window_start(t, cfg.lost_cooldown_days))
        & deals["target_product_id"].notna()
    ]
    lost = lost.groupby(["account_id", "target_product_id"], as_index=False)["closed"].max()
    lost_on = o[["account_id", "_tid"]].merge(
        lost.rename(columns={"target_product_id": "_tid"}), on=["account_id", "_tid"], how="left"
    )["closed"]
    is_lost = kinded & lost_on.notna().to_numpy()
    reason = np.where(is_lost, HeldBackReason.RECENTLY_LOST, "")
    detail = np.where(
        is_lost, _s(o["target_sku"]) + " lost on " + lost_on.dt.strftime("%Y-%m-%d").fillna(""), ""
    ).astype(object)

    # 2. a deal of the kind in progress holds back the rest of the kind
    prog = deals[deals["stage"].isin(IN_PROGRESS_STAGES)]
    prog = prog.assign(
        _kind=prog["motion"].map(MOTION_KIND), _sku=prog["target_product_id"].map(sku).fillna("")
    ).dropna(subset=["_kind"])
    prog = prog.sort_values(["account_id", "_kind", "_sku", "stage", "key"], kind="mergesort")
    first = prog.drop_duplicates(["account_id", "_kind"])
    deal_txt = (
        first["_kind"].str.replace("_", "-")
        + " deal"
        + np.where(first["_sku"] != "", " for " + first["_sku"], "")
        + " at "
        + first["stage"]
    )
    in_prog = o[["account_id", "_kind"]].merge(
        first[["account_id", "_kind"]].assign(_txt=deal_txt.to_numpy()),
        on=["account_id", "_kind"],
        how="left",
    )["_txt"]
    is_deal = (
        o[keys]
        .merge(
            prog.loc[prog["key"] != "", keys].drop_duplicates().assign(_d=True), on=keys, how="left"
        )["_d"]
        .notna()
        .to_numpy()
    )
    waits = kinded & (reason == "") & in_prog.notna().to_numpy()
    held_deal = waits & ~is_deal
    reason = np.where(held_deal, HeldBackReason.DEAL_IN_PROGRESS, reason)
    detail = np.where(held_deal, in_prog.fillna("").to_numpy(dtype=object) + " already", detail)

    # 3. one of each kind at a time: the best score (ties: play, then target sku)
    rest = o[kinded & (reason == "") & ~waits]
    rest = rest.assign(_neg=-rest["score"], _sku=_s(rest["target_sku"])).sort_values(
        ["account_id", "_kind", "_neg", "play", "_sku"], kind="mergesort"
    )
    top = rest.drop_duplicates(["account_id", "_kind"])
    runs = rest[["account_id", "_kind"]].merge(
        top[["account_id", "_kind", "play", "_sku"]].rename(columns={"play": "_tp", "_sku": "_ts"}),
        on=["account_id", "_kind"],
    )
    later = ~rest["_row"].isin(top["_row"]).to_numpy()
    one = np.zeros(len(o), dtype=bool)
    one[rest["_row"].to_numpy()[later]] = True
    why_one = np.empty(len(o), dtype=object)
    why_one[rest["_row"].to_numpy()] = (
        "waits for " + runs["_tp"] + " -> " + runs["_ts"].replace("", "-")
    ).to_numpy()
    reason = np.where(one, HeldBackReason.ONE_AT_A_TIME, reason)
    detail = np.where(one, why_one, detail)

    held = reason != ""
    out = o.assign(reason=reason, detail=detail)
    held_back = out.loc[held, HELD_COLUMNS].reset_index(drop=True)
    kept = opps[~held].reset_index(drop=True)
    return kept, held_back


def held_lists(acc: DataFrame, held: DataFrame) -> pd.Series:
    """account_id -> [{"play", "target_sku", "score", "reason", "detail"}] (best score first)."""
    h = held.assign(_neg=-held["score"], _sku=_s(held["target_sku"])).sort_values(
        ["account_id", "_neg", "play", "_sku"], kind="mergesort"
    )
    h = h.assign(obj=records(h, ["play", "target_sku", "score", "reason", "detail"]))
    hl = group_collect(h, ["account_id"], "obj").set_index("account_id")["obj"]
    out = acc["account_id"].map(hl)
    empty = pd.Series([[] for _ in range(len(out))], index=out.index, dtype=object)
    return out.where(out.notna(), empty)


def account_lists(ctx: Context, acc: DataFrame, opps: DataFrame) -> DataFrame:
    """reasons and actions list columns per account (spec order)."""
    ids = acc[["account_id"]]
    reason_parts = [
        acc.loc[acc[r], ["account_id"]].assign(reason=r, o=i) for i, r in enumerate(REASONS)
    ]
    reasons = pd.concat(reason_parts, ignore_index=True).sort_values(
        ["account_id", "o"], kind="mergesort"
    )
    rl = group_collect(reasons, ["account_id"], "reason").set_index("account_id")["reason"]

    ns = opps[opps["status"] == OpportunityStatus.NEEDS_SPONSOR].sort_values(
        ["account_id", "key"], kind="mergesort"
    )
    ns_detail = (
        ns["play"]
        + " -> "
        + _s(ns["target_sku"]).replace("", "-")
        + np.where(
            ns["sponsor_name"].notna(),
            " needs an active champion beside its sponsor " + _s(ns["sponsor_name"]),
            " needs an executive sponsor or economic buyer with a "
            + str(ctx.t.year)
            + " priority in "
            + _s(ns["department"]).replace("", "its department"),
        )
    )
    dev = group_collect(ns.assign(detail=ns_detail), ["account_id"], "detail", "; ")
    # one health recovery, whatever its causes: what the rules saw, joined
    recovery = pd.concat(
        [
            acc.loc[acc[flag], ["account_id", column]]
            .rename(columns={column: "detail"})
            .assign(o=i)
            for i, (flag, column) in enumerate(
                (
                    (GuardrailReason.UNHEALTHY, "recovery_detail"),
                    (GuardrailReason.DETRACTOR, "detractor_detail"),
                    (GuardrailReason.INCIDENT, "incident_detail"),
                )
            )
        ],
        ignore_index=True,
    ).sort_values(["account_id", "o"], kind="mergesort")
    recovery = group_collect(recovery, ["account_id"], "detail", "; ")
    actions = pd.concat(
        [
            recovery.assign(code=AccountActionCode.HEALTH_RECOVERY, o=0),
            acc.loc[acc[GuardrailReason.UNDERUTILIZED], ["account_id", "adoption_detail"]]
            .rename(columns={"adoption_detail": "detail"})
            .assign(code=AccountActionCode.ADOPTION_INTERVENTION, o=1),
            dev.assign(code=AccountActionCode.DEVELOP_SPONSOR, o=2),
        ],
        ignore_index=True,
    ).sort_values(["account_id", "o"], kind="mergesort")
    actions = actions.assign(obj=records(actions, ["code", "detail"]))
    al = group_collect(actions, ["account_id"], "obj").set_index("account_id")["obj"]
    out = ids.assign(reasons=ids["account_id"].map(rl), actions=ids["account_id"].map(al))
    empty = pd.Series([[] for _ in range(len(out))], index=out.index, dtype=object)
    out["reasons"] = out["reasons"].where(out["reasons"].notna(), empty)
    out["actions"] = out["actions"].where(out["actions"].notna(), empty)
    return out
