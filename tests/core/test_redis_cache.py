"""The Redis cache backend on the machine's Redis: Django's cache API, one client per pool."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache.backends.redis import RedisCache

from core.cache import ReusedClientRedisCache

pytestmark = pytest.mark.services


def test_cache_api_on_real_redis_with_one_client(services_urls) -> None:
    cache = ReusedClientRedisCache(services_urls["broker"], {"KEY_PREFIX": uuid.uuid4().hex})
    stock = RedisCache(services_urls["broker"], {})

    cache.set("page", b"x" * 70_000, timeout=60)
    assert cache.add("version", 7, timeout=None) and cache.incr("version") == 8
    assert cache.get("page") == b"x" * 70_000 and cache.get("missing") is None
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    assert stock._cache.get_client() is not stock._cache.get_client()  # what it fixes
    cache.delete_many(["page", "version"])
