"""The home page for an anonymous visitor: the sign-in page, nothing of the book, and no
demo password on any page (the ``demo`` command prints the logins), under the test and the
production settings."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.test import Client

from accounts.services import DEMO_PASSWORD
from scoring.models import ScoringRun, ScoringRunStatus
from tests.conftest import REPO
from tests.expansion.test_settings import PRODUCTION_ENV

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored_run(db) -> ScoringRun:
    return ScoringRun.objects.create(
        as_of=dt.date(2026, 11, 30),
        status=ScoringRunStatus.SUCCEEDED,
        counts={"accounts_scored": 4321},
    )


def test_anonymous_home_redirects_to_the_sign_in_page(scored_run) -> None:
    response = Client().get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_sign_in_page_shows_nothing_of_the_book_and_no_password(scored_run) -> None:
    page = Client().get("/", follow=True)

    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="password"' in text
    assert DEMO_PASSWORD not in text
    assert "4321" not in text
    assert "2026-11-30" not in text


def test_signed_in_home_is_the_role_home(scored_run, django_user_model) -> None:
    user = django_user_model.objects.create_user("someone", password="pw-12345678")
    client = Client()
    client.force_login(user)

    response = client.get("/", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/opportunities/"
    assert 'name="password"' not in response.content.decode()


PRODUCTION_PROBE = textwrap.dedent(
    """
    import django
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from scoring.models import ScoringRun
    call_command("migrate", verbosity=0)
    ScoringRun.objects.create(as_of="2026-11-30", status="succeeded",
                              counts={"accounts_scored": 4321})
    client = Client(HTTP_HOST="expansion.example.com")
    home = client.get("/", secure=True)
    print("STATUS", home.status_code, home.get("Location"))
    login = client.get("/login/?next=/", secure=True)
    print("LOGIN", login.status_code)
    print(login.content.decode())
    """
)


def test_anonymous_home_under_production_settings(tmp_path: Path) -> None:
    """GIVEN the production settings and a scored book WHEN an anonymous visitor opens /
    THEN it is sent to the sign-in page, which shows neither the book nor a password."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(PRODUCTION_ENV)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'production.sqlite3'}"
    env.pop("CACHE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert result.returncode == 0, result.stderr
    assert "STATUS 302 /login/?next=/" in result.stdout
    assert "LOGIN 200" in result.stdout
    assert DEMO_PASSWORD not in result.stdout
    assert "4321" not in result.stdout
