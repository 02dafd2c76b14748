"""Roles on every endpoint and method: an object outside a user's reach answers 404, never
its data; changes need the right role (AE: opportunities of its accounts; CSM: stakeholders,
priorities and signals of its accounts; manager: everything)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from signals.models import DailyUsage
from tests.factories import (
    AccountFactory,
    AccountSignalFactory,
    ContractLineFactory,
    OpportunityFactory,
    PriorityFactory,
    ProductFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(db):
    product = ProductFactory(sku="CORE")
    data = {}
    for tag, ae, csm in (("A", "ae1", "csm1"), ("B", "ae2", "csm2")):
        account = AccountFactory(
            external_id=f"ACC-{tag}",
            owner_email=f"{ae}@vendor.example",
            csm_email=f"{csm}@vendor.example",
        )
        person = StakeholderFactory(external_id=f"S-{tag}", account=account, name=f"Person {tag}")
        data[tag] = {
            "account": account,
            "line": ContractLineFactory(external_id=f"L-{tag}", account=account, product=product),
            "stakeholder": person,
            "priority": PriorityFactory(stakeholder=person, priority=f"Grow {tag}"),
            "signal": AccountSignalFactory(account=account),
            "opportunity": OpportunityFactory(account=account, key="tier_upgrade:X"),
        }
    return data


USERS = {
    "ae1": ("ae1", ["ae"]),
    "csm1": ("csm1", ["csm"]),
    "manager": ("boss", ["manager"]),
    "nobody": ("nobody", []),
}


def detail_urls(book, tag: str) -> dict[str, str]:
    d = book[tag]
    return {
        "opportunity": f"/api/v1/opportunities/{d['opportunity'].pk}/",
        "account": f"/api/v1/accounts/{d['account'].external_id}/",
        "contract": f"/api/v1/contracts/{d['line'].external_id}/",
        "stakeholder": f"/api/v1/stakeholders/{d['stakeholder'].pk}/",
        "priority": f"/api/v1/priorities/{d['priority'].pk}/",
        "signal": f"/api/v1/signals/{d['signal'].pk}/",
    }


LISTS = [
    "/api/v1/opportunities/",
    "/api/v1/accounts/",
    "/api/v1/contracts/",
    "/api/v1/stakeholders/",
    "/api/v1/priorities/",
    "/api/v1/signals/",
]

# Which of the two accounts each role may read.
READABLE = {"ae1": {"A"}, "csm1": {"A"}, "manager": {"A", "B"}, "nobody": set()}


@pytest.mark.parametrize("role", list(USERS))
def test_reads_are_scoped_and_foreign_objects_answer_404(client_for, book, role) -> None:
    client = client_for(*USERS[role])
    for tag in ("A", "B"):
        for name, url in detail_urls(book, tag).items():
            response = client.get(url)
            if tag in READABLE[role]:
                assert response.status_code == 200, (role, name, tag)
            else:
                assert response.status_code == 404, (role, name, tag)
                assert f"-{tag}" not in response.content.decode()
    for url in LISTS:
        body = client.get(url).content.decode()
        for tag in ("A", "B"):
            shown = any(f'"{prefix}-{tag}"' in body for prefix in ("ACC", "S", "L"))
            assert shown == (tag in READABLE[role]), (role, url, tag)


def test_anonymous_gets_401_everywhere(book) -> None:
    client = APIClient()
    urls = [
        *LISTS,
        *detail_urls(book, "A").values(),
        "/api/v1/products/",
        "/api/v1/metrics/revenue/?start=2025-01-01&end=2025-12-31",
    ]
    for url in urls:
        assert client.get(url).status_code == 401, url
    assert client.post("/api/v1/usage/", [], format="json").status_code == 401


# PATCH of an opportunity: (role, account) -> status.
OPPORTUNITY_PATCH = {
    ("ae1", "A"): 200,
    ("ae1", "B"): 404,
    ("csm1", "A"): 403,
    ("csm1", "B"): 404,
    ("manager", "A"): 200,
    ("manager", "B"): 200,
    ("nobody", "A"): 404,
    ("nobody", "B"): 404,
}


@pytest.mark.parametrize(("role", "tag"), list(OPPORTUNITY_PATCH))
def test_opportunity_changes_by_role(client_for, book, role, tag) -> None:
    client = client_for(*USERS[role])
    opportunity = book[tag]["opportunity"]

    response = client.patch(
        f"/api/v1/opportunities/{opportunity.pk}/",
        {"stage": "qualified", "notes": "call booked"},
        format="json",
    )

    assert response.status_code == OPPORTUNITY_PATCH[(role, tag)]
    opportunity.refresh_from_db()
    changed = response.status_code == 200
    assert (opportunity.stage == "qualified") == changed
    if changed:
        change = opportunity.stage_changes.get()
        assert (change.from_stage, change.to_stage, change.changed_by.username) == (
            "identified",
            "qualified",
            USERS[role][0],
        )


# Writes on stakeholders, priorities and signals: (role, account) -> status for
# PATCH, PUT and DELETE (403 when the role may not write, 404 outside its reach).
CSM_WRITE = {
    ("ae1", "A"): 403,
    ("ae1", "B"): 404,
    ("csm1", "A"): 200,
    ("csm1", "B"): 404,
    ("manager", "A"): 200,
    ("manager", "B"): 200,
    ("nobody", "A"): 404,
    ("nobody", "B"): 404,
}


def _payloads(book, tag: str) -> dict[str, dict]:
    d = book[tag]
    return {
        "stakeholder": {
            "external_id": d["stakeholder"].external_id,
            "account": d["account"].external_id,
            "name": "Renamed",
            "role": "executive_sponsor",
        },
        "priority": {
            "stakeholder": d["stakeholder"].external_id,
            "year": 2026,
            "priority": "Renamed priority",
            "department": "Ops",
        },
        "signal": {
            "account": d["account"].external_id,
            "date": "2025-06-02",
            "kind": "nps",
            "value": 8,
        },
    }


@pytest.mark.parametrize(("role", "tag"), list(CSM_WRITE))
@pytest.mark.parametrize("resource", ["stakeholder", "priority", "signal"])
@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_csm_resources_writes_by_role(client_for, book, role, tag, resource, method) -> None:
    client = client_for(*USERS[role])
    url = detail_urls(book, tag)[resource]
    payload = _payloads(book, tag)[resource]

    response = getattr(client, method)(url, payload, format="json")

    expected = CSM_WRITE[(role, tag)]
    if method == "delete" and expected == 200:
        expected = 204
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("resource", ["stakeholder", "priority", "signal"])
def test_create_is_limited_to_own_accounts(client_for, book, resource) -> None:
    csm = client_for(*USERS["csm1"])
    ae = client_for(*USERS["ae1"])
    url = {
        "stakeholder": "/api/v1/stakeholders/",
        "priority": "/api/v1/priorities/",
        "signal": "/api/v1/signals/",
    }[resource]
    mine, theirs = _payloads(book, "A")[resource], _payloads(book, "B")[resource]
    if resource == "stakeholder":
        mine["external_id"], theirs["external_id"] = "S-A2", "S-B2"
    if resource == "priority":
        mine["priority"] = theirs["priority"] = "A new priority"

    assert csm.post(url, mine, format="json").status_code == 201
    refused = csm.post(url, theirs, format="json")
    assert refused.status_code == 400
    assert set(refused.json()) & {"account", "stakeholder"}
    assert ae.post(url, mine, format="json").status_code == 403


def test_products_are_readable_by_every_role_and_read_only(client_for, book) -> None:
    for role in USERS:
        client = client_for(*USERS[role])
        assert client.get("/api/v1/products/CORE/").status_code == 200
        assert client.delete("/api/v1/products/CORE/").status_code == 405
        assert client.post("/api/v1/contracts/", {}, format="json").status_code == 405


def test_usage_ingest_only_reaches_the_users_accounts(client_for, book) -> None:
    client = client_for(*USERS["ae1"])
    rows = [
        {"account_id": "ACC-A", "metric": "api_calls", "date": "2025-06-01", "quantity": 5},
        {"account_id": "ACC-B", "metric": "api_calls", "date": "2025-06-01", "quantity": 5},
    ]

    body = client.post("/api/v1/usage/", rows, format="json").json()

    assert body == {
        "accepted": 1,
        "rejected": [{"index": 1, "field": "account_id", "error": "unknown account 'ACC-B'"}],
    }
    assert list(DailyUsage.objects.values_list("account__external_id", flat=True)) == ["ACC-A"]


def test_revenue_metrics_cover_only_the_users_book(client_for, book) -> None:
    url = "/api/v1/metrics/revenue/?start=2025-01-01&end=2025-06-30"
    mine = client_for(*USERS["ae1"]).get(url).json()
    everything = client_for(*USERS["manager"]).get(url).json()

    assert mine["ending_mrr"] == 1000.0
    assert everything["ending_mrr"] == 2000.0
