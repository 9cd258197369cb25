"""Rate limits shared by every API process: a fixed window counted in Redis, one round trip.

Keys say what they count: `ip:<address>` (one visitor), `form:<id>` (one form, everyone),
`challenge:ip:<address>`... IPv6 addresses count by their /64 network, which one household or
one rented server holds whole.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable
from typing import Any, cast

from litestar import Request
from litestar.exceptions import TooManyRequestsException
from redis.asyncio import Redis

# INCR the window's counter, start its expiry on the first hit; answer the count and the seconds
# left. One script: atomic, and one round trip whatever the load.
_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
"""
PREFIX = "guard:rate:"


async def hit(redis: Redis, key: str, *, limit: int, window_seconds: int) -> int | None:
    """Count one hit on `key`. None: allowed. An int: refused, the seconds until the window ends
    (for Retry-After). Refused hits count too, so a flood keeps being refused until it pauses."""
    answer = redis.eval(_HIT, 1, PREFIX + key, str(max(1, window_seconds)))
    count, ttl = await cast(Awaitable[list[int]], answer)
    if int(count) <= limit:
        return None
    return max(1, int(ttl))


def flood(retry_after: int, message: str = "Too many requests: wait a little and try again.") -> Exception:
    """The 429 to raise when `hit` refused: the usual JSON error with Retry-After."""
    return TooManyRequestsException(detail=message, headers={"Retry-After": str(retry_after)})


def client_ip(request: Request[Any, Any, Any], trusted_proxies: int = 0) -> str:
    """The visitor's address: the connecting one, or with `trusted_proxies` reverse proxies in front
    (settings.trusted_proxies), the address the outermost of them saw, read from the right of
    X-Forwarded-For (what a client writes on the left is never believed)."""
    peer = request.client.host if request.client else ""
    if trusted_proxies > 0:
        hops = [part.strip() for header in request.headers.getall("x-forwarded-for", []) for part in header.split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= trusted_proxies:
            candidate = hops[-trusted_proxies]
            if _parsed(candidate) is not None:
                return candidate
    return peer or "unknown"


def _parsed(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def ip_key(address: str) -> str:
    """`ip:<address>`, IPv6 by /64."""
    parsed = _parsed(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return f"ip:{parsed.ipv4_mapped}"
        return f"ip:{ipaddress.IPv6Network((parsed, 64), strict=False)}"
    return f"ip:{parsed or address}"
