/**
 * `cookie-seal/rate-limit`: a fixed-window limiter for session endpoints, keyed by client,
 * counting in memory or on a shared store behind {@link Counter}.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ limit: 5, window: 60 });
 * // A fleet: new RateLimiter({ limit: 5, window: 60, store: new RedisStore(client) })
 * const answer = await limiter.take(clientKey(address));
 * if (answer.code === "STORE_UNAVAILABLE") return new Response(null, { status: 503 });
 * if (!answer.ok) return rateLimitedResponse(answer.retryAfter); // 429, Retry-After
 * ```
 * @packageDocumentation
 */

/** What a counter backend does: count a hit in the key's window (starting one if none is live), forget a key. */
export interface Counter {
  hit(key: string, windowSeconds: number, now: number): { count: number; resetAt: number } | Promise<{ count: number; resetAt: number }>;
  reset(key: string): void | Promise<void>;
}

/** Counters in memory, at most `maxKeys` (default 10000); when all are live, new keys share one overflow counter. */
export class MemoryCounter implements Counter {
  constructor(options?: { maxKeys?: number });
  readonly size: number;
  hit(key: string, windowSeconds: number, now: number): { count: number; resetAt: number };
  reset(key: string): void;
}

/** The subset of a node-redis client (v4 or later) the Redis counter uses. */
export interface RedisLike {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

/** A counter on Redis shared by a fleet: one Lua script per hit (INCR, EXPIRE on the first). */
export function redisCounter(client: RedisLike, options?: { prefix?: string }): Counter;

/** A store whose rate-limit counter a fleet shares: `RedisStore`, `DurableObjectStore`, `DenoKvStore` (`WorkersKvStore` throws `INVALID_OPTION`). */
export interface CountingStore {
  rateCounter(): Counter;
}

/**
 * What {@link RateLimiter.take} answers. A refusal has a `code`: `RATE_LIMITED` over the
 * limit; `STORE_UNAVAILABLE` when the counter failed (`error`, a `SealError`), which refuses.
 */
export interface RateLimitAnswer {
  ok: boolean;
  code?: "RATE_LIMITED" | "STORE_UNAVAILABLE";
  remaining: number;
  retryAfter: number;
  error?: unknown;
}

/** At most `limit` requests per key in each `window` seconds, on `counter`, on `store.rateCounter()`, or in memory. */
export class RateLimiter {
  /** @throws {SealError} `INVALID_OPTION` for a limit or window that is not a whole number of at least 1, both `counter` and `store`, or a store that cannot count (Workers KV). */
  constructor(options: { limit: number; window: number; counter?: Counter; store?: CountingStore });
  take(key: string, options?: { now?: number }): Promise<RateLimitAnswer>;
  /** @throws {SealError} `STORE_UNAVAILABLE` when the counter fails. */
  reset(key: string): Promise<void>;
}

/** The key of a client address: IPv4 as is, IPv6 by /64, IPv4-mapped as IPv4. */
export function clientKey(address: string | undefined): string;

/** A 429 Response with `Retry-After` and a JSON body `{ code: "RATE_LIMITED", ... }`. */
export function rateLimitedResponse(retryAfter: number, code?: "RATE_LIMITED" | "STORE_UNAVAILABLE"): Response;
