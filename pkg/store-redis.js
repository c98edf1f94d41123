// `cookie-seal/redis`: the session store on Redis for Node, over the application's own
// client from the official `redis` package (node-redis 4 or newer). The key layout, values
// and scripts are those of the Rust crate's RedisStore, so a Node server and a Rust server
// sharing one Redis see each other's revocations, generations, session lists and data.
// Each operation is one command or one Lua script whose keys share one hash tag (Redis
// Cluster safe). Redis 7.0 or newer (the scripts use EXPIRETIME).

import { SealError, isObject } from "./core.js";
import {
  DEFAULT_MAX_SESSIONS_PER_SUBJECT,
  DEFAULT_STORE_TIMEOUT,
  MAX_SERIES_PER_SUBJECT,
  REMEMBER_LINKS,
  base64url,
  checkLabel,
  checkSubject,
  dataBytes,
  listOrder,
  timed,
} from "./store-core.js";
import { redisRateCounter } from "./store-rate.js";
import { redisClaim } from "./store-handoff.js";

// Sets a key expiring at `at` unless it already expires later: nothing is dropped early.
const KEEP = `
local function keep(key, value, at)
  local current = redis.call('EXPIRETIME', key)
  redis.call('SET', key, value, 'KEEPTTL')
  if current < tonumber(at) then redis.call('EXPIREAT', key, at) end
end
local function later(key, at)
  if redis.call('EXPIRETIME', key) < tonumber(at) then redis.call('EXPIREAT', key, at) end
end
`;

const SCRIPTS = {
  // KEYS: revoked, data[, list, session hash]. ARGV: expire at, session id.
  revoke: `${KEEP}
keep(KEYS[1], '1', ARGV[1])
redis.call('DEL', KEYS[2])
if KEYS[3] then
  redis.call('ZREM', KEYS[3], ARGV[2])
  redis.call('DEL', KEYS[4])
end
return 1`,
  // KEYS: generation, list. ARGV: subject key base, now, expire at.
  everywhere: `${KEEP}
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local next = math.max(current + 1, tonumber(ARGV[2]))
keep(KEYS[1], string.format('%d', next), ARGV[3])
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  redis.call('DEL', ARGV[1] .. 's:' .. id, ARGV[1] .. 'd:' .. id)
end
redis.call('DEL', KEYS[2])
return next`,
  // KEYS: list. ARGV: subject key base, id, signed in, last seen, remember-me, label,
  // keep until, now, cap.
  record: `${KEEP}
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
return 1`,
  // KEYS: session hash. ARGV: now.
  touch: `local seen = redis.call('HGET', KEYS[1], 'last_seen')
if seen and tonumber(seen) < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'last_seen', ARGV[1])
end
return 1`,
  // KEYS: list. ARGV: subject key base, now.
  list: `local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], '+inf')) do
  local f = redis.call('HMGET', ARGV[1] .. 's:' .. id,
    'signed_in_at', 'last_seen', 'remember_me', 'label', 'keep_until')
  if f[1] then
    table.insert(out, {id, f[1], f[2], f[3], f[4], f[5]})
  end
end
return out`,
  // Remember-me, the Rust RedisStore's too.
  // KEYS: series hash, its linked sessions (sorted set: id, score keep until).
  // ARGV: subject, token hash, now, expire at, session id, session keep until.
  rememberStart: `redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'subject', ARGV[1], 'current', ARGV[2], 'previous', '',
  'rotated_at', ARGV[3], 'keep_until', tonumber(ARGV[4]) - 1)
redis.call('EXPIREAT', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[5])
redis.call('EXPIREAT', KEYS[2], ARGV[4])
return 1`,
  // KEYS: series hash, linked sessions. ARGV: presented hash, next hash, now, grace, expire at.
  // Returns {outcome, subject[, id, keep, id, keep...]} (the sessions only on theft).
  rememberRotate: `local f = redis.call('HMGET', KEYS[1], 'subject', 'current', 'previous', 'rotated_at', 'keep_until')
local now = tonumber(ARGV[3])
if not f[1] or tonumber(f[5]) < now then return {'missing', ''} end
if ARGV[1] == f[2] then
  redis.call('HSET', KEYS[1], 'previous', f[2], 'current', ARGV[2], 'rotated_at', ARGV[3],
    'keep_until', tonumber(ARGV[5]) - 1)
  redis.call('EXPIREAT', KEYS[1], ARGV[5])
  redis.call('EXPIREAT', KEYS[2], ARGV[5])
  return {'rotated', f[1]}
end
if f[3] ~= '' and ARGV[1] == f[3] and now <= tonumber(f[4]) + tonumber(ARGV[4]) then
  return {'grace', f[1]}
end
local out = {'theft', f[1]}
for _, v in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')) do table.insert(out, v) end
redis.call('DEL', KEYS[1], KEYS[2])
return out`,
  // KEYS: the subject's series index. ARGV: series, expire at, now, cap. Lists the series
  // (or moves its expiry later) and returns those past the cap, soonest to expire first.
  rememberIndex: `redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
local out = {}
if extra > 0 then
  out = redis.call('ZRANGE', KEYS[1], 0, extra - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, extra - 1)
end
if redis.call('EXPIRETIME', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('EXPIREAT', KEYS[1], ARGV[2])
end
return out`,
  // KEYS: series hash, linked sessions. ARGV: id, keep until, now, most kept.
  rememberLink: `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[4]) + 1))
redis.call('EXPIREAT', KEYS[2], redis.call('EXPIRETIME', KEYS[1]))
return 1`,
};

// RESP's blob-string type byte ("$"): with this mapping node-redis returns Buffers, for data.
const BLOB_STRING = 36;

async function sha1Hex(text) {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const SHAS = Promise.all(Object.entries(SCRIPTS).map(async ([name, text]) => [name, await sha1Hex(text)])).then(
  Object.fromEntries,
);

/**
 * Sessions state in Redis. `client` is a connected node-redis client
 * (`createClient({ url }).connect()`); it is used, never closed. Options: `prefix` of every
 * key (default `cookie-seal`, the Rust store's), `timeout` in ms per call (default 1000),
 * `maxSessionsPerSubject` (default 32).
 */
export class RedisStore {
  #client;
  #bytes;
  #prefix;
  #timeout;
  #cap;

  constructor(client, options = {}) {
    if (!isObject(client) || typeof client.sendCommand !== "function") {
      throw new SealError("INVALID_OPTION", "invalid option: RedisStore takes a node-redis client (createClient())");
    }
    const { prefix = "cookie-seal", timeout = 1000, maxSessionsPerSubject = DEFAULT_MAX_SESSIONS_PER_SUBJECT } = options;
    // eslint-disable-next-line no-control-regex
    if (typeof prefix !== "string" || prefix.length < 1 || prefix.length > 64 || /[{}\u0000-\u001f\u007f]/.test(prefix)) {
      throw new SealError(
        "INVALID_OPTION",
        "invalid option: a Redis key prefix is 1 to 64 bytes, without braces or control characters",
      );
    }
    if (!Number.isSafeInteger(timeout) || timeout < 1) {
      throw new SealError("INVALID_OPTION", "invalid option: timeout is a whole number of milliseconds");
    }
    this.#client = client;
    this.#bytes = typeof client.withTypeMapping === "function" ? client.withTypeMapping({ [BLOB_STRING]: Buffer }) : undefined;
    this.#prefix = prefix;
    this.#timeout = timeout ?? DEFAULT_STORE_TIMEOUT;
    this.#cap = Math.min(Math.max(1, maxSessionsPerSubject), 1 << 20);
  }

  #subjectBase(subject) {
    return `${this.#prefix}:{u:${base64url(subject)}}:`;
  }

  // [revoked key, data key] of a session: under its subject's tag, or its own.
  #sessionKeys(id, subject) {
    if (subject !== null && subject !== undefined) {
      const base = this.#subjectBase(subject);
      return [`${base}rev:${id}`, `${base}d:${id}`];
    }
    const base = `${this.#prefix}:{i:${id}}:`;
    return [`${base}rev`, `${base}d`];
  }

  #rememberKeys(series) {
    const base = `${this.#prefix}:{r:${series}}:`;
    return [`${base}rm`, `${base}rm:s`];
  }

  #run(call) {
    return timed("redis", this.#timeout, call);
  }

  async #script(name, keys, args) {
    const shas = await SHAS;
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    try {
      return await this.#client.sendCommand(["EVALSHA", shas[name], ...tail]);
    } catch (err) {
      if (!String(err?.message).startsWith("NOSCRIPT")) throw err;
      return this.#client.sendCommand(["EVAL", SCRIPTS[name], ...tail]);
    }
  }

  isRevoked(id, subject, _now) {
    const [revoked] = this.#sessionKeys(id, subject?.id);
    return this.#run(async () => {
      if (subject === null || subject === undefined) {
        return (await this.#client.sendCommand(["GET", revoked])) !== null;
      }
      const gen = `${this.#subjectBase(subject.id)}gen`;
      const [found, lowest] = await this.#client.sendCommand(["MGET", revoked, gen]);
      return found !== null || (lowest !== null && Number(lowest) > subject.generation);
    });
  }

  revoke(id, subject, keepUntil, _now) {
    const [revoked, data] = this.#sessionKeys(id, subject);
    const keys = [revoked, data];
    if (subject !== null && subject !== undefined) {
      const base = this.#subjectBase(subject);
      keys.push(`${base}list`, `${base}s:${id}`);
    }
    return this.#run(() => this.#script("revoke", keys, [keepUntil + 1, id]).then(() => undefined));
  }

  generation(subject, _now) {
    const key = `${this.#subjectBase(subject)}gen`;
    return this.#run(async () => Number((await this.#client.sendCommand(["GET", key])) ?? 0));
  }

  async signOutEverywhere(subject, keepUntil, now) {
    checkSubject(subject);
    const base = this.#subjectBase(subject);
    return this.#run(async () => Number(await this.#script("everywhere", [`${base}gen`, `${base}list`], [base, now, keepUntil + 1])));
  }

  async recordSignIn(subject, entry, now) {
    checkSubject(subject);
    checkLabel(entry.label);
    const base = this.#subjectBase(subject);
    const args = [base, entry.id, entry.signedInAt, entry.lastSeen, entry.rememberMe ? 1 : 0, entry.label, entry.keepUntil, now, this.#cap];
    return this.#run(() => this.#script("record", [`${base}list`], args).then(() => undefined));
  }

  touch(subject, id, now) {
    const key = `${this.#subjectBase(subject)}s:${id}`;
    return this.#run(() => this.#script("touch", [key], [now]).then(() => undefined));
  }

  sessions(subject, now) {
    const base = this.#subjectBase(subject);
    return this.#run(async () => {
      const rows = await this.#script("list", [`${base}list`], [base, now]);
      const list = rows.map(([id, signed, seen, remember, label, until]) => ({
        id,
        signedInAt: Number(signed),
        lastSeen: Number(seen),
        rememberMe: remember === "1",
        label,
        keepUntil: Number(until),
      }));
      return list.sort(listOrder);
    });
  }

  async putData(id, subject, data, keepUntil, _now) {
    const bytes = dataBytes(data);
    const [, key] = this.#sessionKeys(id, subject);
    return this.#run(() =>
      this.#client.sendCommand(["SET", key, Buffer.from(bytes), "EXAT", String(keepUntil + 1)]).then(() => undefined),
    );
  }

  data(id, subject, _now) {
    const [, key] = this.#sessionKeys(id, subject);
    const client = this.#bytes ?? this.#client;
    return this.#run(async () => {
      const value = await client.sendCommand(["GET", key]);
      if (value === null) return null;
      return new Uint8Array(Buffer.isBuffer(value) ? value : Buffer.from(value));
    });
  }

  /** A rate-limit counter on this Redis: the Rust RedisRateLimit's keys and script. */
  rateCounter() {
    return redisRateCounter({ prefix: this.#prefix, send: (args) => this.#client.sendCommand(args), run: (call) => this.#run(call) });
  }

  /** Claims a hand-off token id once (`cookie-seal/handoff`): the Rust RedisStore's `P:{h:ID}`. */
  claimHandoff(id, until, now) {
    return redisClaim({ prefix: this.#prefix, send: (args) => this.#client.sendCommand(args), run: (call) => this.#run(call) })(id, until, now);
  }

  // Lists a series under its subject (another hash slot: a call of its own, after the
  // series' script) and deletes the series the cap on live series per subject pushes out.
  async #index(subject, series, expireAt, now) {
    const key = `${this.#subjectBase(subject)}rm`;
    const dropped = await this.#script("rememberIndex", [key], [series, expireAt, now, MAX_SERIES_PER_SUBJECT]);
    for (const old of dropped) {
      if (/^[A-Za-z0-9_-]{22}$/.test(old)) await this.#client.sendCommand(["DEL", ...this.#rememberKeys(old)]);
    }
  }

  rememberStart(series, record, keepUntil, now) {
    const [id, keep] = record.sessions[0];
    const args = [record.subject, record.current, record.rotatedAt, keepUntil + 1, id, keep];
    return this.#run(async () => {
      await this.#script("rememberStart", this.#rememberKeys(series), args);
      await this.#index(record.subject, series, keepUntil + 1, now);
    });
  }

  rememberRotate(series, presented, next, now, grace, keepUntil) {
    return this.#run(async () => {
      const [outcome, subject, ...rest] = await this.#script("rememberRotate", this.#rememberKeys(series), [
        presented,
        next,
        now,
        grace,
        keepUntil + 1,
      ]);
      const sessions = [];
      for (let i = 0; i + 1 < rest.length; i += 2) sessions.push([rest[i], Number(rest[i + 1])]);
      // The series lives on, and so does its place under the subject's cap; a stolen one
      // leaves it.
      if (outcome === "rotated") await this.#index(subject, series, keepUntil + 1, now);
      if (outcome === "theft") await this.#client.sendCommand(["ZREM", `${this.#subjectBase(subject)}rm`, series]);
      return { outcome, subject, sessions };
    });
  }

  rememberLink(series, id, keepUntil, now) {
    const args = [id, keepUntil, now, REMEMBER_LINKS];
    return this.#run(() => this.#script("rememberLink", this.#rememberKeys(series), args).then(() => undefined));
  }

  rememberForget(series, _now) {
    const keys = this.#rememberKeys(series);
    return this.#run(async () => {
      const subject = await this.#client.sendCommand(["HGET", keys[0], "subject"]);
      await this.#client.sendCommand(["DEL", ...keys]);
      if (typeof subject === "string") await this.#client.sendCommand(["ZREM", `${this.#subjectBase(subject)}rm`, series]);
    });
  }
}
