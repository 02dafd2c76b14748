"""A cache of opportunity list pages, keyed by a data version, the user's scope and the
query.

Every write that can change what a list shows bumps the version *after commit*: the saves
and deletes of opportunities, accounts, products, stakeholders and priorities (Django
signals, see ``receivers.py``), and the bulk writers' ``bulk_written`` signal. A request
reads the version *before* it queries, so a page computed from old data is stored under the
old version and never served after the bump. The TTL is a safety net, not the mechanism.

Enabled by ``OPPORTUNITY_LIST_CACHE_SECONDS`` (> 0); only safe with a cache that every web
process shares (Redis via CACHE_URL), which is why the default is off without one. Each
process also keeps its most recently served pages in memory under the same versioned keys
(the mechanism is ``core.pagecache``, shared with the pages' caches).
"""

from __future__ import annotations

from collections.abc import Callable

from accounts.querysets import scope_key
from core.pagecache import PageCache, data_changed, data_version

VERSION_KEY = "opportunity-list:version"
LOCAL_PAGES = 256

_pages = PageCache(
    name="opportunity-list",
    setting="OPPORTUNITY_LIST_CACHE_SECONDS",
    version_key=VERSION_KEY,
    local_pages=LOCAL_PAGES,
)


def opportunity_list_cache_seconds() -> int:
    return _pages.seconds()


def opportunity_list_version() -> int:
    return data_version(VERSION_KEY)


def opportunity_list_changed() -> None:
    """Invalidate every cached page, once the current transaction commits."""
    data_changed(VERSION_KEY)


def opportunity_page_cached(
    *, user, query: dict[str, list[str]], path: str, build: Callable[[], bytes]
) -> bytes:
    """The page from the cache, or ``build()`` stored for the next request."""
    return _pages.cached(scope=scope_key(user), path=path, query=query, build=build)
