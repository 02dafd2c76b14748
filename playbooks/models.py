"""Expansion opportunities, their stage history, and the nightly scoring's results."""

from __future__ import annotations

from dataclasses import Field, fields

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Account, Entitlement, Priority, Product, Stakeholder
from accounts.querysets import ROLE_AE, AccountScopedQuerySet, RestrictedQuerySet

from .scoring.config import ScoringConfig


class Motion(models.TextChoices):
    UPSELL = "upsell", "Upsell"
    CROSS_SELL = "cross_sell", "Cross-sell"
    SEAT_EXPANSION = "seat_expansion", "Seat expansion"
    USAGE_EXPANSION = "usage_expansion", "Usage expansion"
    RENEWAL = "renewal", "Renewal"
    PRICE_INCREASE = "price_increase", "Price increase"


class Play(models.TextChoices):
    TIER_UPGRADE = "tier_upgrade", "Tier upgrade"
    USAGE_EXPANSION = "usage_expansion", "Usage expansion"
    SEAT_EXPANSION = "seat_expansion", "Seat expansion"
    VALUE_REVIEW = "value_review", "Value review"
    AUTOMATION_AUDIT = "automation_audit", "Automation audit"
    COMPLIANCE_MODULE = "compliance_module", "Compliance module"
    FEATURE_UPSELL = "feature_upsell", "Feature upsell"
    ADJACENT_CROSS_SELL = "adjacent_cross_sell", "Adjacent cross-sell"
    RENEWAL_MODULE = "renewal_module", "Renewal module"


class Stage(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    QUALIFIED = "qualified", "Qualified"
    PROPOSAL = "proposal", "Proposal"
    NEGOTIATION = "negotiation", "Negotiation"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    EXPIRED = "expired", "Expired"


OPEN_STAGES = (Stage.IDENTIFIED, Stage.QUALIFIED, Stage.PROPOSAL, Stage.NEGOTIATION)
CLOSED_STAGES = (Stage.WON, Stage.LOST, Stage.EXPIRED)


class OpportunityStatus(models.TextChoices):
    READY = "ready", "Ready"
    NEEDS_SPONSOR = "needs_sponsor", "Needs sponsor"


class AccountActionCode(models.TextChoices):
    HEALTH_RECOVERY = "health_recovery", "Health recovery"
    ADOPTION_INTERVENTION = "adoption_intervention", "Adoption intervention"
    DEVELOP_SPONSOR = "develop_sponsor", "Develop sponsor"


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


class OpportunityStageChangeQuerySet(AccountScopedQuerySet):
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


class OpportunityCriterionCheckQuerySet(AccountScopedQuerySet):
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


class ScoringRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ScoringRun(models.Model):
    as_of = models.DateField()
    settings = models.JSONField(default=dict, help_text="The scoring settings this run used.")
    started = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ScoringRunStatus.choices, default=ScoringRunStatus.RUNNING
    )
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    skipped = models.JSONField(
        default=list,
        blank=True,
        help_text="Accounts left out for bad stored data: account_id, external_id, reason.",
    )
    # Who runs it: an in-process run records its process; a Celery chord run has none and
    # is judged by its heartbeat (see services.scoring_runs_reap).
    pid = models.PositiveIntegerField(null=True, blank=True)
    hostname = models.CharField(max_length=255, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True, help_text="Last sign of life.")

    class Meta:
        ordering = ["-started"]
        indexes = [models.Index(fields=["as_of", "status"], name="scoring_run_as_of")]
        constraints = [
            # One run at a time: runs write the same current opportunities, whatever their date.
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="running"),
                name="scoring_run_one_running",
            ),
        ]

    def __str__(self) -> str:
        return f"run {self.pk} as of {self.as_of}: {self.status}"


class HealthSnapshot(models.Model):
    account = models.ForeignKey(  # indexed first in health_snapshot_key
        Account, on_delete=models.CASCADE, related_name="health_snapshots", db_index=False
    )
    as_of = models.DateField()
    run = models.ForeignKey(ScoringRun, on_delete=models.SET_NULL, null=True, blank=True)
    score = models.FloatField()
    adoption = models.FloatField()
    trend = models.FloatField()
    sentiment = models.FloatField()
    support = models.FloatField()
    relationship = models.FloatField()
    eligible = models.BooleanField()
    reasons = models.JSONField(default=list, blank=True)
    held_back = models.JSONField(
        default=list,
        blank=True,
        help_text='Candidates that wait: [{"play", "target_sku", "score", "reason", "detail"}].',
    )

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        ordering = ["account", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["account", "as_of"], name="health_snapshot_key"),
        ]
        indexes = [models.Index(fields=["as_of", "score"], name="health_snapshot_as_of")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.as_of}: {self.score:.1f}"


class UtilizationSnapshotQuerySet(AccountScopedQuerySet):
    account_path = "entitlement__contract__account__"


class UtilizationSnapshot(models.Model):
    entitlement = models.ForeignKey(  # indexed first in utilization_key
        Entitlement, on_delete=models.CASCADE, related_name="utilization_snapshots", db_index=False
    )
    as_of = models.DateField()
    used = models.FloatField()
    ratio = models.FloatField()
    level = models.PositiveSmallIntegerField(default=0, help_text="Highest alert level reached.")

    objects = UtilizationSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["entitlement", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["entitlement", "as_of"], name="utilization_key"),
        ]
        indexes = [models.Index(fields=["as_of"], name="utilization_as_of")]

    def __str__(self) -> str:
        return f"{self.entitlement_id} {self.as_of}: {self.ratio:.0%}"


class AccountAction(models.Model):
    """What to do at an account instead of (or before) an expansion play, on a scoring date."""

    account = models.ForeignKey(  # indexed first in account_action_key
        Account, on_delete=models.CASCADE, related_name="actions", db_index=False
    )
    as_of = models.DateField()
    code = models.CharField(max_length=32, choices=AccountActionCode.choices)
    detail = models.TextField(blank=True)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        ordering = ["account", "-as_of", "code"]
        constraints = [
            models.UniqueConstraint(fields=["account", "as_of", "code"], name="account_action_key"),
        ]
        indexes = [models.Index(fields=["as_of", "code"], name="account_action_as_of")]

    def __str__(self) -> str:
        return f"{self.code} for {self.account_id} on {self.as_of}"


class UsageAlertQuerySet(AccountScopedQuerySet):
    account_path = "entitlement__contract__account__"


class UsageAlert(models.Model):
    """Raised once per entitlement and level: an entitlement belongs to one contract line,
    so (entitlement, level) is also once per term."""

    entitlement = models.ForeignKey(  # indexed first in usage_alert_key
        Entitlement, on_delete=models.CASCADE, related_name="alerts", db_index=False
    )
    level = models.PositiveSmallIntegerField()
    ratio = models.FloatField()
    raised_on = models.DateField()
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the mail backend accepted every e-mail of it."
    )
    # Delivery (at least once, see alerts.py): a notifier leases unsent alerts; a failed send
    # puts the lease off (backoff); a lease that runs out is taken by the next notifier.
    lease_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When its in-app notifications were created."
    )

    objects = UsageAlertQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_on", "entitlement", "level"]
        constraints = [
            models.UniqueConstraint(fields=["entitlement", "level"], name="usage_alert_key"),
        ]
        indexes = [
            models.Index(
                fields=["lease_until"],
                condition=Q(sent_at__isnull=True),
                name="usage_alert_unsent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entitlement_id} reached {self.level} % on {self.raised_on}"


class Notification(models.Model):
    """An in-app notification for one user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.message


class ScoringSettings(models.Model):
    """The scoring settings an admin edits: one row, one column per ``ScoringConfig`` field
    (added below from the dataclass, so the spec's defaults live in one place)."""

    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "scoring settings"
        verbose_name_plural = "scoring settings"

    def __str__(self) -> str:
        return "Scoring settings"

    def to_config(self) -> ScoringConfig:
        return ScoringConfig.from_dict(
            {f.name: getattr(self, f.name) for f in fields(ScoringConfig)}
        )

    @classmethod
    def current(cls) -> ScoringSettings:
        return cls.objects.order_by("pk").first() or cls.objects.create()


def _settings_field(spec: Field) -> models.Field:
    label = spec.name.replace("_", " ")
    if spec.type in ("int", int):
        return models.IntegerField(default=spec.default, verbose_name=label)
    if spec.type in ("float", float):
        return models.FloatField(default=spec.default, verbose_name=label)
    return models.CharField(max_length=200, default=spec.default, verbose_name=label)


for _spec in fields(ScoringConfig):
    ScoringSettings.add_to_class(_spec.name, _settings_field(_spec))
