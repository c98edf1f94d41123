//! The Lua scripts of the Redis store, one per operation that must be atomic. Each touches
//! keys of one hash tag only; `docs/STORES.md` describes what each does.

use std::sync::LazyLock;

use redis::Script;

/// Sets a key to "1" expiring at ARGV[1] unless it already expires later. Shared by the
/// scripts below as their first lines.
const KEEP: &str = "
local function keep(key, value, at)
  local current = redis.call('EXPIRETIME', key)
  redis.call('SET', key, value, 'KEEPTTL')
  if current < tonumber(at) then redis.call('EXPIREAT', key, at) end
end
local function later(key, at)
  if redis.call('EXPIRETIME', key) < tonumber(at) then redis.call('EXPIREAT', key, at) end
end
";

/// KEYS: revoked, data[, list, session hash]. ARGV: expire at, session id.
pub(super) static REVOKE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{KEEP}
keep(KEYS[1], '1', ARGV[1])
redis.call('DEL', KEYS[2])
if KEYS[3] then
  redis.call('ZREM', KEYS[3], ARGV[2])
  redis.call('DEL', KEYS[4])
end
return 1"
    ))
});

/// KEYS: generation, list. ARGV: subject key base, now, expire at.
pub(super) static EVERYWHERE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{KEEP}
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local next = math.max(current + 1, tonumber(ARGV[2]))
keep(KEYS[1], string.format('%d', next), ARGV[3])
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  redis.call('DEL', ARGV[1] .. 's:' .. id, ARGV[1] .. 'd:' .. id)
end
redis.call('DEL', KEYS[2])
return next"
    ))
});

/// KEYS: list. ARGV: subject key base, id, signed in, last seen, remember-me, label,
/// keep until, now, cap.
pub(super) static RECORD: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{KEEP}
local base, id, now, cap = ARGV[1], ARGV[2], tonumber(ARGV[8]), tonumber(ARGV[9])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
if not redis.call('ZSCORE', KEYS[1], id) and redis.call('ZCARD', KEYS[1]) >= cap then
  local oldest, oldest_seen, oldest_in, oldest_until
  local members = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
  for i = 1, #members, 2 do
    local f = redis.call('HMGET', base .. 's:' .. members[i], 'last_seen', 'signed_in_at')
    local seen, signed = tonumber(f[1] or '0'), tonumber(f[2] or '0')
    if not oldest or seen < oldest_seen or (seen == oldest_seen and signed < oldest_in) then
      oldest, oldest_seen, oldest_in, oldest_until = members[i], seen, signed, members[i + 1]
    end
  end
  keep(base .. 'rev:' .. oldest, '1', tonumber(oldest_until) + 1)
  redis.call('ZREM', KEYS[1], oldest)
  redis.call('DEL', base .. 's:' .. oldest, base .. 'd:' .. oldest)
end
local hash = base .. 's:' .. id
redis.call('DEL', hash)
redis.call('HSET', hash, 'signed_in_at', ARGV[3], 'last_seen', ARGV[4],
  'remember_me', ARGV[5], 'label', ARGV[6], 'keep_until', ARGV[7])
redis.call('EXPIREAT', hash, tonumber(ARGV[7]) + 1)
redis.call('ZADD', KEYS[1], ARGV[7], id)
later(KEYS[1], tonumber(ARGV[7]) + 1)
return 1"
    ))
});

/// KEYS: session hash. ARGV: now.
pub(super) static TOUCH: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "local seen = redis.call('HGET', KEYS[1], 'last_seen')
if seen and tonumber(seen) < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'last_seen', ARGV[1])
end
return 1",
    )
});

/// KEYS: list. ARGV: subject key base, now. Returns id, signed in, last seen, remember-me,
/// label, keep until for each live session.
pub(super) static LIST: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], '+inf')) do
  local f = redis.call('HMGET', ARGV[1] .. 's:' .. id,
    'signed_in_at', 'last_seen', 'remember_me', 'label', 'keep_until')
  if f[1] then
    table.insert(out, {id, f[1], f[2], f[3], f[4], f[5]})
  end
end
return out",
    )
});
