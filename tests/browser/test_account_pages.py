"""The account pages in a real browser (Debian's Chromium through Playwright): an AE sorts and
filters its account list, opens an account and reads its charts; another AE gets a 404. Every
test checks that no request left 127.0.0.1, that the console shows no error, that the
Content-Security-Policy was never violated, and that axe finds no serious or critical
violation; each page is saved as a viewport screenshot at 1280 px and 390 px
(var/screenshots/)."""

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
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Listens from the first byte of every document: init scripts are not subject to the CSP.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || ""));
});
"""


@pytest.fixture
def browser(monkeypatch):
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER", "") not in ("", "0"):
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip("Debian's chromium is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def scored_book(sample_book_dir):
    """The sample book scored on two dates (the health trend has two points); ae1 owns
    NW-001 and CW-010, ae2 every other account."""
    call_command("import_book", str(sample_book_dir), stdout=io.StringIO())
    Account.objects.exclude(external_id__in=["NW-001", "CW-010"]).update(
        owner_email="ae2@vendor.example"
    )
    scoring_run_execute(as_of=dt.date(2026, 5, 31))
    scoring_run_execute(as_of=dt.date(2026, 6, 30))
    demo_users_ensure(per_role=2)


class Watched:
    """A page whose requests, console errors and CSP violations are recorded."""

    def __init__(self, browser, base: str, width: str = "desktop"):
        w, h = WIDTHS[width]
        self.context = browser.new_context(viewport={"width": w, "height": h})
        self.context.add_init_script(CSP_LISTENER)
        # base.html links no icon, so Chromium asks for /favicon.ico and logs its 404 as a
        # console error on every page; answered empty here until the layout links one.
        self.context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
        self.page = self.context.new_page()
        self.base = base
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith((base, "http://127.0.0.1", "data:"))
                else self.outside.append(r.url)
            ),
        )
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.failed: list[str] = []
        self.page.on(
            "response",
            lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )

    def log_in(self, username: str) -> None:
        self.page.goto(f"{self.base}/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "expansion-demo")
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def goto(self, path: str):
        response = self.page.goto(f"{self.base}{path}")
        self.page.wait_for_load_state("networkidle")
        return response

    def check(self, *, allow_errors: tuple[str, ...] = ()) -> None:
        """Nothing left the machine, no console error, no CSP violation, axe clean."""
        from axe_playwright_python.sync_playwright import Axe

        violations = self.page.evaluate("window.__cspViolations || []")
        assert violations == [], violations
        errors = [e for e in self.errors if not any(a in e for a in allow_errors)]
        assert errors == [], (errors, self.failed)
        assert self.outside == [], self.outside
        results = Axe().run(self.page)
        serious = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], serious

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def close(self) -> None:
        self.context.close()


def _first_column(page) -> list[str]:
    cells = page.locator("#results table tbody tr td:first-child .cell-sub")
    return [cells.nth(i).inner_text().split(" · ")[0] for i in range(cells.count())]


def test_ae_sorts_and_filters_its_account_list(browser, live_server, scored_book):
    w = Watched(browser, live_server.url)
    w.log_in("ae1")
    w.goto("/accounts/")

    assert sorted(_first_column(w.page)) == ["CW-010", "NW-001"]
    assert w.page.locator("#results tbody tr").count() == 2
    w.shot("accounts-list-1280")
    w.check()

    # Sort by health, highest first (two clicks: ascending, then descending), through htmx.
    w.page.click("#results th a:has-text('Health')")
    w.page.wait_for_url("**ordering=health**")
    assert _first_column(w.page) == ["CW-010", "NW-001"]  # 82.0, 84.5
    w.page.click("#results th a:has-text('Health')")
    w.page.wait_for_url("**ordering=-health**")
    assert _first_column(w.page) == ["NW-001", "CW-010"]

    # Text search narrows the list, and the URL keeps it: a reload shows the same list.
    w.page.locator("#a-q").press_sequentially("north")  # as a person types
    w.page.wait_for_url("**q=north**")
    w.page.wait_for_load_state("networkidle")
    assert _first_column(w.page) == ["NW-001"]
    w.page.reload()
    w.page.wait_for_load_state("networkidle")
    assert _first_column(w.page) == ["NW-001"]
    assert w.page.input_value("#a-q") == "north"

    # A filter that excludes everything says so.
    w.goto("/accounts/?reason=onboarding")
    assert w.page.locator("#results .empty h2").inner_text() == "No account matches these filters"
    w.check()
    w.close()

    phone = Watched(browser, live_server.url, "phone")
    phone.log_in("ae1")
    phone.goto("/accounts/")
    # The table scrolls inside its card, never the page.
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.shot("accounts-list-390")
    phone.check()
    phone.close()


def test_ae_opens_an_account_and_reads_its_charts(browser, live_server, scored_book):
    for width in ("desktop", "phone"):
        w = Watched(browser, live_server.url, width)
        w.log_in("ae1")
        w.goto("/accounts/")
        w.page.click("a:has-text('Northwind Bank')")
        w.page.wait_for_url("**/accounts/NW-001/")
        w.page.wait_for_load_state("networkidle")

        assert w.page.locator("h1").inner_text().startswith("Northwind Bank")
        why = w.page.locator(".why-changed").inner_text()
        assert why.startswith("Why it changed. Up 1.8 points since 31 May 2026")
        # Every chart was drawn by Chart.js on its canvas, from its JSON block.
        canvases = w.page.locator("canvas[data-chart]")
        assert canvases.count() == 3  # health trend + api_calls + seats
        drawn = w.page.evaluate(
            "Array.from(document.querySelectorAll('canvas[data-chart]'))"
            ".map(c => !!Chart.getChart(c) && c.width > 0 && c.height > 0)"
        )
        assert drawn == [True, True, True]
        # The same numbers as tables, for screen readers.
        health_rows = w.page.locator("#health figure.chart table tbody tr")
        assert health_rows.count() == 2
        last = health_rows.nth(1)
        assert last.locator("th").text_content() == "30 Jun 2026"
        assert last.locator("td").first.text_content() == "84.5"
        usage_rows = w.page.locator("#usage figure.chart").first.locator("table tbody tr")
        assert usage_rows.count() == 90
        # Utilization bars against the limit, with the 80/90/95 marks and the projection.
        bars = w.page.locator("#utilization svg.bar")
        assert bars.count() == 2
        assert bars.first.locator("line.mark").count() == 3
        assert "api_calls: 92 % of the limit, past the 90 % alert" in (
            bars.first.get_attribute("aria-label")
        )
        assert "at the current pace" in w.page.locator("#utilization").inner_text()
        assert w.page.locator("#plays a[href^='/opportunities/']").count() == 2
        assert "Chris Info" in w.page.locator("#people").inner_text()
        if width == "desktop":
            w.page.locator("#health figure.chart summary").click()
        else:
            assert w.page.evaluate("document.documentElement.scrollWidth") <= 390
        w.shot(f"account-NW-001-{1280 if width == 'desktop' else 390}")
        w.page.locator("#usage").scroll_into_view_if_needed()
        w.shot(f"account-NW-001-usage-{1280 if width == 'desktop' else 390}")
        w.page.locator("#timeline").scroll_into_view_if_needed()
        w.shot(f"account-NW-001-timeline-{1280 if width == 'desktop' else 390}")

        # The timeline filters in place (htmx), and the URL keeps the filter.
        w.page.click("#timeline a:has-text('Usage alerts')")
        w.page.wait_for_url("**timeline=alert**")
        w.page.wait_for_load_state("networkidle")
        items = w.page.locator("#timeline ol.timeline li")
        assert items.count() == 2
        assert all("reached" in items.nth(i).inner_text() for i in range(items.count()))
        w.check()
        w.close()


def test_another_ae_gets_404_on_the_account(browser, live_server, scored_book):
    w = Watched(browser, live_server.url)
    w.log_in("ae2")

    response = w.goto("/accounts/NW-001/")

    assert response.status == 404
    assert "Northwind" not in w.page.content()
    w.goto("/accounts/?q=north")
    assert w.page.locator("#results tbody tr").count() == 0
    # The browser logs the 404 answer itself as a console error; nothing else may appear.
    w.check(allow_errors=("the server responded with a status of 404",))
    w.close()
