"""Writes of the playbooks app: scoring runs and their results, opportunity stages, alerts.

A scoring run is (as-of date, settings) -> results, replayable: re-running the same date
rewrites the same rows. It is split into chunks of account-id ranges so that Celery can fan
it out; a chunk's results depend only on its own accounts (and on book-wide lookalike peers),
never on how the book was chunked.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

import pandas as pd
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .alerts import usage_alerts_raise
from .models import (
    CLOSED_STAGES,
    OPEN_STAGES,
    AccountAction,
    HealthSnapshot,
    Opportunity,
    OpportunityStageChange,
    ScoringRun,
    ScoringRunStatus,
    ScoringSettings,
    Stage,
    UtilizationSnapshot,
)
from .scoring.config import ScoringConfig
from .scoring.engine import ScoringResult, score_book
from .selectors import account_id_chunks, scoring_input_load

logger = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 5000
WRITE_BATCH = 2000
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


def _none(value):
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def _int_or_none(value) -> int | None:
    value = _none(value)
    return None if value is None or value is pd.NA else int(value)


def scoring_run_create(*, as_of: dt.date) -> ScoringRun:
    config = ScoringSettings.current().to_config()
    return ScoringRun.objects.create(as_of=as_of, settings=config.as_dict())


def scoring_chunks(*, chunk_size: int = DEFAULT_CHUNK_SIZE) -> list[tuple[int, int]]:
    return account_id_chunks(chunk_size=chunk_size)


def scoring_chunk_score(*, run_id: int, lo: int, hi: int) -> dict[str, int]:
    """Score accounts with ids lo..hi for the run's date and settings, and store the results
    in one transaction. Idempotent: re-running the chunk gives the same rows."""
    run = ScoringRun.objects.get(pk=run_id)
    config = ScoringConfig.from_dict(run.settings)
    data = scoring_input_load(as_of=run.as_of, config=config, lo=lo, hi=hi)
    result = score_book(data, as_of=run.as_of, config=config)
    result = _only_accounts(result, lo, hi)
    with transaction.atomic():
        counts = scoring_results_save(run=run, result=result, lo=lo, hi=hi)
    return counts


def _only_accounts(result: ScoringResult, lo: int, hi: int) -> ScoringResult:
    def keep(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[(frame["account_id"] >= lo) & (frame["account_id"] <= hi)]

    return ScoringResult(
        health=keep(result.health),
        utilization=keep(result.utilization),
        opportunities=keep(result.opportunities),
    )


def scoring_results_save(
    *, run: ScoringRun, result: ScoringResult, lo: int, hi: int
) -> dict[str, int]:
    as_of = run.as_of
    _health_save(run, result.health)
    _utilization_save(as_of, result.utilization)
    actions = _actions_save(as_of, result.health, lo, hi)
    opportunity_counts = _opportunities_save(as_of, result.opportunities, lo, hi)
    levels = tuple(
        int(level) for _, level, _ in ScoringConfig.from_dict(run.settings).alert_slots()
    )
    alerts = usage_alerts_raise(as_of=as_of, utilization=result.utilization, levels=levels)
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


def _health_save(run: ScoringRun, health: pd.DataFrame) -> None:
    rows = [
        HealthSnapshot(
            account_id=int(r.account_id),
            as_of=run.as_of,
            run=run,
            score=float(r.score),
            adoption=float(r.adoption),
            trend=float(r.trend),
            sentiment=float(r.sentiment),
            support=float(r.support),
            relationship=float(r.relationship),
            eligible=bool(r.eligible),
            reasons=list(r.reasons),
        )
        for r in health.itertuples(index=False)
    ]
    HealthSnapshot.objects.bulk_create(
        rows,
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=["account", "as_of"],
        update_fields=[
            "run",
            "score",
            "adoption",
            "trend",
            "sentiment",
            "support",
            "relationship",
            "eligible",
            "reasons",
        ],
    )


def _utilization_save(as_of: dt.date, utilization: pd.DataFrame) -> None:
    rows = [
        UtilizationSnapshot(
            entitlement_id=int(r.entitlement_id),
            as_of=as_of,
            used=float(r.used),
            ratio=float(r.ratio),
            level=int(r.level),
        )
        for r in utilization.itertuples(index=False)
    ]
    UtilizationSnapshot.objects.bulk_create(
        rows,
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=["entitlement", "as_of"],
        update_fields=["used", "ratio", "level"],
    )


def _actions_save(as_of: dt.date, health: pd.DataFrame, lo: int, hi: int) -> list[str]:
    """Replace the chunk's actions for the date with the ones this run found."""
    AccountAction.objects.filter(as_of=as_of, account_id__gte=lo, account_id__lte=hi).delete()
    rows = [
        AccountAction(
            account_id=int(r.account_id), as_of=as_of, code=a["code"], detail=a.get("detail", "")
        )
        for r in health.itertuples(index=False)
        for a in r.actions
    ]
    AccountAction.objects.bulk_create(rows, batch_size=WRITE_BATCH)
    return [row.code for row in rows]


def _opportunity_values(r) -> dict:
    return {
        "play": r.play,
        "motion": r.motion,
        "target_product_id": _int_or_none(r.target_product_id),
        "department": _none(r.department) or "",
        "status": r.status,
        "score": float(r.score),
        "triggers": list(r.triggers),
        "explanation": _none(r.explanation) or "",
        "new_champion_needed": bool(r.new_champion_needed),
        "sponsor_id": _int_or_none(r.sponsor_stakeholder_id),
        "sponsor_priority_id": _int_or_none(r.sponsor_priority_id),
    }


def _opportunities_save(as_of: dt.date, found: pd.DataFrame, lo: int, hi: int) -> dict[str, int]:
    """Create new opportunities, refresh open ones (never their stage), expire the
    ``identified`` ones whose triggers are gone."""
    open_rows = Opportunity.objects.filter(
        account_id__gte=lo, account_id__lte=hi, stage__in=OPEN_STAGES
    ).exclude(key="")
    existing = {(o.account_id, o.key): o for o in open_rows}
    to_create, to_update, seen = [], [], set()
    for r in found.itertuples(index=False):
        ident = (int(r.account_id), r.key)
        seen.add(ident)
        values = _opportunity_values(r)
        current = existing.get(ident)
        if current is None:
            to_create.append(
                Opportunity(
                    account_id=ident[0],
                    key=r.key,
                    stage=Stage.IDENTIFIED,
                    created=as_of,
                    as_of=as_of,
                    **values,
                )
            )
            continue
        if current.as_of and current.as_of > as_of:
            continue  # a later run already refreshed it: replaying an old date changes nothing
        for name, value in values.items():
            setattr(current, name, value)
        current.as_of = as_of
        to_update.append(current)
    gone = [
        o
        for ident, o in existing.items()
        if ident not in seen
        and o.stage == Stage.IDENTIFIED
        and (o.as_of is None or o.as_of <= as_of)
    ]
    Opportunity.objects.bulk_create(to_create, batch_size=WRITE_BATCH)
    Opportunity.objects.bulk_update(to_update, OPPORTUNITY_FIELDS, batch_size=WRITE_BATCH)
    if gone:
        Opportunity.objects.filter(pk__in=[o.pk for o in gone]).update(
            stage=Stage.EXPIRED, closed=as_of, updated=timezone.now()
        )
        OpportunityStageChange.objects.bulk_create(
            [
                OpportunityStageChange(
                    opportunity=o,
                    from_stage=Stage.IDENTIFIED,
                    to_stage=Stage.EXPIRED,
                    note=f"triggers gone on {as_of.isoformat()}",
                )
                for o in gone
            ]
        )
    return {
        "opportunities_created": len(to_create),
        "opportunities_refreshed": len(to_update),
        "opportunities_expired": len(gone),
    }


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
        counts = [
            scoring_chunk_score(run_id=run.pk, lo=lo, hi=hi)
            for lo, hi in scoring_chunks(chunk_size=chunk_size)
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


def open_opportunity_q() -> Q:
    return Q(stage__in=OPEN_STAGES)


_UNSET = object()


def opportunity_update(
    *, opportunity: Opportunity, user=None, stage: str | None = None, amount_arr=_UNSET,
    notes: str | None = None,
) -> Opportunity:
    """A person's edit: move the stage (recorded in the history), set amount and notes."""
    with transaction.atomic():
        if stage is not None:
            opportunity = opportunity_stage_change(opportunity=opportunity, stage=stage,
                                                   user=user)
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
