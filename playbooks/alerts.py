"""Usage alerts at the configured levels (80/90/95 % by default).

An alert is raised the first time an entitlement reaches a level within its term: the
unique (entitlement, level) row makes that hold however often scoring re-runs (an
entitlement belongs to one contract line, i.e. one term). The account's AE and CSM get one
e-mail and one in-app notification per entitlement, naming the highest new level.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Notification, UsageAlert


def usage_alerts_raise(
    *, as_of: dt.date, utilization: pd.DataFrame, levels: tuple[int, ...] = (80, 90, 95)
) -> int:
    """Record the alerts newly reached in ``utilization`` and schedule their notification
    after commit. Returns how many alert rows were created."""
    reached = utilization[utilization["level"] > 0]
    if reached.empty:
        return 0
    candidates = [
        (int(r.entitlement_id), level, float(r.ratio))
        for r in reached.itertuples(index=False)
        for level in levels
        if level <= r.level
    ]
    existing = set(
        UsageAlert.objects.filter(entitlement_id__in={c[0] for c in candidates}).values_list(
            "entitlement_id", "level"
        )
    )
    new = [
        UsageAlert(entitlement_id=e, level=lv, ratio=ratio, raised_on=as_of)
        for e, lv, ratio in candidates
        if (e, lv) not in existing
    ]
    UsageAlert.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        from .tasks import usage_alerts_notify_task

        keys = [[a.entitlement_id, a.level] for a in new]
        transaction.on_commit(lambda: usage_alerts_notify_task.delay(keys))
    return len(new)


def usage_alerts_notify(*, keys: list[list[int]]) -> int:
    """E-mail and notify the AE and CSM of each account for the given (entitlement, level)
    alerts not yet sent. Idempotent: sent alerts are marked and skipped. Returns mails sent."""
    wanted = {(e, lv) for e, lv in keys}
    alerts = list(
        UsageAlert.objects.filter(
            entitlement_id__in={e for e, _ in wanted}, sent_at__isnull=True
        ).annotate(
            metric=F("entitlement__metric"),
            limit=F("entitlement__limit"),
            sku=F("entitlement__contract__product__sku"),
            account_name=F("entitlement__contract__account__name"),
            account_external_id=F("entitlement__contract__account__external_id"),
            owner_email=F("entitlement__contract__account__owner_email"),
            csm_email=F("entitlement__contract__account__csm_email"),
        )
    )
    alerts = [a for a in alerts if (a.entitlement_id, a.level) in wanted]
    if not alerts:
        return 0
    highest: dict[int, UsageAlert] = {}
    for alert in alerts:
        if alert.entitlement_id not in highest or alert.level > highest[alert.entitlement_id].level:
            highest[alert.entitlement_id] = alert
    emails = {e for a in highest.values() for e in (a.owner_email, a.csm_email) if e}
    users = {u.email.lower(): u for u in get_user_model().objects.filter(email__in=emails)}
    messages, notifications = [], []
    for alert in highest.values():
        text = (
            f"{alert.account_name}: {alert.metric} of {alert.sku} reached {alert.level} % "
            f"of its limit ({alert.ratio:.0%} of {alert.limit:,.0f})"
        )
        url = f"/accounts/{alert.account_external_id}/"
        recipients = sorted({e for e in (alert.owner_email, alert.csm_email) if e})
        if recipients:
            messages.append(
                (
                    f"Usage alert: {alert.account_name} at {alert.level} %",
                    f"{text}\n\nAs of {alert.raised_on.isoformat()}.",
                    settings.DEFAULT_FROM_EMAIL,
                    recipients,
                )
            )
        notifications += [
            Notification(user=users[e], message=text, url=url) for e in recipients if e in users
        ]
    with transaction.atomic():
        Notification.objects.bulk_create(notifications)
        UsageAlert.objects.filter(pk__in=[a.pk for a in alerts]).update(sent_at=timezone.now())
    send_mass_mail(messages, fail_silently=False)
    return len(messages)
