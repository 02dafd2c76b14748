"""The demo book exercises every rule of the judgment (scoring.md v2): scored through the
product, a small book (the planted showcases and a few random accounts) shows detractors,
incidents, the three reasons to hold a play back, a tier left and proof of value."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command

from books.demo_book import demo_book_write
from playbooks.models import Opportunity
from scoring import services
from scoring.models import HealthSnapshot

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 11, 30)


def test_demo_book_exercises_the_judgment(tmp_path) -> None:
    demo_book_write(directory=tmp_path, accounts=60, seed=7, as_of=AS_OF)
    call_command("import_book", str(tmp_path), stdout=io.StringIO())
    run = services.scoring_run_execute(as_of=AS_OF)

    assert run.counts["reason:detractor"] >= 1
    assert run.counts["reason:incident"] >= 1
    snapshots = HealthSnapshot.objects.filter(as_of=AS_OF)
    held = Counter(h["reason"] for s in snapshots for h in s.held_back)
    assert held["recently_lost"] >= 1
    assert held["deal_in_progress"] >= 1
    assert held["one_at_a_time"] >= 1
    plays = Opportunity.objects.filter(as_of=AS_OF).exclude(key="")
    assert any(
        "left PLAT-ENT on" in t["detail"]
        for o in plays.filter(play="usage_expansion")
        for t in o.triggers
    )
    assert (
        plays.filter(play="renewal_module").exists() or plays.filter(play="value_review").exists()
    )
    # every adjacent cross-sell shows its proof of value
    proof = {"promoter_nps", "outcome_achieved", "lookalike"}
    for o in plays.filter(play="adjacent_cross_sell"):
        assert proof & {t["code"] for t in o.triggers}, o.key
