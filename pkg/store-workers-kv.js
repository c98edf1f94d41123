// `cookie-seal/workers-kv`: the session store on Cloudflare Workers KV, over the worker's
// own namespace binding (`env.SESSIONS`).
//
// EVENTUAL CONSISTENCY: Workers KV is eventually consistent. A write is visible at once in
// the location that made it, but other locations may keep serving the old value for about
// 60 seconds (KV caches reads at the edge for at least 60 s). So a session revoked through KV
// may still open for up to about a minute on requests that reach other locations, and
// "sign out everywhere" takes as long to reach everywhere. KV has no transactions either: the
// session list is read, changed and written back, so two sign-ins of one subject at the same
// moment in two locations can lose one list entry (the sessions themselves still work and can
// still be revoked by id), and remember-me rotation, which needs an atomic compare-and-swap,
// is refused on this store. When a revocation must hold on the next request, or for
// remember-me, use `cookie-seal/durable-object`.

import { SealError, isObject } from "./core.js";
import {
  DEFAULT_MAX_SESSIONS_PER_SUBJECT,
  DEFAULT_STORE_TIMEOUT,
  base64url,
  checkLabel,
  checkSubject,
  dataBytes,
  listOrder,
  timed,
} from "./store-core.js";

// KV refuses an expiration less than 60 s ahead.
const MIN_TTL = 60;

/**
 * Sessions state in a Workers KV namespace. Options: `prefix` of every key (default
 * `"cookie-seal"`), `timeout` in ms per call (default 1000), `maxSessionsPerSubject` (32).
 */
export class WorkersKvStore {
  #kv;
  #p;
  #timeout;
  #cap;

  constructor(namespace, options = {}) {
    if (!isObject(namespace) || typeof namespace.get !== "function" || typeof namespace.put !== "function") {
      throw new SealError("INVALID_OPTION", "invalid option: WorkersKvStore takes a KV namespace binding");
    }
    const { prefix = "cookie-seal", timeout = DEFAULT_STORE_TIMEOUT, maxSessionsPerSubject = DEFAULT_MAX_SESSIONS_PER_SUBJECT } = options;
    this.#kv = namespace;
    this.#p = prefix;
    this.#timeout = timeout;
    this.#cap = Math.min(Math.max(1, maxSessionsPerSubject), 1 << 20);
  }

  #run(call) {
    return timed("workers-kv", this.#timeout, call);
  }

  #key(kind, name) {
    return `${this.#p}:${kind}:${name}`;
  }

  // KV expires by the wall clock; `keepUntil` is also checked on read against the caller's now.
  static #expiry(keepUntil) {
    return { expiration: Math.max(keepUntil + 1, Math.floor(Date.now() / 1000) + MIN_TTL) };
  }

  async #json(key) {
    return this.#kv.get(key, "json");
  }

  async #list(subject, now) {
    const list = (await this.#json(this.#key("list", base64url(subject)))) ?? [];
    return list.filter((e) => e.keepUntil >= now);
  }

  async #putList(subject, list) {
    const key = this.#key("list", base64url(subject));
    if (list.length === 0) return this.#kv.delete(key);
    const until = Math.max(...list.map((e) => e.keepUntil));
    return this.#kv.put(key, JSON.stringify(list), WorkersKvStore.#expiry(until));
  }

  async #mark(id, keepUntil) {
    const key = this.#key("rev", id);
    const old = await this.#json(key);
    const keep = Math.max(keepUntil, old?.keepUntil ?? 0);
    await this.#kv.put(key, JSON.stringify({ keepUntil: keep }), WorkersKvStore.#expiry(keep));
    await this.#kv.delete(this.#key("d", id));
  }

  isRevoked(id, subject, now) {
    return this.#run(async () => {
      const [rev, gen] = await Promise.all([
        this.#json(this.#key("rev", id)),
        subject === null || subject === undefined ? null : this.#json(this.#key("gen", base64url(subject.id))),
      ]);
      if (rev !== null && rev.keepUntil >= now) return true;
      return gen !== null && gen.keepUntil >= now && gen.generation > subject.generation;
    });
  }

  revoke(id, subject, keepUntil, now) {
    return this.#run(async () => {
      await this.#mark(id, keepUntil);
      if (subject !== null && subject !== undefined) {
        const list = await this.#list(subject, now);
        if (list.some((e) => e.id === id)) await this.#putList(subject, list.filter((e) => e.id !== id));
      }
    });
  }

  generation(subject, now) {
    return this.#run(async () => {
      const gen = await this.#json(this.#key("gen", base64url(subject)));
      return gen !== null && gen.keepUntil >= now ? gen.generation : 0;
    });
  }

  signOutEverywhere(subject, keepUntil, now) {
    checkSubject(subject);
    return this.#run(async () => {
      const key = this.#key("gen", base64url(subject));
      const gen = await this.#json(key);
      const current = gen !== null && gen.keepUntil >= now ? gen.generation : 0;
      const next = Math.max(current + 1, now);
      const keep = Math.max(keepUntil, gen?.keepUntil ?? 0);
      await this.#kv.put(key, JSON.stringify({ generation: next, keepUntil: keep }), WorkersKvStore.#expiry(keep));
      const list = await this.#list(subject, now);
      await Promise.all(list.map((e) => this.#kv.delete(this.#key("d", e.id))));
      await this.#putList(subject, []);
      return next;
    });
  }

  recordSignIn(subject, entry, now) {
    checkSubject(subject);
    checkLabel(entry.label);
    return this.#run(async () => {
      let list = (await this.#list(subject, now)).filter((e) => e.id !== entry.id);
      if (list.length >= this.#cap) {
        const oldest = list.reduce((a, b) =>
          b.lastSeen < a.lastSeen || (b.lastSeen === a.lastSeen && b.signedInAt < a.signedInAt) ? b : a,
        );
        await this.#mark(oldest.id, oldest.keepUntil);
        list = list.filter((e) => e.id !== oldest.id);
      }
      const { id, signedInAt, lastSeen, rememberMe, label, keepUntil } = entry;
      list.push({ id, signedInAt, lastSeen, rememberMe, label, keepUntil });
      await this.#putList(subject, list);
    });
  }

  touch(subject, id, now) {
    return this.#run(async () => {
      const list = await this.#list(subject, now);
      const e = list.find((x) => x.id === id);
      if (e === undefined || e.lastSeen >= now) return;
      e.lastSeen = now;
      await this.#putList(subject, list);
    });
  }

  sessions(subject, now) {
    return this.#run(async () => (await this.#list(subject, now)).sort(listOrder));
  }

  putData(id, _subject, data, keepUntil, _now) {
    const bytes = dataBytes(data);
    return this.#run(() =>
      this.#kv.put(this.#key("d", id), bytes, { ...WorkersKvStore.#expiry(keepUntil), metadata: { keepUntil } }),
    );
  }

  data(id, _subject, now) {
    return this.#run(async () => {
      const { value, metadata } = await this.#kv.getWithMetadata(this.#key("d", id), "arrayBuffer");
      if (value === null || metadata === null || metadata.keepUntil < now) return null;
      return new Uint8Array(value);
    });
  }

  /**
   * Refused (INVALID_OPTION): a shared rate limit needs an atomic increment that every
   * location sees at once, and Workers KV has neither, so a fleet would let through many
   * times the limit.
   */
  /**
   * Refused (INVALID_OPTION): single use needs an atomic "set if absent" that every
   * location sees at once, and Workers KV has neither, so a token could redeem once per
   * location.
   */
  async claimHandoff() {
    throw new SealError(
      "INVALID_OPTION",
      "invalid option: Workers KV cannot hold a hand-off single-use record: without an atomic set-if-absent seen " +
        "everywhere at once, a token could be redeemed once per location; use cookie-seal/durable-object's store",
    );
  }

  rateCounter() {
    throw new SealError(
      "INVALID_OPTION",
      "invalid option: Workers KV cannot count a shared rate limit: it has no atomic increment, and other " +
        "locations may read a count up to about 60 s old, so a fleet would let through many times the limit; " +
        "count on cookie-seal/durable-object's store (or a MemoryCounter per isolate)",
    );
  }
}
