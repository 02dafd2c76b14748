"""The ranked list: one page of the user's open opportunities, through the API's FilterSet."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.http import QueryDict

from accounts.selectors import account_owner_emails
from core.paging import page_links
from playbooks.filters import OpportunityFilterSet
from playbooks.labels import (
    motion_kind,
)
from playbooks.models import OPEN_STAGES, Opportunity
from scoring.models import ScoringRun
from scoring.selectors import latest_scoring_run

from .common import (
    PAGE_SIZE,
    TOP_REASONS,
    opportunities_visible,
    trigger_rows,
)


def top_reasons(triggers: list[dict], limit: int = TOP_REASONS) -> list[dict]:
    """The triggers that weigh most, highest first (ties: the scoring's order)."""
    rows = trigger_rows(triggers)
    return sorted(rows, key=lambda t: -t["points"])[:limit]


@dataclass
class ListPage:
    filterset: OpportunityFilterSet
    page: object  # django.core.paginator.Page
    rows: list[Opportunity]
    run: ScoringRun | None
    total: int
    empty_reason: str = ""  # "" | "not_scored" | "empty_book" | "filtered"
    owners: list[str] = field(default_factory=list)
    filtered: bool = False
    page_links: list[tuple[int, str]] = field(default_factory=list)


LIST_FILTERS = ("play", "motion", "status", "stage", "segment", "owner", "renewal_within", "q")


def opportunity_list_page(*, user, params: QueryDict, page_size: int = PAGE_SIZE) -> ListPage:
    """One page of the user's ranked list: open opportunities (unless ``stage`` asks for a
    closed one), filtered and ordered by the API's FilterSet, highest score first.

    Queries: the latest run, the count, the page (+ the owners' e-mails for a manager, + one
    count of the whole book when the page is empty, to say why)."""
    base = opportunities_visible(user=user)
    filterset = OpportunityFilterSet(params, queryset=base)
    queryset = filterset.qs
    if not params.get("stage") or not filterset.is_valid():
        queryset = queryset.filter(stage__in=OPEN_STAGES)
    paginator = Paginator(queryset, page_size)
    page = paginator.get_page(params.get("page"))
    rows = list(page.object_list)
    for row in rows:
        row.reasons = top_reasons(row.triggers)
        row.kind = motion_kind(row.motion)
    run = latest_scoring_run()
    filtered = any(params.get(name) for name in LIST_FILTERS)
    empty_reason = ""
    if not rows:
        if filtered and base.filter(stage__in=OPEN_STAGES).exists():
            empty_reason = "filtered"
        elif run is None:
            empty_reason = "not_scored"
        else:
            empty_reason = "empty_book"
    owners = account_owner_emails(user=user)
    return ListPage(
        filterset=filterset,
        page=page,
        rows=rows,
        run=run,
        total=paginator.count,
        empty_reason=empty_reason,
        owners=owners,
        filtered=filtered,
        page_links=page_links(number=page.number, last=paginator.num_pages),
    )
