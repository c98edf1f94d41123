// `cookie-seal/durable-object`: the session store on Cloudflare Durable Objects, for
// answers that are strongly consistent worldwide (a revocation is seen by the very next read,
// wherever it runs). One object per subject (and one per session without a subject, and one
// per remember-me series) holds that subject's revocations, generation, session list and
// data; each call is one RPC to it, and an object runs one call at a time over its
// transactional storage, so every operation is atomic. An alarm drops expired entries.
//
// The application's worker exports the class and binds a namespace to it:
//   export { SessionStoreObject } from "cookie-seal/durable-object";
//   // wrangler: durable_objects.bindings = [{ name = "SESSION_STORE", class_name = "SessionStoreObject" }]
//   //           and a migration with new_sqlite_classes = ["SessionStoreObject"]
//   const store = new DurableObjectStore(env.SESSION_STORE);

import { DurableObject } from "cloudflare:workers";
import { SealError, isObject } from "./core.js";
import {
  DEFAULT_MAX_SESSIONS_PER_SUBJECT,
  DEFAULT_STORE_TIMEOUT,
  checkLabel,
  checkSubject,
  dataBytes,
  indexSeries,
  indexedDeadline,
  linkRecord,
  listOrder,
  rotateRecord,
  timed,
} from "./store-core.js";
import { durableObjectRateCounter } from "./store-rate.js";
import { durableObjectClaim } from "./store-handoff.js";

/**
 * The Durable Object behind DurableObjectStore: one partition of the store (one subject,
 * one subjectless session, or one remember-me series). Its methods are called over RPC by
 * DurableObjectStore only.
 */
export class SessionStoreObject extends DurableObject {
  #storage() {
    return this.ctx.storage;
  }

  // Wakes up at the earliest deadline of what is kept, to drop it.
  async #schedule() {
    const all = await this.#storage().list();
    let earliest = Infinity;
    for (const value of all.values()) {
      if (isObject(value) && typeof value.keepUntil === "number") earliest = Math.min(earliest, value.keepUntil);
    }
    if (earliest === Infinity) return;
    const at = (earliest + 1) * 1000;
    const current = await this.#storage().getAlarm();
    if (current === null || current > at) await this.#storage().setAlarm(at);
  }

  async alarm() {
    const now = Math.floor(Date.now() / 1000);
    const all = await this.#storage().list();
    const expired = [...all].filter(([, v]) => isObject(v) && v.keepUntil < now).map(([k]) => k);
    for (let i = 0; i < expired.length; i += 128) await this.#storage().delete(expired.slice(i, i + 128));
    if (expired.length === all.size) await this.#storage().deleteAll();
    else await this.#schedule();
  }

  async #revoke(id, keepUntil) {
    const old = await this.#storage().get(`rev:${id}`);
    const keep = Math.max(keepUntil, old?.keepUntil ?? 0);
    await this.#storage().put(`rev:${id}`, { keepUntil: keep });
    await this.#storage().delete([`d:${id}`, `s:${id}`]);
  }

  async isRevoked(id, generation, now) {
    const got = await this.#storage().get([`rev:${id}`, "gen"]);
    const rev = got.get(`rev:${id}`);
    if (rev !== undefined && rev.keepUntil >= now) return true;
    const gen = got.get("gen");
    return generation !== null && gen !== undefined && gen.keepUntil >= now && gen.generation > generation;
  }

  async revoke(id, keepUntil, _now) {
    await this.#revoke(id, keepUntil);
    await this.#schedule();
  }

  async generation(now) {
    const gen = await this.#storage().get("gen");
    return gen !== undefined && gen.keepUntil >= now ? gen.generation : 0;
  }

  async signOutEverywhere(keepUntil, now) {
    const gen = await this.#storage().get("gen");
    const current = gen !== undefined && gen.keepUntil >= now ? gen.generation : 0;
    const next = Math.max(current + 1, now);
    await this.#storage().put("gen", { generation: next, keepUntil: Math.max(keepUntil, gen?.keepUntil ?? 0) });
    const listed = await this.#storage().list({ prefix: "s:" });
    const keys = [...listed.keys()].flatMap((k) => [k, `d:${k.slice(2)}`]);
    for (let i = 0; i < keys.length; i += 128) await this.#storage().delete(keys.slice(i, i + 128));
    await this.#schedule();
    return next;
  }

  async recordSignIn(entry, now, cap) {
    const listed = await this.#storage().list({ prefix: "s:" });
    const live = [];
    for (const [key, e] of listed) {
      if (e.keepUntil < now) await this.#storage().delete(key);
      else live.push(e);
    }
    if (!live.some((e) => e.id === entry.id) && live.length >= cap) {
      const oldest = live.reduce((a, b) =>
        b.lastSeen < a.lastSeen || (b.lastSeen === a.lastSeen && b.signedInAt < a.signedInAt) ? b : a,
      );
      await this.#revoke(oldest.id, oldest.keepUntil);
    }
    await this.#storage().put(`s:${entry.id}`, entry);
    await this.#schedule();
  }

  async touch(id, now) {
    const e = await this.#storage().get(`s:${id}`);
    if (e !== undefined && e.lastSeen < now) await this.#storage().put(`s:${id}`, { ...e, lastSeen: now });
  }

  async sessions(now) {
    const listed = await this.#storage().list({ prefix: "s:" });
    return [...listed.values()].filter((e) => e.keepUntil >= now).sort(listOrder);
  }

  async putData(id, bytes, keepUntil, _now) {
    await this.#storage().put(`d:${id}`, { bytes, keepUntil });
    await this.#schedule();
  }

  async data(id, now) {
    const d = await this.#storage().get(`d:${id}`);
    return d !== undefined && d.keepUntil >= now ? d.bytes : null;
  }

  // A rate-limit count (the object of one client key): { count, resetAt }, kept through
  // the window's last second, so the alarm drops it when the window ends.
  async rateHit(windowSeconds, now) {
    const got = await this.#storage().get("rl");
    const live = got !== undefined && got.resetAt > now;
    const count = live ? got.count + 1 : 1;
    const resetAt = live ? got.resetAt : now + windowSeconds;
    await this.#storage().put("rl", { count, resetAt, keepUntil: resetAt - 1 });
    await this.#schedule();
    return { count, resetAt };
  }

  async rateReset() {
    await this.#storage().delete("rl");
  }

  // A hand-off claim (the object of one token id): true the first time, false while kept.
  async handoffClaim(keepUntil, now) {
    const got = await this.#storage().get("h");
    if (got !== undefined && got.keepUntil >= now) return false;
    await this.#storage().put("h", { keepUntil });
    await this.#schedule();
    return true;
  }

  // The subject's index of live remember-me series (this object is the subject's): sets or
  // (null) removes one and answers the series the cap pushes out, for the caller to end.
  async rememberIndex(series, keepUntil, now) {
    const [index, dropped] = indexSeries(await this.#storage().get("rmi"), series, keepUntil, now);
    await this.#storage().put("rmi", index);
    await this.#schedule();
    return dropped;
  }

  async rememberStart(record, keepUntil) {
    await this.#storage().put("rm", { ...record, keepUntil });
    await this.#schedule();
  }

  async rememberRotate(presented, next, now, grace, keepUntil) {
    const record = (await this.#storage().get("rm")) ?? null;
    const [outcome, kept] = rotateRecord(record, presented, next, now, grace);
    if (outcome === "theft") await this.#storage().delete("rm");
    const keep = Math.max(keepUntil, record?.keepUntil ?? 0);
    if (outcome === "rotated") await this.#storage().put("rm", { ...kept, keepUntil: keep });
    await this.#schedule();
    return { outcome, subject: record?.subject ?? "", sessions: record?.sessions ?? [], keepUntil: keep };
  }

  async rememberLink(id, keepUntil, now) {
    const record = await this.#storage().get("rm");
    if (record !== undefined) await this.#storage().put("rm", linkRecord(record, id, keepUntil, now));
  }

  // Ends the series and answers its subject (null when there was none).
  async rememberForget() {
    const record = await this.#storage().get("rm");
    await this.#storage().delete("rm");
    return record?.subject ?? null;
  }
}

/**
 * Sessions state in Durable Objects. `namespace` is the binding of a namespace whose class
 * is {@link SessionStoreObject}. Options: `prefix` (part of each object's name, default
 * `"cookie-seal"`), `timeout` in ms per call (default 1000), `maxSessionsPerSubject` (32).
 */
export class DurableObjectStore {
  #ns;
  #p;
  #timeout;
  #cap;

  constructor(namespace, options = {}) {
    if (!isObject(namespace) || typeof namespace.idFromName !== "function") {
      throw new SealError("INVALID_OPTION", "invalid option: DurableObjectStore takes a Durable Object namespace binding");
    }
    const { prefix = "cookie-seal", timeout = DEFAULT_STORE_TIMEOUT, maxSessionsPerSubject = DEFAULT_MAX_SESSIONS_PER_SUBJECT } = options;
    this.#ns = namespace;
    this.#p = prefix;
    this.#timeout = timeout;
    this.#cap = Math.min(Math.max(1, maxSessionsPerSubject), 1 << 20);
  }

  // The object holding a subject's state, a subjectless session's, or a series'.
  #object(kind, name) {
    return this.#ns.get(this.#ns.idFromName(`${this.#p}:${kind}:${name}`));
  }

  #at(id, subject) {
    return subject === null || subject === undefined ? this.#object("i", id) : this.#object("u", subject);
  }

  #run(call) {
    return timed("durable-object", this.#timeout, call);
  }

  isRevoked(id, subject, now) {
    return this.#run(() => this.#at(id, subject?.id).isRevoked(id, subject?.generation ?? null, now));
  }

  revoke(id, subject, keepUntil, now) {
    return this.#run(() => this.#at(id, subject).revoke(id, keepUntil, now));
  }

  generation(subject, now) {
    return this.#run(() => this.#object("u", subject).generation(now));
  }

  signOutEverywhere(subject, keepUntil, now) {
    checkSubject(subject);
    return this.#run(() => this.#object("u", subject).signOutEverywhere(keepUntil, now));
  }

  recordSignIn(subject, entry, now) {
    checkSubject(subject);
    checkLabel(entry.label);
    const { id, signedInAt, lastSeen, rememberMe, label, keepUntil } = entry;
    const copy = { id, signedInAt, lastSeen, rememberMe, label, keepUntil };
    return this.#run(() => this.#object("u", subject).recordSignIn(copy, now, this.#cap));
  }

  touch(subject, id, now) {
    return this.#run(() => this.#object("u", subject).touch(id, now));
  }

  sessions(subject, now) {
    return this.#run(() => this.#object("u", subject).sessions(now));
  }

  putData(id, subject, data, keepUntil, now) {
    const bytes = dataBytes(data);
    return this.#run(() => this.#at(id, subject).putData(id, bytes, keepUntil, now));
  }

  data(id, subject, now) {
    return this.#run(() => this.#at(id, subject).data(id, now));
  }

  /** A rate-limit counter on this namespace: one object per client key. */
  rateCounter() {
    return durableObjectRateCounter({ object: (key) => this.#object("rl", key), run: (call) => this.#run(call) });
  }

  /** Claims a hand-off token id once (`cookie-seal/handoff`): one object per id. */
  claimHandoff(id, until, now) {
    return durableObjectClaim({ object: (key) => this.#object("h", key), run: (call) => this.#run(call) })(id, until, now);
  }

  // Keeps the subject's index of series in step (the cap counts live series only) and ends
  // the series it pushes out.
  async #index(subject, series, keepUntil, now) {
    const dropped = await this.#object("u", subject).rememberIndex(series, keepUntil, now);
    for (const old of dropped) await this.#object("r", old).rememberForget();
  }

  rememberStart(series, record, keepUntil, now) {
    return this.#run(async () => {
      await this.#object("r", series).rememberStart(record, keepUntil);
      await this.#index(record.subject, series, keepUntil, now);
    });
  }

  rememberRotate(series, presented, next, now, grace, keepUntil) {
    return this.#run(async () => {
      const answer = await this.#object("r", series).rememberRotate(presented, next, now, grace, keepUntil);
      const keep = indexedDeadline(answer);
      if (keep !== undefined) await this.#index(answer.subject, series, keep, now);
      return answer;
    });
  }

  rememberLink(series, id, keepUntil, now) {
    return this.#run(() => this.#object("r", series).rememberLink(id, keepUntil, now));
  }

  rememberForget(series, now) {
    return this.#run(async () => {
      const subject = await this.#object("r", series).rememberForget();
      if (subject !== null) await this.#index(subject, series, null, now);
    });
  }
}
