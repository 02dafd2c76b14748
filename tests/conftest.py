"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL + Redis when
DATABASE_URL / CELERY_BROKER_URL are set (that is how CI runs it, twice)."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SAMPLE_BOOK = SHARED / "sample-book"


@pytest.fixture
def sample_book_dir() -> Path:
    if not SAMPLE_BOOK.is_dir():
        pytest.fail(f"the sample book is missing: {SAMPLE_BOOK}")
    return SAMPLE_BOOK


@pytest.fixture
def book_copy(tmp_path: Path, sample_book_dir: Path) -> Path:
    """A writable copy of the sample book."""
    target = tmp_path / "book"
    shutil.copytree(sample_book_dir, target)
    return target


@pytest.fixture
def imported_sample_book(db, sample_book_dir: Path) -> Path:
    call_command("import_book", str(sample_book_dir), stdout=io.StringIO())
    return sample_book_dir


def delete_book() -> None:
    """Delete everything an import and a scoring run write (accounts cascade to their rows;
    products, runs and notifications hang off nothing of the book); settings, role groups and
    users stay."""
    from django.core.cache import cache

    from accounts.models import Account, Product
    from scoring.models import Notification, ScoringRun

    for model in (Account, Product, ScoringRun, Notification):
        model.objects.all().delete()
    cache.clear()


@pytest.fixture(scope="module")
def sample_book_in_module(django_db_setup, django_db_blocker):
    """The sample book imported (committed) once for a whole module, deleted after its last
    test. Only for modules where every database test reads the book: each test still runs in
    its own transaction, so what it writes is rolled back. A module opts in with::

        @pytest.fixture
        def imported_sample_book(sample_book_in_module, db):
            return sample_book_in_module
    """
    from accounts.models import Account

    if not SAMPLE_BOOK.is_dir():
        pytest.fail(f"the sample book is missing: {SAMPLE_BOOK}")
    with django_db_blocker.unblock():
        assert not Account.objects.exists(), "a previous module left rows behind"
        call_command("import_book", str(SAMPLE_BOOK), stdout=io.StringIO())
        try:
            yield SAMPLE_BOOK
        finally:
            delete_book()


@pytest.fixture
def client_for(db) -> Callable[..., APIClient]:
    """An API client as a named user with roles (username None: anonymous); ``token=True``
    goes through the real token authentication instead of ``force_authenticate``."""
    from rest_framework.authtoken.models import Token

    from tests.factories import UserFactory

    def make(username: str | None, roles: Iterable[str] = (), *, token: bool = False) -> APIClient:
        client = APIClient()
        if username is not None:
            user = UserFactory(username=username, roles=list(roles))
            if token:
                key = Token.objects.create(user=user).key
                client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
            else:
                client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def manager_client(client_for) -> APIClient:
    return client_for("boss", ["manager"])


def _required(flag: str) -> bool:
    return os.environ.get(flag, "") not in ("", "0", "false")


@pytest.fixture
def services_urls() -> dict[str, str]:
    """The real PostgreSQL and Redis. Skips on the embedded default; with
    REQUIRE_SERVICES=1 (CI) a missing or unreachable service fails the test instead."""
    database, broker = os.environ.get("DATABASE_URL", ""), os.environ.get("CELERY_BROKER_URL", "")
    if not (database.startswith("postgres") and broker.startswith("redis")):
        if _required("REQUIRE_SERVICES"):
            pytest.fail("REQUIRE_SERVICES=1 but DATABASE_URL/CELERY_BROKER_URL are not set")
        pytest.skip("needs DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis)")
    import redis

    redis.Redis.from_url(broker, socket_connect_timeout=5).ping()  # raises: a failure
    return {"database": database, "broker": broker}
