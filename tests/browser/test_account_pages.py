"""The account pages in a real browser (Debian's Chromium through Playwright): an AE sorts and
filters its account list, opens an account and reads its charts; another AE gets a 404. Every
test checks that no request left 127.0.0.1, that the console shows no error, that the
Content-Security-Policy was never violated, and that axe finds no serious or critical
violation, and that the page does not scroll sideways at 390 px (tests/browser/conftest.py);
each page is saved as a viewport screenshot at 1280 px and 390 px (var/screenshots/)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from accounts.models import Account
from accounts.services import demo_users_ensure
from scoring.services import scoring_run_execute

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scored_twice(sample_book_dir):
    """The sample book scored on two dates (the health trend has two points); ae1 owns
    NW-001 and CW-010, ae2 every other account."""
    call_command("import_book", str(sample_book_dir), stdout=io.StringIO())
    Account.objects.exclude(external_id__in=["NW-001", "CW-010"]).update(
        owner_email="ae2@vendor.example"
    )
    scoring_run_execute(as_of=dt.date(2026, 5, 31))
    scoring_run_execute(as_of=dt.date(2026, 6, 30))
    demo_users_ensure(per_role=2)


def _ids(page) -> list[str]:
    cells = page.locator("#results table tbody tr td:first-child .cell-sub")
    return [cells.nth(i).inner_text().split(" · ")[0] for i in range(cells.count())]


def test_ae_sorts_and_filters_its_account_list(watched, scored_twice):
    page, base = watched.page, watched.base
    log_in(page, base, "ae1")
    page.goto(f"{base}/accounts/")

    assert sorted(_ids(page)) == ["CW-010", "NW-001"]
    watched.check_page("accounts")

    # Sort by health, lowest first then highest first, through htmx, into the URL.
    page.click("#results th a:has-text('Health')")
    page.wait_for_url("**ordering=health**")
    page.wait_for_load_state("networkidle")
    assert _ids(page) == ["CW-010", "NW-001"]  # 82.0, 84.5
    page.click("#results th a:has-text('Health')")
    page.wait_for_url("**ordering=-health**")
    page.wait_for_load_state("networkidle")
    assert _ids(page) == ["NW-001", "CW-010"]

    # Typing narrows the list and the URL keeps it: a reload shows the same list.
    page.locator("#a-q").press_sequentially("north")  # as a person types
    page.wait_for_url("**q=north**")
    page.wait_for_load_state("networkidle")
    assert _ids(page) == ["NW-001"]
    page.reload()
    page.wait_for_load_state("networkidle")
    assert _ids(page) == ["NW-001"]
    assert page.input_value("#a-q") == "north"

    # A filter that excludes everything says so.
    page.goto(f"{base}/accounts/?reason=onboarding")
    assert page.locator("#results .empty h2").inner_text() == "No account matches these filters"
    watched.check_page("accounts-filtered-empty")
    watched.assert_clean()


def test_ae_opens_an_account_and_reads_its_charts(watched, scored_twice):
    page, base = watched.page, watched.base
    log_in(page, base, "ae1")
    page.goto(f"{base}/accounts/")
    page.click("a:has-text('Northwind Bank')")
    page.wait_for_url("**/accounts/NW-001/")
    page.wait_for_load_state("networkidle")

    assert page.locator("h1").inner_text().startswith("Northwind Bank")
    why = page.locator(".why-changed").inner_text()
    assert why.startswith("Why it changed. Up 1.8 points since 31 May 2026")
    # Every chart was drawn by Chart.js on its canvas, from its JSON block.
    assert page.locator("canvas[data-chart]").count() == 3  # health trend, api_calls, seats
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-chart]'))"
        ".map(c => !!Chart.getChart(c) && c.width > 0 && c.height > 0)"
    )
    assert drawn == [True, True, True]
    # The same numbers as tables, for screen readers.
    health_rows = page.locator("#health figure.chart table tbody tr")
    assert health_rows.count() == 2
    assert health_rows.nth(1).locator("th").text_content() == "30 Jun 2026"
    assert health_rows.nth(1).locator("td").first.text_content() == "84.5"
    usage_rows = page.locator("#usage figure.chart").first.locator("table tbody tr")
    assert usage_rows.count() == 90
    # Utilization bars against the limit, with the 80/90/95 marks and the projection.
    bars = page.locator("#utilization svg.bar")
    assert bars.count() == 2
    assert bars.first.locator("line.mark").count() == 3
    label = bars.first.get_attribute("aria-label")
    assert "api_calls: 92 % of the limit, past the 90 % alert" in label
    assert "at the current pace" in page.locator("#utilization").inner_text()
    assert page.locator("#plays a[href^='/opportunities/']").count() == 2
    assert "Chris Info" in page.locator("#people").inner_text()
    page.locator("#health figure.chart summary").click()
    watched.check_page("account")
    page.locator("#usage").scroll_into_view_if_needed()
    watched.check_page("account-usage")

    # The timeline filters in place (htmx), and the URL keeps the filter.
    page.click("#timeline a:has-text('Usage alerts')")
    page.wait_for_url("**timeline=alert**")
    page.wait_for_load_state("networkidle")
    items = page.locator("#timeline ol.timeline li")
    assert items.count() == 2
    assert all("reached" in items.nth(i).inner_text() for i in range(items.count()))
    page.locator("#timeline").scroll_into_view_if_needed()
    watched.check_page("account-timeline")
    watched.assert_clean()


def test_second_ae_gets_404_on_the_first_aes_account(watched, scored_twice):
    page, base = watched.page, watched.base
    log_in(page, base, "ae2")

    response = page.goto(f"{base}/accounts/NW-001/")

    assert response.status == 404
    assert "Northwind" not in page.content()
    page.goto(f"{base}/accounts/?q=north")
    assert page.locator("#results tbody tr").count() == 0
    # The 404 page itself logs a console error for the failed document load: not a page fault.
    watched.console_errors[:] = [e for e in watched.console_errors if "404" not in e]
    watched.assert_clean()
