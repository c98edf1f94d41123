// The hand-off's single-use record on the shared stores: what `store.claimHandoff(id,
// until, now)` does, for `cookie-seal/handoff`'s `redeem`. Not part of the public API (not
// in the exports map): each store calls its own builder below.
//
// A claim is one atomic step on the backend and succeeds once per token id; a second one
// throws REVOKED until CLAIM_LEEWAY seconds after `until` (the token's last valid second),
// the clock difference allowed between the target's servers. The backend drops the claim
// after that. Only tokens that opened under the hand-off keyring are claimed, so what the
// record holds is bounded by the tokens issued in the last seconds. A backend that fails
// or does not answer in time throws STORE_UNAVAILABLE, and the token is refused.

import { SealError } from "./core.js";

/** Seconds a claim is kept past `until`, as the Rust crate's `store::CLAIM_LEEWAY`. */
export const CLAIM_LEEWAY = 5;

/** The REVOKED of a token id claimed before (here and by MemorySingleUse in handoff.js). */
export function redeemed() {
  return new SealError("REVOKED", "hand-off token already redeemed");
}

/** Refuses a claim of anything but a token id (22 base64url characters) with INVALID_OPTION. */
export function checkId(id) {
  if (typeof id !== "string" || !/^[A-Za-z0-9_-]{22}$/.test(id)) {
    throw new SealError("INVALID_OPTION", "invalid option: a hand-off token id is 22 base64url characters");
  }
}

/**
 * On Redis: `SET P:{h:ID} 1 NX PX ms`, the Rust RedisStore's key and command, with `ms`
 * the token's time left plus CLAIM_LEEWAY (relative, so Redis's clock does not matter).
 */
export function redisClaim({ prefix, send, run }) {
  return (id, until, now) => {
    checkId(id);
    const ms = (Math.max(0, until - now) + CLAIM_LEEWAY) * 1000;
    return run(async () => {
      if ((await send(["SET", `${prefix}:{h:${id}}`, "1", "NX", "PX", String(ms)])) === null) throw redeemed();
    });
  };
}

/**
 * On Deno KV: `[prefix, "h", id]`, written by one `kv.atomic()` that checks the entry is
 * absent (or holds an ended claim it read), expiring `expireIn` after the claim's end.
 */
export function denoKvClaim({ kv, prefix, run }) {
  return (id, until, now) => {
    checkId(id);
    const keep = until + CLAIM_LEEWAY;
    return run(() => unlocked(async () => {
      const key = [prefix, "h", id];
      const got = await kv.get(key);
      if (got.value !== null && got.value >= now) throw redeemed();
      const op = kv.atomic().check(got).set(key, keep, { expireIn: Math.max(1, keep + 1 - now) * 1000 });
      // A failed check is another server's claim of this id in between.
      if (!(await op.commit()).ok) throw redeemed();
    }));
  };
}

// A local Deno KV file opened by two processes (or two handles) refuses a write that meets
// the other's lock ("database is locked") instead of waiting: try again a few times, within
// the store's timeout, before the call fails as STORE_UNAVAILABLE.
export async function unlocked(attempt) {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= 8 || !/database is locked/.test(String(err?.message))) throw err;
      await new Promise((resolve) => setTimeout(resolve, 2 * i));
    }
  }
}

/** On Durable Objects: one object per token id, one claim at a time, dropped by its alarm. */
export function durableObjectClaim({ object, run }) {
  return (id, until, now) => {
    checkId(id);
    const stub = object(id);
    return run(async () => {
      if (!(await stub.handoffClaim(until + CLAIM_LEEWAY, now))) throw redeemed();
    });
  };
}
