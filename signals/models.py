"""What happens at a customer: daily product usage, events, and outcome anchors."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

import codes.signals
from accounts.models import Account
from accounts.querysets import CsmChangesQuerySet, RestrictedQuerySet
from codes.signals import SIGNAL_KINDS_WITH_VALUE
from core.choices import text_choices

# The choices: the vocabulary's (codes.signals), as TextChoices of the same name.
SignalKind = text_choices(codes.signals.SignalKind, module=__name__)

#: The largest usage quantity accepted (API, import, database): far above what any real
#: meter reports in a day, far below where sums over a window stop being exact or finite.
USAGE_QUANTITY_MAX = 1e12


class DailyUsage(models.Model):
    """One metric's usage on one day: the day's amount (month metrics) or level (instant).

    Keyed by (account, metric, date): re-sending a day replaces it, never adds to it.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="usage")
    metric = models.CharField(max_length=64)
    date = models.DateField()
    quantity = models.FloatField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "daily usage"
        ordering = ["account", "metric", "date"]
        constraints = [
            # Its index also serves the scoring's window sums per (account, metric, date range).
            models.UniqueConstraint(fields=["account", "metric", "date"], name="usage_key"),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="usage_quantity_non_negative"
            ),
            # Also keeps out NaN and infinity (PostgreSQL orders both above every number).
            models.CheckConstraint(
                condition=Q(quantity__lte=USAGE_QUANTITY_MAX), name="usage_quantity_at_most_max"
            ),
        ]
        indexes = [models.Index(fields=["date"], name="usage_date")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.metric} {self.date}: {self.quantity}"


class AccountSignal(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="signals")
    date = models.DateField()
    kind = models.CharField(max_length=32, choices=SignalKind.choices)
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    department = models.CharField(max_length=100, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    objects = CsmChangesQuerySet.as_manager()

    class Meta:
        ordering = ["account", "-date", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "date", "kind", "detail"], name="account_signal_key"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=SIGNAL_KINDS_WITH_VALUE) | Q(value__isnull=False),
                name="account_signal_value_required",
            ),
            models.CheckConstraint(
                condition=~Q(kind=SignalKind.INTERNAL_REFERRAL) | ~Q(department=""),
                name="account_signal_referral_department",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "date"], name="account_signal_kind_date"),
            models.Index(fields=["account", "kind", "date"], name="account_signal_account_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.kind} {self.detail}".strip()


class SuccessMetric(models.Model):
    """An outcome anchor agreed at the initial deal, with its latest measurement."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="success_metrics")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=32, blank=True)
    baseline = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    target = models.DecimalField(max_digits=18, decimal_places=4)
    achieved = models.DecimalField(max_digits=18, decimal_places=4)
    as_of = models.DateField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["account", "name"]
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="success_metric_key"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.achieved} / {self.target}"
