import type { SessionStore, StoreOptions } from "./sessions.js";
import type { Counter } from "./rate-limit.js";

/** Sessions state in Redis, on the app's node-redis client; the Rust RedisStore's layout. */
export class RedisStore implements SessionStore {
  constructor(client: { sendCommand(args: unknown[]): Promise<unknown> }, options?: StoreOptions);
  isRevoked: SessionStore["isRevoked"];
  revoke: SessionStore["revoke"];
  generation: SessionStore["generation"];
  signOutEverywhere: SessionStore["signOutEverywhere"];
  recordSignIn: SessionStore["recordSignIn"];
  touch: SessionStore["touch"];
  sessions: SessionStore["sessions"];
  putData: SessionStore["putData"];
  data: SessionStore["data"];
  /** A rate-limit counter for `new RateLimiter({ store })` on this Redis, the Rust `RedisRateLimit` keys (`P:{rl:…}`) and script: a Rust and a Node server count one budget. */
  rateCounter(): Counter;
  /** Claims a hand-off token id once, for `cookie-seal/handoff` (rejects with `REVOKED` after). */
  claimHandoff(id: string, until: number, now: number): Promise<void>;
}
