"""GET/PATCH /api/v1/opportunities/ over the scored sample book: filters, ordering, errors,
rows (page size, query count, JSON errors: test_opportunity_list_queries.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from playbooks.models import Opportunity
from scoring import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(manager_client) -> APIClient:
    return manager_client


@pytest.fixture(scope="module")
def _scored_in_module(sample_book_in_module, django_db_blocker):
    """Every test here reads (or PATCHes, rolled back) one scoring of the sample book: it is
    imported and scored once for the module (see ``sample_book_in_module``)."""
    with django_db_blocker.unblock():
        return services.scoring_run_execute(as_of=dt.date(2026, 6, 30))


@pytest.fixture
def scored(_scored_in_module, db):
    return _scored_in_module


def _ids(response) -> list[str]:
    return [(o["account"]["external_id"], o["play"]) for o in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "status=needs_sponsor",
            {
                ("NW-001", "adjacent_cross_sell"),
                ("LW-005", "value_review"),
                ("WW-009", "usage_expansion"),
                ("WW-009", "adjacent_cross_sell"),
            },
        ),
        ("play=value_review", {("LW-005", "value_review")}),
        ("motion=seat_expansion", {("CW-010", "seat_expansion")}),
        (
            "account=AW-006&stage=identified",
            {("AW-006", "automation_audit")},  # its adjacent cross-sell waits: one at a time
        ),
        ("segment=smb&stage=identified", {("CW-010", "seat_expansion")}),
        ("owner=AE1@vendor.example&play=tier_upgrade", {("NW-001", "tier_upgrade")}),
        ("owner=nobody@vendor.example", set()),
        ("stage=won", {("NW-001", None), ("AS-011", None)}),
    ],
)
def test_filters(scored, manager, query, expected) -> None:
    response = manager.get(f"/api/v1/opportunities/?{query}")

    assert response.status_code == 200
    assert set(_ids(response)) == expected


def test_default_order_is_score_descending_and_orderings_work(scored, manager) -> None:
    def scores(query: str) -> list[float]:
        return [
            o["score"]
            for o in manager.get(f"/api/v1/opportunities/?stage=identified{query}").json()[
                "results"
            ]
        ]

    assert scores("") == sorted(scores(""), reverse=True)
    assert scores("&ordering=score") == sorted(scores(""))
    created = [
        o["created"]
        for o in manager.get("/api/v1/opportunities/?ordering=-created").json()["results"]
    ]
    assert created == sorted(created, reverse=True)


def test_invalid_filter_and_patch_errors_name_the_field(scored, manager) -> None:
    assert manager.get("/api/v1/opportunities/?stage=nope").json().keys() == {"stage"}
    opportunity = Opportunity.objects.exclude(key="").first()
    response = manager.patch(
        f"/api/v1/opportunities/{opportunity.pk}/",
        {"stage": "done", "amount_arr": -5},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"stage", "amount_arr"}


def test_patch_sets_amount_and_notes(scored, manager) -> None:
    opportunity = Opportunity.objects.exclude(key="").first()

    body = manager.patch(
        f"/api/v1/opportunities/{opportunity.pk}/",
        {"amount_arr": "45000.50", "notes": "sized with the CFO"},
        format="json",
    ).json()

    assert (body["amount_arr"], body["notes"]) == (45000.5, "sized with the CFO")


def test_list_rows_are_exactly_the_serializer_representation(scored, manager) -> None:
    """The list is served from values() for speed; it must say exactly what the serializer
    (used by the detail endpoint and the schema) says, field for field."""
    from playbooks.api.serializers import OpportunitySerializer

    Opportunity.objects.filter(play="tier_upgrade").update(amount_arr=12345.5, notes="n")
    listed = manager.get("/api/v1/opportunities/?page_size=500").json()["results"]
    ordered = Opportunity.objects.select_related(
        "account", "target_product", "sponsor", "sponsor_priority"
    ).order_by("-score", "id")
    expected = [dict(x) for x in OpportunitySerializer(ordered, many=True).data]

    import json

    from rest_framework.utils.encoders import JSONEncoder

    assert listed == json.loads(json.dumps(expected, cls=JSONEncoder))
    assert any(o["sponsor"] for o in listed) and any(o["sponsor"] is None for o in listed)
    assert any(o["amount_arr"] == 12345.5 for o in listed)
