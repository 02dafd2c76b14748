"""Django signal receivers (connected in ``WorkspaceConfig.ready``): keep the pages' caches
(account page, ranked list, opportunity page) honest whenever something they show changes
(see ``pagecache``)."""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import post_delete, post_save

from core.bulk import bulk_written

from .pagecache import account_page_changed

#: Models whose rows a person or the import edits one by one: saves and deletes.
EDITED = (
    "accounts.Account",
    "accounts.ContractLine",
    "accounts.Entitlement",
    "accounts.Product",
    "accounts.Stakeholder",
    "accounts.Priority",
    "playbooks.Opportunity",
    "playbooks.OpportunityCriterionCheck",
    "signals.AccountSignal",
    "signals.SuccessMetric",
)
#: Written in bulk (import, usage ingestion, scoring): the ``bulk_written`` signal.
BULK = (
    *EDITED,
    "signals.DailyUsage",
    "playbooks.OpportunityStageChange",
    "scoring.HealthSnapshot",
    "scoring.UtilizationSnapshot",
    "scoring.AccountAction",
    "scoring.UsageAlert",
)
#: Saved one by one, never deleted one by one: saves only.
SAVED = ("playbooks.OpportunityStageChange", "scoring.ScoringRun")


def _changed(sender, **kwargs) -> None:
    account_page_changed()


def connect() -> None:
    # Connected per model (see playbooks.receivers): a post_delete receiver would make
    # Django fetch the rows of that model before deleting them, so only the edited ones get it.
    for signal, labels in (
        (post_save, (*EDITED, *SAVED)),
        (post_delete, EDITED),
        (bulk_written, BULK),
    ):
        for label in labels:
            signal.connect(
                _changed,
                sender=apps.get_model(label),
                dispatch_uid=f"account-page-cache-{id(signal)}-{label}",
            )
