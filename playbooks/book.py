"""The book file this app's model holds (``../shared/spec/book-format.md``): the CRM's
opportunities, read by the importer (``books``)."""

from __future__ import annotations

import pandas as pd

from core.validation import NON_NEGATIVE, Column, Errors, FileSpec, reference

from .models import Motion, Opportunity, Stage


def _opportunity_rows(raw: pd.DataFrame, clean: pd.DataFrame, errors: Errors) -> None:
    decided = raw["stage"].isin((Stage.WON, Stage.LOST))
    errors.add(decided & (raw["closed"] == ""), "closed", "required for stage won or lost")
    created, closed = clean["created"], clean["closed"]
    dated = created.notna() & closed.notna()
    errors.add(
        dated & (closed.fillna("") < created.fillna("")),
        "closed",
        "closed date " + raw["closed"] + " is before created " + raw["created"],
    )


OPPORTUNITIES_FILE = FileSpec(
    "opportunities.csv",
    Opportunity,
    ("external_id",),
    columns=(
        Column("external_id", required=True, max_length=64),
        reference("account_id", "account", "account_id"),
        Column("motion", "enum", required=True, choices=tuple(Motion.values)),
        reference("sku", "product", "target_product_id", required=False),
        Column("amount_arr", "decimal", **NON_NEGATIVE),
        Column(
            "stage",
            "enum",
            required=True,
            choices=tuple(s for s in Stage.values if s != Stage.EXPIRED),
        ),
        Column("created", "date", required=True),
        Column("closed", "date"),
    ),
    row_rules=_opportunity_rows,
)
