"""Token authentication loads the user's roles in the same query as the token."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db
ACCOUNTS = "/api/v1/accounts/"


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def book(db):
    AccountFactory(external_id="OWN-AE", owner_email="ae@vendor.example")
    AccountFactory(external_id="OWN-CSM", csm_email="ae@vendor.example")
    AccountFactory(external_id="OTHER")


@pytest.mark.parametrize(
    "roles, expected",
    [
        (["manager"], {"OWN-AE", "OWN-CSM", "OTHER"}),
        (["ae"], {"OWN-AE"}),
        (["csm"], {"OWN-CSM"}),
        (["ae", "csm"], {"OWN-AE", "OWN-CSM"}),
        ([], set()),
    ],
)
def test_roles_from_the_token_query_scope_the_rows(book, roles, expected) -> None:
    client = token_client(UserFactory(email="ae@vendor.example", roles=roles))

    body = client.get(ACCOUNTS).json()

    assert {a["external_id"] for a in body["results"]} == expected


def test_a_cached_list_costs_one_query_the_token_and_roles_together(book, settings) -> None:
    settings.OPPORTUNITY_LIST_CACHE_SECONDS = 300
    cache.clear()
    client = token_client(UserFactory(roles=["ae"]))
    client.get("/api/v1/opportunities/")

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/opportunities/")

    assert response.status_code == 200
    assert len(queries) == 1 and "role_name" in queries[0]["sql"]
    cache.clear()


def test_unknown_token_and_inactive_user_are_refused(book) -> None:
    inactive = token_client(UserFactory(roles=["manager"], is_active=False))
    unknown = APIClient()
    unknown.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    for client, message in ((inactive, "User inactive or deleted."), (unknown, "Invalid token.")):
        response = client.get(ACCOUNTS)
        assert response.status_code == 401
        assert response.json()["detail"] == message
