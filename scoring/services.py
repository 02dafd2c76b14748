"""Writes of the nightly judgment: scoring runs and their results (snapshots, actions, the
opportunities it finds), alerts. A person's opportunity writes are in ``playbooks.services``.

A scoring run is (as-of date, settings) -> results, replayable: re-running the same date
rewrites the same rows. It is split into chunks of account-id ranges so that Celery can fan
it out; a chunk's results depend only on its own accounts (and on book-wide lookalike peers),
never on how the book was chunked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import socket
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Account
from codes.health import HealthComponent
from core.bulk import insert_frame, read_frame, same_value, update_frame
from playbooks.models import (
    OPEN_STAGES,
    Opportunity,
    OpportunityStageChange,
    Stage,
)

from .alerts import usage_alerts_raise
from .config import ScoringConfig
from .engine import ScoringInput, ScoringResult, score_book
from .models import (
    AccountAction,
    HealthSnapshot,
    ScoringRun,
    ScoringRunStatus,
    ScoringSettings,
    UtilizationSnapshot,
)
from .selectors import (
    OWN_PEERS,
    Peers,
    account_id_chunks,
    scoring_input_load,
    scoring_peers_load,
)

logger = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 100_000
HEALTH_COMPONENTS = list(HealthComponent.codes)
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


class ScoringRunInProgress(Exception):
    """A run is already in progress (at most one at a time: runs of any date write the same
    current opportunities)."""

    def __init__(self, run: ScoringRun):
        self.run = run
        where = f", pid {run.pid} on {run.hostname}" if run.pid else ""
        super().__init__(
            f"a run for {run.as_of.isoformat()} is already in progress "
            f"(run {run.pk}, started {run.started:%Y-%m-%d %H:%M:%S} UTC{where})"
        )


def scoring_run_create(
    *, as_of: dt.date, pid: int | None = None, hostname: str = ""
) -> ScoringRun:
    """A new running run, once the runs whose process is gone are marked failed. Raises
    ``ScoringRunInProgress`` when another run is running: the database allows one (a
    partial unique index), so two processes starting at once cannot both get one."""
    scoring_runs_reap()
    config = ScoringSettings.current().to_config()
    for attempt in range(3):
        try:
            with transaction.atomic():
                return ScoringRun.objects.create(
                    as_of=as_of,
                    settings=config.as_dict(),
                    pid=pid,
                    hostname=hostname,
                    heartbeat=timezone.now(),
                )
        except IntegrityError:
            running = ScoringRun.objects.filter(status=ScoringRunStatus.RUNNING).first()
            if running is not None:
                raise ScoringRunInProgress(running) from None
            if attempt == 2:
                raise
            # It ended between the two statements: try again.
    raise AssertionError("unreachable")


def scoring_runs_reap(*, now: dt.datetime | None = None) -> list[int]:
    """Mark failed, with the reason, the running runs whose process is gone: a run recorded
    with a process on this host whose process no longer exists; any other run (a Celery
    chord's, or one on another host) without a heartbeat for ``SCORING_RUN_STALE_SECONDS``
    (default: twice the Celery task time limit, the longest a chunk can live). Returns
    their ids."""
    now = now or timezone.now()
    stale = dt.timedelta(
        seconds=getattr(
            settings, "SCORING_RUN_STALE_SECONDS", 2 * settings.CELERY_TASK_TIME_LIMIT
        )
    )
    host = socket.gethostname()
    reaped = []
    for run in ScoringRun.objects.filter(status=ScoringRunStatus.RUNNING):  # at most one
        last = run.heartbeat or run.started
        if run.pid and run.hostname == host:
            if _process_alive(run.pid, since=run.started):
                continue
            reason = f"its process {run.pid} on {host} is gone (killed?)"
        elif now - last > stale:
            reason = f"no sign of life for over {stale.total_seconds():.0f} s: its workers are gone"
        else:
            continue
        error = f"{reason}; last heartbeat {last:%Y-%m-%d %H:%M:%S} UTC"
        if ScoringRun.objects.filter(pk=run.pk, status=ScoringRunStatus.RUNNING).update(
            status=ScoringRunStatus.FAILED, error=error, finished=now
        ):
            logger.warning("scoring run %s marked failed: %s", run.pk, error)
            reaped.append(run.pk)
    return reaped


def _process_alive(pid: int, *, since: dt.datetime) -> bool:
    """Whether process ``pid`` of this host exists, is not a zombie, and (where /proc says)
    started before ``since``: a later process with the same pid is another one."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(
            int(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
    except (OSError, StopIteration, IndexError, ValueError):
        return True
    if stat[0] in ("Z", "X"):
        return False
    started = boot + int(stat[19]) / os.sysconf("SC_CLK_TCK")
    return started <= since.timestamp() + 1


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
    skipped = _unusable_input(data)
    result = score_book(_without(data, skipped), as_of=run.as_of, config=config)
    result, unusable = _without_non_finite(result)
    skipped.update(unusable)
    with transaction.atomic():
        counts = scoring_results_save(run=run, result=result, lo=lo, hi=hi, skipped=skipped)
    ScoringRun.objects.filter(pk=run_id, status=ScoringRunStatus.RUNNING).update(
        heartbeat=timezone.now()
    )
    return counts


def _unusable_input(data: ScoringInput) -> dict[int, str]:
    """Accounts whose stored numbers cannot be scored (account id -> why): a usage reading
    out of range (flagged by the aggregation, which leaves it out of the sums), a window sum
    or a latest reading that is not finite, a non-finite ARR, limit, signal value or
    success metric."""
    bad: dict[int, str] = {}

    def flag(ids, reason: str) -> None:
        for account_id in ids:
            bad.setdefault(int(account_id), reason)

    usage = data.usage
    if "out_of_range" in usage:
        flag(usage.loc[usage["out_of_range"] > 0, "account_id"], "usage quantity out of range")
    sums = usage[["used_last", "used_prior"]].to_numpy(dtype=float)
    flag(usage.loc[~np.isfinite(sums).all(axis=1), "account_id"], "usage sum out of range")
    flag(usage.loc[np.isinf(usage["latest"]), "account_id"], "usage out of range")
    lines = data.lines
    flag(lines.loc[~np.isfinite(lines["arr"]), "account_id"], "ARR not finite")
    limits = data.entitlements.merge(
        lines[["id", "account_id"]], left_on="contract_id", right_on="id", suffixes=("", "_")
    )
    flag(limits.loc[~np.isfinite(limits["limit"]), "account_id"], "limit not finite")
    signals = data.signals
    flag(signals.loc[np.isinf(signals["value"]), "account_id"], "signal not finite")
    success = data.success_metrics[["account_id", "target", "achieved"]]
    numbers = success[["target", "achieved"]].to_numpy(dtype=float)
    flag(success.loc[~np.isfinite(numbers).all(axis=1), "account_id"], "success metric not finite")
    return {k: bad[k] for k in sorted(bad)}


def _without(data: ScoringInput, accounts: dict[int, str]) -> ScoringInput:
    """``data`` without the rows of ``accounts``. They stay lookalike peers of the others (as
    in a chunked run, whose peers are the whole book), so that no other result changes."""
    if not accounts:
        return data
    ids = list(accounts)

    def keep(frame: pd.DataFrame, column: str = "account_id") -> pd.DataFrame:
        return frame[~frame[column].isin(ids)]

    lines = keep(data.lines)
    stakeholders = keep(data.stakeholders)
    return dataclasses.replace(
        data,
        accounts=keep(data.accounts, "id"),
        lines=lines,
        entitlements=data.entitlements[data.entitlements["contract_id"].isin(lines["id"])],
        usage=keep(data.usage),
        stakeholders=stakeholders,
        priorities=data.priorities[data.priorities["stakeholder_id"].isin(stakeholders["id"])],
        signals=keep(data.signals),
        success_metrics=keep(data.success_metrics),
        peer_accounts=data.accounts if data.peer_accounts is None else data.peer_accounts,
        peer_lines=data.lines if data.peer_lines is None else data.peer_lines,
    )


def _without_non_finite(result: ScoringResult) -> tuple[ScoringResult, dict[int, str]]:
    """The result without the accounts for which the engine gave an infinite number (no
    column of the result can store one), and those accounts."""
    checks = [
        (result.health, ["score", *HEALTH_COMPONENTS]),
        (result.utilization, ["used", "ratio"]),
        (result.opportunities, ["score"]),
    ]
    bad: set[int] = set()
    for frame, columns in checks:
        values = frame[columns].to_numpy(dtype=float)
        bad.update(int(a) for a in frame.loc[np.isinf(values).any(axis=1), "account_id"])
    if not bad:
        return result, {}
    return (
        ScoringResult(
            health=result.health[~result.health["account_id"].isin(bad)],
            utilization=result.utilization[~result.utilization["account_id"].isin(bad)],
            opportunities=result.opportunities[~result.opportunities["account_id"].isin(bad)],
        ),
        {a: "scoring gave an infinite number" for a in sorted(bad)},
    )


def scoring_results_save(
    *,
    run: ScoringRun,
    result: ScoringResult,
    lo: int,
    hi: int,
    skipped: dict[int, str] | None = None,
) -> dict[str, int]:
    """Store a chunk's results. ``skipped`` accounts (id -> why) have no results of the date;
    their opportunities are left as they are, and they are listed on the run."""
    as_of = run.as_of
    skipped = skipped or {}
    _health_save(run, result.health, lo, hi)
    _utilization_save(as_of, result.utilization, lo, hi)
    actions = _actions_save(as_of, result.health, lo, hi)
    opportunity_counts = _opportunities_save(
        as_of, result.opportunities, lo, hi, set(skipped), held=result.held_back
    )
    _skipped_record(run, skipped)
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
    if result.held_back is not None:
        counts.update(f"held_back:{r}" for r in result.held_back["reason"])
    counts.update(opportunity_counts)
    counts["alerts_raised"] = alerts
    counts["accounts_skipped"] = len(skipped)
    return dict(counts)


def _skipped_record(run: ScoringRun, skipped: dict[int, str]) -> None:
    """Add ``skipped`` to the run's list (in the chunk's transaction; the row lock keeps
    parallel chunks from overwriting each other's entries). A re-run chunk replaces its own."""
    if not skipped:
        return
    names = dict(
        Account.objects.filter(pk__in=list(skipped)).values_list("pk", "external_id")
    )
    locked = ScoringRun.objects.select_for_update().get(pk=run.pk)
    entries = [e for e in locked.skipped if e["account_id"] not in skipped]
    entries += [
        {"account_id": a, "external_id": names.get(a, ""), "reason": why}
        for a, why in skipped.items()
    ]
    locked.skipped = sorted(entries, key=lambda e: e["account_id"])
    locked.save(update_fields=["skipped"])


def _replace(stale: QuerySet, frame: pd.DataFrame) -> None:
    """Replace the ``stale`` rows (a chunk's results of one date) with ``frame``: nothing
    refers to these rows, so a re-run deleting and re-inserting the same content is cheaper
    than comparing row by row."""
    stale.delete()
    insert_frame(stale.model, frame)


def _health_save(run: ScoringRun, health: pd.DataFrame, lo: int, hi: int) -> None:
    columns = ["account_id", "score", *HEALTH_COMPONENTS, "eligible", "reasons", "held_back"]
    frame = health[[c for c in columns if c in health.columns]].copy()
    frame["as_of"], frame["run_id"] = run.as_of.isoformat(), run.pk
    frame["reasons"] = [list(r) for r in frame["reasons"]]
    if "held_back" in frame.columns:
        frame["held_back"] = [list(h) for h in frame["held_back"]]
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

    def ids(column: str) -> pd.Series:  # the engine's nullable ids
        return found[column].astype("Int64")

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


def _opportunities_save(
    as_of: dt.date,
    found: pd.DataFrame,
    lo: int,
    hi: int,
    skipped: set[int] = frozenset(),
    held: pd.DataFrame | None = None,
) -> dict[str, int]:
    """Create new opportunities, refresh open ones (never their stage), expire the
    ``identified`` ones whose triggers are gone. Set-based: one read of the chunk's open
    opportunities, then one insert, one update and one expiry.

    A refresh on a new date changes every open opportunity (its ``as_of`` at least); only a
    replay of the stored date compares content, to leave unchanged rows untouched.
    Opportunities are the current state: once a later date has been scored, replaying this
    one rewrites its snapshots and actions, never them (nor revives what that run expired).
    The opportunities of ``skipped`` accounts (not scored) are left alone."""
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
    stored = stored[~stored["account_id"].isin(list(skipped))]
    day = pd.Timestamp(as_of)
    later = set(stored.loc[stored["as_of"] > day, "id"])
    same_day = set(stored.loc[stored["as_of"] == day, "id"])
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
    # the reason: held back by the focus (section 4b) with what it saw, or triggers gone
    why = gone[["account_id", "key"]].merge(
        _held_notes(held, as_of), on=["account_id", "key"], how="left"
    )["note"]
    notes = why.fillna(f"triggers gone on {as_of.isoformat()}").tolist()
    _expire([int(i) for i in gone["id"]], as_of, notes=notes)
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
        elif field == "as_of":  # dates against datetime64 days
            same = pd.to_datetime(new).to_numpy() == old.to_numpy()
        else:
            new, old = new.astype(object), old.astype(object)
            same = [same_value(a, b) for a, b in zip(new, old, strict=True)]
        differs |= ~np.asarray(same, dtype=bool)
    return matched[differs]


def _held_notes(held: pd.DataFrame | None, as_of: dt.date) -> pd.DataFrame:
    """(account_id, key, note) of the held-back candidates: "held back on <date>:
    <reason> (<what the rule saw>)"."""
    if held is None or held.empty:
        return pd.DataFrame({"account_id": [], "key": [], "note": []}).astype(
            {"account_id": "int64", "key": object, "note": object}
        )
    note = (
        f"held back on {as_of.isoformat()}: "
        + held["reason"].astype(str)
        + " ("
        + held["detail"].fillna("").astype(str)
        + ")"
    ).str.slice(0, 500)
    return pd.DataFrame(
        {"account_id": held["account_id"].astype("int64"), "key": held["key"], "note": note}
    ).drop_duplicates(["account_id", "key"])


def _expire(ids: list[int], as_of: dt.date, notes: list[str] | None = None) -> None:
    if not ids:
        return
    # By id through a staging table: any number of ids (a query takes at most 65,535).
    update_frame(
        Opportunity,
        pd.DataFrame(
            {"id": ids, "stage": Stage.EXPIRED, "closed": as_of, "updated": timezone.now()}
        ),
    )
    note = notes if notes is not None else f"triggers gone on {as_of.isoformat()}"
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
    Celery task runs the same chunk service in parallel workers). The run records this
    process, so that if it is killed the next run (or the periodic check) marks it failed.
    Raises ``ScoringRunInProgress`` while another run is running. Then the alerts still
    unsent (from this run, an earlier killed one, or failed sends) are sent."""
    run = scoring_run_create(as_of=as_of, pid=os.getpid(), hostname=socket.gethostname())
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
    run = scoring_run_finish(run_id=run.pk, chunk_counts=counts)
    transaction.on_commit(_sweep_unsent_alerts)
    return run


def _sweep_unsent_alerts() -> None:
    """After a run: send what is still unsent. Never fails the run (its results are
    committed): whatever this does not send, the periodic sweep will."""
    from .tasks import usage_alerts_sweep_task

    try:
        usage_alerts_sweep_task.delay()
    except Exception:
        logger.exception("the sweep of unsent usage alerts failed; the periodic one retries")


def notification_mark_read(*, notification, read: bool = True):
    notification.read_at = timezone.now() if read else None
    notification.save(update_fields=["read_at"])
    return notification


