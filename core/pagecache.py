"""Caches of rendered pages, keyed by a data version, the user's scope and the URL: the one
mechanism behind the API's list cache (``playbooks.listcache``) and the pages' caches
(``workspace.pagecache``: the account page, the ranked list, the opportunity page).

Every write that can change what a cache's pages show bumps its version *after commit*
(the apps' ``receivers.py``). A request reads the version *before* it queries, so content
computed from old data is stored under the old version and never served after the bump. The
TTL is a safety net, not the mechanism. Caches may share a version (the same writes
invalidate them).

Each cache is enabled by its own setting (seconds, > 0); only safe with a cache that every web
process shares (Redis via CACHE_URL), which is why the defaults are off without one. Each
process also keeps its most recently served content in memory under the same versioned keys,
so a hit costs one shared-cache read (the version) and no content transfer; a bumped version
makes those keys unreachable just the same.

Only content is cached, never a layout: a page's layout carries the session's CSRF token and
messages. Content with a form in it is rendered with ``CSRF_PLACEHOLDER`` as its token, which
``with_csrf_token`` swaps for the session's own on the way out.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.middleware.csrf import get_token

T = TypeVar("T")

#: Rendered by ``{% csrf_token %}`` as the token of content meant for any session.
CSRF_PLACEHOLDER = "csrf-placeholder-of-cached-content"
_CSRF_INPUT = f'name="csrfmiddlewaretoken" value="{CSRF_PLACEHOLDER}"'


class _RecentPages:
    """A small thread-safe LRU of pages in this process, keyed like the shared cache."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pages: OrderedDict[str, object] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> object | None:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key: str, page: object) -> None:
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)


def data_version(version_key: str) -> int:
    version = cache.get(version_key)
    if version is None:
        # A fresh start (or an evicted key) must never reuse an old version number.
        version = time.time_ns()
        cache.add(version_key, version, timeout=None)
        version = cache.get(version_key, version)
    return version


def data_changed(version_key: str) -> None:
    """Invalidate everything cached under ``version_key``, once the current transaction
    commits."""

    def bump() -> None:
        try:
            cache.incr(version_key)
        except ValueError:  # no version yet: the next read starts a new one
            cache.add(version_key, time.time_ns(), timeout=None)

    transaction.on_commit(bump)


class PageCache:
    """One kind of page: ``name`` (its keys' prefix), the setting that enables it (seconds),
    the version its writes bump and the size of its in-process copy."""

    def __init__(self, *, name: str, setting: str, version_key: str, local_pages: int) -> None:
        self.name = name
        self.setting = setting
        self.version_key = version_key
        self.recent = _RecentPages(local_pages)

    def seconds(self) -> int:
        return int(getattr(settings, self.setting, 0))

    def cached(
        self, *, scope: str, path: str, query: dict[str, list[str]], build: Callable[[], T]
    ) -> T:
        """The content from the cache, or ``build()`` stored for the next request. ``scope``
        is the user's (``accounts.querysets.scope_key``: users with the same one see the same
        rows). ``build`` raising (a 404) stores nothing."""
        seconds = self.seconds()
        if seconds <= 0:
            return build()
        version = data_version(self.version_key)  # before any query: see the module docstring
        params = urlencode(sorted((k, v) for k, values in query.items() for v in values))
        key = f"{self.name}:{version}:{scope}:{path}?{params}"
        page = self.recent.get(key)
        if page is None:
            page = cache.get(key)
            if page is None:
                page = build()
                cache.set(key, page, timeout=seconds)
            self.recent.put(key, page)
        return page


def with_csrf_token(request, content: str) -> str:
    """Content rendered with ``CSRF_PLACEHOLDER`` carrying the session's own token."""
    if _CSRF_INPUT not in content:
        return content
    return content.replace(_CSRF_INPUT, f'name="csrfmiddlewaretoken" value="{get_token(request)}"')
