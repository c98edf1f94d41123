// `cookie-seal/handoff`: carrying a signed-in user from one site to another that no cookie
// can reach, the Rust crate's `handoff` module in JavaScript, token for token. The source
// site seals what the target needs under a hand-off keyring both sites hold, bound to the
// target's origin (cookie name `cookie-seal-handoff`, purpose `handoff <origin>`, at most
// 60 s, 5 s leeway, a random 22-character id); the target opens it for its own origin and
// claims the id once in a single-use record: a session store its servers share
// (`store.claimHandoff`, on Redis the Rust RedisStore's `P:{h:ID}` key, so a token redeemed
// by a Rust server is refused by a Node one), or a MemorySingleUse for one process.
import { Sealer, SealError } from "cookie-seal/sessions";
import { checkId, redeemed } from "./store-handoff.js";

const TOKEN_NAME = "cookie-seal-handoff";
/** Default lifetime of a token, in seconds: one redirect, not long for a thief. */
export const DEFAULT_HANDOFF_TTL = 30;
/** Longest lifetime a token may be given, in seconds. */
export const MAX_HANDOFF_TTL = 60;
// Clock difference allowed between the two sites.
const LEEWAY = 5;
// A scheme, a host name of at most 253 bytes and a port.
const MAX_ORIGIN_LEN = 300;

function invalid(message) {
  return new SealError("INVALID_OPTION", `invalid option: ${message}`);
}

// scheme://host[:port], lowercased (ASCII only, as the Rust crate does), without the
// scheme's default port, as browsers write Origin.
function normaliseOrigin(origin) {
  const bad = () => invalid("an origin is http(s)://host or http(s)://host:port, with no path");
  if (typeof origin !== "string") throw bad();
  const text = origin.trim().replace(/\/+$/, "").replace(/[A-Z]/g, (c) => c.toLowerCase());
  const at = text.indexOf("://");
  if (at < 0 || text.length > MAX_ORIGIN_LEN) throw bad();
  const scheme = text.slice(0, at);
  const authority = text.slice(at + 3);
  if ((scheme !== "http" && scheme !== "https") || !/^[a-z0-9\-.:[\]]+$/.test(authority)) throw bad();
  const port = scheme === "https" ? ":443" : ":80";
  return `${scheme}://${authority.endsWith(port) ? authority.slice(0, -port.length) : authority}`;
}

function randomId() {
  let text = "";
  for (const b of crypto.getRandomValues(new Uint8Array(16))) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function nowOf(options) {
  return options?.now ?? Math.floor(Date.now() / 1000);
}

/**
 * Redeemed ids in this process's memory, for a target served by one process (a fleet
 * gives `redeem` its shared store). Each id is kept until its token's last valid second;
 * at most `capacity` are held, and when full a new claim is refused with `RATE_LIMITED`
 * rather than forget an id whose token still opens.
 */
export class MemorySingleUse {
  #capacity;
  #ids = new Map(); // id -> until, in insertion order

  constructor(options = {}) {
    const capacity = options.capacity ?? 100_000;
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw invalid("capacity must be a whole number of at least 1");
    this.#capacity = capacity;
  }

  /** Ids held now. */
  get size() {
    return this.#ids.size;
  }

  claimHandoff(id, until, now) {
    checkId(id);
    // Drop what has ended, oldest first; every token lives the same few seconds at most,
    // so insertion order is close to expiry order and the loop stops early.
    for (const [old, end] of this.#ids) {
      if (end >= now) break;
      this.#ids.delete(old);
    }
    const held = this.#ids.get(id);
    if (held !== undefined && held >= now) throw redeemed();
    if (held === undefined && this.#ids.size >= this.#capacity) {
      // Full: one sweep for ended ids the ordered walk above could not reach.
      for (const [old, end] of this.#ids) if (end < now) this.#ids.delete(old);
    }
    if (held === undefined && this.#ids.size >= this.#capacity) {
      let oldest = Infinity;
      for (const end of this.#ids.values()) oldest = Math.min(oldest, end);
      const error = new SealError("RATE_LIMITED", "too many hand-off tokens redeemed at once");
      error.retryAfter = Math.max(1, oldest - now);
      throw error;
    }
    this.#ids.delete(id);
    this.#ids.set(id, until);
  }
}

/**
 * Issues and redeems hand-off tokens under a keyring both sites hold (`keys` as a
 * Sealer's; not either site's session keys). `ttl` 1 to 60 seconds, default 30.
 */
export class Handoff {
  #keys;
  #ttl;

  constructor(options) {
    if (typeof options !== "object" || options === null) throw invalid("new Handoff() takes { keys, ttl? }");
    for (const name of Object.keys(options)) {
      if (name !== "keys" && name !== "ttl") throw invalid(`unknown Handoff option "${name}"`);
    }
    const ttl = options.ttl ?? DEFAULT_HANDOFF_TTL;
    if (!Number.isSafeInteger(ttl) || ttl < 1 || ttl > MAX_HANDOFF_TTL) throw invalid(`a hand-off token lives 1 to ${MAX_HANDOFF_TTL} seconds`);
    this.#keys = options.keys;
    this.#ttl = ttl;
    this.#sealer("https://check.invalid").free(); // the keys are checked now, not at the first token
  }

  #sealer(origin) {
    return new Sealer({ keys: this.#keys, name: TOKEN_NAME, purpose: `handoff ${normaliseOrigin(origin)}`, ttl: this.#ttl, leeway: LEEWAY });
  }

  /** A token carrying `data` (JSON) to `targetOrigin`. */
  issue(targetOrigin, data, options) {
    const sealer = this.#sealer(targetOrigin);
    try {
      return sealer.seal({ id: randomId(), data }, { now: nowOf(options) });
    } finally {
      sealer.free();
    }
  }

  /**
   * Opens `token` for this site (`ownOrigin`), refuses it when it was made for another site
   * (`BAD_SEAL`), has expired (`EXPIRED`) or was already redeemed (`REVOKED`, through
   * `used`: a store with `claimHandoff`, or a MemorySingleUse), and gives its data. A store
   * that cannot answer refuses the token (`STORE_UNAVAILABLE`).
   */
  async redeem(token, ownOrigin, used, options) {
    if (typeof used?.claimHandoff !== "function") {
      throw invalid("redeem needs a single-use record: a session store or a MemorySingleUse");
    }
    const now = nowOf(options);
    const sealer = this.#sealer(ownOrigin);
    let opened;
    try {
      opened = sealer.open(token, { now });
    } finally {
      sealer.free();
    }
    const { id, data } = opened.data ?? {};
    if (typeof id !== "string" || !/^[A-Za-z0-9_-]{22}$/.test(id)) {
      throw new SealError("PAYLOAD", "payload error: a hand-off token without an id");
    }
    await used.claimHandoff(id, opened.expiresAt + LEEWAY, now);
    return data;
  }
}
