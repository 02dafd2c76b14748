"""Opportunity reads shared by the API and the pages."""

from __future__ import annotations

from collections.abc import Iterable

OPPORTUNITY_ROW_FIELDS = (
    "id",
    "external_id",
    "account__external_id",
    "account__name",
    "account__segment",
    "play",
    "motion",
    "target_product__sku",
    "department",
    "status",
    "stage",
    "score",
    "triggers",
    "new_champion_needed",
    "sponsor_id",
    "sponsor__name",
    "sponsor_priority__priority",
    "explanation",
    "amount_arr",
    "notes",
    "as_of",
    "created",
    "closed",
    "updated",
)



def opportunity_rows(values: Iterable[dict]) -> list[dict]:
    """Opportunities (from ``.values(*OPPORTUNITY_ROW_FIELDS)``) in the API's shape, the same
    as ``OpportunitySerializer`` gives, without building a model or serializer per row: the
    ranked list is the hottest read of the product."""
    return [
        {
            "id": v["id"],
            "external_id": v["external_id"],
            "account": {
                "external_id": v["account__external_id"],
                "name": v["account__name"],
                "segment": v["account__segment"],
            },
            "play": v["play"] or None,
            "motion": v["motion"],
            "target_sku": v["target_product__sku"],
            "department": v["department"] or None,
            "status": v["status"] or None,
            "stage": v["stage"],
            "score": v["score"],
            "triggers": [
                {"code": t["code"], "points": float(t["points"]), "detail": t["detail"]}
                for t in v["triggers"]
            ],
            "new_champion_needed": v["new_champion_needed"],
            "sponsor": None
            if v["sponsor_id"] is None
            else {"name": v["sponsor__name"], "priority": v["sponsor_priority__priority"]},
            "explanation": v["explanation"],
            "amount_arr": None if v["amount_arr"] is None else float(v["amount_arr"]),
            "notes": v["notes"],
            "as_of": v["as_of"],
            "created": v["created"],
            "closed": v["closed"],
            "updated": v["updated"],
        }
        for v in values
    ]

