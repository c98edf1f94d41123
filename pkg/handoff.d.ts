/**
 * `cookie-seal/handoff`: cross-domain hand-off tokens, the Rust crate's `handoff` module
 * token for token. A token is bound to the target's origin, lives at most 60 s and
 * redeems once through a {@link SingleUse} record: a session store the target's servers
 * share (`RedisStore`, `DurableObjectStore`, `DenoKvStore`; `WorkersKvStore` refuses) or a
 * {@link MemorySingleUse} for one process.
 *
 * @example
 * ```ts
 * const handoff = new Handoff({ keys: process.env.HANDOFF_KEYS! }); // both sites hold them
 * // shop.example:
 * const token = handoff.issue("https://accounts.example.net", { user: 42 });
 * // accounts.example.net, on the store its servers share:
 * const data = await handoff.redeem<{ user: number }>(token, "https://accounts.example.net", store);
 * ```
 * @packageDocumentation
 */
import type { KeyEntry } from "./index.js";

/** Default lifetime of a token, seconds. */
export const DEFAULT_HANDOFF_TTL: 30;
/** Longest lifetime of a token, seconds. */
export const MAX_HANDOFF_TTL: 60;

/** What records redeemed token ids: resolves the first time, rejects with `REVOKED` after (or `STORE_UNAVAILABLE`). */
export interface SingleUse {
  claimHandoff(id: string, until: number, now: number): void | Promise<void>;
}

/** Redeemed ids in memory, at most `capacity` (default 100000); full, a new claim is `RATE_LIMITED`. */
export class MemorySingleUse implements SingleUse {
  constructor(options?: { capacity?: number });
  readonly size: number;
  claimHandoff(id: string, until: number, now: number): void;
}

/** Issues and redeems hand-off tokens under a keyring both sites hold. */
export class Handoff {
  /** @throws {SealError} `INVALID_OPTION` for bad keys or a ttl outside 1 to 60 seconds. */
  constructor(options: { keys: string | readonly KeyEntry[]; ttl?: number });
  /** A token carrying `data` to `targetOrigin` (`https://host[:port]`). */
  issue(targetOrigin: string, data: unknown, options?: { now?: number }): string;
  /**
   * The token's data, once. Rejects with `BAD_SEAL` (another site's token, a forgery),
   * `EXPIRED`, `REVOKED` (already redeemed), `STORE_UNAVAILABLE` (the record cannot answer).
   */
  redeem<T = unknown>(token: string, ownOrigin: string, used: SingleUse, options?: { now?: number }): Promise<T>;
}
