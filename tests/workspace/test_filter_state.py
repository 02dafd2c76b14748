"""A filter change through htmx swaps the results alone: the same response must refresh the
filter panel's state ("on" badge, Clear link) out of band, or the panel lies about the list."""

from __future__ import annotations

import re

import pytest

from tests.workspace.test_account_views import client_for, scored_sample  # noqa: F401

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}


def _oob(html: str, element_id: str) -> str | None:
    """The out-of-band element's inner HTML, or None when the response has none."""
    found = re.search(
        rf'<span id="{element_id}" hx-swap-oob="true">(.*?)</span>(?=<|\s|$)', html, re.S
    )
    return None if found is None else found.group(1)


@pytest.mark.usefixtures("scored_sample")
def test_the_ranked_lists_results_refresh_the_on_badge_and_the_clear_link() -> None:
    manager = client_for("manager")
    filtered = manager.get("/opportunities/", {"motion": "upsell"}, **HTMX).content.decode()
    assert filtered.lstrip().startswith('<div id="results"')
    assert "badge" in _oob(filtered, "f-on")
    assert "Clear filters" in _oob(filtered, "f-clear")

    cleared = manager.get("/opportunities/", **HTMX).content.decode()
    assert _oob(cleared, "f-on") == ""
    assert _oob(cleared, "f-clear") == ""


@pytest.mark.usefixtures("scored_sample")
def test_the_account_lists_results_refresh_the_clear_link() -> None:
    manager = client_for("manager")
    filtered = manager.get("/accounts/", {"segment": "enterprise"}, **HTMX).content.decode()
    assert "Clear filters" in _oob(filtered, "a-clear")
    assert _oob(manager.get("/accounts/", **HTMX).content.decode(), "a-clear") == ""


@pytest.mark.usefixtures("scored_sample")
def test_a_full_page_has_the_panel_state_once_and_nothing_out_of_band() -> None:
    manager = client_for("manager")
    for url, params in (
        ("/opportunities/", {"motion": "upsell"}),
        ("/accounts/", {"segment": "enterprise"}),
    ):
        page = manager.get(url, params).content.decode()
        assert "hx-swap-oob" not in page
        assert page.count("Clear filters") == 1
