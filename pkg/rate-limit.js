// `cookie-seal/rate-limit`: a fixed-window limiter for session endpoints (sign-in, sign-up,
// password reset), keyed by client. The counting lives behind a small contract,
// { hit(key, windowSeconds, now), reset(key) }, so one server counts in memory
// (MemoryCounter) and a fleet shares one budget through the session store it already has
// (`new RateLimiter({ store })`: the Redis, Durable Object and Deno KV stores count
// atomically; Workers KV cannot and is refused), or on a bare Redis client (redisCounter).
// No wasm: this entry costs only its own few lines.
import { SealError } from "./core.js";

function invalid(message) {
  return new SealError("INVALID_OPTION", `invalid option: ${message}`);
}

function wholeNumber(value, name, min) {
  if (!Number.isSafeInteger(value) || value < min) throw invalid(`${name} must be a whole number of at least ${min}`);
  return value;
}

// Keys come from clients; bounding their length bounds what one key can cost.
const MAX_KEY_LEN = 256;
// Where clients count once the map is full of live windows: a flood of fresh keys then
// makes the limit stricter for the newcomers instead of lifting it or growing memory.
const OVERFLOW_KEY = "\u0000overflow";

/**
 * Counters in this process's memory, at most `maxKeys` of them. When full, windows that
 * have ended are dropped first; if every counter is live, new clients share one overflow
 * counter.
 */
export class MemoryCounter {
  #windows = new Map();
  #maxKeys;

  constructor(options = {}) {
    this.#maxKeys = wholeNumber(options.maxKeys ?? 10_000, "maxKeys", 1);
  }

  /** How many counters exist now. */
  get size() {
    return this.#windows.size;
  }

  hit(key, windowSeconds, now) {
    let entry = this.#windows.get(key);
    if (entry !== undefined && entry.resetAt <= now) {
      this.#windows.delete(key);
      entry = undefined;
    }
    if (entry === undefined) {
      if (this.#windows.size >= this.#maxKeys) this.#sweep(now);
      if (this.#windows.size >= this.#maxKeys) {
        key = OVERFLOW_KEY;
        entry = this.#windows.get(key);
        if (entry !== undefined && entry.resetAt <= now) {
          entry.count = 0;
          entry.resetAt = now + windowSeconds;
        }
      }
      if (entry === undefined) {
        entry = { count: 0, resetAt: now + windowSeconds };
        this.#windows.set(key, entry);
      }
    }
    entry.count += 1;
    return { count: entry.count, resetAt: entry.resetAt };
  }

  reset(key) {
    this.#windows.delete(key);
  }

  #sweep(now) {
    for (const [key, entry] of this.#windows) if (entry.resetAt <= now) this.#windows.delete(key);
  }
}

// INCR and EXPIRE in one step, so a counter can never be left without an expiry by a
// client that died between the two.
const REDIS_HIT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

/**
 * A counter shared by every server, on the application's own node-redis client (v4 or
 * later, connected): one Lua script per hit (INCR, EXPIRE on the first, TTL). Keys are
 * `prefix` + the client key.
 */
export function redisCounter(client, options = {}) {
  const prefix = options.prefix ?? "cookie-seal:rate:";
  if (typeof prefix !== "string") throw invalid("prefix must be a string");
  return {
    async hit(key, windowSeconds, now) {
      const [count, ttl] = await client.eval(REDIS_HIT, { keys: [prefix + key], arguments: [String(windowSeconds)] });
      return { count: Number(count), resetAt: now + Number(ttl) };
    },
    async reset(key) {
      await client.del(prefix + key);
    },
  };
}

function unavailable(error) {
  if (error instanceof SealError && error.code === "STORE_UNAVAILABLE") return error;
  return new SealError("STORE_UNAVAILABLE", `store unavailable: rate-limit counter: ${error?.message ?? error}`);
}

/**
 * At most `limit` requests per key in each `window` seconds, counted by `counter` or by
 * `store.rateCounter()` (a cookie-seal session store; default a MemoryCounter). `take`
 * answers `{ ok, remaining, retryAfter }`, and when it refuses also `code`: `RATE_LIMITED`
 * over the limit, `STORE_UNAVAILABLE` (with the `error`) when the counter failed or timed
 * out: it fails closed, never letting a request through uncounted.
 */
export class RateLimiter {
  #limit;
  #window;
  #counter;

  constructor(options) {
    if (typeof options !== "object" || options === null) throw invalid("new RateLimiter() takes { limit, window, counter? }");
    for (const name of Object.keys(options)) {
      if (!["limit", "window", "counter", "store"].includes(name)) throw invalid(`unknown RateLimiter option "${name}"`);
    }
    this.#limit = wholeNumber(options.limit, "limit", 1);
    this.#window = wholeNumber(options.window, "window", 1);
    if (options.store !== undefined && options.counter !== undefined) throw invalid("give a RateLimiter a counter or a store, not both");
    if (options.store !== undefined && typeof options.store?.rateCounter !== "function") {
      throw invalid("store must be a cookie-seal session store (one with rateCounter())");
    }
    // A store that cannot count (Workers KV) throws its own INVALID_OPTION here.
    const counter = options.store !== undefined ? options.store.rateCounter() : (options.counter ?? new MemoryCounter());
    if (typeof counter.hit !== "function" || typeof counter.reset !== "function") {
      throw invalid("counter must have hit(key, windowSeconds, now) and reset(key)");
    }
    this.#counter = counter;
  }

  /** Counts one request of `key`. */
  async take(key, options) {
    const now = options?.now ?? Math.floor(Date.now() / 1000);
    const k = limitKey(key);
    let hit;
    try {
      hit = await this.#counter.hit(k, this.#window, now);
    } catch (error) {
      return { ok: false, code: "STORE_UNAVAILABLE", remaining: 0, retryAfter: this.#window, error: unavailable(error) };
    }
    const retryAfter = Math.max(1, hit.resetAt - now);
    if (hit.count > this.#limit) return { ok: false, code: "RATE_LIMITED", remaining: 0, retryAfter };
    return { ok: true, remaining: this.#limit - hit.count, retryAfter: 0 };
  }

  /** Forgets `key`'s count: after a successful sign-in, say. Throws STORE_UNAVAILABLE when the counter fails. */
  async reset(key) {
    const k = limitKey(key);
    try {
      await this.#counter.reset(k);
    } catch (error) {
      throw unavailable(error);
    }
  }
}

function limitKey(key) {
  if (typeof key !== "string" || key === "") throw invalid("a rate-limit key must be a non-empty string");
  return key.length > MAX_KEY_LEN ? key.slice(0, MAX_KEY_LEN) : key;
}

/**
 * The key to count a client under, from its address: IPv4 as it is, IPv6 by its /64
 * (one subscriber usually holds a whole /64), an IPv4-mapped IPv6 address as its IPv4.
 */
export function clientKey(address) {
  if (typeof address !== "string" || address === "") return "unknown";
  const text = address.trim().replace(/^\[|\]$/g, "").toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (mapped) return mapped[1];
  if (!text.includes(":")) return text;
  const [head, tail = ""] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const groups = text.includes("::") ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right] : left;
  const prefix = groups.slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16));
  return `${prefix.join(":")}::/64`;
}

/**
 * The answer to a refused `take`: 429 for `RATE_LIMITED`, 503 for `STORE_UNAVAILABLE` (the
 * budget could not be counted, so the request is not the client's fault), both with
 * `Retry-After` and a JSON body carrying the code.
 */
export function rateLimitedResponse(retryAfter, code = "RATE_LIMITED") {
  const unavailable = code === "STORE_UNAVAILABLE";
  const error = unavailable ? "rate limit unavailable" : "too many requests";
  return new Response(JSON.stringify({ code: unavailable ? code : "RATE_LIMITED", error, retryAfter }), {
    status: unavailable ? 503 : 429,
    headers: { "content-type": "application/json", "retry-after": String(retryAfter) },
  });
}
