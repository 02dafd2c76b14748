"""The demo book generator: determinism, format, integrity, and the situations scoring needs.

No database: the book is read back with pandas and the scoring spec's conditions are checked
directly on the data by a small re-implementation of its rules (`Book` below).
"""

from __future__ import annotations

import datetime as dt
import filecmp
import io
import os
import subprocess
import sys
from functools import cached_property
from pathlib import Path

import pandas as pd
import pytest

from books.demo_book import demo_book_write
from books.management.commands.generate_demo_book import Command

AS_OF = dt.date(2026, 6, 30)
T = pd.Timestamp(AS_OF)
DAY = pd.Timedelta(days=1)
FILES = (
    "products",
    "adjacencies",
    "accounts",
    "contracts",
    "entitlements",
    "usage",
    "stakeholders",
    "priorities",
    "signals",
    "success_metrics",
    "opportunities",
)
REQUIRED = {
    "products": {"sku", "name", "kind", "family"},
    "adjacencies": {"from_sku", "to_sku"},
    "accounts": {"external_id", "name", "segment", "customer_since"},
    "contracts": {"external_id", "account_id", "sku", "start_date", "end_date", "arr"},
    "entitlements": {"contract_id", "metric", "limit", "period"},
    "usage": {"account_id", "metric", "date", "quantity"},
    "stakeholders": {"external_id", "account_id", "name", "role"},
    "priorities": {"stakeholder_id", "year", "priority"},
    "signals": {"account_id", "date", "kind"},
    "success_metrics": {"account_id", "name", "target", "achieved", "as_of"},
    "opportunities": {"external_id", "account_id", "motion", "stage", "created"},
}
KEYS = {
    "products": ["sku"],
    "adjacencies": ["from_sku", "to_sku"],
    "accounts": ["external_id"],
    "contracts": ["external_id"],
    "entitlements": ["contract_id", "metric"],
    "usage": ["account_id", "metric", "date"],
    "stakeholders": ["external_id"],
    "priorities": ["stakeholder_id", "year", "priority"],
    "signals": ["account_id", "date", "kind", "detail"],
    "success_metrics": ["account_id", "name"],
    "opportunities": ["external_id"],
}
DATES = {
    "accounts": ["customer_since"],
    "contracts": ["start_date", "end_date"],
    "usage": ["date"],
    "signals": ["date"],
    "success_metrics": ["as_of"],
    "opportunities": ["created", "closed"],
}
SPONSORS = ("executive_sponsor", "economic_buyer")


def _read(directory: Path, name: str) -> pd.DataFrame:
    frame = pd.read_csv(directory / f"{name}.csv", dtype=str, keep_default_na=False)
    for col in DATES.get(name, ()):
        frame[col] = pd.to_datetime(frame[col].replace("", None), format="%Y-%m-%d")
    return frame


class Book:
    """The book's tables plus the scoring spec's derived facts at T."""

    def __init__(self, directory: Path) -> None:
        self.t = {name: _read(directory, name) for name in FILES}

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name in FILES:
            return self.t[name]
        raise AttributeError(name)

    @cached_property
    def products(self) -> pd.DataFrame:
        return self.t["products"].set_index("sku")

    @cached_property
    def active(self) -> pd.DataFrame:
        c = self.contracts
        return c[(c.start_date <= T) & (c.end_date >= T)]

    @cached_property
    def owned(self) -> dict[str, set[str]]:
        return self.active.groupby("account_id")["sku"].agg(set).to_dict()

    @cached_property
    def util(self) -> pd.DataFrame:
        """One row per active entitlement: account, sku, metric, period, limit, util, trend."""
        e = self.entitlements.merge(self.active, left_on="contract_id", right_on="external_id")
        u = self.usage.assign(quantity=self.usage.quantity.astype(float))
        last = u[u.date > T - 30 * DAY]
        prior = u[(u.date <= T - 30 * DAY) & (u.date > T - 60 * DAY)]
        sums = last.groupby(["account_id", "metric"]).quantity.sum().rename("last")
        psums = prior.groupby(["account_id", "metric"]).quantity.sum().rename("prior")
        latest = last.sort_values("date").groupby(["account_id", "metric"]).quantity.last()
        e = e.join(sums, on=["account_id", "metric"]).join(psums, on=["account_id", "metric"])
        e = e.join(latest.rename("latest"), on=["account_id", "metric"]).fillna(
            {"last": 0, "prior": 0, "latest": 0}
        )
        limit = e["limit"].astype(float)
        e["util"] = (e["last"].where(e.period == "month", e["latest"])) / limit
        e["trend"] = (50 + 50 * (e["last"] / e["prior"].where(e["prior"] > 0) - 1)).clip(0, 100)
        return e

    @cached_property
    def health(self) -> pd.DataFrame:
        """The five components and the weighted score, for accounts with an active line."""
        ids = sorted(self.owned)
        e = self.util
        adoption = (e.util.clip(upper=1) * 100).groupby(e.account_id).mean()
        month = e[e.period == "month"]
        trend = month.trend.fillna(50).groupby(month.account_id).mean()
        s = self.signals
        nps = s[(s.kind == "nps") & (s.date > T - 180 * DAY) & (s.date <= T)]
        nps = nps.sort_values("date").groupby("account_id").value.last().astype(float) * 10
        tickets = s[(s.kind == "support_ticket") & (s.date > T - 90 * DAY) & (s.date <= T)]
        support = (100 - 20 * tickets.groupby("account_id").size()).clip(lower=0)
        p = self.stakeholders[self.stakeholders.active == "true"]
        champ = set(p[p.role == "champion"].account_id)
        spons = set(p[p.role.isin(SPONSORS)].account_id)
        h = pd.DataFrame(index=pd.Index(ids, name="account_id"))
        h["adoption"] = adoption.reindex(h.index).fillna(50)
        h["trend"] = trend.reindex(h.index).fillna(50)
        h["sentiment"] = nps.reindex(h.index).fillna(50)
        h["support"] = support.reindex(h.index).fillna(100)
        h["relationship"] = [50 * (a in champ) + 50 * (a in spons) for a in h.index]
        h["health"] = (
            0.35 * h.adoption
            + 0.15 * h.trend
            + 0.2 * h.sentiment
            + 0.15 * h.support
            + 0.15 * h.relationship
        )
        since = self.accounts.set_index("external_id").customer_since.reindex(h.index)
        h["onboarding"] = (T - since).dt.days < 90
        h["eligible"] = (h.health > 70) & (h.adoption >= 50) & ~h.onboarding
        return h

    @cached_property
    def eligible(self) -> set[str]:
        return set(self.health.index[self.health.eligible])

    @cached_property
    def sponsor_depts(self) -> dict[str, set[str]]:
        """Departments of the active sponsors' priorities for T's year, per account."""
        p = self.stakeholders
        p = p[(p.active == "true") & p.role.isin(SPONSORS)]
        pr = self.priorities[self.priorities.year == str(AS_OF.year)]
        m = pr.merge(p, left_on="stakeholder_id", right_on="external_id")
        return m.groupby("account_id")["department_x"].agg(set).to_dict()

    def recent(self, kind: str, days: int = 90) -> pd.DataFrame:
        s = self.signals
        return s[(s.kind == kind) & (s.date > T - days * DAY) & (s.date <= T)]

    def dept(self, sku: str) -> str:
        return self.products.loc[sku, "department"]

    def higher_tier(self, acc: str, sku: str) -> str | None:
        """The next tier of sku's family that the account does not own."""
        p = self.products
        if p.loc[sku, "kind"] != "tier":
            return None
        fam = p[(p.family == p.loc[sku, "family"]) & (p.kind == "tier")]
        ranks = fam.tier_rank.astype(int)
        up = ranks[ranks > int(p.loc[sku, "tier_rank"])].sort_values()
        return next((s for s in up.index if s not in self.owned.get(acc, set())), None)


@pytest.fixture(scope="module")
def book_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("book")
    counts = demo_book_write(directory=directory, accounts=500, seed=7, as_of=AS_OF)
    assert counts["accounts.csv"] == 500
    return directory


@pytest.fixture(scope="module", params=[7, 2024], ids=["seed7", "seed2024"])
def book(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Book:
    """The 500-account book of two seeds: the situations must not depend on luck."""
    directory = tmp_path_factory.mktemp(f"book{request.param}")
    demo_book_write(directory=directory, accounts=500, seed=request.param, as_of=AS_OF)
    return Book(directory)


# -- determinism and format -------------------------------------------------------------
def test_same_seed_gives_identical_files(book_dir: Path, tmp_path: Path) -> None:
    counts = demo_book_write(directory=tmp_path, accounts=500, seed=7, as_of=AS_OF)
    for name in FILES:
        assert filecmp.cmp(book_dir / f"{name}.csv", tmp_path / f"{name}.csv", shallow=False), name
    assert sum(counts.values()) == sum(len(_read(tmp_path, n)) for n in FILES)


def test_identical_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    """No dependence on str hashing (set order) or on anything but the arguments."""
    code = (
        "import datetime, pathlib, sys; from books.demo_book import demo_book_write; "
        "demo_book_write(directory=pathlib.Path(sys.argv[1]), accounts=120, seed=5, "
        "as_of=datetime.date(2026, 6, 30))"
    )
    root = Path(__file__).resolve().parents[2]
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run(
            [sys.executable, "-c", code, str(tmp_path / hash_seed)], cwd=root, env=env, check=True
        )
    demo_book_write(directory=tmp_path / "here", accounts=120, seed=5, as_of=AS_OF)
    for name in FILES:
        assert filecmp.cmp(
            tmp_path / "1" / f"{name}.csv", tmp_path / "2" / f"{name}.csv", shallow=False
        ), name
        assert filecmp.cmp(
            tmp_path / "1" / f"{name}.csv", tmp_path / "here" / f"{name}.csv", shallow=False
        ), name


def test_different_seed_gives_different_book(book_dir: Path, tmp_path: Path) -> None:
    demo_book_write(directory=tmp_path, accounts=500, seed=8, as_of=AS_OF)
    for name in ("accounts", "contracts", "usage", "signals", "stakeholders"):
        assert not filecmp.cmp(book_dir / f"{name}.csv", tmp_path / f"{name}.csv", shallow=False), (
            name
        )


def test_returns_rows_per_file(book_dir: Path) -> None:
    counts = demo_book_write(directory=book_dir, accounts=500, seed=7, as_of=AS_OF)
    assert sorted(counts) == sorted(f"{n}.csv" for n in FILES)
    for name in FILES:
        assert counts[f"{name}.csv"] == len(_read(book_dir, name)) > 0, name


def test_small_book_still_valid(tmp_path: Path) -> None:
    counts = demo_book_write(directory=tmp_path, accounts=3, seed=1, as_of=AS_OF)
    assert counts["accounts.csv"] == 3
    small = Book(tmp_path)
    assert set(small.contracts.account_id) <= set(small.accounts.external_id)


def test_management_command(tmp_path: Path) -> None:
    out = io.StringIO()
    cmd = Command(stdout=out)
    parser = cmd.create_parser("manage.py", "generate_demo_book")
    options = parser.parse_args(
        [str(tmp_path), "--accounts", "30", "--seed", "3", "--as-of", "2026-06-30"]
    )
    cmd.handle(**vars(options))
    assert "30 accounts" in out.getvalue() and "2026-06-30" in out.getvalue()
    assert len(_read(tmp_path, "accounts")) == 30
    again = tmp_path / "again"
    demo_book_write(directory=again, accounts=30, seed=3, as_of=AS_OF)
    assert filecmp.cmp(tmp_path / "usage.csv", again / "usage.csv", shallow=False)


SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "sample-book"
SAMPLE_HEALTH = {
    "NW-001": 84.5,
    "CT-002": 49.3,
    "FB-003": 77.0,
    "TT-004": 88.0,
    "LW-005": 76.8,
    "AW-006": 78.9,
    "WG-007": 81.2,
    "PW-008": 74.5,
    "WW-009": 81.6,
    "CW-010": 82.0,
    "AS-011": 73.2,
}


@pytest.mark.skipif(not SAMPLE.is_dir(), reason="the hand-made sample book is not here")
def test_checker_reproduces_the_sample_books_expected_health() -> None:
    """The re-implemented rules used below agree with the sample book's EXPECTED.md."""
    sample = Book(SAMPLE)
    assert sample.health.health.round(1).to_dict() == SAMPLE_HEALTH
    assert sample.eligible == {
        "NW-001",
        "LW-005",
        "AW-006",
        "WG-007",
        "PW-008",
        "WW-009",
        "CW-010",
        "AS-011",
    }


@pytest.mark.parametrize("name", FILES)
def test_required_columns_and_unique_keys(book: Book, name: str) -> None:
    frame = book.t[name]
    assert REQUIRED[name] <= set(frame.columns)
    for col in REQUIRED[name]:
        assert frame[col].notna().all() and (frame[col].astype(str) != "").all(), (name, col)
    assert not frame.duplicated(KEYS[name]).any(), name


def test_enums_and_formats(book: Book, book_dir: Path) -> None:
    assert set(book.products.kind) <= {"tier", "module", "add_on"}
    tiers = book.products[book.products.kind == "tier"]
    assert (tiers.tier_rank != "").all() and len(set(tiers.tier_rank)) == len(tiers)
    assert set(book.accounts.segment) == {"enterprise", "mid_market", "smb"}
    assert set(book.entitlements.period) == {"month", "instant"}
    assert set(book.stakeholders.active) <= {"true", "false"}
    assert set(book.stakeholders.role) <= {
        "champion",
        "executive_sponsor",
        "economic_buyer",
        "decision_maker",
        "influencer",
        "user",
        "blocker",
    }
    assert set(book.opportunities.motion) <= {
        "upsell",
        "cross_sell",
        "seat_expansion",
        "usage_expansion",
        "renewal",
        "price_increase",
    }
    assert set(book.opportunities.stage) <= {
        "identified",
        "qualified",
        "proposal",
        "negotiation",
        "won",
        "lost",
    }
    kinds = {
        "internal_referral",
        "compliance_change",
        "feature_request",
        "nps",
        "support_ticket",
        "new_users",
        "milestone",
        "new_initiative",
        "hiring",
        "funding",
        "reference",
    }
    assert set(book.signals.kind) == kinds
    s = book.signals
    valued = s[s.kind.isin(["nps", "support_ticket", "new_users"])].value
    assert valued.str.fullmatch(r"\d+").all()
    nps = s[s.kind == "nps"].value.astype(int)
    assert nps.between(0, 10).all()
    assert s[s.kind == "support_ticket"].value.astype(int).between(1, 4).all()
    assert (s[s.kind == "internal_referral"].department != "").all()
    money = r"\d+(\.\d{1,2})?"
    assert book.contracts.arr.str.fullmatch(money).all()
    assert book.products.list_arr.str.fullmatch(money).all()
    opp_money = book.opportunities.amount_arr
    assert opp_money[opp_money != ""].str.fullmatch(money).all()
    assert book.usage.quantity.str.fullmatch(r"\d+").all()
    assert book.entitlements["limit"].str.fullmatch(r"\d+").all()
    for name, cols in DATES.items():
        raw = pd.read_csv(book_dir / f"{name}.csv", dtype=str, keep_default_na=False)
        for col in cols:
            assert raw[col][raw[col] != ""].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), col


# -- integrity ------------------------------------------------------------------------------
def test_referential_integrity(book: Book) -> None:
    accounts = set(book.accounts.external_id)
    skus = set(book.products.index)
    for name in (
        "contracts",
        "usage",
        "stakeholders",
        "signals",
        "success_metrics",
        "opportunities",
    ):
        assert set(book.t[name].account_id) <= accounts, name
    assert set(book.contracts.sku) <= skus
    assert set(book.adjacencies.from_sku) | set(book.adjacencies.to_sku) <= skus
    opp_skus = set(book.opportunities.sku) - {""}
    assert opp_skus <= skus
    assert set(book.entitlements.contract_id) <= set(book.contracts.external_id)
    assert set(book.priorities.stakeholder_id) <= set(book.stakeholders.external_id)
    requested = book.signals[book.signals.kind == "feature_request"].detail
    assert set(requested) <= skus


def test_values_are_sane(book: Book) -> None:
    c = book.contracts
    assert (c.end_date >= c.start_date).all()
    assert (c.arr.astype(float) >= 0).all()
    assert (book.entitlements["limit"].astype(int) > 0).all()
    assert (book.usage.quantity.astype(int) >= 0).all()
    o = book.opportunities
    closed = o.stage.isin(["won", "lost"])
    assert o.closed[closed].notna().all() and o.closed[~closed].isna().all()
    assert (o.closed[closed] >= o.created[closed]).all()
    for name, cols in DATES.items():
        if name != "contracts":
            for col in cols:
                assert (book.t[name][col].dropna() <= T).all(), (name, col)
    since = book.accounts.set_index("external_id").customer_since
    first = c.groupby("account_id").start_date.min()
    assert (first.reindex(since.index) == since).all()


def test_lines_of_one_product_never_overlap(book: Book) -> None:
    c = book.contracts.sort_values(["account_id", "sku", "start_date"])
    prev_end = c.groupby(["account_id", "sku"]).end_date.shift()
    assert (c.start_date[prev_end.notna()] > prev_end[prev_end.notna()]).all()
    tiers = set(book.products.index[book.products.kind == "tier"])
    t = book.active[book.active.sku.isin(tiers)]
    assert not t.account_id.duplicated().any()


def test_entitlements_only_on_active_lines_and_usage_matches(book: Book) -> None:
    e = book.entitlements.merge(book.contracts, left_on="contract_id", right_on="external_id")
    assert ((e.start_date <= T) & (e.end_date >= T)).all()
    assert not e.duplicated(["account_id", "metric"]).any()
    used = set(zip(book.usage.account_id, book.usage.metric, strict=True))
    assert used == set(zip(e.account_id, e.metric, strict=True))
    u = book.usage
    assert u.date.min() == T - 89 * DAY and u.date.max() == T


# -- realism -------------------------------------------------------------------------------
def test_book_mix_is_realistic(book: Book) -> None:
    a = book.accounts
    share = a.segment.value_counts(normalize=True)
    assert 0.1 <= share["enterprise"] <= 0.35 and share["smb"] >= 0.2
    assert a.industry.nunique() >= 10 and a.region.nunique() >= 3
    assert set(a.owner_email) == {f"ae{i}@vendor.example" for i in range(1, 6)}
    assert set(a.csm_email) == {f"csm{i}@vendor.example" for i in range(1, 6)}
    assert (a.owner_email == "ae1@vendor.example").mean() >= 0.25
    assert (a.csm_email == "csm1@vendor.example").mean() >= 0.25
    tenure = (T - a.customer_since).dt.days
    assert tenure.min() >= 0 and tenure.max() > 3 * 365
    depts = set(book.products.department) - {""}
    assert {"Risk", "Finance", "Ops", "Manufacturing", "HR", "Compliance", "Marketing"} <= depts
    assert (book.products[book.products.department == "Compliance"].kind == "add_on").any()
    assert book.adjacencies.pitch.str.len().gt(0).all()


def test_usage_volume_and_shapes(book: Book) -> None:
    active_accounts = book.usage.account_id.nunique()
    per_account = len(book.usage) / active_accounts
    assert 220 <= per_account <= 330, per_account
    trend = book.util.trend.dropna()
    assert (trend > 55).sum() >= 20 and (trend < 45).sum() >= 20
    seats = book.usage[book.usage.metric == "seats"].quantity.astype(int)
    assert seats.groupby(book.usage.account_id).nunique().mean() < 30  # a level, not a flow


def test_contract_history(book: Book) -> None:
    c = book.contracts.sort_values(["account_id", "start_date", "external_id"])
    p = book.products
    last_end = c.groupby("account_id").end_date.max()
    churned = set(last_end.index[last_end < T])
    assert len(churned) >= 10
    ends = c[(c.start_date <= T) & (c.end_date >= T)].end_date
    assert ends.dt.month.nunique() == 12  # renewal dates over the whole year
    renewals = upgrades = downgrades = 0
    reactivated = set()
    for acc, lines in c.groupby("account_id"):
        rows = list(lines.itertuples())
        for prev in rows:
            for nxt in rows:
                if nxt.start_date == prev.end_date + DAY:
                    same = nxt.sku == prev.sku
                    renewals += same
                    pr, nr = p.tier_rank[prev.sku], p.tier_rank[nxt.sku]
                    upgrades += bool(pr and nr and int(nr) > int(pr))
                    downgrades += same and float(nxt.arr) < float(prev.arr)
        starts = sorted(lines.start_date)
        if any(s > lines.end_date[lines.start_date < s].max() + 30 * DAY for s in starts[1:]):
            reactivated.add(acc)
    assert renewals >= 200 and upgrades >= 10 and downgrades >= 10
    assert reactivated - churned


# -- the situations of the scoring spec ------------------------------------------------------
def test_guardrails_occur(book: Book) -> None:
    h = book.health
    assert (h.health <= 70).sum() >= 20  # unhealthy
    assert ((h.adoption < 50) & (h.health > 70)).any()  # underutilized and nothing else
    assert (h.adoption < 50).sum() >= 10
    onboarding = h[h.onboarding]
    assert len(onboarding) >= 3
    assert 0.4 <= h.eligible.mean() <= 0.8
    u = book.util
    assert (u[u.account_id.isin(onboarding.index)].util >= 0.95).any()  # alert, no play
    unhealthy_hot = u[u.account_id.isin(h.index[h.health <= 70]) & (u.util >= 0.8)]
    assert len(unhealthy_hot) >= 1


def test_utilization_levels_occur(book: Book) -> None:
    u = book.util
    month = u[u.period == "month"]
    for lo, hi in ((0.8, 0.9), (0.9, 0.95), (0.95, 10)):
        assert ((month.util >= lo) & (month.util < hi)).sum() >= 5, lo
    assert (month.util < 0.5).sum() >= 20


def test_upsell_plays_occur(book: Book) -> None:
    u = book.util
    hot = u[(u.metric != "seats") & (u.util >= 0.8) & u.account_id.isin(book.eligible)]
    up = [r for r in hot.itertuples() if book.higher_tier(r.account_id, r.sku)]
    more = [r for r in hot.itertuples() if not book.higher_tier(r.account_id, r.sku)]
    assert len(up) >= 5 and len(more) >= 3  # tier_upgrade, usage_expansion
    sd = book.sponsor_depts
    ready = [r for r in up if book.dept(r.sku) in sd.get(r.account_id, set())]
    assert ready and len(ready) < len(up)  # both ready and needs_sponsor

    seats = u[(u.metric == "seats") & u.account_id.isin(book.eligible)]
    new = book.recent("new_users", 30).assign(value=lambda f: f.value.astype(int))
    added = new.groupby("account_id").value.sum()
    by_level = seats[seats.util >= 0.8]
    by_users = seats[
        (seats.util < 0.8)
        & (seats.account_id.map(added).fillna(0) >= 0.1 * seats["limit"].astype(int))
    ]
    assert len(by_level) >= 5 and len(by_users) >= 1  # seat_expansion both ways


def test_value_review_occurs(book: Book) -> None:
    a = book.active
    due = a[(a.end_date >= T) & (a.end_date <= T + 90 * DAY)]
    assert due.account_id.nunique() >= 30
    assert set(due.account_id) & book.eligible
    assert set(due.account_id) - book.eligible  # planned for a blocked account too
    sd = book.sponsor_depts
    p = book.products
    with_module = [
        acc
        for acc in set(due.account_id)
        if any(d in sd.get(acc, set()) for d in p.department[~p.index.isin(book.owned[acc])])
    ]
    assert with_module


def test_cross_sell_and_upsell_triggers_occur(book: Book) -> None:
    p, el, sd = book.products, book.eligible, book.sponsor_depts
    ref = book.recent("internal_referral")
    audit = [
        r
        for r in ref.itertuples()
        if r.account_id in el
        and r.department not in {p.department[s] for s in book.owned[r.account_id]}
        and r.department in set(p.department)
    ]
    assert audit and any(r.department in sd.get(r.account_id, set()) for r in audit)

    compliance = set(p.index[p.department == "Compliance"])
    comp = [
        r
        for r in book.recent("compliance_change").itertuples()
        if r.account_id in el and not compliance & book.owned[r.account_id]
    ]
    assert comp
    assert any(
        r.account_id in el and compliance & book.owned[r.account_id]
        for r in book.recent("compliance_change").itertuples()
    )  # no play: owns it

    feat = [
        r
        for r in book.recent("feature_request").itertuples()
        if r.account_id in el and r.detail not in book.owned[r.account_id]
    ]
    assert feat

    adj = [
        (acc, a, b)
        for acc in sorted(el)
        for a, b in zip(book.adjacencies.from_sku, book.adjacencies.to_sku, strict=True)
        if a in book.owned[acc] and b not in book.owned[acc]
    ]
    assert len(adj) >= 10
    assert any(book.dept(b) in sd.get(acc, set()) for acc, _a, b in adj)
    assert any(book.dept(b) not in sd.get(acc, set()) for acc, _a, b in adj)


def test_lookalike_occurs(book: Book) -> None:
    acc = book.accounts.set_index("external_id")
    found = []
    for a_id in sorted(book.eligible):
        seg, ind = acc.segment[a_id], acc.industry[a_id]
        peers = [x for x in acc.index[(acc.segment == seg) & (acc.industry == ind)] if x != a_id]
        for a, b in zip(book.adjacencies.from_sku, book.adjacencies.to_sku, strict=True):
            mine = book.owned[a_id]
            if a in mine and b not in mine:
                owners = [x for x in peers if a in book.owned.get(x, set())]
                share = sum(b in book.owned[x] for x in owners) / max(1, len(owners))
                if len(owners) >= 5 and share >= 0.3:
                    found.append((a_id, a, b, len(owners), share))
    assert len(found) >= 2, found


def test_boosts_occur(book: Book) -> None:
    el = book.eligible
    nps = book.recent("nps", 180).sort_values("date").groupby("account_id").value.last()
    assert (nps[nps.index.isin(el)].astype(int) >= 9).sum() >= 10
    assert (nps.astype(int) <= 6).sum() >= 10  # detractors
    m = book.success_metrics
    hit = m[m.achieved.astype(float) >= m.target.astype(float)]
    assert set(hit.account_id) & el and len(hit) < len(m)
    assert set(book.signals[book.signals.kind == "reference"].account_id) & el


def test_people(book: Book) -> None:
    s = book.stakeholders
    has_champion = set(s[(s.role == "champion") & (s.active == "true")].account_id)
    has_sponsor = set(s[s.role.isin(SPONSORS) & (s.active == "true")].account_id)
    ids = set(book.accounts.external_id)
    assert len(ids - has_sponsor) >= 20 and len(has_sponsor) >= 250
    assert len(ids - has_champion) >= 10
    assert (s.active == "false").sum() >= 20
    years = set(book.priorities.year)
    assert {str(AS_OF.year), str(AS_OF.year - 1)} <= years
    assert (book.priorities.department != "").all()
