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
from urllib.parse import quote

import pandas as pd
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from expansion.bulk import insert_frame, read_frame

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
    existing = read_frame(
        UsageAlert.objects.filter(
            entitlement__contract__account_id__gte=lo, entitlement__contract__account_id__lte=hi
        ),
        ["entitlement_id", "level"],
    ).rename(columns={"level": "alert_level"})
    existing = existing.astype("int64").assign(_known=True)
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


ALERT_COLUMNS = [
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
]


def usage_alerts_notify(*, as_of: dt.date, lo: int = 0, hi: int = 2**62) -> int:
    """Notify the AE and CSM of each account about the alerts raised on ``as_of`` for
    accounts lo..hi and not yet sent. Idempotent: one UPDATE claims the unsent alerts (a
    concurrent notifier waits for it, then finds them sent), and only the claimed ones are
    announced. Set-based: a fixed number of queries whatever the number of alerts.
    Returns the number of e-mails sent (one digest per recipient)."""
    stamp = timezone.now()
    in_range = {
        "raised_on": as_of,
        "entitlement__contract__account_id__gte": lo,
        "entitlement__contract__account_id__lte": hi,
    }
    with transaction.atomic():
        if not UsageAlert.objects.filter(**in_range, sent_at__isnull=True).update(sent_at=stamp):
            return 0
        claimed = read_frame(UsageAlert.objects.filter(**in_range, sent_at=stamp), ALERT_COLUMNS)
        # Per entitlement, the highest new level.
        alerts = claimed.sort_values(
            ["entitlement_id", "level"], ascending=[True, False], kind="mergesort"
        ).drop_duplicates("entitlement_id")
        alerts = alerts.assign(
            text=_alert_texts(alerts),
            # The account page (accounts:account-detail); an external id is any text.
            url="/accounts/"
            + alerts["entitlement__contract__account__external_id"].map(quote)
            + "/",
        )
        sent = _per_recipient(alerts)
        users = dict(  # lower-case e-mail -> user id, one query
            get_user_model()
            .objects.annotate(lower_email=Lower("email"))
            .filter(lower_email__in=set(sent["email"].str.lower()))
            .values_list("lower_email", "pk")
        )
        sent["user_id"] = sent["email"].str.lower().map(users)
        in_app = sent.dropna(subset=["user_id"])
        insert_frame(
            Notification,
            pd.DataFrame(
                {
                    "user_id": in_app["user_id"].astype("int64").to_numpy(),
                    "message": in_app["text"].to_numpy(),
                    "url": in_app["url"].to_numpy(),
                    "created": timezone.now(),
                }
            ),
        )
    digests = sent.groupby("email", sort=True)["text"].agg(lambda lines: sorted(lines))
    messages = [
        (
            f"Usage alerts: {len(lines)} new on {as_of.isoformat()}",
            "\n".join(lines) + f"\n\nAs of {as_of.isoformat()}.",
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
        for email, lines in digests.items()
    ]
    send_mass_mail(messages, fail_silently=False)
    return len(messages)


def _per_recipient(alerts: pd.DataFrame) -> pd.DataFrame:
    """One row per (alert, recipient): the account's AE and CSM, once if they are the same."""
    roles = [
        "entitlement__contract__account__owner_email",
        "entitlement__contract__account__csm_email",
    ]
    pairs = alerts.melt(
        id_vars=["entitlement_id", "text", "url"], value_vars=roles, value_name="email"
    )
    pairs = pairs[pairs["email"].fillna("") != ""]
    pairs = pairs.drop_duplicates(["entitlement_id", "email"])
    return pairs.sort_values(["entitlement_id", "email"], kind="mergesort")[
        ["entitlement_id", "email", "text", "url"]
    ].reset_index(drop=True)


def _alert_texts(alerts: pd.DataFrame) -> pd.Series:
    """'Acme: api_calls of CORE-PRO reached 95 % of its limit (97% of 1,000,000)'."""
    share = alerts["ratio"].astype(float).map("{:.0%}".format)
    limit = alerts["entitlement__limit"].astype(float).map("{:,.0f}".format)
    return (
        alerts["entitlement__contract__account__name"]
        + ": "
        + alerts["entitlement__metric"]
        + " of "
        + alerts["entitlement__contract__product__sku"]
        + " reached "
        + alerts["level"].astype("int64").astype(str)
        + " % of its limit ("
        + share
        + " of "
        + limit
        + ")"
    )
