"""What the workspace's reads share: the user's opportunities, triggers in words."""

from __future__ import annotations

from django.db.models import QuerySet

from playbooks.labels import (
    TRIGGER_LABELS,
    label,
)
from playbooks.models import (
    Opportunity,
)

PAGE_SIZE = 25
TOP_REASONS = 3
HEALTH_THRESHOLD = 70.0
DEFAULT_NEEDS_SPONSOR_FACTOR = 0.5


def dept_key(value: str | None) -> str:
    """Departments compare case- and space-insensitively (as the scoring does)."""
    return (value or "").strip().casefold()


def opportunities_visible(*, user) -> QuerySet[Opportunity]:
    """The user's opportunities with what a page shows of each (one query)."""
    return Opportunity.objects.restrict(user).select_related(
        "account", "target_product", "sponsor", "sponsor_priority"
    )


def trigger_rows(triggers: list[dict]) -> list[dict]:
    """Triggers in words, in the scoring's order."""
    return [
        {
            "code": t.get("code", ""),
            "label": label(t.get("code"), TRIGGER_LABELS),
            "points": float(t.get("points") or 0),
            "detail": t.get("detail") or "",
        }
        for t in triggers or []
    ]


def short_number(value: float) -> str:
    """One decimal, without a trailing ``.0``: ``65.0`` -> ``65``, ``53.82`` -> ``53.8``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
