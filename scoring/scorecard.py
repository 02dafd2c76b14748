"""The account scorecard: accounts with their latest scoring results (health, eligibility,
utilization, actions, open opportunities), read by the account pages and by
``/api/v1/accounts/`` alike."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    JSONField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Account, ContractLine
from playbooks.models import OPEN_STAGES, Opportunity

from .models import AccountAction, HealthSnapshot, UtilizationSnapshot
from .selectors import latest_scoring_run


def scoring_as_of() -> dt.date | None:
    """The date of the latest successful scoring run: what 'current' results mean."""
    run = latest_scoring_run()
    return None if run is None else run.as_of


def account_list(*, user, day: dt.date | None = None) -> QuerySet[Account]:
    """Accounts the user may see, with ``arr_on_day`` and ``renewal_date`` annotated for
    ``day`` (default: the latest scoring date, else today)."""
    day = day or scoring_as_of() or timezone.localdate()
    active = ContractLine.objects.filter(
        account=OuterRef("pk"), start_date__lte=day, end_date__gte=day
    )
    arr = active.order_by().values("account").annotate(total=Sum("arr")).values("total")
    return (
        Account.objects.restrict(user)
        .annotate(
            arr_on_day=Subquery(arr, output_field=DecimalField(max_digits=16, decimal_places=2)),
            renewal_date=Subquery(active.order_by("end_date").values("end_date")[:1]),
        )
        .order_by("external_id")
    )


def account_rows(*, user, as_of: dt.date | None = None) -> QuerySet[Account]:
    """``account_list`` with what the list page and the API sort and filter on (see
    ``filters.AccountFilterSet``), all as of the latest scoring date: ``health_score``,
    ``eligible`` and ``health_reasons`` (a join on that date's snapshot), ``top_utilization``
    (the highest ratio of the account's entitlements) and ``open_opportunities``. One query
    for a page, whatever the book's size (the subqueries are correlated per row returned)."""
    as_of = as_of or scoring_as_of()
    open_count = (
        Opportunity.objects.filter(account=OuterRef("pk"), stage__in=OPEN_STAGES)
        .order_by()
        .values("account")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = account_list(user=user, day=as_of or timezone.localdate()).annotate(
        open_opportunities=Coalesce(Subquery(open_count, output_field=IntegerField()), 0)
    )
    if as_of is None:
        return rows.annotate(
            health_score=Value(None, output_field=FloatField()),
            eligible=Value(None, output_field=BooleanField()),
            health_reasons=Value(None, output_field=JSONField()),
            top_utilization=Value(None, output_field=FloatField()),
        )
    top = (
        UtilizationSnapshot.objects.filter(
            entitlement__contract__account=OuterRef("pk"), as_of=as_of
        )
        .order_by()
        .values("entitlement__contract__account")
        .annotate(top=Max("ratio"))
        .values("top")
    )
    return rows.annotate(
        snapshot=FilteredRelation("health_snapshots", condition=Q(health_snapshots__as_of=as_of)),
        health_score=F("snapshot__score"),
        eligible=F("snapshot__eligible"),
        health_reasons=F("snapshot__reasons"),
        top_utilization=Subquery(top, output_field=FloatField()),
    )


def account_scoring_details(*, account_ids: list[int], as_of: dt.date | None) -> dict[int, dict]:
    """Health, utilization and actions of the given accounts on ``as_of``: three queries
    whatever the number of accounts."""
    details: dict[int, dict] = defaultdict(
        lambda: {"health": None, "utilization": [], "actions": []}
    )
    if as_of is None or not account_ids:
        return details
    snapshots = HealthSnapshot.objects.filter(account_id__in=account_ids, as_of=as_of)
    for snap in snapshots:  # one query for the whole page
        details[snap.account_id]["health"] = snap
    utilization = (
        UtilizationSnapshot.objects.filter(
            entitlement__contract__account_id__in=account_ids, as_of=as_of
        )
        .order_by("entitlement__contract__product__sku", "entitlement__metric")
        .values(
            "entitlement__contract__account_id",
            "entitlement__contract__product__sku",
            "entitlement__metric",
            "entitlement__limit",
            "entitlement__period",
            "used",
            "ratio",
            "level",
        )
    )
    for row in utilization:
        details[row["entitlement__contract__account_id"]]["utilization"].append(
            {
                "sku": row["entitlement__contract__product__sku"],
                "metric": row["entitlement__metric"],
                "limit": row["entitlement__limit"],
                "period": row["entitlement__period"],
                "used": row["used"],
                "ratio": row["ratio"],
                "level": row["level"],
            }
        )
    actions = AccountAction.objects.filter(account_id__in=account_ids, as_of=as_of)
    for action in actions.order_by("code"):
        details[action.account_id]["actions"].append(action)
    return details
