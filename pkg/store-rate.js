// The rate-limit counters of the shared stores: what `store.rateCounter()` returns, a
// counter for `cookie-seal/rate-limit`'s RateLimiter ({ hit, reset }), so that every server
// of a fleet spends one budget per client through the store it already has. Not part of
// the public API (not in the exports map): each store calls its own builder below.
//
// Every hit is one atomic step on the backend and every counter is dropped by the backend
// when its window ends, so what a flood of client keys can make a store hold is one small
// entry per key seen in the last window. A backend that fails or does not answer in time
// makes the hit throw STORE_UNAVAILABLE, and the limiter refuses (it never lets a request
// through uncounted).

import { SealError } from "./core.js";
import { base64url } from "./store-core.js";
import { unlocked } from "./store-handoff.js";

// Longest client key a counter keys on. Redis keys on the first RATE_KEY_BYTES bytes of
// its UTF-8, as the Rust crate's RedisRateLimit does (MAX_RATE_KEY_LEN), so both name one
// key; the others on the first RATE_KEY_CHARS characters, the limiter's own cut. Keys alike
// that far share a budget, which only makes the limit stricter.
export const RATE_KEY_BYTES = 128;
const RATE_KEY_CHARS = 256;
// One for every Redis key made: a hit costs no encoder of its own.
const encoder = new TextEncoder();

function windowOf(windowSeconds) {
  if (!Number.isSafeInteger(windowSeconds) || windowSeconds < 1) {
    throw new SealError("INVALID_OPTION", "invalid option: a rate-limit window is a whole number of seconds, at least 1");
  }
  return windowSeconds;
}

function keyOf(key) {
  if (typeof key !== "string" || key === "") {
    throw new SealError("INVALID_OPTION", "invalid option: a rate-limit key must be a non-empty string");
  }
  return key.length > RATE_KEY_CHARS ? key.slice(0, RATE_KEY_CHARS) : key;
}

// Counts and starts the window's expiry on the first hit, in one step; the count and the
// milliseconds left. The text of the Rust RedisRateLimit's script, byte for byte.
const REDIS_COUNT = `local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

/**
 * The counter of a RedisStore: `P:{rl:B}` (B the unpadded base64url of the key's first
 * 128 bytes of UTF-8), counted by INCR with a PEXPIRE of the window on the first hit, the
 * layout of the Rust RedisRateLimit on a RedisStore of the same prefix: a Node server and
 * a Rust server count one budget. The window starts at a client's first request.
 */
export function redisRateCounter({ prefix, send, run }) {
  const redisKey = (key) => `${prefix}:{rl:${base64url(encoder.encode(keyOf(key)).subarray(0, RATE_KEY_BYTES))}}`;
  return {
    hit(key, windowSeconds, now) {
      const k = redisKey(key);
      const ms = windowOf(windowSeconds) * 1000;
      return run(async () => {
        const [count, left] = await send(["EVAL", REDIS_COUNT, "1", k, String(ms)]);
        return { count: Number(count), resetAt: now + Math.ceil(Number(left) / 1000) };
      });
    },
    reset(key) {
      const k = redisKey(key);
      return run(() => send(["DEL", k]).then(() => undefined));
    },
  };
}

/**
 * The counter of a DenoKvStore: `[prefix, "rl", key]` holding { count, resetAt }, each hit
 * one `kv.atomic()` checked against the versionstamp it read (retried on a conflict), the
 * entry expiring with its window (`expireIn`).
 */
export function denoKvRateCounter({ kv, prefix, run, atomically }) {
  const kvKey = (key) => [prefix, "rl", keyOf(key)];
  return {
    hit(key, windowSeconds, now) {
      const k = kvKey(key);
      const window = windowOf(windowSeconds);
      return run(() =>
        atomically(() => unlocked(async () => {
          const got = await kv.get(k);
          const live = got.value !== null && got.value.resetAt > now;
          const value = live ? { count: got.value.count + 1, resetAt: got.value.resetAt } : { count: 1, resetAt: now + window };
          const expireIn = Math.max(1, value.resetAt - now) * 1000;
          return { ok: (await kv.atomic().check(got).set(k, value, { expireIn }).commit()).ok, value };
        })),
      );
    },
    reset(key) {
      const k = kvKey(key);
      return run(() => kv.delete(k));
    },
  };
}

/**
 * The counter of a DurableObjectStore: one object per client key (`prefix:rl:key`), which
 * runs one hit at a time over its storage, its alarm dropping the count when the window
 * ends. `object(key)` is the stub of that object.
 */
export function durableObjectRateCounter({ object, run }) {
  return {
    hit(key, windowSeconds, now) {
      const stub = object(keyOf(key));
      const window = windowOf(windowSeconds);
      return run(() => stub.rateHit(window, now));
    },
    reset(key) {
      const stub = object(keyOf(key));
      return run(() => stub.rateReset());
    },
  };
}
