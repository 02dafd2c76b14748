"""The branded error pages: 404 in the site's layout (JSON under /api/), 500 static."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from core.views import api_aware_server_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_404_is_branded_in_the_layout_and_api_404_stays_json() -> None:
    """GIVEN a signed-in user and a visitor
    WHEN each asks for an address that does not exist
    THEN both get the branded 404 page (the signed-in user with the site's navigation), and
    an API address answers JSON."""
    user = UserFactory(username="ae9", roles=["ae"])
    client = Client()
    client.force_login(user)
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    html = page.content.decode()
    assert "Page not found" in html and 'class="mainnav"' in html and "Log out" in html
    assert 'name="viewport"' in html
    anonymous = Client().get("/no-such-page/")
    assert anonymous.status_code == 404 and "Page not found" in anonymous.content.decode()
    api = client.get("/api/v1/no-such-thing/")
    assert api.status_code == 404 and api.json() == {"detail": "Not found."}


def test_500_is_static_and_branded() -> None:
    response = api_aware_server_error(RequestFactory().get("/somewhere/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html and "expansion" in html
