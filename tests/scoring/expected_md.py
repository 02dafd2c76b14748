"""An EXPECTED.md table (sample book, judgment book) read as data, and checked against the
REST API's accounts and opportunities: health, reasons, actions, plays with their targets,
statuses, "new champion needed", scores (to 0.05) and triggers, and the held-back candidates
with their reasons."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

PLAY = re.compile(
    r"(?P<play>[a-z_]+) -> (?P<target>[A-Z0-9-]+): (?P<status>ready|needs_sponsor), "
    r"(?P<score>\d+(?:\.\d+)?)(?P<champion>, new champion needed)?; "
    r"(?P<triggers>[a-z0-9_]+(?:, [a-z0-9_]+)*)"
)
HELD = re.compile(r"(?P<play>[a-z_]+) -> (?P<target>[A-Z0-9-]+): (?P<reason>[a-z_]+)")


@dataclass(frozen=True)
class Expected:
    health: float | None  # None: not scored
    reasons: list[str]
    actions: list[str]
    plays: frozenset[tuple]  # (play, target, status, new champion needed, triggers)
    scores: dict[tuple[str, str], float]
    held: frozenset[tuple]  # (play, target, reason)


def _codes(cell: str) -> list[str]:
    return [c.strip() for c in cell.split(",") if c.strip()]


def read_expected(path: Path) -> dict[str, Expected]:
    """external_id -> what EXPECTED.md says of the account."""
    out: dict[str, Expected] = {}
    for line in path.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 6 or not re.match(r"^[A-Z]{2}-\d{3} ", cells[0]):
            continue
        account, health, reasons, actions, plays, held = cells[:6]
        external_id = account.split(" ", 1)[0]
        found = list(PLAY.finditer(plays))
        out[external_id] = Expected(
            health=None if health == "not scored" else float(health),
            reasons=_codes(reasons),
            actions=_codes(actions),
            plays=frozenset(
                (
                    m["play"],
                    m["target"],
                    m["status"],
                    bool(m["champion"]),
                    frozenset(_codes(m["triggers"])),
                )
                for m in found
            ),
            scores={(m["play"], m["target"]): float(m["score"]) for m in found},
            held=frozenset((m["play"], m["target"], m["reason"]) for m in HELD.finditer(held)),
        )
    return out


def assert_api_matches(
    expected: dict[str, Expected], accounts: list[dict], opportunities: list[dict]
):
    """``accounts``: every /api/v1/accounts/ result; ``opportunities``: the open ones the
    scoring found (stage ``identified``, or advanced by a person)."""
    by_id = {a["external_id"]: a for a in accounts}
    for external_id, want in expected.items():
        account = by_id[external_id]
        if want.health is None:
            assert account["health"] is None, external_id
            continue
        assert account["health"]["score"] == pytest.approx(want.health, abs=0.05), external_id
        assert account["eligibility"]["reasons"] == want.reasons, external_id
        assert account["actions"] == want.actions, external_id
        mine = [o for o in opportunities if o["account"]["external_id"] == external_id]
        found = {
            (
                o["play"],
                o["target_sku"],
                o["status"],
                o["new_champion_needed"],
                frozenset(t["code"] for t in o["triggers"]),
            )
            for o in mine
        }
        assert found == set(want.plays), external_id
        for o in mine:
            score = want.scores[(o["play"], o["target_sku"])]
            assert o["score"] == pytest.approx(score, abs=0.05), (external_id, o["play"])
        held = {(h["play"], h["target_sku"], h["reason"]) for h in account["held_back"]}
        assert held == set(want.held), external_id
