"""Triggers and the plays they start (spec section 4), as long "trigger rows".

Each function returns rows with the columns of ``ROW_COLUMNS``: one row per (opportunity,
trigger source). ``assemble`` merges rows of the same (account_id, key) into one opportunity.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from pandas import DataFrame

from codes.opportunities import PLAY_MOTION, Play
from codes.signals import SignalKind
from codes.triggers import Trigger

from .context import Context, lacks
from .frames import window_start
from .text import fmt_date, fmt_entitlement_use, fmt_num

ROW_COLUMNS = [
    "account_id",
    "key",
    "play",
    "motion",
    "target_product_id",
    "department",
    "pitch",
    "code",
    "points",
    "detail",
    "level_rank",
    "start_product_id",
    "aux",
]

# the order of trigger codes inside an opportunity
CODE_ORDER = list(Trigger.codes)


def rows(df: DataFrame, **cols) -> DataFrame:
    """Build trigger rows aligned with ``df``: each keyword is a Series/array aligned with df or
    a scalar broadcast to every row; account_id defaults to df's."""
    defaults = {
        "pitch": "",
        "aux": "",
        "level_rank": 0,
        "department": None,
        "target_product_id": np.nan,
        "start_product_id": np.nan,
    }
    cols.setdefault("account_id", df["account_id"])
    frame = DataFrame(index=pd.RangeIndex(len(df)))
    for c in ROW_COLUMNS:
        v = cols.get(c, defaults.get(c))
        if isinstance(v, pd.Series):
            v = v.to_numpy()
        frame[c] = v
    return frame.astype(
        {
            "account_id": "int64",
            "target_product_id": "float64",
            "start_product_id": "float64",
            "points": "float64",
            "level_rank": "int64",
            "department": object,
        }
    )


def _in_window(ctx: Context, kind: str, days: int) -> DataFrame:
    s = ctx.signals
    return s[(s["kind"] == kind) & (s["date"] >= window_start(ctx.t, days))]


def _best_products(products: DataFrame, by: str) -> DataFrame:
    """Best catalog product per value of ``by``: modules/add-ons before tiers; among modules
    the highest list_arr, among tiers the entry tier (lowest rank); then sku, then id."""
    order = np.where(products["is_tier"], products["tier_rank"], -products["list_arr"])
    p = products.assign(_tier=products["is_tier"].astype(int), _ord=order)
    p = p.sort_values([by, "_tier", "_ord", "sku", "product_id"], kind="mergesort")
    return p.drop_duplicates(by).drop(columns=["_tier", "_ord"])


def _best_per_account(cands: DataFrame) -> DataFrame:
    """Highest list_arr, then sku, then product id, per account."""
    c = cands.assign(_neg=-cands["list_arr"])
    c = c.sort_values(["account_id", "_neg", "sku", "product_id"], kind="mergesort")
    return c.drop_duplicates("account_id").drop(columns="_neg")


def _account_lines(ctx: Context) -> DataFrame:
    """Lines of the scored accounts started by T (ended ones included)."""
    lines = ctx.data.lines
    return lines[
        (lines["start_date"] <= ctx.t) & lines["account_id"].isin(ctx.accounts["account_id"])
    ]


def _left_on(ctx: Context, account_id: pd.Series, product_id: pd.Series) -> pd.Series:
    """The day the account left the product (the last end of its lines that ended in the
    tier_left_days to T, before T), aligned with the inputs; NaT when it did not."""
    lines = _account_lines(ctx)
    ended = lines[
        (lines["end_date"] < ctx.t)
        & (lines["end_date"] >= window_start(ctx.t, ctx.cfg.tier_left_days))
    ]
    last = ended.groupby(["account_id", "product_id"], as_index=False)["end_date"].max()
    pairs = DataFrame({"account_id": account_id.to_numpy(), "product_id": product_id.to_numpy()})
    out = pairs.merge(last, on=["account_id", "product_id"], how="left")["end_date"]
    return pd.Series(out.to_numpy(dtype="datetime64[ns]"), index=account_id.index)


def owned_through(ctx: Context) -> DataFrame:
    """(account_id, product_id) whose lines cover every day of the ownership_days to T."""
    t, start = ctx.t, window_start(ctx.t, ctx.cfg.ownership_days)
    lines = _account_lines(ctx)
    lines = lines[lines["end_date"] >= start]
    g = ["account_id", "product_id"]
    lines = lines.assign(s=lines["start_date"].clip(lower=start)).sort_values(
        [*g, "s", "end_date"], kind="mergesort"
    )
    reach = lines.groupby(g)["end_date"].cummax()
    prev = reach.groupby([lines["account_id"], lines["product_id"]]).shift(1)
    first = prev.isna()
    gap = np.where(first, lines["s"] > start, lines["s"] > prev + pd.Timedelta(days=1))
    agg = (
        lines.assign(gap=gap, reach=reach)
        .groupby(g, as_index=False)
        .agg(gap=("gap", "any"), reach=("reach", "max"))
    )
    return agg.loc[~agg["gap"] & (agg["reach"] >= t), g].reset_index(drop=True)


def utilization_rows(ctx: Context, util: DataFrame, eligible: pd.Series) -> DataFrame:
    cfg = ctx.cfg
    u = util[
        util["account_id"].isin(eligible) & (util["metric"] != cfg.seat_metric) & (util["slot"] > 0)
    ]
    tiers = ctx.products[ctx.products["is_tier"]][
        ["product_id", "sku", "family", "tier_rank"]
    ].rename(columns={"product_id": "next_id", "sku": "next_sku", "tier_rank": "next_rank"})
    cand = u[u["is_tier"]][["entitlement_id", "account_id", "family", "tier_rank"]].merge(
        tiers, on="family"
    )
    cand = cand[cand["next_rank"] > cand["tier_rank"]]
    cand = cand[lacks(ctx, cand["account_id"], cand["next_id"])]
    cand = cand.sort_values(
        ["entitlement_id", "next_rank", "next_sku", "next_id"], kind="mergesort"
    ).drop_duplicates("entitlement_id")
    u = u.merge(cand[["entitlement_id", "next_id", "next_sku"]], on="entitlement_id", how="left")
    # the next tier is one the account left: proposed again only at the highest level
    left = _left_on(ctx, u["account_id"], u["next_id"])
    top_slot = len(ctx.cfg.alert_slots())
    again = left.notna().to_numpy() & (u["slot"].to_numpy() >= top_slot)
    upgrade = u["next_id"].notna() & (left.isna() | again).to_numpy()
    play = np.where(upgrade, Play.TIER_UPGRADE, Play.USAGE_EXPANSION)
    target_sku = u["next_sku"].where(upgrade, u["sku"])
    slots = ctx.cfg.alert_slots()
    code = np.array([""] + [s[0] for s in slots], dtype=object)[u["slot"].to_numpy()]
    points = np.array([0.0] + [s[2] for s in slots])[u["slot"].to_numpy()]
    left_txt = "left " + u["next_sku"].fillna("") + " on " + fmt_date(left)
    detail = fmt_entitlement_use(u) + np.where(
        left.notna(),
        np.where(
            upgrade,
            "; " + left_txt + ", proposed again at this level",
            "; " + left_txt + ": more capacity, not the tier it left",
        ),
        "",
    )
    return rows(
        u,
        key=pd.Series(play, index=u.index) + ":" + target_sku,
        play=play,
        motion=pd.Series(play).map(PLAY_MOTION).to_numpy(),
        target_product_id=u["next_id"].where(upgrade, u["product_id"]),
        department=u["department"],
        code=code,
        points=points,
        detail=detail,
        level_rank=u["slot"],
        start_product_id=u["product_id"],
        aux=u["sku"],
    )


def seat_rows(ctx: Context, util: DataFrame, eligible: pd.Series) -> DataFrame:
    cfg = ctx.cfg
    s = util[util["account_id"].isin(eligible) & (util["metric"] == cfg.seat_metric)]
    nu = _in_window(ctx, SignalKind.NEW_USERS, cfg.new_users_window_days)
    new_users = nu.groupby("account_id")["value"].sum()
    s = s.assign(new_users=s["account_id"].map(new_users).fillna(0.0))
    lim = s["limit"]
    high = s[(lim > 0) & (s["used"] * 100.0 >= cfg.seat_growth_level * lim)]
    grow = s[(lim > 0) & (s["new_users"] > 0) & (s["new_users"] >= cfg.seat_new_users_share * lim)]
    out = []
    for part, detail in (
        (
            high,
            fmt_entitlement_use,
        ),
        (
            grow,
            lambda d: (
                fmt_num(d["new_users"])
                + " new users in "
                + str(cfg.new_users_window_days)
                + " days against "
                + fmt_num(d["limit"])
                + " "
                + d["metric"]
                + " ("
                + d["sku"]
                + ")"
            ),
        ),
    ):
        out.append(
            rows(
                part,
                key=Play.SEAT_EXPANSION + ":" + part["sku"],
                play=Play.SEAT_EXPANSION,
                motion=PLAY_MOTION[Play.SEAT_EXPANSION],
                target_product_id=part["product_id"],
                department=part["department"],
                code=Trigger.SEAT_GROWTH,
                points=cfg.points_seat_growth,
                detail=detail(part),
                start_product_id=part["product_id"],
                aux=part["sku"],
            )
        )
    return pd.concat(out, ignore_index=True)


def renewal_rows(ctx: Context, eligible: pd.Series) -> DataFrame:
    """The value review of the renewing product (the line ending first; ties: its sku) for
    every scored account with a line ending within the renewal window, with no module
    attached; beside it, for an eligible account, the ``renewal_module`` cross-sell: the
    module a new buyer's stated priority calls for (a department no owned product serves)."""
    cfg, t = ctx.cfg, ctx.t
    a = ctx.active.assign(days=(ctx.active["end_date"] - t).dt.days)
    r = a[(a["days"] >= 0) & (a["days"] <= cfg.renewal_window_days)]
    r = r.sort_values(["account_id", "end_date", "sku", "line_id"], kind="mergesort")
    r = r.drop_duplicates("account_id").reset_index(drop=True)
    detail = (
        r["sku"]
        + " renews on "
        + fmt_date(r["end_date"])
        + " (in "
        + r["days"].astype(str)
        + " days)"
    )
    review = rows(
        r,
        key=Play.VALUE_REVIEW + ":" + r["sku"],
        play=Play.VALUE_REVIEW,
        motion=PLAY_MOTION[Play.VALUE_REVIEW],
        target_product_id=r["product_id"],
        department=r["department"],
        code=Trigger.RENEWAL_D90,
        points=cfg.points_renewal_d90,
        detail=detail,
        start_product_id=r["product_id"],
        aux=r["sku"],
    )

    # the module: lacked, of a department no owned product serves, a sponsor's priority
    re = r[r["account_id"].isin(eligible)].assign(detail=detail)
    prods = ctx.products[~ctx.products["is_tier"] & (ctx.products["dkey"] != "")]
    sp = ctx.sponsors[ctx.sponsors["account_id"].isin(re["account_id"])][["account_id", "dkey"]]
    served = ctx.active[["account_id", "dkey"]].drop_duplicates().assign(_served=True)
    sp = sp.merge(served, on=["account_id", "dkey"], how="left")
    sp = sp[sp["_served"].isna()][["account_id", "dkey"]]
    c = sp.merge(prods[["product_id", "sku", "department", "dkey"]], on="dkey")
    c = c[lacks(ctx, c["account_id"], c["product_id"])]
    c = c.sort_values(["account_id", "sku", "product_id"], kind="mergesort").drop_duplicates(
        "account_id"
    )
    c = c.merge(
        re[["account_id", "product_id", "detail"]].rename(columns={"product_id": "renewing_id"}),
        on="account_id",
    )
    module = rows(
        c,
        key=Play.RENEWAL_MODULE + ":" + c["sku"],
        play=Play.RENEWAL_MODULE,
        motion=PLAY_MOTION[Play.RENEWAL_MODULE],
        target_product_id=c["product_id"],
        department=c["department"],
        code=Trigger.RENEWAL_D90,
        points=cfg.points_renewal_d90,
        detail=c["detail"] + ": propose " + c["sku"] + " beside the renewal, sold separately",
        start_product_id=c["renewing_id"],
        aux=c["sku"],
    )
    return pd.concat([review, module], ignore_index=True)


def referral_rows(ctx: Context, eligible: pd.Series) -> DataFrame:
    cfg = ctx.cfg
    s = _in_window(ctx, SignalKind.INTERNAL_REFERRAL, cfg.signal_window_days)
    s = s[s["account_id"].isin(eligible)]
    s = s.assign(dkey=s["department"].str.strip().str.casefold())
    s = s[s["dkey"] != ""]
    owned_depts = ctx.active[["account_id", "dkey"]].drop_duplicates().assign(_own=True)
    s = s.merge(owned_depts, on=["account_id", "dkey"], how="left")
    s = s[s["_own"].isna()]
    best = _best_products(ctx.products[ctx.products["dkey"] != ""], "dkey")
    s = s.merge(
        best[["dkey", "product_id", "sku", "department"]].rename(
            columns={"department": "catalog_department"}
        ),
        on="dkey",
        how="left",
    )
    dept = s["catalog_department"].where(s["product_id"].notna(), s["department"])
    detail = (
        "referral to "
        + s["department"]
        + " on "
        + fmt_date(s["date"])
        + np.where(s["detail"] != "", ": " + s["detail"], "")
    )
    return rows(
        s,
        key=Play.AUTOMATION_AUDIT + ":" + dept + ":" + s["sku"].fillna("-"),
        play=Play.AUTOMATION_AUDIT,
        motion=PLAY_MOTION[Play.AUTOMATION_AUDIT],
        target_product_id=s["product_id"],
        department=dept,
        code=Trigger.INTERNAL_REFERRAL,
        points=cfg.points_internal_referral,
        detail=detail,
        aux=s["department"],
    )


def compliance_rows(ctx: Context, eligible: pd.Series) -> DataFrame:
    cfg = ctx.cfg
    s = _in_window(ctx, SignalKind.COMPLIANCE_CHANGE, cfg.signal_window_days)
    s = s[s["account_id"].isin(eligible)]
    p = ctx.products
    comp = p[~p["is_tier"] & (p["dkey"] == cfg.compliance_department.strip().casefold())]
    owns_any = ctx.owned[ctx.owned["product_id"].isin(comp["product_id"])]["account_id"]
    s = s[~s["account_id"].isin(owns_any)]
    if comp.empty:
        s = s.iloc[0:0]
    best = _best_products(comp.assign(_all=1), "_all").iloc[0:1]
    s = s.assign(_all=1).merge(
        best[["_all", "product_id", "sku", "department"]].rename(
            columns={"department": "p_department"}
        ),
        on="_all",
    )
    detail = np.where(s["detail"] != "", s["detail"], "new mandate") + " on " + fmt_date(s["date"])
    return rows(
        s,
        key=Play.COMPLIANCE_MODULE + ":" + s["sku"],
        play=Play.COMPLIANCE_MODULE,
        motion=PLAY_MOTION[Play.COMPLIANCE_MODULE],
        target_product_id=s["product_id"],
        department=s["p_department"],
        code=Trigger.COMPLIANCE_CHANGE,
        points=cfg.points_compliance_change,
        detail=pd.Series(detail, index=s.index),
        aux=s["sku"],
    )


def feature_rows(ctx: Context, eligible: pd.Series) -> DataFrame:
    cfg = ctx.cfg
    s = _in_window(ctx, SignalKind.FEATURE_REQUEST, cfg.signal_window_days)
    s = s[s["account_id"].isin(eligible)]
    s = s.assign(skey=s["detail"].str.strip().str.casefold())
    p = ctx.products.assign(skey=ctx.products["sku"].str.casefold())
    p = p.sort_values(["skey", "product_id"], kind="mergesort").drop_duplicates("skey")
    s = s.merge(
        p[["skey", "product_id", "sku", "department"]].rename(
            columns={"department": "p_department"}
        ),
        on="skey",
    )
    s = s[lacks(ctx, s["account_id"], s["product_id"])]
    return rows(
        s,
        key=Play.FEATURE_UPSELL + ":" + s["sku"],
        play=Play.FEATURE_UPSELL,
        motion=PLAY_MOTION[Play.FEATURE_UPSELL],
        target_product_id=s["product_id"],
        department=s["p_department"],
        code=Trigger.FEATURE_REQUEST,
        points=cfg.points_feature_request,
        detail="feature request for " + s["sku"] + " on " + fmt_date(s["date"]),
        aux=s["sku"],
    )


def adjacent_rows(ctx: Context, eligible: pd.Series) -> DataFrame:
    """Adjacent cross-sell candidates from a product A owned over the whole ownership window
    (proof of value is checked once boosts and lookalike are known: ``merge_opportunities``).
    When a line of A renews within the renewal window, ``renewal_d90`` times the play."""
    cfg, t = ctx.cfg, ctx.t
    own = owned_through(ctx)
    own = own[own["account_id"].isin(eligible)]
    c = own.merge(ctx.data.adjacencies, left_on="product_id", right_on="from_product_id")
    pinfo = ctx.products.set_index("product_id")
    c = c.assign(
        from_sku=c["from_product_id"].map(pinfo["sku"]),
        to_sku=c["to_product_id"].map(pinfo["sku"]),
        to_department=c["to_product_id"].map(pinfo["department"]),
    )
    c = c[c["to_sku"].notna() & c["from_sku"].notna()]
    c = c[lacks(ctx, c["account_id"], c["to_product_id"])].reset_index(drop=True)
    detail = (
        "owns "
        + c["from_sku"]
        + ", adjacent to "
        + c["to_sku"]
        + np.where(c["pitch"] != "", ": " + c["pitch"].str.rstrip("."), "")
    )
    c = c.assign(key=Play.ADJACENT_CROSS_SELL + ":" + c["to_sku"], detail=detail)
    # timing: A renews within the renewal window (its line ending first)
    a = ctx.active.assign(days=(ctx.active["end_date"] - t).dt.days)
    a = a[(a["days"] >= 0) & (a["days"] <= cfg.renewal_window_days)]
    a = a.sort_values(["account_id", "product_id", "end_date"], kind="mergesort").drop_duplicates(
        ["account_id", "product_id"]
    )
    ren = c.merge(
        a[["account_id", "product_id", "end_date", "days"]],
        left_on=["account_id", "from_product_id"],
        right_on=["account_id", "product_id"],
    )
    ren = ren.assign(
        detail=ren["from_sku"]
        + " renews on "
        + fmt_date(ren["end_date"])
        + " (in "
        + ren["days"].astype(str)
        + " days): propose "
        + ren["to_sku"]
        + " beside the renewal, sold separately"
    )
    out = []
    for part, code, points in (
        (c, Trigger.ADJACENT_WORKFLOW, cfg.points_adjacent_workflow),
        (ren, Trigger.RENEWAL_D90, cfg.points_renewal_d90),
    ):
        out.append(
            rows(
                part,
                key=part["key"],
                play=Play.ADJACENT_CROSS_SELL,
                motion=PLAY_MOTION[Play.ADJACENT_CROSS_SELL],
                target_product_id=part["to_product_id"],
                department=part["to_department"],
                pitch=part["pitch"],
                code=code,
                points=points,
                detail=part["detail"],
                start_product_id=part["from_product_id"],
                aux=part["from_sku"],
            )
        )
    return pd.concat(out, ignore_index=True)


def outcome_metrics(ctx: Context, acc: DataFrame) -> DataFrame:
    """The success metrics of the scored accounts known on T, with flags: achieved (>= target),
    short (below target), below_half (below outcome_min_share of the target) and a label
    "hours saved at 30 % of target"."""
    t, cfg = ctx.t, ctx.cfg
    sm = ctx.data.success_metrics
    sm = sm[
        sm["account_id"].isin(acc["account_id"])
        & (sm["as_of"].isna() | (sm["as_of"] <= t))
        & sm["achieved"].notna()
        & sm["target"].notna()
        & (sm["target"] > 0)
    ]
    sm = sm.assign(
        achieved_ok=sm["achieved"] >= sm["target"],
        short=sm["achieved"] < sm["target"],
        below_half=sm["achieved"] < cfg.outcome_min_share * sm["target"],
        label="",
    ).reset_index(drop=True)
    short = sm[sm["short"]]  # only these are ever named: each distinct percent formatted once
    pct = np.floor((short["achieved"] / short["target"]).to_numpy(dtype="float64") * 1000 + 1e-6)
    sm.loc[sm["short"], "label"] = (
        short["name"] + " at " + fmt_num(pd.Series(pct / 10.0, index=short.index)) + " % of target"
    )
    return sm


def group_short(sm: DataFrame) -> pd.Series:
    """account_id -> "a at 30 % of target, b at 45 % of target"."""
    sm = sm.sort_values(["account_id", "name"], kind="mergesort")
    ids, labels = sm["account_id"].to_numpy(), sm["label"].tolist()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if len(ids) else np.array([], int)
    bounds = [*starts.tolist(), len(labels)]
    joined = [", ".join(labels[a:b]) for a, b in itertools.pairwise(bounds)]
    return pd.Series(joined, index=ids[starts], dtype=object)


def outcome_notes(acc: DataFrame, sm: DataFrame) -> pd.Series:
    """Per scored account, why an achieved outcome does not count (aligned with ``acc``):
    "outcome_achieved not counted: hours saved at 30 % of target"; "" otherwise. ``sm``:
    ``outcome_metrics``."""
    achieved = set(sm.loc[sm["achieved_ok"], "account_id"])
    low = group_short(sm[sm["below_half"] & sm["account_id"].isin(achieved)])
    note = acc["account_id"].map(low)
    return ("outcome_achieved not counted: " + note.astype(object) + ".").where(note.notna(), "")


def boost_rows(ctx: Context, acc: DataFrame, sm: DataFrame) -> DataFrame:
    """Account-level boosts: (account_id, code, points, detail). ``sm``: ``outcome_metrics``."""
    cfg = ctx.cfg
    parts = []
    prom = acc[acc["nps"].notna() & (acc["nps"] >= cfg.promoter_nps)]
    parts.append(
        DataFrame(
            {
                "account_id": prom["account_id"],
                "code": Trigger.PROMOTER_NPS,
                "points": cfg.points_promoter_nps,
                "detail": "NPS " + fmt_num(prom["nps"]) + " on " + fmt_date(prom["nps_date"]),
            }
        )
    )
    blocked = set(sm.loc[sm["below_half"], "account_id"])
    short = group_short(sm[sm["short"] & ~sm["below_half"]])
    sm = sm[sm["achieved_ok"] & ~sm["account_id"].isin(blocked)]
    still = sm["account_id"].map(short).astype(object)
    still = np.where(
        still.notna(), " (still short of target: " + still.fillna("").astype(str) + ")", ""
    )
    parts.append(
        DataFrame(
            {
                "account_id": sm["account_id"],
                "code": Trigger.OUTCOME_ACHIEVED,
                "points": cfg.points_outcome_achieved,
                "detail": sm["name"]
                + ": "
                + fmt_num(sm["achieved"])
                + " against a target of "
                + fmt_num(sm["target"])
                + still,
            }
        )
    )
    ref = _in_window(ctx, SignalKind.REFERENCE, cfg.signal_window_days)
    parts.append(
        DataFrame(
            {
                "account_id": ref["account_id"],
                "code": Trigger.REFERENCE,
                "points": cfg.points_reference,
                "detail": "reference agreed on "
                + fmt_date(ref["date"])
                + np.where(ref["detail"] != "", ": " + ref["detail"], ""),
            }
        )
    )
    out = pd.concat(parts, ignore_index=True)
    return out.astype({"account_id": "int64", "points": "float64", "detail": object})
