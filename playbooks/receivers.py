"""Django signal receivers (connected in ``PlaybooksConfig.ready``): keep the opportunity
list cache honest whenever something it shows changes."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from accounts.models import Account, Priority, Product, Stakeholder
from core.bulk import bulk_written

from .listcache import opportunity_list_changed
from .models import Opportunity

SHOWN_IN_LISTS = (Opportunity, Account, Product, Stakeholder, Priority)


def _changed(sender, **kwargs) -> None:
    opportunity_list_changed()


def connect() -> None:
    # Connected per model: a post_delete receiver for every sender would stop Django from
    # deleting any other model's rows in one statement (it would fetch them to signal each).
    for signal in (post_save, post_delete, bulk_written):
        for model in SHOWN_IN_LISTS:
            signal.connect(
                _changed,
                sender=model,
                dispatch_uid=f"opportunity-list-cache-{id(signal)}-{model._meta.label}",
            )
