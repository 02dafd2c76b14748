"""Formatting for the pages: money, percentages, quantities, dates, and the bands and levels
that colour them. Templates only display; every number's words come from here (tested in
tests/workspace/test_formatting.py).

``{% load formatting %}``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.utils import timezone

register = template.Library()

DASH = "—"

# Health bands (scoring.md: an account is eligible for expansion only above 70).
HEALTH_GOOD = 70.0
HEALTH_WATCH = 50.0
# Utilization alert levels (scoring.md section 1), highest first.
ALERT_LEVELS = (95, 90, 80)


def _number(value) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        return None


def _grouped(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


@register.filter
def money(value, decimals: int = 0) -> str:
    """``12345.6`` -> ``$12,346`` (the install's one currency, ``CURRENCY_SYMBOL``)."""
    number = _number(value)
    if number is None:
        return DASH
    symbol = getattr(settings, "CURRENCY_SYMBOL", "$")
    sign = "-" if number < 0 else ""
    return f"{sign}{symbol}{_grouped(abs(number), int(decimals))}"


@register.filter
def compact(value, decimals: int = 1) -> str:
    """Large quantities the way people say them: ``4200000`` -> ``4.2 M``, ``12500`` ->
    ``12.5 k``; below a thousand, the number itself (no trailing ``.0``)."""
    number = _number(value)
    if number is None:
        return DASH
    size = abs(number)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            text = f"{number / limit:.{int(decimals)}f}".rstrip("0").rstrip(".")
            return f"{text} {suffix}"
    if number == int(number):
        return _grouped(number, 0)
    return f"{number:.{int(decimals)}f}".rstrip("0").rstrip(".")


@register.filter
def money_compact(value) -> str:
    """``1250000`` -> ``$1.25 M``: for figures in a sentence or a key-figure card."""
    number = _number(value)
    if number is None:
        return DASH
    symbol = getattr(settings, "CURRENCY_SYMBOL", "$")
    sign = "-" if number < 0 else ""
    return f"{sign}{symbol}{compact(abs(number), 2)}"


@register.filter
def percent(value, decimals: int = 0) -> str:
    """A ratio as a percentage: ``0.828`` -> ``83 %`` (``percent:1`` -> ``82.8 %``)."""
    number = _number(value)
    if number is None:
        return DASH
    return f"{number * 100:.{int(decimals)}f} %"


@register.filter
def points(value, decimals: int = 1) -> str:
    """A score or a number of points: one decimal, without a trailing ``.0``."""
    number = _number(value)
    if number is None:
        return DASH
    text = f"{number:.{int(decimals)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@register.filter
def day(value) -> str:
    """``2026-06-30`` -> ``30 Jun 2026``; a datetime in the current time zone, with its
    time: ``30 Jun 2026, 14:05``."""
    if value in (None, ""):
        return DASH
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{value.day} {value:%b %Y, %H:%M}"
    return f"{value.day} {value:%b %Y}"


@register.filter
def days_from(value, reference=None) -> str:
    """``in 42 days`` / ``12 days ago`` / ``today`` from ``reference`` (default: today)."""
    if value in (None, ""):
        return DASH
    if isinstance(value, dt.datetime):
        value = value.date()
    reference = reference or timezone.localdate()
    if isinstance(reference, dt.datetime):
        reference = reference.date()
    delta = (value - reference).days
    if delta == 0:
        return "today"
    unit = "day" if abs(delta) == 1 else "days"
    return f"in {delta} {unit}" if delta > 0 else f"{-delta} {unit} ago"


@register.filter
def health_band(value) -> str:
    """``good`` (> 70: eligible for expansion), ``watch`` (50-70) or ``risk`` (< 50);
    ``""`` when unknown. Used as a class suffix: ``health-good``, ``badge-good``."""
    number = _number(value)
    if number is None:
        return ""
    if number > HEALTH_GOOD:
        return "good"
    if number >= HEALTH_WATCH:
        return "watch"
    return "risk"


@register.filter
def alert_level(ratio) -> int:
    """The highest utilization alert level a ratio reaches (a value on a threshold reaches
    it): 95, 90, 80, or 0."""
    number = _number(ratio)
    if number is None:
        return 0
    for level in ALERT_LEVELS:
        # Compared in whole hundredths of a percent: 0.8 x 100 is 80.00000000000001.
        if round(number * 10000) >= level * 100:
            return level
    return 0


@register.filter
def bar_width(ratio) -> str:
    """A ratio as an SVG width, capped to the track: ``1.3`` -> ``100``, ``0.425`` ->
    ``42.5``."""
    number = _number(ratio)
    if number is None or number <= 0:
        return "0"
    return points(min(number, 1.0) * 100, 1)


@register.filter
def chart_rows(chart: dict) -> list[tuple]:
    """A chart's data as table rows for screen readers: ``(label, [value per dataset])``."""
    labels = chart.get("labels", []) if chart else []
    datasets = chart.get("datasets", []) if chart else []
    return [
        (label, [(ds.get("data") or [None] * len(labels))[i] for ds in datasets])
        for i, label in enumerate(labels)
    ]


@register.filter
def label_for(code, labels: dict) -> str:
    """A code's label from a dict, falling back to the code in words: codes added later
    (new plays, reasons) still read well."""
    if code in (None, ""):
        return DASH
    if labels and code in labels:
        return labels[code]
    return str(code).replace("_", " ").capitalize()


@register.filter
def with_columns(row, columns) -> list[tuple]:
    """A table row's cells paired with their column specs: ``(column, cell)``."""
    columns = list(columns or [])
    return [(columns[i] if i < len(columns) else {}, cell) for i, cell in enumerate(row)]
