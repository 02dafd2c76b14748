"""Browser fixtures: Debian's Chromium through Playwright, the sample book scored as of
2026-06-30, and a page watcher that every test ends with: no request left 127.0.0.1, no
console error, no CSP violation, no serious or critical axe violation."""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import Account
from accounts.services import demo_users_ensure
from scoring.services import scoring_run_execute

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Records CSP violations in the page (injected by the browser's devtools protocol, which the
# page's policy does not govern).
_CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' '
                    + (e.sourceFile || '') + ':' + e.lineNumber);
});
"""


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
    """The sample book scored as of 2026-06-30; ae1 owns NW-001 and CW-010, ae2 the rest."""
    call_command("import_book", str(sample_book_dir), stdout=io.StringIO())
    Account.objects.exclude(external_id__in=["NW-001", "CW-010"]).update(
        owner_email="ae2@vendor.example"
    )
    scoring_run_execute(as_of=dt.date(2026, 6, 30))
    demo_users_ensure(per_role=2)


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "expansion-demo")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


@dataclass
class Watch:
    """What a page did that it must not: requests off the machine, console errors, CSP
    violations; and the accessibility and layout checks run on each page visited."""

    base: str
    page: object
    outside: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    axe_serious: list[str] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return self.page.evaluate("window.__csp || []")

    def check_page(self, name: str) -> None:
        """Axe on the current page; viewport screenshots at 1280 px and 390 px (the page
        must not scroll sideways on the phone: tables scroll inside their card)."""
        from axe_playwright_python.sync_playwright import Axe

        page = self.page
        page.wait_for_load_state("networkidle")
        results = Axe().run(page)
        for v in results.response["violations"]:
            if v["impact"] in ("serious", "critical"):
                targets = [n["target"] for n in v["nodes"]][:3]
                self.axe_serious.append(f"{name}: {v['id']} ({v['impact']}) {targets}")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        size = page.viewport_size
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-1280.png"))
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(150)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            self.overflow.append(f"{name}: the page is {width} px wide at 390 px")
        page.screenshot(path=str(SCREENSHOTS / f"{name}-390.png"))
        page.set_viewport_size(size)

    def assert_clean(self) -> None:
        assert self.outside == [], f"requests left 127.0.0.1: {self.outside}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"
        assert self.csp_violations() == []
        assert self.axe_serious == [], "\n".join(self.axe_serious)
        assert self.overflow == [], self.overflow


@pytest.fixture
def watched(browser, live_server):
    """A new page at 1280 px, watched."""
    page = browser.new_page(viewport=DESKTOP)
    watch = Watch(base=live_server.url, page=page)
    page.add_init_script(_CSP_LISTENER)
    page.on(
        "request",
        lambda r: watch.outside.append(r.url)
        if not (r.url.startswith(live_server.url) or r.url.startswith("data:"))
        else None,
    )
    page.on(
        "console",
        lambda m: watch.console_errors.append(f"{m.text} {m.location.get('url', '')}")
        if m.type == "error"
        else None,
    )
    page.on("pageerror", lambda e: watch.console_errors.append(str(e)))
    yield watch
    page.close()
