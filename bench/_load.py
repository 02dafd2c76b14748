"""A small closed-loop HTTP load generator over loopback (threads, keep-alive connections),
and a gunicorn launcher, for the API benchmarks."""

from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

from _common import REPO


def gunicorn(
    database_url: str,
    port: int,
    workers: int = 4,
    threads: int = 5,
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen:
    env = {
        **os.environ,
        **(extra_env or {}),
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "expansion.settings.local",
        "DJANGO_DEBUG": "false",
        "USAGE_THROTTLE_RATE": "1000000/min",
    }
    env.pop("CELERY_BROKER_URL", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "expansion.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--log-level",
            "warning",
            "--env",
            "DJANGO_SETTINGS_MODULE=expansion.settings.local",
        ],
        cwd=REPO,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not start")


def load(
    port: int, path: str, *, headers: dict[str, str], clients: int, requests: int
) -> dict[str, float]:
    """``clients`` threads each send ``requests`` GETs back to back; returns latency
    percentiles (ms) and throughput."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for _ in range(requests):
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.status != 200:
                errors.append(str(response.status))
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} non-200 answers from {path}: {errors[:5]}")
    q = statistics.quantiles(latencies, n=100)
    return {
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "p99": q[98] * 1000,
        "rps": len(latencies) / elapsed,
        "n": len(latencies),
    }
