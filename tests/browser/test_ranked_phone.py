"""The ranked list on a phone (390 x 844): Score and Why now in view, Status whole; the
Motion (Play), Target and Stage columns give way under 480 px."""

from __future__ import annotations

import pytest

from .conftest import SCREENSHOTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ranked_list_at_390_shows_score_why_and_status(browser, live_server, scored_book):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    log_in(page, live_server.url, "ae1")
    page.goto(f"{live_server.url}/opportunities/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "ranked-390.png"))
    head = page.locator("table.ranked thead th")
    visible = {
        head.nth(i).inner_text().strip().rstrip("▲▼ ").strip().upper(): (
            head.nth(i).bounding_box()
        )
        for i in range(head.count())
        if head.nth(i).is_visible()
    }
    assert "PLAY" not in visible and "TARGET" not in visible and "STAGE" not in visible
    # In view: inside the table's scrolling frame, not past its right edge.
    frame = page.locator(".table-wrap").first.bounding_box()
    right = frame["x"] + frame["width"] + 0.5
    for name in ("STATUS", "SCORE", "WHY NOW"):
        box = visible[name]
        assert box is not None and box["x"] + box["width"] <= right, (name, box, right)
    row = page.locator("table.ranked tr[id^=opp-]").first
    for part in (".badge", ".score", ".chip", ".toggle .btn"):
        box = row.locator(part).first.bounding_box()
        assert box["x"] + box["width"] <= right, (part, box, right)
