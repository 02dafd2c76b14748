"""The book files this app's models hold (``../shared/spec/book-format.md``): one
``FileSpec`` each, read by the importer (``books``) and by the API's row rules."""

from __future__ import annotations

import pandas as pd

from core.validation import NON_NEGATIVE, POSITIVE, Column, Errors, FileSpec, reference

from .models import (
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


PRODUCTS_FILE = FileSpec(
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
)


ADJACENCIES_FILE = FileSpec(
    "adjacencies.csv",
    Adjacency,
    ("from_sku", "to_sku"),
    columns=(
        reference("from_sku", "product", "from_product_id"),
        reference("to_sku", "product", "to_product_id"),
        Column("pitch"),
    ),
)


ACCOUNTS_FILE = FileSpec(
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
)


CONTRACTS_FILE = FileSpec(
    "contracts.csv",
    ContractLine,
    ("external_id",),
    entity="contract",
    entity_key="external_id",
    columns=(
        Column("external_id", required=True, max_length=64),
        reference("account_id", "account", "account_id"),
        reference("sku", "product", "product_id"),
        Column("start_date", "date", required=True),
        Column("end_date", "date", required=True, max_days_ahead=None),
        Column("arr", "decimal", required=True, **NON_NEGATIVE),
    ),
    row_rules=_contract_rows,
)


ENTITLEMENTS_FILE = FileSpec(
    "entitlements.csv",
    Entitlement,
    ("contract_id", "metric"),
    columns=(
        reference("contract_id", "contract", "contract_id"),
        Column("metric", required=True, max_length=64),
        Column("limit", "decimal", required=True, **POSITIVE),
        Column("period", "enum", required=True, choices=tuple(EntitlementPeriod.values)),
    ),
)


STAKEHOLDERS_FILE = FileSpec(
    "stakeholders.csv",
    Stakeholder,
    ("external_id",),
    entity="stakeholder",
    entity_key="external_id",
    columns=(
        Column("external_id", required=True, max_length=64),
        reference("account_id", "account", "account_id"),
        Column("name", required=True, max_length=200),
        Column("email", "email", max_length=254),
        Column("title", max_length=200),
        Column("department", max_length=100),
        Column("role", "enum", required=True, choices=tuple(StakeholderRole.values)),
        Column("influence", "int", min_value=1, max_value=5),
        Column("active", "bool"),
    ),
)


PRIORITIES_FILE = FileSpec(
    "priorities.csv",
    Priority,
    ("stakeholder_id", "year", "priority"),
    columns=(
        reference("stakeholder_id", "stakeholder", "stakeholder_id"),
        Column("year", "int", required=True, min_value=1900, max_value=2999),
        Column("priority", required=True, max_length=500),
        Column("department", max_length=100),
        Column("source", max_length=50),
    ),
)
