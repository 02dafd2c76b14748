"""Real browser (Debian's Chromium through Playwright): log in, read the ranked list scoped by
role, and Swagger UI rendering offline (no request leaves the machine)."""

from __future__ import annotations

import pytest

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ae_sees_only_its_ranked_opportunities(browser, live_server, scored_book, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server.url, "ae1")

    assert page.url == f"{live_server.url}/opportunities/"
    rows = page.locator("table.ranked tr[id^=opp-]")
    accounts = {rows.nth(i).locator(".cell-sub").first.inner_text() for i in range(rows.count())}
    plays = [rows.nth(i).locator("td").nth(2).inner_text() for i in range(rows.count())]
    page.screenshot(path=str(tmp_path / "home-ae1.png"))

    assert accounts == {"NW-001", "CW-010"}
    assert sum(p.startswith("Tier upgrade") for p in plays) == 1
    assert page.locator("a:has-text('Admin')").count() == 0  # not staff


def test_swagger_ui_renders_offline(browser, live_server, scored_book):
    page = browser.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    log_in(page, live_server.url, "manager")

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock", timeout=20_000)

    assert page.locator(".opblock").count() >= 25
    assert outside == []
