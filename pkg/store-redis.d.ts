import type { SessionStore, StoreOptions } from "./sessions.js";

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
}
