"""A cache of opportunity list pages, keyed by a data version, the user's scope and the
query.

Every write that can change what a list shows bumps the version *after commit*: the saves
and deletes of opportunities, accounts, products, stakeholders and priorities (Django
signals, see ``receivers.py``), and the bulk writers' ``bulk_written`` signal. A request
reads the version *before* it queries, so a page computed from old data is stored under the
old version and never served after the bump. The TTL is a safety net, not the mechanism.

Enabled by ``OPPORTUNITY_LIST_CACHE_SECONDS`` (> 0); only safe with a cache that every web
process shares (Redis via CACHE_URL), which is why the default is off without one. Each
process also keeps its most recently served pages in memory under the same versioned keys,
so a hit costs one shared-cache read (the version) and no page transfer; a bumped version
makes those keys unreachable just the same.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from accounts.querysets import scope_key

VERSION_KEY = "opportunity-list:version"
LOCAL_PAGES = 256


class _RecentPages:
    """A small thread-safe LRU of pages in this process, keyed like the shared cache."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pages: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key: str, page: bytes) -> None:
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)


_recent = _RecentPages(LOCAL_PAGES)


def opportunity_list_cache_seconds() -> int:
    return int(getattr(settings, "OPPORTUNITY_LIST_CACHE_SECONDS", 0))


def opportunity_list_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A fresh start (or an evicted key) must never reuse an old version number.
        version = time.time_ns()
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY, version)
    return version


def opportunity_list_changed() -> None:
    """Invalidate every cached page, once the current transaction commits."""

    def bump() -> None:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet: the next read starts a new one
            cache.add(VERSION_KEY, time.time_ns(), timeout=None)

    transaction.on_commit(bump)


def opportunity_page_cached(
    *, user, query: dict[str, list[str]], path: str, build: Callable[[], bytes]
) -> bytes:
    """The page from the cache, or ``build()`` stored for the next request."""
    seconds = opportunity_list_cache_seconds()
    if seconds <= 0:
        return build()
    version = opportunity_list_version()  # before any query: see the module docstring
    params = urlencode(sorted((k, v) for k, values in query.items() for v in values))
    key = f"opportunity-list:{version}:{scope_key(user)}:{path}?{params}"
    page = _recent.get(key)
    if page is None:
        page = cache.get(key)
        if page is None:
            page = build()
            cache.set(key, page, timeout=seconds)
        _recent.put(key, page)
    return page
