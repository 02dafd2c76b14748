"""Reads for the account executive's pages: the ranked list, one opportunity's explanation,
its workflow checklist and its business case.

Every read starts from ``restrict(user)`` (the one authorization rule) and runs a fixed
number of queries whatever the book's size (pinned in tests/workspace/test_pages.py). The
ranked list filters and orders through ``OpportunityFilterSet``, the API's own, so the page
and ``/api/v1/opportunities/`` list the same opportunities in the same order.
"""

from __future__ import annotations

from playbooks.models import Opportunity, OpportunityStageChange

from .business_case import business_case, renewing_lines
from .checklist import (
    CriterionState,
    opportunity_criteria,
    opportunity_workflow_load,
    unchecked_criteria,
    workflow_phases,
)
from .common import opportunities_visible, trigger_rows
from .explanation import opportunity_explanation, score_arithmetic
from .ranked import ListPage, opportunity_list_page, top_reasons

__all__ = [
    "CriterionState",
    "ListPage",
    "business_case",
    "opportunities_visible",
    "opportunity_criteria",
    "opportunity_explanation",
    "opportunity_list_page",
    "opportunity_page",
    "opportunity_workflow_load",
    "renewing_lines",
    "score_arithmetic",
    "stage_history",
    "top_reasons",
    "trigger_rows",
    "unchecked_criteria",
    "workflow_phases",
]


def stage_history(*, opportunity: Opportunity) -> list[OpportunityStageChange]:
    """Who moved it, when, from what, to what, and why (one query)."""
    return list(
        OpportunityStageChange.objects.filter(opportunity=opportunity)
        .select_related("changed_by")
        .order_by("-changed_at", "-id")
    )


def opportunity_page(*, opportunity: Opportunity) -> dict:
    """Everything the opportunity page shows (a fixed number of queries)."""
    explanation = opportunity_explanation(opportunity=opportunity)
    workflow = opportunity_workflow_load(opportunity=opportunity)
    return {
        "explanation": explanation,
        "workflow": workflow,
        "case": business_case(opportunity=opportunity, explanation=explanation),
        "history": stage_history(opportunity=opportunity),
    }
