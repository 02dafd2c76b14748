"""Usage alerts at the configured levels (80/90/95 % by default).

An alert is raised the first time an entitlement reaches a level within its term: the
unique (entitlement, level) row makes that hold however often scoring re-runs (an
entitlement belongs to one contract line, i.e. one term). After commit, the account's AE
and CSM get an in-app notification per entitlement (naming the highest new level) and one
e-mail digest each, listing all their new alerts of the run: a run never sends a person a
mail per alert.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pandas as pd
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from expansion.bulk import insert_frame

from .models import Notification, UsageAlert


def usage_alerts_raise(
    *,
    as_of: dt.date,
    utilization: pd.DataFrame,
    levels: tuple[int, ...] = (80, 90, 95),
    lo: int = 0,
    hi: int = 2**62,
) -> int:
    """Record the alerts newly reached in ``utilization`` (accounts lo..hi) and schedule
    their notification after commit. Returns how many alert rows were created."""
    reached = utilization.loc[utilization["level"] > 0, ["entitlement_id", "ratio", "level"]]
    if reached.empty:
        return 0
    candidates = pd.concat(
        [reached[reached["level"] >= level].assign(alert_level=level) for level in levels],
        ignore_index=True,
    )
    existing = pd.DataFrame.from_records(
        list(
            UsageAlert.objects.filter(
                entitlement__contract__account_id__gte=lo,
                entitlement__contract__account_id__lte=hi,
            ).values_list("entitlement_id", "level")
        ),
        columns=["entitlement_id", "alert_level"],
    ).assign(_known=True)
    candidates = candidates.merge(existing, on=["entitlement_id", "alert_level"], how="left")
    new = candidates[candidates["_known"].isna()]
    insert_frame(
        UsageAlert,
        pd.DataFrame(
            {
                "entitlement_id": new["entitlement_id"].astype(int).to_numpy(),
                "level": new["alert_level"].astype(int).to_numpy(),
                "ratio": new["ratio"].astype(float).to_numpy(),
                "raised_on": as_of,
            }
        ),
    )
    if len(new):
        from .tasks import usage_alerts_notify_task

        day = as_of.isoformat()
        transaction.on_commit(lambda: usage_alerts_notify_task.delay(day, lo, hi))
    return len(new)


def usage_alerts_notify(*, as_of: dt.date, lo: int = 0, hi: int = 2**62) -> int:
    """Notify the AE and CSM of each account about the alerts raised on ``as_of`` for
    accounts lo..hi and not yet sent. Idempotent: sent alerts are marked and skipped.
    Returns the number of e-mails sent (one digest per recipient)."""
    pending = UsageAlert.objects.filter(
        raised_on=as_of,
        sent_at__isnull=True,
        entitlement__contract__account_id__gte=lo,
        entitlement__contract__account_id__lte=hi,
    )
    with transaction.atomic():
        rows = list(
            pending.select_for_update(of=("self",))
            .values(
                "id",
                "entitlement_id",
                "level",
                "ratio",
                "entitlement__metric",
                "entitlement__limit",
                "entitlement__contract__product__sku",
                "entitlement__contract__account__name",
                "entitlement__contract__account__external_id",
                "entitlement__contract__account__owner_email",
                "entitlement__contract__account__csm_email",
            )
            .order_by("entitlement_id", "-level")
        )
        if not rows:
            return 0
        highest = {}
        for row in rows:  # ordered by level descending within an entitlement
            highest.setdefault(row["entitlement_id"], row)
        recipients = {e for r in highest.values() for e in _recipients(r)}
        users = dict(  # lower-case e-mail -> user id, one query
            get_user_model()
            .objects.annotate(lower_email=Lower("email"))
            .filter(lower_email__in=recipients)
            .values_list("lower_email", "pk")
        )
        digests: dict[str, list[str]] = defaultdict(list)
        notifications = []
        for row in highest.values():
            text = _alert_text(row)
            url = f"/accounts/{row['entitlement__contract__account__external_id']}/"
            for email in _recipients(row):
                digests[email].append(text)
                if email in users:
                    notifications.append((users[email], text, url))
        insert_frame(
            Notification,
            pd.DataFrame(notifications, columns=["user_id", "message", "url"]).assign(
                created=timezone.now()
            ),
        )
        UsageAlert.objects.filter(pk__in=[r["id"] for r in rows]).update(sent_at=timezone.now())
    messages = [
        (
            f"Usage alerts: {len(lines)} new on {as_of.isoformat()}",
            "\n".join(sorted(lines)) + f"\n\nAs of {as_of.isoformat()}.",
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
        for email, lines in sorted(digests.items())
    ]
    send_mass_mail(messages, fail_silently=False)
    return len(messages)


def _recipients(row: dict) -> list[str]:
    emails = (
        row["entitlement__contract__account__owner_email"],
        row["entitlement__contract__account__csm_email"],
    )
    return sorted({e for e in emails if e})


def _alert_text(row: dict) -> str:
    return (
        f"{row['entitlement__contract__account__name']}: {row['entitlement__metric']} of "
        f"{row['entitlement__contract__product__sku']} reached {row['level']} % of its "
        f"limit ({row['ratio']:.0%} of {row['entitlement__limit']:,.0f})"
    )
