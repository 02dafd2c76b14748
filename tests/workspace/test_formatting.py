"""The pages' formatting filters: what a number reads like on every page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template

from workspace.templatetags import formatting as f


@pytest.mark.parametrize(
    ("value", "args", "expected"),
    [
        (12345.6, (), "$12,346"),
        (Decimal("1200.50"), (2,), "$1,200.50"),
        (-500, (), "-$500"),
        (None, (), "—"),
        ("", (), "—"),
        ("not a number", (), "—"),
    ],
)
def test_money(value, args, expected):
    assert f.money(value, *args) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (4_200_000, "4.2 M"),
        (3_000_000, "3 M"),
        (12_500, "12.5 k"),
        (999, "999"),
        (85, "85"),
        (91.5, "91.5"),
        (1_500_000_000, "1.5 B"),
        (None, "—"),
    ],
)
def test_compact(value, expected):
    assert f.compact(value) == expected


def test_money_compact():
    assert f.money_compact(1_250_000) == "$1.25 M"
    assert f.money_compact(48_000) == "$48 k"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(0.828, 1, "82.8 %"), (0.828, 0, "83 %"), (1.3, 0, "130 %"), (None, 0, "—")],
)
def test_percent(value, decimals, expected):
    assert f.percent(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(53.82, "53.8"), (65.0, "65"), (0, "0"), (-0.01, "0"), (None, "—")]
)
def test_points(value, expected):
    assert f.points(value) == expected


def test_day_and_days_from():
    assert f.day(dt.date(2026, 6, 30)) == "30 Jun 2026"
    assert f.day("2026-06-05") == "5 Jun 2026"
    assert f.day(dt.datetime(2026, 6, 30, 14, 5, tzinfo=dt.UTC)) == "30 Jun 2026, 14:05"
    assert f.day(None) == "—"
    ref = dt.date(2026, 6, 30)
    assert f.days_from(dt.date(2026, 8, 11), ref) == "in 42 days"
    assert f.days_from(dt.date(2026, 6, 29), ref) == "1 day ago"
    assert f.days_from(ref, ref) == "today"


@pytest.mark.parametrize(
    ("value", "band"), [(82.8, "good"), (70.0, "watch"), (50, "watch"), (49.9, "risk"), (None, "")]
)
def test_health_band(value, band):
    """70 itself is not healthy: eligibility needs health > 70 (scoring.md section 3)."""
    assert f.health_band(value) == band


@pytest.mark.parametrize(
    ("ratio", "level"),
    [(0.79, 0), (0.8, 80), (0.8999, 80), (0.9, 90), (0.95, 95), (1.4, 95), (None, 0)],
)
def test_alert_level_reached_on_the_threshold(ratio, level):
    assert f.alert_level(ratio) == level


def test_bar_width_is_capped_to_the_track():
    assert f.bar_width(0.425) == "42.5"
    assert f.bar_width(1.3) == "100"
    assert f.bar_width(-1) == "0"


def test_chart_rows_transpose_datasets():
    chart = {"labels": ["Jun 1", "Jun 2"], "datasets": [{"data": [1, 2]}, {"data": [3, 4]}]}
    assert f.chart_rows(chart) == [("Jun 1", [1, 3]), ("Jun 2", [2, 4])]


def test_label_for_falls_back_to_the_code_in_words():
    assert f.label_for("ready", {"ready": "Ready"}) == "Ready"
    assert f.label_for("held_back", {}) == "Held back"


def test_filters_load_in_templates():
    out = Template("{% load formatting %}{{ v|money }} {{ r|percent:1 }}").render(
        Context({"v": 1000, "r": 0.5})
    )
    assert out == "$1,000 50.0 %"
