"""The pieces of :mod:`smmkit.platforms.redis` that know Redis' wire details: the Lua
scripts (lock renewal and release, the token bucket), key names, and a description of a
connection that shows no secret.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    import redis

    from smmkit.platforms._ratelimit import BucketKey

__all__ = [
    "RELEASE_LOCK",
    "RENEW_LOCK",
    "TOKEN_BUCKET",
    "bucket_name",
    "describe_connection",
    "text",
]

# KEYS[1]: the lock; ARGV[1]: the holder's token; ARGV[2]: the expiry in milliseconds
RENEW_LOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

# KEYS[1]: the lock; ARGV[1]: the holder's token
RELEASE_LOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


TOKEN_BUCKET = """
-- One reservation from a token bucket, atomically (the script runs alone on the server).
-- KEYS[1]: the bucket (a hash); ARGV[1]: capacity; ARGV[2]: refill per second;
-- ARGV[3]: now in seconds, or '' for the server's clock (one clock for every worker).
-- Answers the seconds to wait before using the slot, as a string ('0': at once).
-- The arithmetic is RateLimiter's in-memory bucket's, step for step.
if redis.replicate_commands then redis.replicate_commands() end  -- TIME before writes (< 5.0)
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now
if ARGV[3] == '' then
    local clock = redis.call('TIME')
    now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
else
    now = tonumber(ARGV[3])
end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated', 'capacity', 'rate')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil or updated == nil then
    tokens = capacity
    updated = now
elseif state[3] ~= ARGV[1] or state[4] ~= ARGV[2] then
    -- a worker with another rate for this bucket: keep what is left, never refill at once
    tokens = math.min(tokens, capacity)
end
tokens = math.min(capacity, tokens + math.max(now - updated, 0) * rate)
updated = math.max(now, updated)
tokens = tokens - 1
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
    'updated', string.format('%.17g', updated), 'capacity', ARGV[1], 'rate', ARGV[2])
-- once full again the bucket is the same as a new one: let it go then (and a minute)
local idle_ms = math.ceil((capacity - tokens) / rate * 1000) + 60000
redis.call('PEXPIRE', KEYS[1], string.format('%d', idle_ms))
if tokens >= 0 then
    return '0'
end
return string.format('%.17g', -tokens / rate)
"""


def bucket_name(prefix: str, key: BucketKey) -> str:
    """The Redis key of ``key``'s bucket; each part is %-quoted, so none can run into another.

    Example:
        >>> from smmkit.platforms import BucketKey
        >>> bucket_name("smmkit:", BucketKey("mastodon", "brand:eu", "statuses"))
        'smmkit:rate:mastodon:brand%3Aeu:statuses'
    """
    parts = (quote(part, safe="") for part in (key.platform, key.account, key.endpoint))
    return f"{prefix}rate:{':'.join(parts)}"


def text(value: Any) -> str:
    """A reply as ``str``, whether or not the client decodes responses.

    Example:
        >>> text(b"2.5"), text("0")
        ('2.5', '0')
    """
    if isinstance(value, bytes):
        return value.decode()
    return str(value)


def describe_connection(client: redis.Redis | Any) -> str:
    """Where ``client`` connects, as a URL without user name or password.

    Example:
        >>> import redis
        >>> describe_connection(redis.Redis.from_url("redis://app:hunter2@cache.internal:6380/2"))
        'redis://cache.internal:6380/2'
        >>> describe_connection(redis.Redis(unix_socket_path="/run/redis.sock", password="pw"))
        'unix:///run/redis.sock?db=0'
    """
    pool = getattr(client, "connection_pool", None)
    options: dict[str, Any] = getattr(pool, "connection_kwargs", None) or {}
    db = options.get("db", 0)
    if options.get("path"):
        return f"unix://{options['path']}?db={db}"
    if not options:
        return f"<{type(client).__name__}>"
    kind = getattr(pool, "connection_class", None)
    scheme = "rediss" if kind is not None and "SSL" in kind.__name__ else "redis"
    return f"{scheme}://{options.get('host', 'localhost')}:{options.get('port', 6379)}/{db}"
