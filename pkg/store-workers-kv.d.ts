import type { SessionStore, StoreOptions } from "./sessions.js";

/** Sessions state in Workers KV. Eventually consistent: a revocation may take about 60 s to reach other locations. No remember-me rotation. */
export class WorkersKvStore implements SessionStore {
  constructor(namespace: { get(key: string, type?: string): Promise<unknown>; put(key: string, value: unknown, options?: object): Promise<void> }, options?: StoreOptions);
  isRevoked: SessionStore["isRevoked"];
  revoke: SessionStore["revoke"];
  generation: SessionStore["generation"];
  signOutEverywhere: SessionStore["signOutEverywhere"];
  recordSignIn: SessionStore["recordSignIn"];
  touch: SessionStore["touch"];
  sessions: SessionStore["sessions"];
  putData: SessionStore["putData"];
  data: SessionStore["data"];
  /** Always throws `INVALID_OPTION`: no atomic increment, and reads elsewhere may be about 60 s old, so a fleet could not share a limit. */
  rateCounter(): never;
  /** Always rejects with `INVALID_OPTION`: no atomic set-if-absent seen everywhere, so a token could redeem once per location. */
  claimHandoff(id: string, until: number, now: number): Promise<never>;
}
