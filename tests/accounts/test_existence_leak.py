"""A user's writes never tell whether an id outside its reach exists: what a 404 hides on
reads, a create or an edit must not confirm (issue 10, item 11).

Stakeholders' external ids are one namespace for the whole book (book-format.md: the key is
``external_id`` and priorities name their stakeholder by it alone), so the API assigns the
external id of a stakeholder it creates: a client never picks one that could collide with
another user's."""

from __future__ import annotations

import json

import pytest

from accounts.models import Stakeholder
from tests import test_roles_per_route
from tests.test_roles_per_route import USERS

book = test_roles_per_route.book  # the two-account fixture of the role tests

pytestmark = pytest.mark.django_db

FRESH = "NEVER-USED-1"


def _masked(response, *ids: str) -> tuple[int, str]:
    """Status and body with the given ids (and the server's new ones) blanked out."""
    body = json.loads(response.content or b"null")
    if isinstance(body, dict):
        body.pop("id", None)
        body.pop("external_id", None)
    text = json.dumps(body, sort_keys=True)
    for value in ids:
        text = text.replace(value, "<id>")
    return response.status_code, text


def _stakeholder(account: str, external_id: str) -> dict:
    return {
        "external_id": external_id,
        "account": account,
        "name": "New Person",
        "role": "champion",
    }


def test_creating_a_stakeholder_with_a_foreign_external_id_looks_like_a_fresh_one(
    client_for, book
) -> None:
    """GIVEN csm1, who cannot see account B's stakeholder S-B WHEN it creates a stakeholder
    with external id S-B, and one with a never used id THEN both answers are the same: 201,
    with an id assigned by the server; S-B is untouched."""
    csm = client_for(*USERS["csm1"])

    foreign = csm.post("/api/v1/stakeholders/", _stakeholder("ACC-A", "S-B"), format="json")
    fresh = csm.post("/api/v1/stakeholders/", _stakeholder("ACC-A", FRESH), format="json")

    assert _masked(foreign, "S-B") == _masked(fresh, FRESH)
    assert foreign.status_code == 201, foreign.content
    assert foreign.json()["external_id"] not in {"S-B", FRESH}
    assert Stakeholder.objects.get(external_id="S-B").account.external_id == "ACC-B"
    assert Stakeholder.objects.filter(account__external_id="ACC-A").count() == 3


def test_renaming_a_stakeholders_external_id_cannot_probe_foreign_ids(client_for, book) -> None:
    csm = client_for(*USERS["csm1"])
    url = f"/api/v1/stakeholders/{book['A']['stakeholder'].pk}/"

    foreign = csm.patch(url, {"external_id": "S-B"}, format="json")
    fresh = csm.patch(url, {"external_id": FRESH}, format="json")

    assert _masked(foreign, "S-B") == _masked(fresh, FRESH)
    assert foreign.status_code == 200
    assert Stakeholder.objects.filter(external_id="S-A").exists()


@pytest.mark.parametrize(
    ("url", "payload"),
    [
        (
            "/api/v1/priorities/",
            lambda ref: {"stakeholder": ref, "year": 2026, "priority": "Grow", "department": ""},
        ),
        (
            "/api/v1/signals/",
            lambda ref: {"account": ref, "date": "2025-06-01", "kind": "nps", "value": 9},
        ),
        ("/api/v1/stakeholders/", lambda ref: _stakeholder(ref, "X-1")),
    ],
)
def test_references_to_foreign_rows_answer_as_unknown_ones(client_for, book, url, payload) -> None:
    """Priorities name a stakeholder, signals and stakeholders an account: a foreign one is
    answered exactly like one that does not exist."""
    csm = client_for(*USERS["csm1"])
    foreign_ref = "S-B" if "priorities" in url else "ACC-B"

    foreign = csm.post(url, payload(foreign_ref), format="json")
    unknown = csm.post(url, payload(FRESH), format="json")

    assert foreign.status_code == 400
    assert _masked(foreign, foreign_ref) == _masked(unknown, FRESH)


def test_duplicate_signal_and_priority_errors_only_concern_visible_rows(client_for, book) -> None:
    """Their natural keys start with a visible account or stakeholder: a duplicate can only
    be one the user can read anyway."""
    csm = client_for(*USERS["csm1"])
    signal = {"account": "ACC-A", "date": "2025-06-01", "kind": "nps", "value": 9}
    priority = {"stakeholder": "S-A", "year": 2026, "priority": "Grow A"}

    assert csm.post("/api/v1/signals/", signal, format="json").status_code == 400
    assert csm.post("/api/v1/priorities/", priority, format="json").status_code == 400
    assert csm.get("/api/v1/signals/?account__external_id=ACC-A").json()["count"] == 1
