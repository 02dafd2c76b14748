"""The nightly scoring against the database: the sample book's EXPECTED.md through the REST
API, re-runs, stage preservation, expiry, chunking, alerts and a crashed run."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Account, Entitlement
from playbooks.models import Opportunity, OpportunityStageChange, Stage
from playbooks.services import opportunity_stage_change
from scoring import services
from scoring.alerts import usage_alerts_raise
from scoring.models import (
    AccountAction,
    HealthSnapshot,
    Notification,
    ScoringRun,
    ScoringRunStatus,
    UsageAlert,
    UtilizationSnapshot,
)
from signals.models import AccountSignal, DailyUsage
from tests.conftest import SAMPLE_BOOK
from tests.factories import UserFactory

from .expected_md import assert_api_matches, read_expected

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)

# EXPECTED.md, read as data: health, reasons, actions, plays, scores and held back.
EXPECTED = read_expected(SAMPLE_BOOK / "EXPECTED.md")


@pytest.fixture
def manager_client():
    client = APIClient()
    client.force_authenticate(UserFactory(username="boss", roles=["manager"]))
    return client


@pytest.fixture
def scored(imported_sample_book):
    return services.scoring_run_execute(as_of=AS_OF)


def _all(client: APIClient, url: str) -> list[dict]:
    results = []
    while url:
        page = client.get(url).json()
        results += page["results"]
        url = page["next"]
    return results


def _open_opportunities(client: APIClient) -> list[dict]:
    return [
        o
        for o in _all(client, "/api/v1/opportunities/?page_size=500")
        if o["stage"] == "identified"
    ]


def test_score_accounts_command_gives_expected_md_through_the_api(
    imported_sample_book, manager_client
) -> None:
    call_command("score_accounts", "--as-of", "2026-06-30", stdout=io.StringIO())

    accounts = {a["external_id"]: a for a in _all(manager_client, "/api/v1/accounts/")}
    assert len(EXPECTED) == 12
    assert_api_matches(EXPECTED, list(accounts.values()), _open_opportunities(manager_client))
    assert accounts["BY-012"]["health"] is None  # churned on 2026-03-31: not scored
    assert accounts["TT-004"]["eligibility"] == {"eligible": False, "reasons": ["onboarding"]}


def test_ranking_order_statements(scored, manager_client) -> None:
    ranked = _open_opportunities(manager_client)
    position = {(o["account"]["external_id"], o["play"]): i for i, o in enumerate(ranked)}
    scores = [o["score"] for o in ranked]

    assert scores == sorted(scores, reverse=True)
    assert position[("NW-001", "tier_upgrade")] < position[("CW-010", "seat_expansion")]
    ready = [o for o in ranked if o["status"] == "ready"]
    for weak in (o for o in ranked if o["status"] == "needs_sponsor"):
        same = [
            o
            for o in ready
            if {t["code"] for t in o["triggers"]} == {t["code"] for t in weak["triggers"]}
        ]
        assert all(
            position[(o["account"]["external_id"], o["play"])]
            < position[(weak["account"]["external_id"], weak["play"])]
            for o in same
        )
    for opportunity in ranked:
        assert sum(t["points"] for t in opportunity["triggers"]) > 0
        assert opportunity["explanation"]


def test_every_score_explains_itself(scored) -> None:
    """score = sum(points) x health / 100, halved when a sponsor is needed."""
    health = {h.account_id: h.score for h in HealthSnapshot.objects.filter(as_of=AS_OF)}
    for o in Opportunity.objects.exclude(key=""):
        factor = 0.5 if o.status == "needs_sponsor" else 1.0
        points = sum(t["points"] for t in o.triggers)
        assert o.score == pytest.approx(points * health[o.account_id] / 100 * factor)


def _state() -> list[tuple]:
    return sorted(
        Opportunity.objects.exclude(key="").values_list(
            "id", "account__external_id", "key", "stage", "status", "score", "triggers"
        )
    )


def _results() -> tuple:
    """Every scoring result of the date but the snapshots' own ids."""
    return (
        _state(),
        sorted(
            HealthSnapshot.objects.filter(as_of=AS_OF).values_list(
                "account_id", "score", "adoption", "trend", "eligible", "reasons", "held_back"
            )
        ),
        sorted(
            UtilizationSnapshot.objects.filter(as_of=AS_OF).values_list(
                "entitlement_id", "used", "ratio", "level"
            )
        ),
        sorted(AccountAction.objects.filter(as_of=AS_OF).values_list("account_id", "code")),
        sorted(UsageAlert.objects.values_list("id", "entitlement_id", "level")),
    )


def test_rerun_for_the_same_date_gives_the_same_rows(scored) -> None:
    before = _results()

    services.scoring_run_execute(as_of=AS_OF)

    assert _results() == before and all(before)


def _open_scored() -> dict[tuple, tuple]:
    return {
        (o.account_id, o.key): (o.as_of, o.score, o.triggers, o.updated)
        for o in Opportunity.objects.exclude(key="").filter(stage=Stage.IDENTIFIED)
    }


def test_replaying_the_same_date_leaves_unchanged_opportunities_untouched(scored) -> None:
    before = _open_scored()

    run = services.scoring_run_execute(as_of=AS_OF)

    assert run.counts["opportunities_refreshed"] == 0 and _open_scored() == before


def test_the_next_date_refreshes_every_open_opportunity(scored) -> None:
    next_day = AS_OF + dt.timedelta(days=1)

    run = services.scoring_run_execute(as_of=next_day)

    refreshed = _open_scored()
    assert run.counts["opportunities_refreshed"] == len(refreshed) > 0
    assert {as_of for as_of, *_ in refreshed.values()} == {next_day}


def test_replaying_an_older_date_never_overwrites_a_later_run(scored) -> None:
    services.scoring_run_execute(as_of=AS_OF + dt.timedelta(days=1))
    later = _open_scored()

    services.scoring_run_execute(as_of=AS_OF)

    assert _open_scored() == later


def test_replaying_an_older_date_never_revives_what_a_later_run_expired(scored) -> None:
    nw = Account.objects.get(external_id="NW-001")
    usage = list(
        DailyUsage.objects.filter(account=nw).values("account_id", "metric", "date", "quantity")
    )
    DailyUsage.objects.filter(account=nw).delete()  # its utilization trigger is gone
    services.scoring_run_execute(as_of=AS_OF + dt.timedelta(days=1))
    tier = Opportunity.objects.get(account=nw, play="tier_upgrade")
    assert tier.stage == Stage.EXPIRED
    DailyUsage.objects.bulk_create(DailyUsage(**row) for row in usage)

    run = services.scoring_run_execute(as_of=AS_OF)

    assert run.counts["opportunities_created"] == 0
    assert list(Opportunity.objects.filter(account=nw, play="tier_upgrade")) == [tier]
    assert HealthSnapshot.objects.filter(account=nw, as_of=AS_OF).exists()


def test_snapshots_of_a_date_are_replaced_in_one_statement(scored) -> None:
    """No receiver makes Django fetch snapshot rows to signal their deletion one by one."""
    with CaptureQueriesContext(connection) as queries:
        HealthSnapshot.objects.filter(as_of=AS_OF).delete()
        UtilizationSnapshot.objects.filter(as_of=AS_OF).delete()

    assert len(queries) == 2 and all(q["sql"].startswith("DELETE") for q in queries)


def test_chunked_run_equals_single_run(imported_sample_book) -> None:
    services.scoring_run_execute(as_of=AS_OF, chunk_size=10_000)
    single = sorted(row[1:] for row in _state())
    single_health = sorted(HealthSnapshot.objects.values_list("account_id", "score"))
    Opportunity.objects.exclude(key="").delete()
    HealthSnapshot.objects.all().delete()

    services.scoring_run_execute(as_of=AS_OF, chunk_size=3)

    assert sorted(row[1:] for row in _state()) == single
    assert sorted(HealthSnapshot.objects.values_list("account_id", "score")) == single_health


def test_moved_opportunity_is_never_reset_duplicated_or_deleted(scored) -> None:
    nw = Account.objects.get(external_id="NW-001")
    tier = Opportunity.objects.get(account=nw, play="tier_upgrade")
    opportunity_stage_change(opportunity=tier, stage=Stage.QUALIFIED)
    DailyUsage.objects.filter(account=nw).delete()  # its utilization trigger is gone

    services.scoring_run_execute(as_of=AS_OF + dt.timedelta(days=1))

    tier.refresh_from_db()
    assert tier.stage == Stage.QUALIFIED
    assert Opportunity.objects.filter(account=nw, play="tier_upgrade").count() == 1


def test_identified_opportunity_whose_triggers_are_gone_expires(scored) -> None:
    wg = Account.objects.get(external_id="WG-007")
    AccountSignal.objects.filter(account=wg, kind="compliance_change").delete()
    later = AS_OF + dt.timedelta(days=1)

    services.scoring_run_execute(as_of=later)

    expired = Opportunity.objects.get(account=wg, play="compliance_module")
    assert (expired.stage, expired.closed) == (Stage.EXPIRED, later)
    change = OpportunityStageChange.objects.get(opportunity=expired)
    assert (change.from_stage, change.to_stage) == (Stage.IDENTIFIED, Stage.EXPIRED)
    assert change.note == f"triggers gone on {later.isoformat()}"
    nw_tier = Opportunity.objects.get(account__external_id="NW-001", play="tier_upgrade")
    assert nw_tier.stage == Stage.IDENTIFIED


def test_usage_alerts_are_raised_once_and_sent_to_csm_and_ae(
    imported_sample_book, django_capture_on_commit_callbacks
) -> None:
    UserFactory(username="ae1", roles=["ae"])
    UserFactory(username="csm1", roles=["csm"])
    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_run_execute(as_of=AS_OF)
    first_mails = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_run_execute(as_of=AS_OF)

    tailspin_api = UsageAlert.objects.filter(
        entitlement__contract__account__external_id="TT-004", entitlement__metric="api_calls"
    )
    # 80, 90 and 95 % reached at once: one alert, at the highest level.
    assert sorted(tailspin_api.values_list("level", flat=True)) == [95]
    # One digest per recipient, none on the re-run.
    assert first_mails == len(mail.outbox) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ae1@vendor.example", "csm1@vendor.example"]
    digest = mail.outbox[0].body
    assert "Tailspin Toys: api_calls of CORE-STARTER reached 95 % of its limit" in digest
    assert "reached 90 % of its limit" not in digest.split("Tailspin Toys: api_calls")[1][:40]
    alerted = set(UsageAlert.objects.values_list("entitlement_id", flat=True))
    assert digest.count("\n") - 1 == len(alerted)  # a line per entitlement, then the date
    assert Notification.objects.filter(user__username="csm1").count() == len(alerted)
    assert (
        Notification.objects.filter(
            user__username="csm1", message__contains="Tailspin Toys: api_calls"
        ).count()
        == 1
    )
    assert not UsageAlert.objects.filter(sent_at__isnull=True).exists()


def test_crashed_run_leaves_previous_results_and_next_run_completes(scored, monkeypatch) -> None:
    before = _state()
    calls = {"n": 0}
    real = services.score_book

    def crash_on_second_chunk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker lost")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "score_book", crash_on_second_chunk)
    with pytest.raises(RuntimeError):
        services.scoring_run_execute(as_of=AS_OF, chunk_size=4)

    failed = ScoringRun.objects.order_by("-pk").first()
    assert failed.status == ScoringRunStatus.FAILED and "worker lost" in failed.error
    assert _state() == before
    monkeypatch.setattr(services, "score_book", real)
    run = services.scoring_run_execute(as_of=AS_OF, chunk_size=4)
    assert run.status == ScoringRunStatus.SUCCEEDED
    assert _state() == before


def test_run_records_settings_and_counts(scored) -> None:
    assert scored.settings["health_threshold"] == 70.0
    assert scored.counts["accounts_scored"] == 11
    assert scored.counts["play:adjacent_cross_sell"] == 2
    assert scored.counts["reason:onboarding"] == 1
    assert scored.counts["reason:detractor"] == 1
    assert scored.counts["held_back:one_at_a_time"] == 1
    assert scored.counts["status:ready"] == 6
    for name, default in (
        ("detractor_nps", 6.0),
        ("incident_severity", 1),
        ("incident_window_days", 30),
        ("lost_cooldown_days", 180),
        ("tier_left_days", 730),
        ("ownership_days", 90),
        ("outcome_min_share", 0.5),
    ):
        assert scored.settings[name] == default, name


def test_opportunities_of_earlier_rules_expire_with_the_reason_unless_advanced(
    imported_sample_book,
) -> None:
    """Plays an earlier version of the rules started and v2 no longer starts: still
    ``identified``, they expire with the date and the reason; advanced by a person, kept."""
    aw = Account.objects.get(external_id="AW-006")
    lw = Account.objects.get(external_id="LW-005")
    earlier = AS_OF - dt.timedelta(days=1)

    def older(account, key, play, motion, stage=Stage.IDENTIFIED):
        return Opportunity.objects.create(
            account=account,
            key=key,
            play=play,
            motion=motion,
            stage=stage,
            created=earlier,
            as_of=earlier,
            status="ready",
            score=10.0,
        )

    held = older(aw, "adjacent_cross_sell:PLO", "adjacent_cross_sell", "cross_sell")
    bundled = older(lw, "value_review:FRAUD", "value_review", "renewal")
    advanced = older(
        lw, "adjacent_cross_sell:CREDIT", "adjacent_cross_sell", "cross_sell", Stage.QUALIFIED
    )

    services.scoring_run_execute(as_of=AS_OF)

    for opportunity in (held, bundled, advanced):
        opportunity.refresh_from_db()
    assert (held.stage, held.closed) == (Stage.EXPIRED, AS_OF)
    assert OpportunityStageChange.objects.get(opportunity=held).note == (
        "held back on 2026-06-30: one_at_a_time (waits for automation_audit -> HRFLOW)"
    )
    assert (bundled.stage, bundled.closed) == (Stage.EXPIRED, AS_OF)
    assert OpportunityStageChange.objects.get(opportunity=bundled).note == (
        "triggers gone on 2026-06-30"
    )
    assert (advanced.stage, advanced.closed) == (Stage.QUALIFIED, None)
    # the deal in progress holds back the new cross-sell of the kind: renewal_module waits
    lw_snapshot = HealthSnapshot.objects.get(account=lw, as_of=AS_OF)
    assert [(h["play"], h["reason"]) for h in lw_snapshot.held_back] == [
        ("renewal_module", "deal_in_progress")
    ]
    assert not Opportunity.objects.filter(account=lw, play="renewal_module").exists()


def test_a_jump_past_several_levels_raises_one_alert_at_the_highest(imported_sample_book) -> None:
    """80 % alerted earlier in the term; the run finds 96 %: one alert, at 95 %; 90 % counts
    as raised and is never raised later."""
    tt_api = Entitlement.objects.get(contract__account__external_id="TT-004", metric="api_calls")
    UsageAlert.objects.create(entitlement=tt_api, level=80, ratio=0.81, raised_on=AS_OF)

    services.scoring_run_execute(as_of=AS_OF)

    levels = sorted(UsageAlert.objects.filter(entitlement=tt_api).values_list("level", flat=True))
    assert levels == [80, 95]
    frame = pd.DataFrame({"entitlement_id": [tt_api.pk], "ratio": [0.91], "level": [90]})
    assert usage_alerts_raise(as_of=AS_OF, utilization=frame) == 0
