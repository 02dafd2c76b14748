"""The book files this app's models hold (``../shared/spec/book-format.md``): one
``FileSpec`` each, read by the importer (``books``), the usage API and the API's row rules."""

from __future__ import annotations

import pandas as pd

from core.validation import NON_NEGATIVE, Column, Errors, FileSpec, reference

from .models import (
    SIGNAL_KINDS_WITH_VALUE,
    USAGE_QUANTITY_MAX,
    AccountSignal,
    DailyUsage,
    SignalKind,
    SuccessMetric,
)


def _signal_rows(raw: pd.DataFrame, clean: pd.DataFrame, errors: Errors) -> None:
    value = pd.to_numeric(raw["value"].where(raw["value"] != "", None), errors="coerce")
    for kind in SIGNAL_KINDS_WITH_VALUE:
        errors.add(
            (raw["kind"] == kind) & (raw["value"] == ""), "value", f"required for kind '{kind}'"
        )
    errors.add(
        (raw["kind"] == "nps") & ~value.between(0, 10) & value.notna(),
        "value",
        "NPS must be between 0 and 10, got " + raw["value"],
    )
    errors.add(
        (raw["kind"] == "support_ticket") & ~value.between(1, 4) & value.notna(),
        "value",
        "ticket severity must be between 1 and 4, got " + raw["value"],
    )
    errors.add(
        (raw["kind"] == "new_users") & (value < 0),
        "value",
        "new users must be >= 0, got " + raw["value"],
    )
    errors.add(
        (raw["kind"] == "internal_referral") & (raw["department"] == ""),
        "department",
        "required for kind 'internal_referral'",
    )


USAGE_FILE = FileSpec(
    "usage.csv",
    DailyUsage,
    ("account_id", "metric", "date"),
    columns=(
        reference("account_id", "account", "account_id"),
        Column("metric", required=True, max_length=64),
        Column("date", "date", required=True),
        Column(
            "quantity",
            "decimal",
            required=True,
            max_value=USAGE_QUANTITY_MAX,
            **NON_NEGATIVE,
        ),
    ),
)


SIGNALS_FILE = FileSpec(
    "signals.csv",
    AccountSignal,
    ("account_id", "date", "kind", "detail"),
    columns=(
        reference("account_id", "account", "account_id"),
        Column("date", "date", required=True),
        Column("kind", "enum", required=True, choices=tuple(SignalKind.values)),
        Column("value", "decimal"),
        Column("department", max_length=100),
        Column("detail", max_length=500),
    ),
    row_rules=_signal_rows,
)


SUCCESS_METRICS_FILE = FileSpec(
    "success_metrics.csv",
    SuccessMetric,
    ("account_id", "name"),
    columns=(
        reference("account_id", "account", "account_id"),
        Column("name", required=True, max_length=200),
        Column("unit", max_length=32),
        Column("baseline", "decimal"),
        Column("target", "decimal", required=True),
        Column("achieved", "decimal", required=True),
        Column("as_of", "date", required=True),
    ),
)
