"""Writes of the playbooks app: scoring runs and their results, opportunity stages, alerts.

A scoring run is (as-of date, settings) -> results, replayable: re-running the same date
rewrites the same rows. It is split into chunks of account-id ranges so that Celery can fan
it out; a chunk's results depend only on its own accounts (and on book-wide lookalike peers),
never on how the book was chunked.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from expansion.bulk import insert_frame, read_frame, same_value, update_frame

from .alerts import usage_alerts_raise
from .models import (
    CLOSED_STAGES,
    OPEN_STAGES,
    AccountAction,
    HealthSnapshot,
    Opportunity,
    OpportunityCriterionCheck,
    OpportunityStageChange,
    ScoringRun,
    ScoringRunStatus,
    ScoringSettings,
    Stage,
    UtilizationSnapshot,
)
from .scoring.config import ScoringConfig
from .scoring.engine import ScoringResult, score_book
from .selectors import (
    OWN_PEERS,
    Peers,
    account_id_chunks,
    scoring_input_load,
    scoring_peers_load,
)
from .workflow import CRITERIA_BY_CODE, criteria_for
from .workspace import opportunity_workflow_load, unchecked_criteria

logger = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 100_000
HEALTH_COMPONENTS = ["adoption", "trend", "sentiment", "support", "relationship"]
OPPORTUNITY_FIELDS = (
    "play",
    "motion",
    "target_product_id",
    "department",
    "status",
    "score",
    "triggers",
    "explanation",
    "new_champion_needed",
    "sponsor_id",
    "sponsor_priority_id",
    "as_of",
)


def scoring_run_create(*, as_of: dt.date) -> ScoringRun:
    config = ScoringSettings.current().to_config()
    return ScoringRun.objects.create(as_of=as_of, settings=config.as_dict())


def scoring_chunks(*, chunk_size: int = DEFAULT_CHUNK_SIZE) -> list[tuple[int, int]]:
    return account_id_chunks(chunk_size=chunk_size)


def scoring_chunk_score(
    *, run_id: int, lo: int, hi: int, peers: Peers | None = None
) -> dict[str, int]:
    """Score accounts with ids lo..hi for the run's date and settings, and store the results
    in one transaction. Idempotent: re-running the chunk gives the same rows."""
    run = ScoringRun.objects.get(pk=run_id)
    config = ScoringConfig.from_dict(run.settings)
    data = scoring_input_load(as_of=run.as_of, config=config, lo=lo, hi=hi, peers=peers)
    result = score_book(data, as_of=run.as_of, config=config)
    with transaction.atomic():
        counts = scoring_results_save(run=run, result=result, lo=lo, hi=hi)
    return counts


def scoring_results_save(
    *, run: ScoringRun, result: ScoringResult, lo: int, hi: int
) -> dict[str, int]:
    as_of = run.as_of
    _health_save(run, result.health, lo, hi)
    _utilization_save(as_of, result.utilization, lo, hi)
    actions = _actions_save(as_of, result.health, lo, hi)
    opportunity_counts = _opportunities_save(as_of, result.opportunities, lo, hi)
    levels = tuple(
        int(level) for _, level, _ in ScoringConfig.from_dict(run.settings).alert_slots()
    )
    alerts = usage_alerts_raise(
        as_of=as_of, utilization=result.utilization, levels=levels, lo=lo, hi=hi
    )
    counts: Counter[str] = Counter()
    counts["accounts_scored"] = len(result.health)
    counts["eligible"] = int(result.health["eligible"].sum()) if len(result.health) else 0
    for reasons in result.health["reasons"]:
        counts.update(f"reason:{r}" for r in reasons)
    counts.update(f"action:{code}" for code in actions)
    counts.update(f"play:{p}" for p in result.opportunities["play"])
    counts.update(f"status:{s}" for s in result.opportunities["status"])
    counts.update(opportunity_counts)
    counts["alerts_raised"] = alerts
    return dict(counts)


def _replace(stale: QuerySet, frame: pd.DataFrame) -> None:
    """Replace the ``stale`` rows (a chunk's results of one date) with ``frame``: nothing
    refers to these rows, so a re-run deleting and re-inserting the same content is cheaper
    than comparing row by row."""
    stale.delete()
    insert_frame(stale.model, frame)


def _health_save(run: ScoringRun, health: pd.DataFrame, lo: int, hi: int) -> None:
    frame = health[["account_id", "score", *HEALTH_COMPONENTS, "eligible", "reasons"]].copy()
    frame["as_of"], frame["run_id"] = run.as_of.isoformat(), run.pk
    frame["reasons"] = [list(r) for r in frame["reasons"]]
    _replace(
        HealthSnapshot.objects.filter(as_of=run.as_of, account_id__gte=lo, account_id__lte=hi),
        frame,
    )


def _utilization_save(as_of: dt.date, utilization: pd.DataFrame, lo: int, hi: int) -> None:
    frame = utilization[["entitlement_id", "used", "ratio", "level"]].copy()
    frame["as_of"] = as_of.isoformat()
    frame["level"] = frame["level"].astype(int)
    _replace(
        UtilizationSnapshot.objects.filter(
            as_of=as_of,
            entitlement__contract__account_id__gte=lo,
            entitlement__contract__account_id__lte=hi,
        ),
        frame,
    )


def _actions_save(as_of: dt.date, health: pd.DataFrame, lo: int, hi: int) -> list[str]:
    """The chunk's actions for the date: the ones this run found."""
    pairs = health[["account_id", "actions"]].explode("actions").dropna(subset=["actions"])
    frame = pd.DataFrame(
        {
            "account_id": pairs["account_id"].astype(int).to_numpy(),
            "as_of": as_of.isoformat(),
            "code": [a["code"] for a in pairs["actions"]],
            "detail": [a.get("detail", "") for a in pairs["actions"]],
        }
    )
    _replace(
        AccountAction.objects.filter(as_of=as_of, account_id__gte=lo, account_id__lte=hi), frame
    )
    return list(frame["code"])


def _opportunity_frame(found: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The scoring's opportunities as model columns."""
    found = found.reset_index(drop=True)

    def ids(column: str) -> pd.Series:
        return pd.to_numeric(found[column], errors="coerce").astype("Int64")

    return pd.DataFrame(
        {
            "account_id": found["account_id"].astype(int).to_numpy(),
            "key": found["key"].to_numpy(),
            "play": found["play"].to_numpy(),
            "motion": found["motion"].to_numpy(),
            "target_product_id": ids("target_product_id"),
            "department": found["department"].fillna("").astype(str).to_numpy(),
            "status": found["status"].to_numpy(),
            "score": found["score"].astype(float).to_numpy(),
            "triggers": [list(t) for t in found["triggers"]],
            "explanation": found["explanation"].fillna("").astype(str).to_numpy(),
            "new_champion_needed": found["new_champion_needed"].astype(bool).to_numpy(),
            "sponsor_id": ids("sponsor_stakeholder_id"),
            "sponsor_priority_id": ids("sponsor_priority_id"),
            "as_of": as_of,
        }
    )


def _opportunities_save(as_of: dt.date, found: pd.DataFrame, lo: int, hi: int) -> dict[str, int]:
    """Create new opportunities, refresh open ones (never their stage), expire the
    ``identified`` ones whose triggers are gone. Set-based: one read of the chunk's open
    opportunities, then one insert, one update and one expiry.

    A refresh on a new date changes every open opportunity (its ``as_of`` at least); only a
    replay of the stored date compares content, to leave unchanged rows untouched.
    Opportunities are the current state: once a later date has been scored, replaying this
    one rewrites its snapshots and actions, never them (nor revives what that run expired)."""
    if ScoringRun.objects.filter(as_of__gt=as_of, status=ScoringRunStatus.SUCCEEDED).exists():
        return {
            "opportunities_created": 0,
            "opportunities_refreshed": 0,
            "opportunities_expired": 0,
        }
    fresh = _opportunity_frame(found, as_of)
    open_in_chunk = Opportunity.objects.filter(
        account_id__gte=lo, account_id__lte=hi, stage__in=OPEN_STAGES
    ).exclude(key="")
    stored = read_frame(open_in_chunk, ["id", "account_id", "key", "stage", "as_of"])
    day = pd.Timestamp(as_of)
    stored_day = pd.to_datetime(stored["as_of"], format="ISO8601")
    later = set(stored.loc[(stored_day > day).to_numpy(), "id"])
    same_day = set(stored.loc[(stored_day == day).to_numpy(), "id"])
    merged = fresh.merge(stored[["id", "account_id", "key"]], on=["account_id", "key"], how="left")
    is_new = merged["id"].isna()
    new = fresh[is_new.to_numpy()].assign(stage=Stage.IDENTIFIED, created=as_of)
    insert_frame(Opportunity, new.assign(updated=timezone.now()))
    matched = merged[~is_new].assign(id=lambda m: m["id"].astype("int64"))
    # Replaying an older date never overwrites what a later run wrote.
    matched = matched[~matched["id"].isin(later)][["id", *OPPORTUNITY_FIELDS]]
    replayed = matched["id"].isin(same_day)
    changed = pd.concat(
        [matched[~replayed], _changed_rows(matched[replayed], open_in_chunk.filter(as_of=as_of))]
    )
    update_frame(Opportunity, changed.assign(updated=timezone.now()))
    seen = set(zip(fresh["account_id"], fresh["key"], strict=True))
    gone = stored[(stored["stage"] == Stage.IDENTIFIED) & ~stored["id"].isin(later)]
    vanished = [(a, k) not in seen for a, k in zip(gone["account_id"], gone["key"], strict=True)]
    gone = gone[pd.Series(vanished, index=gone.index, dtype=bool)]
    _expire([int(i) for i in gone["id"]], as_of)
    return {
        "opportunities_created": len(new),
        "opportunities_refreshed": len(changed),
        "opportunities_expired": len(gone),
    }


def _changed_rows(matched: pd.DataFrame, stored_rows: QuerySet[Opportunity]) -> pd.DataFrame:
    """The matched rows (id + fields) whose scored content differs from ``stored_rows``
    (a queryset holding at least them). Compared column by column; JSON as parsed values."""
    if matched.empty:
        return matched
    stored = read_frame(stored_rows, ["id", *OPPORTUNITY_FIELDS]).set_index("id")
    before = stored.loc[matched["id"].to_numpy()].reset_index(drop=True)
    now = matched.reset_index(drop=True)
    differs = np.zeros(len(now), dtype=bool)
    for field in OPPORTUNITY_FIELDS:
        new, old = now[field], before[field]
        if field == "triggers":
            same = [a == json.loads(b) for a, b in zip(new, old, strict=True)]
        elif field == "as_of":
            same = new.map(dt.date.isoformat).to_numpy() == old.astype(str).to_numpy()
        else:
            new, old = new.astype(object), old.astype(object)
            same = [same_value(a, b) for a, b in zip(new, old, strict=True)]
        differs |= ~np.asarray(same, dtype=bool)
    return matched[differs]


def _expire(ids: list[int], as_of: dt.date) -> None:
    if not ids:
        return
    # By id through a staging table: any number of ids (a query takes at most 65,535).
    update_frame(
        Opportunity,
        pd.DataFrame(
            {"id": ids, "stage": Stage.EXPIRED, "closed": as_of, "updated": timezone.now()}
        ),
    )
    note = f"triggers gone on {as_of.isoformat()}"
    insert_frame(
        OpportunityStageChange,
        pd.DataFrame(
            {
                "opportunity_id": ids,
                "from_stage": Stage.IDENTIFIED,
                "to_stage": Stage.EXPIRED,
                "note": note,
                "changed_at": timezone.now(),
            }
        ),
    )


def scoring_run_finish(*, run_id: int, chunk_counts: list[dict[str, int]]) -> ScoringRun:
    total: Counter[str] = Counter()
    for counts in chunk_counts:
        total.update(counts)
    run = ScoringRun.objects.get(pk=run_id)
    run.counts = dict(sorted(total.items()))
    run.status = ScoringRunStatus.SUCCEEDED
    run.finished = timezone.now()
    run.save(update_fields=["counts", "status", "finished"])
    return run


def scoring_run_fail(*, run_id: int, error: str) -> None:
    ScoringRun.objects.filter(pk=run_id).update(
        status=ScoringRunStatus.FAILED, error=error[:10_000], finished=timezone.now()
    )


def scoring_run_execute(*, as_of: dt.date, chunk_size: int = DEFAULT_CHUNK_SIZE) -> ScoringRun:
    """Run the whole scoring in this process, chunk after chunk (the command's path; the
    Celery task runs the same chunk service in parallel workers)."""
    run = scoring_run_create(as_of=as_of)
    try:
        chunks = scoring_chunks(chunk_size=chunk_size)
        # One chunk is the whole book: its own accounts and lines are the lookalike peers.
        peers = OWN_PEERS if len(chunks) == 1 else scoring_peers_load(as_of=as_of)
        counts = [
            scoring_chunk_score(run_id=run.pk, lo=lo, hi=hi, peers=peers) for lo, hi in chunks
        ]
    except Exception as exc:
        logger.exception("scoring run %s failed", run.pk)
        scoring_run_fail(run_id=run.pk, error=f"{type(exc).__name__}: {exc}")
        raise
    return scoring_run_finish(run_id=run.pk, chunk_counts=counts)


def opportunity_stage_change(
    *, opportunity: Opportunity, stage: str, user=None, note: str = ""
) -> Opportunity:
    """Move an opportunity to ``stage`` and record who moved it, when, from what."""
    with transaction.atomic():
        locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        if locked.stage == stage:
            return locked
        previous = locked.stage
        locked.stage = stage
        locked.closed = timezone.localdate() if stage in CLOSED_STAGES else None
        locked.save(update_fields=["stage", "closed", "updated"])
        OpportunityStageChange.objects.create(
            opportunity=locked, from_stage=previous, to_stage=stage, changed_by=user, note=note
        )
    return locked


_UNSET = object()


def opportunity_update(
    *,
    opportunity: Opportunity,
    user=None,
    stage: str | None = None,
    amount_arr=_UNSET,
    notes: str | None = None,
) -> Opportunity:
    """A person's edit: move the stage (recorded in the history), set amount and notes."""
    with transaction.atomic():
        if stage is not None:
            opportunity = opportunity_stage_change(opportunity=opportunity, stage=stage, user=user)
        changed = []
        if amount_arr is not _UNSET:
            opportunity.amount_arr = amount_arr
            changed.append("amount_arr")
        if notes is not None:
            opportunity.notes = notes
            changed.append("notes")
        if changed:
            opportunity.save(update_fields=[*changed, "updated"])
    return opportunity


def notification_mark_read(*, notification, read: bool = True):
    notification.read_at = timezone.now() if read else None
    notification.save(update_fields=["read_at"])
    return notification


def opportunity_criterion_set(
    *, opportunity: Opportunity, criterion: str, checked: bool, user=None
) -> OpportunityCriterionCheck:
    """A person ticks (or unticks) a workflow exit criterion; who and when are kept. Criteria
    the data answers cannot be ticked: the data says."""
    spec = CRITERIA_BY_CODE.get(criterion)
    if spec is None or spec not in criteria_for(motion=opportunity.motion):
        raise ValidationError({"criterion": f"Not a criterion of this opportunity: {criterion}."})
    if spec.data:
        raise ValidationError({"criterion": "This criterion is answered by the account's data."})
    check, _ = OpportunityCriterionCheck.objects.update_or_create(
        opportunity=opportunity,
        criterion=criterion,
        defaults={"checked": checked, "checked_by": user, "checked_at": timezone.now()},
    )
    return check


def opportunity_stage_advance(
    *, opportunity: Opportunity, stage: str, user=None, reason: str = ""
) -> Opportunity:
    """A person moves an opportunity through the workflow from its page. Moving past exit
    criteria still unchecked, or to ``lost``, needs a reason, recorded on the stage-history
    row; the move itself is ``opportunity_stage_change``, as the API's PATCH does it."""
    reason = (reason or "").strip()
    if opportunity.stage in CLOSED_STAGES:
        raise ValidationError({"stage": "This opportunity is closed."})
    if stage not in (*OPEN_STAGES, Stage.WON, Stage.LOST):
        raise ValidationError({"stage": f"Not a stage a person can move to: {stage}."})
    if stage == opportunity.stage:
        raise ValidationError({"stage": "The opportunity is already at this stage."})
    states = opportunity_workflow_load(opportunity=opportunity)["states"]
    missing = unchecked_criteria(states=states, current=opportunity.stage, target=stage)
    if not reason and (missing or stage == Stage.LOST):
        why = (
            "Say why it was lost."
            if stage == Stage.LOST
            else f"{len(missing)} exit criteri{'on is' if len(missing) == 1 else 'a are'} not "
            "checked: give a reason to move on anyway."
        )
        raise ValidationError({"reason": why})
    return opportunity_stage_change(opportunity=opportunity, stage=stage, user=user, note=reason)
