"""The book format (shared/spec/book-format.md) as data: one ``FileSpec`` per CSV file.

The importer is driven entirely by these specs: columns, types, required values, natural
keys, references to other files, and the row rules the format states.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from accounts.models import (
    Account,
    Adjacency,
    ContractLine,
    Entitlement,
    EntitlementPeriod,
    Priority,
    Product,
    ProductKind,
    Segment,
    Stakeholder,
    StakeholderRole,
)
from core.validation import Column, Errors, FileSpec, RowError
from playbooks.models import Motion, Opportunity, Stage
from signals.models import (
    SIGNAL_KINDS_WITH_VALUE,
    USAGE_QUANTITY_MAX,
    AccountSignal,
    DailyUsage,
    SignalKind,
    SuccessMetric,
)


def _product_rows(raw: pd.DataFrame, clean: pd.DataFrame, errors: Errors) -> None:
    errors.add(
        (raw["kind"] == "tier") & (raw["tier_rank"] == ""),
        "tier_rank",
        "required for kind 'tier'",
    )


def _contract_rows(raw: pd.DataFrame, clean: pd.DataFrame, errors: Errors) -> None:
    # Compared only where both are valid dates (``clean`` holds None otherwise).
    start, end = clean["start_date"], clean["end_date"]
    before = start.notna() & end.notna() & (end.fillna("") < start.fillna(""))
    errors.add(
        before,
        "end_date",
        "end date " + raw["end_date"] + " is before start_date " + raw["start_date"],
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


def _opportunity_rows(raw: pd.DataFrame, clean: pd.DataFrame, errors: Errors) -> None:
    decided = raw["stage"].isin(("won", "lost"))
    errors.add(decided & (raw["closed"] == ""), "closed", "required for stage won or lost")
    created, closed = clean["created"], clean["closed"]
    dated = created.notna() & closed.notna()
    errors.add(
        dated & (closed.fillna("") < created.fillna("")),
        "closed",
        "closed date " + raw["closed"] + " is before created " + raw["created"],
    )


def _ref(name: str, entity: str, model_field: str, required: bool = True) -> Column:
    return Column(name, "ref", required=required, ref=entity, field=model_field)


NON_NEGATIVE = {"min_value": 0.0}
POSITIVE = {"min_value": 0.0, "min_exclusive": True}

BOOK_FILES: tuple[FileSpec, ...] = (
    FileSpec(
        "products.csv",
        Product,
        ("sku",),
        entity="product",
        entity_key="sku",
        columns=(
            Column("sku", required=True, max_length=64),
            Column("name", required=True, max_length=200),
            Column("kind", "enum", required=True, choices=tuple(ProductKind.values)),
            Column("family", required=True, max_length=100),
            Column("tier_rank", "int", min_value=0, max_value=32767),
            Column("department", max_length=100),
            Column("list_arr", "decimal", **NON_NEGATIVE),
        ),
        row_rules=_product_rows,
    ),
    FileSpec(
        "adjacencies.csv",
        Adjacency,
        ("from_sku", "to_sku"),
        columns=(
            _ref("from_sku", "product", "from_product_id"),
            _ref("to_sku", "product", "to_product_id"),
            Column("pitch"),
        ),
    ),
    FileSpec(
        "accounts.csv",
        Account,
        ("external_id",),
        entity="account",
        entity_key="external_id",
        required_file=True,
        columns=(
            Column("external_id", required=True, max_length=64),
            Column("name", required=True, max_length=200),
            Column("segment", "enum", required=True, choices=tuple(Segment.values)),
            Column("industry", max_length=100),
            Column("region", max_length=100),
            Column("domain", max_length=200),
            Column("owner_email", "email", lower=True, max_length=254),
            Column("csm_email", "email", lower=True, max_length=254),
            Column("customer_since", "date", required=True),
        ),
    ),
    FileSpec(
        "contracts.csv",
        ContractLine,
        ("external_id",),
        entity="contract",
        entity_key="external_id",
        columns=(
            Column("external_id", required=True, max_length=64),
            _ref("account_id", "account", "account_id"),
            _ref("sku", "product", "product_id"),
            Column("start_date", "date", required=True),
            Column("end_date", "date", required=True, max_days_ahead=None),
            Column("arr", "decimal", required=True, **NON_NEGATIVE),
        ),
        row_rules=_contract_rows,
    ),
    FileSpec(
        "entitlements.csv",
        Entitlement,
        ("contract_id", "metric"),
        columns=(
            _ref("contract_id", "contract", "contract_id"),
            Column("metric", required=True, max_length=64),
            Column("limit", "decimal", required=True, **POSITIVE),
            Column("period", "enum", required=True, choices=tuple(EntitlementPeriod.values)),
        ),
    ),
    FileSpec(
        "stakeholders.csv",
        Stakeholder,
        ("external_id",),
        entity="stakeholder",
        entity_key="external_id",
        columns=(
            Column("external_id", required=True, max_length=64),
            _ref("account_id", "account", "account_id"),
            Column("name", required=True, max_length=200),
            Column("email", "email", max_length=254),
            Column("title", max_length=200),
            Column("department", max_length=100),
            Column("role", "enum", required=True, choices=tuple(StakeholderRole.values)),
            Column("influence", "int", min_value=1, max_value=5),
            Column("active", "bool"),
        ),
    ),
    FileSpec(
        "priorities.csv",
        Priority,
        ("stakeholder_id", "year", "priority"),
        columns=(
            _ref("stakeholder_id", "stakeholder", "stakeholder_id"),
            Column("year", "int", required=True, min_value=1900, max_value=2999),
            Column("priority", required=True, max_length=500),
            Column("department", max_length=100),
            Column("source", max_length=50),
        ),
    ),
    FileSpec(
        "usage.csv",
        DailyUsage,
        ("account_id", "metric", "date"),
        columns=(
            _ref("account_id", "account", "account_id"),
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
    ),
    FileSpec(
        "signals.csv",
        AccountSignal,
        ("account_id", "date", "kind", "detail"),
        columns=(
            _ref("account_id", "account", "account_id"),
            Column("date", "date", required=True),
            Column("kind", "enum", required=True, choices=tuple(SignalKind.values)),
            Column("value", "decimal"),
            Column("department", max_length=100),
            Column("detail", max_length=500),
        ),
        row_rules=_signal_rows,
    ),
    FileSpec(
        "success_metrics.csv",
        SuccessMetric,
        ("account_id", "name"),
        columns=(
            _ref("account_id", "account", "account_id"),
            Column("name", required=True, max_length=200),
            Column("unit", max_length=32),
            Column("baseline", "decimal"),
            Column("target", "decimal", required=True),
            Column("achieved", "decimal", required=True),
            Column("as_of", "date", required=True),
        ),
    ),
    FileSpec(
        "opportunities.csv",
        Opportunity,
        ("external_id",),
        columns=(
            Column("external_id", required=True, max_length=64),
            _ref("account_id", "account", "account_id"),
            Column("motion", "enum", required=True, choices=tuple(Motion.values)),
            _ref("sku", "product", "target_product_id", required=False),
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
    ),
)

BOOK_FILES_BY_NAME = {spec.filename: spec for spec in BOOK_FILES}


@dataclass
class FileReport:
    filename: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    seconds: float = 0.0
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
