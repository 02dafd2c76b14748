from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Account
from accounts.services import demo_users_ensure
from books.demo_book import demo_book_write

CONSOLE_MAIL = "django.core.mail.backends.console.EmailBackend"
FILE_MAIL = "django.core.mail.backends.filebased.EmailBackend"


class Command(BaseCommand):
    help = (
        "The main job on one machine: migrate, generate and import a demo book, score it, "
        "create the demo users, print their logins and serve on 127.0.0.1:8000."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", type=int, default=500)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument(
            "--book-dir",
            type=Path,
            default=None,
            help="where to write the demo book (default: var/demo-book)",
        )
        parser.add_argument(
            "--mail-dir",
            type=Path,
            default=None,
            help="where the run's usage-alert e-mails go when no EMAIL_BACKEND is configured "
            "(default: var/demo-mail; one file per send instead of hundreds of lines here)",
        )
        parser.add_argument("--no-serve", action="store_true", help="prepare, do not serve")

    def handle(
        self,
        *args,
        accounts: int,
        seed: int,
        as_of: dt.date | None,
        addrport: str,
        no_serve: bool,
        book_dir: Path | None,
        mail_dir: Path | None,
        **options,
    ) -> None:
        as_of = as_of or timezone.localdate()
        call_command("migrate", verbosity=0)
        if not Account.objects.exists():
            book = book_dir or Path(settings.BASE_DIR) / "var" / "demo-book"
            counts = demo_book_write(directory=book, accounts=accounts, seed=seed, as_of=as_of)
            self.stdout.write(
                f"generated a demo book of {accounts} accounts in {book} "
                f"({sum(counts.values())} rows)"
            )
            call_command("import_book", str(book), stdout=self.stdout)
        else:
            self.stdout.write("the database already holds a book: not generating another")
        # Users before scoring: the run's usage alerts then reach their in-app notifications.
        logins = demo_users_ensure()
        if settings.EMAIL_BACKEND == CONSOLE_MAIL:
            mail_dir = mail_dir or Path(settings.BASE_DIR) / "var" / "demo-mail"
            with override_settings(EMAIL_BACKEND=FILE_MAIL, EMAIL_FILE_PATH=str(mail_dir)):
                call_command("score_accounts", as_of=as_of, stdout=self.stdout)
            sent = len(list(mail_dir.glob("*.log"))) if mail_dir.exists() else 0
            self.stdout.write(f"usage-alert e-mails: {sent} file(s) in {mail_dir}")
        else:
            call_command("score_accounts", as_of=as_of, stdout=self.stdout)
        self.stdout.write("\nDemo logins (password for all shown):")
        for login in logins:
            self.stdout.write(f"  {login.username:<8} {login.role:<14} {login.password}")
        if no_serve:
            return
        self.stdout.write(f"\nServing on http://{addrport}/  (Ctrl-C to stop)")
        call_command("runserver", addrport, use_reloader=False)
