import type { SessionStore, StoreOptions } from "./sessions.js";
import type { Counter } from "./rate-limit.js";

/** The Durable Object class to export from the worker and bind a namespace to. */
export class SessionStoreObject {
  constructor(ctx: unknown, env: unknown);
}

/** Sessions state in Durable Objects (strongly consistent), one object per subject. */
export class DurableObjectStore implements SessionStore {
  constructor(namespace: { idFromName(name: string): unknown; get(id: unknown): unknown }, options?: StoreOptions);
  isRevoked: SessionStore["isRevoked"];
  revoke: SessionStore["revoke"];
  generation: SessionStore["generation"];
  signOutEverywhere: SessionStore["signOutEverywhere"];
  recordSignIn: SessionStore["recordSignIn"];
  touch: SessionStore["touch"];
  sessions: SessionStore["sessions"];
  putData: SessionStore["putData"];
  data: SessionStore["data"];
  /** A rate-limit counter for `new RateLimiter({ store })` on this namespace: one object per client key, dropped by its alarm when the window ends. */
  rateCounter(): Counter;
  /** Claims a hand-off token id once, for `cookie-seal/handoff` (rejects with `REVOKED` after). */
  claimHandoff(id: string, until: number, now: number): Promise<void>;
}
