"""Real browser (Debian's Chromium through Playwright): log in, read the ranked list scoped by
role, and Swagger UI rendering offline (no request leaves the machine)."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import Account
from accounts.services import demo_users_ensure
from playbooks.services import scoring_run_execute

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch):
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER", "") not in ("", "0"):
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip("Debian's chromium is not installed")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the live
    # server's fixtures happen outside it. Scoped to the test: never leaks into others.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def scored_book(sample_book_dir):
    call_command("import_book", str(sample_book_dir), stdout=io.StringIO())
    Account.objects.exclude(external_id__in=["NW-001", "CW-010"]).update(
        owner_email="ae2@vendor.example"
    )
    scoring_run_execute(as_of=dt.date(2026, 6, 30))
    demo_users_ensure(per_role=2)


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "expansion-demo")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_ae_sees_only_its_ranked_opportunities(browser, live_server, scored_book, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, live_server.url, "ae1")

    rows = page.locator("table.ranked tbody tr")
    accounts = {
        rows.nth(i).locator("td").nth(1).inner_text().split()[-1] for i in range(rows.count())
    }
    page.screenshot(path=str(tmp_path / "home-ae1.png"), full_page=True)

    ready = sum(
        rows.nth(i).locator("td").nth(4).inner_text().strip() == "Ready"
        for i in range(rows.count())
    )
    assert accounts == {"NW-001", "CW-010"}
    # The ready count is the user's own, not the whole run's.
    assert page.locator(".note", has_text="ready to run").inner_text() == f"{ready} ready to run"
    assert page.locator("text=Tier upgrade").count() == 1
    assert page.locator("a:has-text('Admin')").count() == 0  # not staff


def test_swagger_ui_renders_offline(browser, live_server, scored_book):
    page = browser.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    _log_in(page, live_server.url, "manager")

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock", timeout=20_000)

    assert page.locator(".opblock").count() >= 25
    assert outside == []
