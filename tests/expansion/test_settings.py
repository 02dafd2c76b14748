"""Production settings refuse to start without their secrets, and pass check --deploy."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "expansion.settings.production",
    "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-" + "y" * 30,
    "DATABASE_URL": "postgres://expansion@127.0.0.1:5432/expansion",
    "DJANGO_ALLOWED_HOSTS": "expansion.example.com",
}


def _manage(*args: str, drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    dropped = ("DATABASE_URL", "DJANGO_SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update({k: v for k, v in PRODUCTION_ENV.items() if k not in drop})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key() -> None:
    result = _manage("check", drop=("DJANGO_SECRET_KEY",))

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


def test_production_refuses_to_start_without_database_url() -> None:
    result = _manage("check", drop=("DATABASE_URL",))

    assert result.returncode != 0
    assert "DATABASE_URL must be set in production" in result.stderr


def test_production_passes_check_deploy_without_warnings() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
