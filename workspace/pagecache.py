"""The pages' caches: the content of the account page, of the ranked list (the whole page's
content and its results partial) and of the opportunity page, each keyed by a data version
the three share, the user's scope and the URL (path and query); the mechanism is
``core.pagecache``, the API list cache's own.

Only a page's own content is cached, never the layout around it: the layout carries the
session's CSRF token and messages (the opportunity page's forms get the session's token back
through ``with_csrf_token``). Every write that can change what one of these pages shows
bumps the version *after commit* (``receivers.py``): saves and deletes of the installed base
(accounts, contract lines, entitlements, products, stakeholders, priorities), of
opportunities, criterion ticks, signals and success metrics, the bulk writers'
``bulk_written`` signal (book import, usage ingestion, the scoring's results) and a scoring
run's save (a run finishing changes what "current" means). A request reads the version
*before* it queries, so content computed from old data is stored under the old version and
never served after the bump.
Deletes of rows only the bulk writers write (usage, snapshots, actions, alerts) are not
watched one by one (that would make Django fetch every row it deletes); the next run's save
or the TTL covers them.

Enabled by ``ACCOUNT_PAGE_CACHE_SECONDS``, ``OPPORTUNITY_LIST_CACHE_SECONDS`` (the ranked
list, as the API's list) and ``OPPORTUNITY_PAGE_CACHE_SECONDS`` (> 0); only safe with a cache
that every web process shares (Redis via CACHE_URL), which is why the defaults are off
without one. A hit costs one shared-cache read: the version.
"""

from __future__ import annotations

from collections.abc import Callable

from accounts.querysets import scope_key
from core.pagecache import PageCache, data_changed

VERSION_KEY = "page:version"

account_page = PageCache(
    name="account-page",
    setting="ACCOUNT_PAGE_CACHE_SECONDS",
    version_key=VERSION_KEY,
    local_pages=512,
)
ranked_list_page = PageCache(
    name="ranked-list-page",
    setting="OPPORTUNITY_LIST_CACHE_SECONDS",
    version_key=VERSION_KEY,
    local_pages=256,
)
opportunity_page = PageCache(
    name="opportunity-page",
    setting="OPPORTUNITY_PAGE_CACHE_SECONDS",
    version_key=VERSION_KEY,
    local_pages=512,
)


def account_page_changed() -> None:
    """Invalidate every cached page (account, ranked list, opportunity), once the current
    transaction commits."""
    data_changed(VERSION_KEY)


def account_page_cached(
    *, user, path: str, query: dict[str, list[str]], build: Callable[[], tuple[str, str]]
) -> tuple[str, str]:
    """The page's (title, content) from the cache, or ``build()`` stored for the next
    request. ``build`` raising (a 404) stores nothing."""
    return account_page.cached(scope=scope_key(user), path=path, query=query, build=build)
