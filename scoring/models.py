"""The nightly judgment's records: runs, settings, snapshots, actions, usage alerts and
notifications. Moved from playbooks (issue 11): each table keeps its name (``db_table``)."""

from __future__ import annotations

from dataclasses import Field, fields

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Account, Entitlement
from accounts.querysets import RestrictedQuerySet
from playbooks.models import AccountActionCode

from .config import ScoringConfig


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
        db_table = "playbooks_scoringrun"
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

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        db_table = "playbooks_healthsnapshot"
        ordering = ["account", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["account", "as_of"], name="health_snapshot_key"),
        ]
        indexes = [models.Index(fields=["as_of", "score"], name="health_snapshot_as_of")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.as_of}: {self.score:.1f}"



class UtilizationSnapshotQuerySet(RestrictedQuerySet):
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
        db_table = "playbooks_utilizationsnapshot"
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

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        db_table = "playbooks_accountaction"
        ordering = ["account", "-as_of", "code"]
        constraints = [
            models.UniqueConstraint(fields=["account", "as_of", "code"], name="account_action_key"),
        ]
        indexes = [models.Index(fields=["as_of", "code"], name="account_action_as_of")]

    def __str__(self) -> str:
        return f"{self.code} for {self.account_id} on {self.as_of}"



class UsageAlertQuerySet(RestrictedQuerySet):
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
        db_table = "playbooks_usagealert"
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
        db_table = "playbooks_notification"
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.message



class ScoringSettings(models.Model):
    """The scoring settings an admin edits: one row, one column per ``ScoringConfig`` field
    (added below from the dataclass, so the spec's defaults live in one place)."""

    updated = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "playbooks_scoringsettings"
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

