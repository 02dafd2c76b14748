"""The design system's partials on one page, in the browser, under the strict CSP: the chart
draws (Chart.js from its JSON block), bars size by SVG attributes, and the page passes the
same checks as every other (no CSP violation, no console error, axe, 390 px)."""

from __future__ import annotations

import pytest

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_components_render_under_the_csp(watched, scored_book, settings):
    settings.ROOT_URLCONF = "tests.browser.components_urls"
    page, base = watched.page, watched.base
    log_in(page, base, "ae1")
    page.goto(f"{base}/__components__/")
    page.wait_for_load_state("networkidle")
    # Chart.js drew the canvas (it sizes it and registers the chart).
    assert page.evaluate("!!window.Chart && !!Chart.getChart(document.querySelector('canvas'))")
    assert page.locator("canvas").bounding_box()["height"] > 200
    # The numbers are in a table too.
    page.click(".chart-data summary")
    assert page.locator(".chart-data tbody tr").count() == 30
    # Bars: widths from SVG attributes, capped at the track; the level class colours them.
    assert page.locator("svg.bar.level-80 rect.fill").get_attribute("width") == "83"
    assert page.locator("svg.bar.level-95 rect.fill").get_attribute("width") == "100"
    assert page.locator(".form-row.has-error").count() == 2
    # A sortable column of the table component links to its ordering, descending first.
    assert page.locator("a.sort").get_attribute("href") == "?ordering=-renews"
    watched.check_page("components")
    watched.assert_clean()
