"""The installed base: catalogue, accounts, contract lines, entitlements, people."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

import codes.accounts
from core.choices import text_choices

from .querysets import AccountQuerySet, CsmChangesQuerySet, RestrictedQuerySet

# The choices: the vocabulary's (codes.accounts), as TextChoices of the same name.
ProductKind = text_choices(codes.accounts.ProductKind, module=__name__)
Segment = text_choices(codes.accounts.Segment, module=__name__)
EntitlementPeriod = text_choices(codes.accounts.EntitlementPeriod, module=__name__)
StakeholderRole = text_choices(codes.accounts.StakeholderRole, module=__name__)


class Product(models.Model):
    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=ProductKind.choices)
    family = models.CharField(max_length=100)
    tier_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    department = models.CharField(max_length=100, blank=True, db_index=True)
    list_arr = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["family", "tier_rank", "sku"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="tier") | Q(tier_rank__isnull=False),
                name="product_tier_has_rank",
            ),
            models.CheckConstraint(
                condition=Q(list_arr__isnull=True) | Q(list_arr__gte=0),
                name="product_list_arr_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} ({self.name})"


class Adjacency(models.Model):
    """The cross-sell map: owning ``from_product`` makes ``to_product`` a natural next step."""

    from_product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="adjacent_to")
    to_product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="adjacent_from")
    pitch = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "adjacencies"
        constraints = [
            models.UniqueConstraint(fields=["from_product", "to_product"], name="adjacency_key"),
        ]

    def __str__(self) -> str:
        return f"{self.from_product.sku} -> {self.to_product.sku}"


class Account(models.Model):
    external_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    segment = models.CharField(max_length=16, choices=Segment.choices)
    industry = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    domain = models.CharField(max_length=200, blank=True)
    # Stored lower-case: role scoping compares them with the user's e-mail.
    owner_email = models.EmailField(blank=True, db_index=True)
    csm_email = models.EmailField(blank=True, db_index=True)
    customer_since = models.DateField()

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["segment", "industry"], name="account_segment_industry")]

    def __str__(self) -> str:
        return f"{self.external_id} {self.name}"


class ContractLine(models.Model):
    """One product on one account for one term; ``end_date`` (inclusive) is the renewal date."""

    external_id = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contract_lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="contract_lines")
    start_date = models.DateField()
    end_date = models.DateField()
    arr = models.DecimalField(max_digits=14, decimal_places=2)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["account", "start_date", "external_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="contract_end_not_before_start"
            ),
            models.CheckConstraint(condition=Q(arr__gte=0), name="contract_arr_non_negative"),
        ]
        indexes = [
            models.Index(
                fields=["account", "start_date", "end_date"], name="contract_account_term"
            ),
            models.Index(fields=["start_date", "end_date"], name="contract_term"),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} {self.product_id} {self.start_date}..{self.end_date}"


class EntitlementQuerySet(RestrictedQuerySet):
    account_path = "contract__account__"


class Entitlement(models.Model):
    contract = models.ForeignKey(
        ContractLine, on_delete=models.CASCADE, related_name="entitlements"
    )
    metric = models.CharField(max_length=64)
    limit = models.DecimalField(max_digits=20, decimal_places=4)
    period = models.CharField(max_length=8, choices=EntitlementPeriod.choices)

    objects = EntitlementQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "metric"], name="entitlement_key"),
            models.CheckConstraint(condition=Q(limit__gt=0), name="entitlement_limit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.external_id} {self.metric} <= {self.limit}/{self.period}"


class Stakeholder(models.Model):
    external_id = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    title = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=100, blank=True)
    role = models.CharField(max_length=32, choices=StakeholderRole.choices)
    influence = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    active = models.BooleanField(default=True)

    objects = CsmChangesQuerySet.as_manager()

    class Meta:
        ordering = ["account", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(influence__isnull=True) | Q(influence__gte=1, influence__lte=5),
                name="stakeholder_influence_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["account", "role", "active"], name="stakeholder_role")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class PriorityQuerySet(CsmChangesQuerySet):
    account_path = "stakeholder__account__"


class Priority(models.Model):
    """An executive's stated priority for a plan year; its department matches it to products."""

    stakeholder = models.ForeignKey(
        Stakeholder, on_delete=models.CASCADE, related_name="priorities"
    )
    year = models.PositiveSmallIntegerField()
    priority = models.CharField(max_length=500)
    department = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=50, blank=True)

    objects = PriorityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "priorities"
        ordering = ["stakeholder", "-year", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["stakeholder", "year", "priority"], name="priority_key"
            ),
        ]
        indexes = [models.Index(fields=["year", "department"], name="priority_year_department")]

    def __str__(self) -> str:
        return f"{self.year}: {self.priority}"
