"""The rate limits live in Redis, so every instance counts the same hops."""

from __future__ import annotations

import redis.asyncio as redis

from lpg_ussd.adapters.rate_limits import RedisRateLimiter


async def test_two_instances_share_the_phone_limit(redis_url_and_prefix: tuple[str, str]) -> None:
    url, prefix = redis_url_and_prefix
    first, second = redis.from_url(url), redis.from_url(url)
    try:
        a = RedisRateLimiter(first, prefix, phone_per_minute=3, source_per_minute=0)
        b = RedisRateLimiter(second, prefix, phone_per_minute=3, source_per_minute=0)
        answers = [await (a if i % 2 else b).allow("+233244000001", None) for i in range(4)]
        assert answers == [True, True, True, False]
        assert await a.allow("+233244000002", None)
    finally:
        await first.aclose()
        await second.aclose()


async def test_the_source_limit_and_the_window(redis_url_and_prefix: tuple[str, str]) -> None:
    url, prefix = redis_url_and_prefix
    client = redis.from_url(url)
    now = [120.0]
    try:
        limiter = RedisRateLimiter(client, prefix, 0, 2, clock=lambda: now[0])
        assert [await limiter.allow(None, "10.1.1.1") for _ in range(3)] == [True, True, False]
        now[0] += 60
        assert await limiter.allow(None, "10.1.1.1")
        ttl = await client.ttl(f"{prefix}:rl:source:{{10.1.1.1}}:3")
        assert 0 < ttl <= 120
    finally:
        await client.aclose()
