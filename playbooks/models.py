"""Expansion opportunities, their stage history and workflow checks (the nightly judgment's
records live in ``scoring.models``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

import codes.health
import codes.opportunities
from accounts.models import Account, Priority, Product, Stakeholder
from accounts.querysets import ROLE_AE, RestrictedQuerySet
from core.choices import text_choices

# The choices: the vocabulary's (codes.opportunities, codes.health), as TextChoices.
Motion = text_choices(codes.opportunities.Motion, module=__name__)
Play = text_choices(codes.opportunities.Play, module=__name__)
Stage = text_choices(codes.opportunities.Stage, module=__name__)
OpportunityStatus = text_choices(codes.opportunities.OpportunityStatus, module=__name__)
AccountActionCode = text_choices(codes.health.AccountActionCode, module=__name__)

OPEN_STAGES = tuple(Stage(code) for code in codes.opportunities.OPEN_STAGES)
CLOSED_STAGES = tuple(Stage(code) for code in codes.opportunities.CLOSED_STAGES)


class OpportunityQuerySet(RestrictedQuerySet):
    """Opportunities are changed by the account's AE (and managers), not by its CSM."""

    change_roles = frozenset({ROLE_AE})
    change_scope = "own"
    change_message = "Only the account's AE or a manager may change an opportunity."


class Opportunity(models.Model):
    """An expansion opportunity: imported from the CRM history (``external_id``) or found by
    the nightly scoring (``key`` = play and target within the account)."""

    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # Indexed by (account, stage) below: a second index on account alone would only slow writes.
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="opportunities", db_index=False
    )
    key = models.CharField(max_length=200, blank=True)
    play = models.CharField(max_length=32, choices=Play.choices, blank=True)
    motion = models.CharField(max_length=32, choices=Motion.choices)
    target_product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="opportunities"
    )
    department = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=16, choices=OpportunityStatus.choices, blank=True)
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.IDENTIFIED)
    score = models.FloatField(default=0)
    triggers = models.JSONField(default=list, blank=True)
    explanation = models.TextField(blank=True)
    new_champion_needed = models.BooleanField(default=False)
    sponsor = models.ForeignKey(
        Stakeholder, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sponsor_priority = models.ForeignKey(
        Priority, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    amount_arr = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    notes = models.TextField(blank=True)
    as_of = models.DateField(null=True, blank=True, help_text="Scoring date of the last refresh.")
    created = models.DateField()
    closed = models.DateField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "opportunities"
        ordering = ["-score", "id"]
        constraints = [
            # One open opportunity per play and target on an account; closed ones are history.
            models.UniqueConstraint(
                fields=["account", "key"],
                condition=Q(stage__in=OPEN_STAGES) & ~Q(key=""),
                name="opportunity_open_key",
            ),
            models.CheckConstraint(
                condition=Q(amount_arr__isnull=True) | Q(amount_arr__gte=0),
                name="opportunity_amount_non_negative",
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=CLOSED_STAGES) | Q(closed__isnull=False),
                name="opportunity_closed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["-score", "id"], name="opportunity_rank"),
            models.Index(fields=["stage", "-score"], name="opportunity_stage_rank"),
            models.Index(fields=["account", "stage"], name="opportunity_account_stage"),
        ]

    def __str__(self) -> str:
        what = self.get_play_display() or self.get_motion_display()
        return f"{what} for {self.account_id} ({self.stage})"


class OpportunityStageChangeQuerySet(RestrictedQuerySet):
    account_path = "opportunity__account__"


class OpportunityStageChange(models.Model):
    """Who moved an opportunity, when, from what to what."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=500, blank=True)

    objects = OpportunityStageChangeQuerySet.as_manager()

    class Meta:
        ordering = ["opportunity", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_stage or '-'} -> {self.to_stage}"


class OpportunityCriterionCheckQuerySet(RestrictedQuerySet):
    account_path = "opportunity__account__"


class OpportunityCriterionCheck(models.Model):
    """A person's tick (or untick) of a workflow exit criterion (``playbooks.workflow``),
    with who and when. Criteria the data answers are never stored: they are read live."""

    opportunity = models.ForeignKey(  # indexed first in opportunity_criterion_key
        Opportunity, on_delete=models.CASCADE, related_name="criterion_checks", db_index=False
    )
    criterion = models.CharField(max_length=64)
    checked = models.BooleanField(default=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    checked_at = models.DateTimeField()

    objects = OpportunityCriterionCheckQuerySet.as_manager()

    class Meta:
        ordering = ["opportunity", "criterion"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "criterion"], name="opportunity_criterion_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion} {'checked' if self.checked else 'unchecked'}"
