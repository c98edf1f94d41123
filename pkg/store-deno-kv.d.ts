import type { SessionStore, StoreOptions } from "./sessions.js";
import type { Counter } from "./rate-limit.js";

/** Sessions state in Deno KV (strongly consistent). */
export class DenoKvStore implements SessionStore {
  constructor(kv: { atomic(): unknown }, options?: StoreOptions);
  isRevoked: SessionStore["isRevoked"];
  revoke: SessionStore["revoke"];
  generation: SessionStore["generation"];
  signOutEverywhere: SessionStore["signOutEverywhere"];
  recordSignIn: SessionStore["recordSignIn"];
  touch: SessionStore["touch"];
  sessions: SessionStore["sessions"];
  putData: SessionStore["putData"];
  data: SessionStore["data"];
  /** A rate-limit counter for `new RateLimiter({ store })` on this Deno KV: one checked atomic write per hit, expiring with the window. */
  rateCounter(): Counter;
  /** Claims a hand-off token id once, for `cookie-seal/handoff` (rejects with `REVOKED` after). */
  claimHandoff(id: string, until: number, now: number): Promise<void>;
}
