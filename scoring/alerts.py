"""Usage alerts at the configured levels (80/90/95 % by default).

An alert is raised the first time an entitlement reaches a level within its term: the
unique (entitlement, level) row makes that hold however often scoring re-runs (an
entitlement belongs to one contract line, i.e. one term). After commit, the account's AE
and CSM get an in-app notification per entitlement (naming the highest new level) and one
e-mail digest each, listing all their new alerts of the run: a run never sends a person a
mail per alert.

Delivery is at least once: an alert is marked sent only after the mail backend accepted its
digests; a failed send is retried with backoff (the Celery task, with a broker), and what
is still unsent (a failed send, a notifier killed before or while sending) is sent by the
next run's sweep or the periodic one ("Unsent usage alerts").
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from urllib.parse import quote

import pandas as pd
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from codes.triggers import ALERT_LEVELS
from core.bulk import insert_frame, read_frame, update_frame

from .models import Notification, UsageAlert

logger = logging.getLogger(__name__)


def usage_alerts_raise(
    *,
    as_of: dt.date,
    utilization: pd.DataFrame,
    levels: tuple[int, ...] = ALERT_LEVELS,
    lo: int = 0,
    hi: int = 2**62,
) -> int:
    """Record the alerts newly reached in ``utilization`` (accounts lo..hi) and schedule
    their notification after commit. Returns how many alert rows were created."""
    reached = utilization.loc[utilization["level"] > 0, ["entitlement_id", "ratio", "level"]]
    if reached.empty:
        return 0
    # One alert per entitlement, at the highest configured level reached; the levels below an
    # alert count as raised, so a jump past several levels raises one alert, not a storm.
    candidates = pd.concat(
        [reached[reached["level"] >= level].assign(alert_level=level) for level in levels],
        ignore_index=True,
    )
    candidates = candidates.sort_values(
        ["entitlement_id", "alert_level"], kind="mergesort"
    ).drop_duplicates("entitlement_id", keep="last")
    existing = read_frame(
        UsageAlert.objects.filter(
            entitlement__contract__account_id__gte=lo, entitlement__contract__account_id__lte=hi
        ),
        ["entitlement_id", "level"],
    )
    raised = existing.groupby("entitlement_id")["level"].max()
    known = candidates["entitlement_id"].map(raised).fillna(0).to_numpy()
    new = candidates[candidates["alert_level"].to_numpy() > known]
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
        # Robust: a failing notifier never fails the chunk, whose results are committed;
        # what it leaves unsent, the run's sweep or the periodic one sends.
        transaction.on_commit(lambda: usage_alerts_notify_task.delay(day, lo, hi), robust=True)
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


#: How long a notifier holds the alerts it claimed: a notifier killed mid-send leaves them
#: to the next one after this.
LEASE = dt.timedelta(minutes=15)
#: Backoff of an alert whose e-mail failed: BASE x 2^attempts, at most MAX.
RETRY_BASE = dt.timedelta(minutes=1)
RETRY_MAX = dt.timedelta(hours=6)


@dataclass(frozen=True)
class AlertDelivery:
    """What one notifier did: e-mails accepted and failed, and when to try the failed again."""

    sent: int = 0
    failed: int = 0
    retry_in: dt.timedelta | None = None


def usage_alerts_notify(
    *, as_of: dt.date | None = None, lo: int = 0, hi: int = 2**62
) -> AlertDelivery:
    """Notify the AE and CSM of each account about the unsent alerts of accounts lo..hi
    (raised on ``as_of``; any day when None: the sweep). At least once:

    1. one UPDATE leases the unsent alerts whose lease is free (a concurrent notifier finds
       them taken) and, in the same transaction, the in-app notifications of the leased
       alerts not yet notified are created;
    2. one digest e-mail per recipient is handed to the mail backend;
    3. an alert is marked sent only when every digest naming it was accepted; the others get
       their lease put off (backoff) and are sent by a later notifier.

    A mail failure never raises. Set-based: a fixed number of queries per call."""
    now = timezone.now()
    token = uuid.uuid4().hex
    scope = Q(
        sent_at__isnull=True,
        entitlement__contract__account_id__gte=lo,
        entitlement__contract__account_id__lte=hi,
    ) & (Q(lease_until__isnull=True) | Q(lease_until__lte=now))
    if as_of is not None:
        scope &= Q(raised_on=as_of)
    with transaction.atomic():
        if not UsageAlert.objects.filter(scope).update(lease_token=token, lease_until=now + LEASE):
            return AlertDelivery()
        leased = UsageAlert.objects.filter(lease_token=token, sent_at__isnull=True)
        claimed = read_frame(leased, ["id", "raised_on", "attempts", "notified_at", *ALERT_COLUMNS])
        sent = _per_recipient(_digest_lines(claimed))
        _notify_in_app(sent, claimed)
        leased.filter(notified_at__isnull=True).update(notified_at=now)
    accepted, refused_mails, refused = _send_digests(sent, claimed)
    delivered = claimed[~claimed["entitlement_id"].isin(refused)]
    failed = claimed[claimed["entitlement_id"].isin(refused)]
    attempts = failed["attempts"]
    backoff = [min(RETRY_BASE * 2 ** min(int(n), 20), RETRY_MAX) for n in attempts]
    with transaction.atomic():
        update_frame(
            UsageAlert,
            pd.DataFrame(
                {
                    "id": delivered["id"],
                    "sent_at": timezone.now(),
                    "lease_until": None,
                }
            ),
        )
        update_frame(
            UsageAlert,
            pd.DataFrame(
                {
                    "id": failed["id"],
                    "lease_until": [timezone.now() + b for b in backoff],
                    "attempts": (attempts + 1).clip(upper=32_767),
                }
            ),
        )
    return AlertDelivery(sent=accepted, failed=refused_mails, retry_in=min(backoff, default=None))


def _digest_lines(claimed: pd.DataFrame) -> pd.DataFrame:
    """Per entitlement, the highest claimed level, with its text and link."""
    alerts = claimed.sort_values(
        ["entitlement_id", "level"], ascending=[True, False], kind="mergesort"
    ).drop_duplicates("entitlement_id")
    return alerts.assign(
        text=_alert_texts(alerts),
        # The account page (accounts:account-detail); an external id is any text.
        url="/accounts/" + alerts["entitlement__contract__account__external_id"].map(quote) + "/",
    )


def _notify_in_app(sent: pd.DataFrame, claimed: pd.DataFrame) -> None:
    """One in-app notification per (entitlement, user) for the entitlements with an alert
    not notified yet (a retried alert is not announced twice)."""
    fresh = set(claimed.loc[claimed["notified_at"].isna(), "entitlement_id"])
    sent = sent[sent["entitlement_id"].isin(fresh)]
    users = dict(  # lower-case e-mail -> user id, one query
        get_user_model()
        .objects.annotate(lower_email=Lower("email"))
        .filter(lower_email__in=set(sent["email"].str.lower()))
        .values_list("lower_email", "pk")
    )
    in_app = sent.assign(user_id=sent["email"].str.lower().map(users)).dropna(subset=["user_id"])
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


def _send_digests(sent: pd.DataFrame, claimed: pd.DataFrame) -> tuple[int, int, set[int]]:
    """One digest per recipient through one backend connection. Returns the numbers of
    digests accepted and refused, and the entitlements named in a refused one."""
    raised_on = claimed["raised_on"].dt.strftime("%Y-%m-%d")
    day = dict(zip(claimed["entitlement_id"], raised_on, strict=False))
    sent = sent.assign(day=sent["entitlement_id"].map(day))
    refused: set[int] = set()
    accepted = refused_mails = 0
    connection = None
    try:
        connection = get_connection(fail_silently=False)
        connection.open()
    except Exception:
        logger.warning("mail backend down: %d alerts left unsent", len(claimed), exc_info=True)
        return 0, sent["email"].nunique(), set(sent["entitlement_id"])
    try:
        for email, rows in sent.groupby("email", sort=True):
            lines = sorted(rows["text"])
            latest = max(rows["day"])
            message = EmailMessage(
                f"Usage alerts: {len(lines)} new on {latest}",
                "\n".join(lines) + f"\n\nAs of {latest}.",
                settings.DEFAULT_FROM_EMAIL,
                [email],
                connection=connection,
            )
            try:
                ok = connection.send_messages([message]) == 1
            except Exception:
                logger.warning("usage alert digest to %s not accepted", email, exc_info=True)
                ok = False
            if ok:
                accepted += 1
            else:
                refused_mails += 1
                refused.update(rows["entitlement_id"])
    finally:
        try:
            connection.close()
        except Exception:
            logger.warning("closing the mail connection failed", exc_info=True)
    return accepted, refused_mails, refused


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
    share = alerts["ratio"].map("{:.0%}".format)
    limit = alerts["entitlement__limit"].map("{:,.0f}".format)
    return (
        alerts["entitlement__contract__account__name"]
        + ": "
        + alerts["entitlement__metric"]
        + " of "
        + alerts["entitlement__contract__product__sku"]
        + " reached "
        + alerts["level"].astype(str)
        + " % of its limit ("
        + share
        + " of "
        + limit
        + ")"
    )
