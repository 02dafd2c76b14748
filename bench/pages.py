"""Benchmark: the account executive's pages through gunicorn and PostgreSQL, signed in, at
100,000 opportunities, against a bare view returning a constant body (/healthz: the
framework's floor on this machine), in the same run.

Book: a generated demo book of ``--accounts`` accounts (the same files as bench/scoring.py
for the same seed), imported and scored as of 2026-06-30 into the scratch database
``expansion_bench_pages`` (``BENCH_PAGES_DB``; the port: ``BENCH_PAGES_PORT``, 8861); when
the scoring found fewer open opportunities than ``--opportunities``, identified ones are
added (spread over the accounts, real triggers copied from scored ones) until the book holds
that many. Not timed.

Pages, each requested by sessions signed in through /login/ as the demo AEs (ae1..ae5),
each session on its own pages (its own accounts and opportunities, in turn):
  list:        GET /opportunities/ with HX-Request (the ranked list's results partial)
  account:     GET /accounts/<external_id>/
  opportunity: GET /opportunities/<id>/
  floor:       GET /healthz
Runs, in a closed loop over keep-alive connections to 127.0.0.1 only, bounded in requests
and time:
  1. one session, ``--single-requests`` requests per page (at most ``--single-seconds``):
     latency p50 / p95;
  2. ``--sessions`` sessions at once for ``--seconds`` per page: requests/s and errors.
Targets: one session, each page's p95 under 100 ms; 20 sessions, zero errors and each page
at least 1/15 of the floor's requests/s. Both with the page caches on (a shared Redis cache,
the production setting: ``ACCOUNT_PAGE_CACHE_SECONDS``, ``OPPORTUNITY_LIST_CACHE_SECONDS``,
``OPPORTUNITY_PAGE_CACHE_SECONDS``)
and off (every request computes its page), unless ``--cache`` picks one.

    .venv/bin/python bench/pages.py [--accounts 100000] [--opportunities 100000] [--reuse]
                                    [--cache both|on|off] [--cache-url redis://...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ADMIN_URL, OUT, REPO, scratch_database
from _load import gunicorn

AS_OF = dt.date(2026, 6, 30)
DATABASE = os.environ.get("BENCH_PAGES_DB", "expansion_bench_pages")
HOST = "127.0.0.1"
PASSWORD = "expansion-demo"
AES = [f"ae{i}" for i in range(1, 6)]
PAGES_PER_SESSION = 50  # distinct accounts / opportunities each session cycles through
P95_TARGET_MS = 100.0
FLOOR_SHARE = 1 / 15


# --- the book ---------------------------------------------------------------------------------


def _manage(url: str, *args: str, quiet: bool = False) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "expansion.settings.local"}
    env["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    env.pop("CELERY_BROKER_URL", None)
    subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def _psql(url: str, sql: str) -> str:
    out = subprocess.run(["psql", url, "-qtAc", sql], capture_output=True, text=True, check=False)
    return out.stdout.strip() if out.returncode == 0 else ""


def prepare(accounts: int, opportunities: int, seed: int, reuse: bool) -> str:
    """The scored book in ``expansion_bench_pages`` (kept as is with ``reuse`` when it has
    the same number of accounts and a successful run)."""
    url = urlunparse(urlparse(ADMIN_URL)._replace(path=f"/{DATABASE}"))
    scored = "SELECT count(*) FROM playbooks_scoringrun WHERE status = 'succeeded'"
    if (
        reuse
        and _psql(url, "SELECT count(*) FROM accounts_account") == str(accounts)
        and _psql(url, scored) not in ("", "0")
    ):
        _manage(url, "migrate", "-v0")  # the code may have moved on since the book was made
        _top_up(url, opportunities)
        return url
    url = scratch_database(DATABASE)
    book = OUT / f"book-{accounts}-{seed}"
    if not (book / "usage.csv").exists():
        _manage(
            url,
            "generate_demo_book",
            str(book),
            "--accounts",
            str(accounts),
            "--seed",
            str(seed),
            "--as-of",
            AS_OF.isoformat(),
        )
    _manage(url, "migrate", "-v0")
    _manage(url, "import_book", str(book), quiet=True)
    subprocess.run(["psql", url, "-qc", "VACUUM ANALYZE"], check=True)
    _manage(url, "score_accounts", "--as-of", AS_OF.isoformat(), quiet=True)
    _top_up(url, opportunities)
    return url


TOP_UP = """
import sys
sys.path.insert(0, {repo!r})
import os
os.environ["DATABASE_URL"] = {url!r}
os.environ["DJANGO_SETTINGS_MODULE"] = "expansion.settings.local"
os.environ.pop("CELERY_BROKER_URL", None)
import django; django.setup()
import datetime as dt
from accounts.models import Account
from accounts.services import demo_users_ensure
from playbooks.models import OPEN_STAGES, Opportunity

demo_users_ensure()
missing = {target} - Opportunity.objects.filter(stage__in=OPEN_STAGES).count()
if missing > 0:
    model = Opportunity.objects.filter(stage__in=OPEN_STAGES).exclude(key="").first()
    ids = list(Account.objects.order_by("id").values_list("id", flat=True))
    as_of = dt.date.fromisoformat({as_of!r})
    Opportunity.objects.bulk_create(
        (
            Opportunity(
                account_id=ids[i % len(ids)],
                key=f"bench:{{i}}",
                play=model.play,
                motion=model.motion,
                target_product_id=model.target_product_id,
                department=model.department,
                status=model.status,
                score=(i * 7919) % 10_000 / 100,
                triggers=model.triggers,
                explanation=model.explanation,
                created=as_of,
                as_of=as_of,
            )
            for i in range(missing)
        ),
        batch_size=5000,
    )
print(Opportunity.objects.filter(stage__in=OPEN_STAGES).count())
"""


def _top_up(url: str, opportunities: int) -> None:
    code = TOP_UP.format(repo=str(REPO), url=url, target=opportunities, as_of=AS_OF.isoformat())
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False
    )
    if out.returncode:
        raise SystemExit(out.stderr[-4000:])
    subprocess.run(["psql", url, "-qc", "VACUUM ANALYZE"], check=True)


def targets(url: str) -> dict[str, dict[str, list[str]]]:
    """Per AE: the account pages and opportunity pages its sessions cycle through (those
    with the most to show first: the accounts with open opportunities)."""
    out: dict[str, dict[str, list[str]]] = {}
    for ae in AES:
        email = f"{ae}@vendor.example"
        accounts = _psql(
            url,
            f"""SELECT a.external_id FROM accounts_account a
                JOIN playbooks_opportunity o ON o.account_id = a.id
                WHERE a.owner_email = '{email}' AND o.stage = 'identified'
                GROUP BY a.id ORDER BY a.id LIMIT {PAGES_PER_SESSION}""",
        ).splitlines()
        opportunities = _psql(
            url,
            f"""SELECT o.id FROM playbooks_opportunity o
                JOIN accounts_account a ON a.id = o.account_id
                WHERE a.owner_email = '{email}' AND o.stage = 'identified' AND o.key <> ''
                ORDER BY o.score DESC, o.id LIMIT {PAGES_PER_SESSION}""",
        ).splitlines()
        if accounts and opportunities:
            out[ae] = {"accounts": accounts, "opportunities": opportunities}
    if not out:
        raise SystemExit("no AE owns an account with an open opportunity")
    return out


# --- sessions and load ------------------------------------------------------------------------


class Session:
    """One signed-in browser session: a keep-alive connection and its cookies."""

    def __init__(self, port: int, username: str):
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.username = username
        self._log_in()

    def _remember(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _log_in(self) -> None:
        self.conn.request("GET", "/login/")
        response = self.conn.getresponse()
        body = response.read().decode()
        self._remember(response)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if not token:
            raise SystemExit("no CSRF token on /login/")
        form = urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": self.username,
                "password": PASSWORD,
            }
        )
        self.conn.request(
            "POST",
            "/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": self._cookie_header(),
                "Referer": f"http://{HOST}:{self.port}/login/",
            },
        )
        response = self.conn.getresponse()
        response.read()
        self._remember(response)
        if response.status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"log-in as {self.username} failed: {response.status}")

    def get(self, path: str, headers: dict[str, str] | None = None) -> int:
        """One GET; like a browser, a request on a kept-alive connection that the server has
        just closed is sent again once on a new one (that is not an error of the page)."""
        headers = {"Cookie": self._cookie_header(), **(headers or {})}
        for attempt in (1, 2):
            try:
                self.conn.request("GET", path, headers=headers)
                response = self.conn.getresponse()
                response.read()
                return response.status
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


HTMX_LIST = {"HX-Request": "true", "HX-Target": "results", "HX-Current-URL": "/opportunities/"}


def page_paths(kind: str, own: dict[str, list[str]]) -> list[tuple[str, dict[str, str]]]:
    if kind == "list":
        return [("/opportunities/", HTMX_LIST)]
    if kind == "account":
        return [(f"/accounts/{external_id}/", {}) for external_id in own["accounts"]]
    if kind == "opportunity":
        return [(f"/opportunities/{pk}/", {}) for pk in own["opportunities"]]
    return [("/healthz", {})]


def run(
    sessions: list[Session],
    kind: str,
    pages: dict[str, dict[str, list[str]]],
    *,
    seconds: float,
    max_requests: int,
) -> dict[str, float]:
    """Each session sends its requests back to back (a closed loop) until ``seconds`` have
    passed or ``max_requests`` have been sent in all. Returns latency percentiles (ms),
    requests/s and the number of errors (non-200 answers and failed connections)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    sent = [0]
    deadline = time.perf_counter() + seconds

    def loop(session: Session) -> None:
        paths = page_paths(kind, pages[session.username])
        mine: list[float] = []
        i = 0
        while time.perf_counter() < deadline:
            with lock:
                if sent[0] >= max_requests:
                    break
                sent[0] += 1
            path, headers = paths[i % len(paths)]
            i += 1
            start = time.perf_counter()
            try:
                status = session.get(path, headers)
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
                session.conn.close()
            mine.append(time.perf_counter() - start)
            if status != 200:
                with lock:
                    errors.append(f"{status} {path}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=loop, args=(s,)) for s in sessions]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return {
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "rps": len(latencies) / elapsed,
        "n": len(latencies),
        "errors": len(errors),
        "error_examples": errors[:3],
    }


LABELS = {
    "floor": "floor: GET /healthz",
    "list": "ranked list partial (HX-Request)",
    "account": "account page",
    "opportunity": "opportunity page",
}


def report(single: dict, many: dict, sessions: int) -> bool:
    floor_rps = many["floor"]["rps"]
    print(
        f"{'page':<36}{'1 session p50':>14}{'p95':>9}{'req/s':>9}"
        f"{f'{sessions} sessions req/s':>22}{'errors':>8}{'share of floor':>16}"
    )
    ok = True
    for kind, label in LABELS.items():
        one, all_ = single[kind], many[kind]
        share = all_["rps"] / floor_rps if floor_rps else 0.0
        print(
            f"{label:<36}{one['p50']:>11.1f} ms{one['p95']:>6.1f} ms{one['rps']:>9.1f}"
            f"{all_['rps']:>22.1f}{all_['errors']:>8}{share:>15.3f}x"
        )
        if kind == "floor":
            continue
        ok &= one["p95"] < P95_TARGET_MS and all_["errors"] == 0 and share >= FLOOR_SHARE
        for example in all_["error_examples"]:
            print(f"    error: {example}")
    print()
    for kind in ("list", "account", "opportunity"):
        one, all_ = single[kind], many[kind]
        share = all_["rps"] / floor_rps if floor_rps else 0.0
        verdicts = [
            f"p95 {one['p95']:.1f} ms < {P95_TARGET_MS:.0f} ms: "
            f"{'met' if one['p95'] < P95_TARGET_MS else 'NOT met'}",
            f"errors {all_['errors']}: {'met' if all_['errors'] == 0 else 'NOT met'}",
            f"1/{1 / share if share else float('inf'):.1f} of the floor's req/s (target >= 1/15): "
            f"{'met' if share >= FLOOR_SHARE else 'NOT met'}",
        ]
        print(f"{LABELS[kind]:<36}" + "; ".join(verdicts))
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--reuse", action="store_true", help="keep an already imported and scored book"
    )
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0, help="per page, many sessions")
    parser.add_argument("--max-requests", type=int, default=50_000, help="per page and run")
    parser.add_argument("--single-requests", type=int, default=300)
    parser.add_argument("--single-seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per process")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PAGES_PORT", "8861")))
    parser.add_argument(
        "--cache", choices=["both", "on", "off"], default="both", help="page cache settings run"
    )
    parser.add_argument(
        "--cache-url", default=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/6")
    )
    args = parser.parse_args()

    started = time.perf_counter()
    url = prepare(args.accounts, args.opportunities, args.seed, args.reuse)
    counts = _psql(
        url,
        "SELECT (SELECT count(*) FROM accounts_account) || ' accounts, ' || "
        "(SELECT count(*) FROM playbooks_opportunity WHERE stage IN "
        "('identified','qualified','proposal','negotiation')) || ' open opportunities'",
    )
    print(f"[book: {counts}; prepared in {time.perf_counter() - started:.0f} s]", flush=True)
    pages = targets(url)
    configurations = {
        "page caches on (shared Redis cache, the production setting)": {
            "CACHE_URL": args.cache_url,
            "ACCOUNT_PAGE_CACHE_SECONDS": "300",
            "OPPORTUNITY_LIST_CACHE_SECONDS": "300",
            "OPPORTUNITY_PAGE_CACHE_SECONDS": "300",
        },
        "page caches off (every request queries PostgreSQL)": {
            "ACCOUNT_PAGE_CACHE_SECONDS": "0",
            "OPPORTUNITY_LIST_CACHE_SECONDS": "0",
            "OPPORTUNITY_PAGE_CACHE_SECONDS": "0",
        },
    }
    if args.cache != "both":
        configurations = {
            name: extra
            for name, extra in configurations.items()
            if (" on " in name) == (args.cache == "on")
        }
    ok = True
    for name, extra in configurations.items():
        single, concurrent, users = measure(url, pages, args, extra)
        print(f"\n-- {name}; sessions signed in as {', '.join(users)}")
        ok &= report(single, concurrent, args.sessions)
    print(f"\nall targets {'met' if ok else 'NOT met'}")


def measure(url: str, pages: dict, args, extra: dict[str, str]) -> tuple[dict, dict, list]:
    """Start gunicorn with ``extra`` settings, sign the sessions in, warm up, then the
    one-session run and the many-sessions run of every page."""
    if extra.get("CACHE_URL"):
        import redis

        redis.Redis.from_url(extra["CACHE_URL"]).flushdb()  # no page of an earlier run
    server = gunicorn(
        url,
        args.port,
        workers=args.workers,
        threads=args.threads,
        # Sessions pause between runs; keep their connections as a browser's would be.
        extra_env={"GUNICORN_CMD_ARGS": "--keep-alive 120", **extra},
    )
    try:
        users = [ae for ae in AES if ae in pages]
        one = [Session(args.port, users[0])]
        many = [Session(args.port, users[i % len(users)]) for i in range(args.sessions)]
        # Warm up: every session's connection, then every page once (one session per AE
        # walks its pages), so that with the caches on the runs below measure warm caches.
        walkers = [Session(args.port, ae) for ae in users]
        for kind in LABELS:
            run(many, kind, pages, seconds=5, max_requests=len(many))
            run(walkers, kind, pages, seconds=300, max_requests=len(users) * PAGES_PER_SESSION)
        single = {
            kind: run(
                one,
                kind,
                pages,
                seconds=args.single_seconds,
                max_requests=args.single_requests,
            )
            for kind in LABELS
        }
        concurrent = {
            kind: run(many, kind, pages, seconds=args.seconds, max_requests=args.max_requests)
            for kind in LABELS
        }
        for session in [*one, *many, *walkers]:
            session.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return single, concurrent, users


if __name__ == "__main__":
    main()
