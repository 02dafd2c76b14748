"""manage.py demo (the README's main job), without serving: migrate, generate, import, score,
create the demo users; a second call adds no second book."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import Account
from playbooks.models import Opportunity
from scoring.models import Notification, ScoringRun, ScoringRunStatus

pytestmark = pytest.mark.django_db


def _demo_of_60_accounts(tmp_path, out: io.StringIO, *options: str) -> None:
    call_command(
        "demo",
        "--no-serve",
        "--accounts",
        "60",
        "--as-of",
        "2026-06-30",
        "--book-dir",
        str(tmp_path / "book"),
        *options,
        stdout=out,
    )


def test_demo_prepares_a_scored_book_and_demo_users(
    tmp_path, django_capture_on_commit_callbacks
) -> None:
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        _demo_of_60_accounts(tmp_path, out)
    call_command("demo", "--no-serve", "--as-of", "2026-06-30", stdout=io.StringIO())

    text = out.getvalue()
    assert "generated a demo book of 60 accounts" in text
    assert "0 rejected" in text
    assert "manager  manager        expansion-demo" in text
    assert Account.objects.count() == 60  # the second call did not add a book
    assert ScoringRun.objects.filter(status=ScoringRunStatus.SUCCEEDED).count() == 2
    assert Opportunity.objects.exclude(key="").filter(status="ready").exists()
    assert Notification.objects.filter(user__username="ae1").exists()


@pytest.mark.django_db(transaction=True)  # real commits: the mails go out on commit
def test_demo_writes_the_alert_mails_to_files_instead_of_the_console(
    tmp_path, capsys, settings
) -> None:
    """With the default console mail backend, the run's usage-alert digests used to print
    hundreds of lines before the logins; the demo now writes them to files and says where."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    out = io.StringIO()
    _demo_of_60_accounts(tmp_path, out, "--mail-dir", str(tmp_path / "mail"))
    printed = capsys.readouterr().out
    assert "Subject:" not in printed
    files = list((tmp_path / "mail").glob("*.log"))
    assert files and "Subject:" in files[0].read_text()
    assert f"usage-alert e-mails: {len(files)} file(s) in {tmp_path / 'mail'}" in out.getvalue()
