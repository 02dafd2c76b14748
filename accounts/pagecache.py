"""A cache of the account page's content, keyed by a data version, the user's scope and the
URL (path and query).

Only the page's own content is cached, never the layout around it: the layout carries the
session's CSRF token and messages. Every write that can change what an account page shows
bumps the version *after commit* (``receivers.py``): saves and deletes of the installed base
(accounts, contract lines, entitlements, products, stakeholders, priorities), of
opportunities, signals and success metrics, the bulk writers' ``bulk_written`` signal (book
import, usage ingestion, the scoring's results) and a scoring run's save (a run finishing
changes what "current" means). A request reads the version *before* it queries, so content
computed from old data is stored under the old version and never served after the bump.
Deletes of rows only the bulk writers write (usage, snapshots, actions, alerts) are not
watched one by one (that would make Django fetch every row it deletes); the next run's save
or the TTL covers them.

Enabled by ``ACCOUNT_PAGE_CACHE_SECONDS`` (> 0); only safe with a cache that every web
process shares (Redis via CACHE_URL), which is why the default is off without one. Each
process keeps its most recently served content in memory under the same versioned keys
(as ``playbooks.listcache`` does), so a hit costs one shared-cache read: the version.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from playbooks.listcache import _RecentPages

from .querysets import sees_everything, user_roles

VERSION_KEY = "account-page:version"
LOCAL_PAGES = 512

_recent = _RecentPages(LOCAL_PAGES)


def account_page_cache_seconds() -> int:
    return int(getattr(settings, "ACCOUNT_PAGE_CACHE_SECONDS", 0))


def account_page_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A fresh start (or an evicted key) must never reuse an old version number.
        version = time.time_ns()
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY, version)
    return version


def account_page_changed() -> None:
    """Invalidate every cached account page, once the current transaction commits."""

    def bump() -> None:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet: the next read starts a new one
            cache.add(VERSION_KEY, time.time_ns(), timeout=None)

    transaction.on_commit(bump)


def _scope(user) -> str:
    if sees_everything(user):
        return "all"
    return f"{(user.email or '').lower()}:{','.join(sorted(user_roles(user)))}"


def account_page_cached(
    *, user, path: str, query: dict[str, list[str]], build: Callable[[], tuple[str, str]]
) -> tuple[str, str]:
    """The page's (title, content) from the cache, or ``build()`` stored for the next
    request. ``build`` raising (a 404) stores nothing."""
    seconds = account_page_cache_seconds()
    if seconds <= 0:
        return build()
    version = account_page_version()  # before any query: see the module docstring
    params = urlencode(sorted((k, v) for k, values in query.items() for v in values))
    key = f"account-page:{version}:{_scope(user)}:{path}?{params}"
    page = _recent.get(key)
    if page is None:
        page = cache.get(key)
        if page is None:
            page = build()
            cache.set(key, page, timeout=seconds)
        _recent.put(key, page)
    return page
