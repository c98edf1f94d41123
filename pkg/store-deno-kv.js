// `cookie-seal/deno-kv`: the session store on Deno KV, over the application's own
// `await Deno.openKv()`. Deno KV is strongly consistent by default: a revocation is seen by
// the next read anywhere. Every write that must be atomic is one `kv.atomic()` operation,
// checked against the versionstamps it read and retried on a conflict; entries expire by
// `expireIn` and are also checked against their `keepUntil` on read (Deno may drop an expired
// entry some time after its deadline).

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
import { denoKvRateCounter } from "./store-rate.js";
import { denoKvClaim } from "./store-handoff.js";

// Deno KV values are at most 64 KiB: server-side data (up to 64 KiB) goes in two parts.
const PART = 32 * 1024;
const RETRIES = 16;

/**
 * Sessions state in Deno KV. `kv` is what `Deno.openKv()` returned; it is used, never
 * closed. Options: `prefix` (the first part of every key, default `"cookie-seal"`),
 * `timeout` in ms per call (default 1000), `maxSessionsPerSubject` (default 32).
 */
export class DenoKvStore {
  #kv;
  #p;
  #timeout;
  #cap;

  constructor(kv, options = {}) {
    if (!isObject(kv) || typeof kv.atomic !== "function") {
      throw new SealError("INVALID_OPTION", "invalid option: DenoKvStore takes a Deno.Kv (await Deno.openKv())");
    }
    const { prefix = "cookie-seal", timeout = DEFAULT_STORE_TIMEOUT, maxSessionsPerSubject = DEFAULT_MAX_SESSIONS_PER_SUBJECT } = options;
    if (typeof prefix !== "string" || prefix.length === 0) {
      throw new SealError("INVALID_OPTION", "invalid option: prefix must be a non-empty string");
    }
    this.#kv = kv;
    this.#p = prefix;
    this.#timeout = timeout;
    this.#cap = Math.min(Math.max(1, maxSessionsPerSubject), 1 << 20);
  }

  #run(call) {
    return timed("deno-kv", this.#timeout, call);
  }

  // Retries an optimistic transaction until its checks hold.
  async #atomically(attempt) {
    for (let i = 0; i < RETRIES; i++) {
      const result = await attempt();
      if (result.ok) return result.value;
    }
    throw new SealError("STORE_UNAVAILABLE", "store unavailable: deno-kv: too much contention on one subject");
  }

  #rev(id) {
    return [this.#p, "rev", id];
  }
  #gen(subject) {
    return [this.#p, "gen", subject];
  }
  #entry(subject, id) {
    return [this.#p, "s", subject, id];
  }
  #version(subject) {
    return [this.#p, "sv", subject];
  }
  #data(id, part) {
    return [this.#p, "d", id, part];
  }
  #series(series) {
    return [this.#p, "rm", series];
  }

  static #ttl(keepUntil, now) {
    return { expireIn: Math.max(1, keepUntil + 1 - now) * 1000 };
  }

  // Sets the revoked mark, never shortening one already there, and drops the session's
  // entry and data, on the transaction `op` (which checks `rev`).
  #revokeOn(op, id, subject, keepUntil, now, rev) {
    const keep = Math.max(keepUntil, rev.value ?? 0);
    op.check(rev).set(this.#rev(id), keep, DenoKvStore.#ttl(keep, now));
    op.delete(this.#data(id, 0)).delete(this.#data(id, 1));
    if (subject !== null && subject !== undefined) op.delete(this.#entry(subject, id));
  }

  async #listed(subject) {
    const list = [];
    for await (const e of this.#kv.list({ prefix: [this.#p, "s", subject] })) list.push(e);
    return list;
  }

  isRevoked(id, subject, now) {
    return this.#run(async () => {
      if (subject === null || subject === undefined) {
        const rev = await this.#kv.get(this.#rev(id));
        return rev.value !== null && rev.value >= now;
      }
      const [rev, gen] = await this.#kv.getMany([this.#rev(id), this.#gen(subject.id)]);
      if (rev.value !== null && rev.value >= now) return true;
      return gen.value !== null && gen.value.keepUntil >= now && gen.value.generation > subject.generation;
    });
  }

  revoke(id, subject, keepUntil, now) {
    return this.#run(() =>
      this.#atomically(async () => {
        const rev = await this.#kv.get(this.#rev(id));
        const op = this.#kv.atomic();
        this.#revokeOn(op, id, subject, keepUntil, now, rev);
        return { ok: (await op.commit()).ok };
      }),
    );
  }

  generation(subject, now) {
    return this.#run(async () => {
      const gen = await this.#kv.get(this.#gen(subject));
      return gen.value !== null && gen.value.keepUntil >= now ? gen.value.generation : 0;
    });
  }

  signOutEverywhere(subject, keepUntil, now) {
    checkSubject(subject);
    return this.#run(() =>
      this.#atomically(async () => {
        const [gen, version] = await this.#kv.getMany([this.#gen(subject), this.#version(subject)]);
        const current = gen.value !== null && gen.value.keepUntil >= now ? gen.value.generation : 0;
        const next = Math.max(current + 1, now);
        const keep = Math.max(keepUntil, gen.value?.keepUntil ?? 0);
        const op = this.#kv.atomic().check(gen, version);
        op.set(this.#gen(subject), { generation: next, keepUntil: keep }, DenoKvStore.#ttl(keep, now));
        for (const e of await this.#listed(subject)) {
          op.delete(e.key).delete(this.#data(e.value.id, 0)).delete(this.#data(e.value.id, 1));
        }
        op.set(this.#version(subject), (version.value ?? 0) + 1);
        return { ok: (await op.commit()).ok, value: next };
      }),
    );
  }

  recordSignIn(subject, entry, now) {
    checkSubject(subject);
    checkLabel(entry.label);
    return this.#run(() =>
      this.#atomically(async () => {
        const version = await this.#kv.get(this.#version(subject));
        const op = this.#kv.atomic().check(version);
        const live = [];
        for (const e of await this.#listed(subject)) {
          if (e.value.keepUntil < now) op.delete(e.key);
          else live.push(e.value);
        }
        if (!live.some((e) => e.id === entry.id) && live.length >= this.#cap) {
          // At the cap the least recently seen session is signed out to make room.
          const oldest = live.reduce((a, b) =>
            b.lastSeen < a.lastSeen || (b.lastSeen === a.lastSeen && b.signedInAt < a.signedInAt) ? b : a,
          );
          const rev = await this.#kv.get(this.#rev(oldest.id));
          this.#revokeOn(op, oldest.id, subject, oldest.keepUntil, now, rev);
        }
        const value = {
          id: entry.id,
          signedInAt: entry.signedInAt,
          lastSeen: entry.lastSeen,
          rememberMe: entry.rememberMe,
          label: entry.label,
          keepUntil: entry.keepUntil,
        };
        op.set(this.#entry(subject, entry.id), value, DenoKvStore.#ttl(entry.keepUntil, now));
        op.set(this.#version(subject), (version.value ?? 0) + 1);
        return { ok: (await op.commit()).ok };
      }),
    );
  }

  touch(subject, id, now) {
    return this.#run(() =>
      this.#atomically(async () => {
        const e = await this.#kv.get(this.#entry(subject, id));
        if (e.value === null || e.value.lastSeen >= now) return { ok: true };
        const op = this.#kv.atomic().check(e);
        op.set(e.key, { ...e.value, lastSeen: now }, DenoKvStore.#ttl(e.value.keepUntil, now));
        return { ok: (await op.commit()).ok };
      }),
    );
  }

  sessions(subject, now) {
    return this.#run(async () =>
      (await this.#listed(subject))
        .map((e) => e.value)
        .filter((e) => e.keepUntil >= now)
        .sort(listOrder),
    );
  }

  putData(id, _subject, data, keepUntil, now) {
    const bytes = dataBytes(data);
    return this.#run(async () => {
      const ttl = DenoKvStore.#ttl(keepUntil, now);
      const op = this.#kv.atomic();
      op.set(this.#data(id, 0), { keepUntil, length: bytes.length, bytes: bytes.slice(0, PART) }, ttl);
      if (bytes.length > PART) op.set(this.#data(id, 1), bytes.slice(PART), ttl);
      else op.delete(this.#data(id, 1));
      if (!(await op.commit()).ok) throw new SealError("STORE_UNAVAILABLE", "store unavailable: deno-kv: write refused");
    });
  }

  data(id, _subject, now) {
    return this.#run(async () => {
      const [first, second] = await this.#kv.getMany([this.#data(id, 0), this.#data(id, 1)]);
      if (first.value === null || first.value.keepUntil < now) return null;
      const out = new Uint8Array(first.value.length);
      out.set(first.value.bytes);
      if (first.value.length > PART) {
        if (second.value === null) return null; // a write in between: read as no data
        out.set(second.value, PART);
      }
      return out;
    });
  }

  /** A rate-limit counter on this Deno KV: one checked atomic write per hit. */
  rateCounter() {
    return denoKvRateCounter({ kv: this.#kv, prefix: this.#p, run: (call) => this.#run(call), atomically: (attempt) => this.#atomically(attempt) });
  }

  /** Claims a hand-off token id once (`cookie-seal/handoff`): one checked atomic write. */
  claimHandoff(id, until, now) {
    return denoKvClaim({ kv: this.#kv, prefix: this.#p, run: (call) => this.#run(call) })(id, until, now);
  }

  rememberStart(series, record, keepUntil, now) {
    // The series is written in the same atomic commit as its place in the index.
    return this.#run(() =>
      this.#index(record.subject, series, keepUntil, now, (op) =>
        op.set(this.#series(series), { ...record, keepUntil }, DenoKvStore.#ttl(keepUntil, now)),
      ),
    );
  }

  rememberRotate(series, presented, next, now, grace, keepUntil) {
    return this.#run(() =>
      this.#atomically(async () => {
        const got = await this.#kv.get(this.#series(series));
        const [outcome, kept] = rotateRecord(got.value, presented, next, now, grace);
        const keep = Math.max(keepUntil, got.value?.keepUntil ?? 0);
        const answer = { outcome, subject: got.value?.subject ?? "", sessions: got.value?.sessions ?? [], keepUntil: keep };
        if (outcome === "missing" || outcome === "grace") return { ok: true, value: answer };
        const op = this.#kv.atomic().check(got);
        if (outcome === "theft") op.delete(got.key);
        else op.set(got.key, { ...kept, keepUntil: keep }, DenoKvStore.#ttl(keep, now));
        return { ok: (await op.commit()).ok, value: answer };
      }).then(async (answer) => {
        const keep = indexedDeadline(answer);
        if (keep !== undefined) await this.#index(answer.subject, series, keep, now);
        return answer;
      }),
    );
  }

  // Sets (or, with null, takes out) a series' place in the subject's index in one atomic
  // write, with whatever `also` adds to that write, then deletes the series the cap (on
  // live series) pushes out.
  async #index(subject, series, keepUntil, now, also) {
    const dropped = await this.#atomically(async () => {
      const got = await this.#kv.get([this.#p, "rm-index", subject]);
      const [index, out] = indexSeries(got.value ?? undefined, series, keepUntil, now);
      const op = this.#kv.atomic().check(got);
      op.set(got.key, index, DenoKvStore.#ttl(index.keepUntil, now));
      also?.(op);
      return { ok: (await op.commit()).ok, value: out };
    });
    for (const old of dropped) await this.#kv.delete(this.#series(old));
  }

  rememberLink(series, id, keepUntil, now) {
    return this.#run(() =>
      this.#atomically(async () => {
        const got = await this.#kv.get(this.#series(series));
        if (got.value === null) return { ok: true };
        const record = linkRecord(got.value, id, keepUntil, now);
        const op = this.#kv.atomic().check(got);
        op.set(got.key, record, DenoKvStore.#ttl(record.keepUntil, now));
        return { ok: (await op.commit()).ok };
      }),
    );
  }

  rememberForget(series, now) {
    return this.#run(async () => {
      const got = await this.#kv.get(this.#series(series));
      await this.#kv.delete(got.key);
      if (got.value !== null) await this.#index(got.value.subject, series, null, now);
    });
  }
}
