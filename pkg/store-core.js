// What a SessionManager does with a store (the `store` option): the revocation lookup of
// each read, the session list and server-side data, sign-out here / elsewhere / everywhere,
// the remember-me token series, and the `onEvent` hook. The adapters (store-*.js) only
// talk to their backend; every rule that must match the Rust StoredSessions lives here.
// Not part of the public API (not in the exports map).

import { SealError, checkOptionNames, isObject, nowOption, utf8Length } from "./core.js";

// The most leeway a manager allows (Rust's MAX_LEEWAY): an entry is kept until the last
// moment a cookie could still open, its absolute deadline plus this.
export const MAX_LEEWAY = 3600;
export const MAX_LABEL_LEN = 64;
export const MAX_DATA_LEN = 64 * 1024;
export const DEFAULT_MAX_SESSIONS_PER_SUBJECT = 32;
export const DEFAULT_STORE_TIMEOUT = 1000;
// Two tabs that refresh at once both send the same remember-me token before either answer's
// Set-Cookie lands: one round trip plus the server's time, well under a second normally.
// Ten seconds covers a slow mobile link and a loaded server; the longer it is, the longer a
// thief who replays a copied token right after its owner goes unnoticed (until the next use).
export const DEFAULT_REMEMBER_GRACE = 10;
const MAX_REMEMBER_GRACE = 60;
// Session ids a remember-me series keeps, to revoke them when the series is stolen: the
// sessions it started that may still be open (each lives one ordinary session lifetime).
export const REMEMBER_LINKS = 8;
// Live series one subject may have (one per browser where the user ticked "remember me"):
// starting one more drops the one that would expire first (Rust's MAX_SERIES_PER_SUBJECT).
export const MAX_SERIES_PER_SUBJECT = 32;

const STORE_METHODS = [
  "isRevoked",
  "revoke",
  "generation",
  "signOutEverywhere",
  "recordSignIn",
  "touch",
  "sessions",
  "putData",
  "data",
];
const REMEMBER_METHODS = ["rememberStart", "rememberRotate", "rememberLink", "rememberForget"];
const TOKEN_OPTION_NAMES = new Set(["name", "lifetime", "grace"]);
const TOKEN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

function invalid(message) {
  return new SealError("INVALID_OPTION", `invalid option: ${message}`);
}

/** STORE_UNAVAILABLE naming the backend and the cause (its message only: no URL, no data). */
export function unavailable(backend, cause) {
  const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return new SealError("STORE_UNAVAILABLE", `store unavailable: ${backend}: ${why.slice(0, 200)}`);
}

/**
 * Runs one backend call within `timeout` ms. Whatever it throws that is not already a
 * SealError (a refused connection, a closed client, a script error) is STORE_UNAVAILABLE.
 */
export async function timed(backend, timeout, call) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(unavailable(backend, `no answer within ${timeout} ms`)), timeout);
  });
  try {
    return await Promise.race([call(), deadline]);
  } catch (err) {
    throw err instanceof SealError ? err : unavailable(backend, err);
  } finally {
    clearTimeout(timer);
  }
}

export function checkSubject(subject) {
  const n = typeof subject === "string" ? utf8Length(subject) : 0;
  if (n < 1 || n > 128) throw invalid("a subject is a string of 1 to 128 bytes of UTF-8");
}

export function checkLabel(label) {
  // eslint-disable-next-line no-control-regex
  if (typeof label !== "string" || utf8Length(label) > MAX_LABEL_LEN || /[\u0000-\u001f\u007f-\u009f]/.test(label)) {
    throw invalid(`a session label is at most ${MAX_LABEL_LEN} bytes, without control characters`);
  }
}

/** The data as bytes (a string is taken as UTF-8), at most MAX_DATA_LEN. */
export function dataBytes(data) {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  if (!(bytes instanceof Uint8Array)) throw invalid("server-side data is a Uint8Array or a string");
  if (bytes.length > MAX_DATA_LEN) {
    throw new SealError(
      "PAYLOAD",
      `server-side data is ${bytes.length} bytes, more than the ${MAX_DATA_LEN}-byte limit`,
    );
  }
  return bytes;
}

/** Newest sign-in first, ties by id text: the order every store returns, as in Rust. */
export function listOrder(a, b) {
  if (a.signedInAt !== b.signedInAt) return b.signedInAt - a.signedInAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The unpadded base64url of a string's UTF-8 bytes (subjects in Redis key hash tags). */
export function base64url(bytes) {
  if (typeof bytes === "string") bytes = new TextEncoder().encode(bytes);
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function randomText(n) {
  return base64url(crypto.getRandomValues(new Uint8Array(n)));
}

async function tokenHash(secret) {
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret))));
}

// The store options of one manager, out of the class so session-core.js stays the lifecycle.
const CONFIG = new WeakMap();

/** Reads the store options of a new SessionManager (before the wasm manager exists). */
export function storeConfig(options) {
  const { store, revalidationWindow, onEvent, rememberToken } = options;
  if (onEvent !== undefined && typeof onEvent !== "function") throw invalid("onEvent must be a function");
  if (store === undefined) {
    if (revalidationWindow !== undefined || rememberToken !== undefined) {
      throw invalid("revalidationWindow and rememberToken need a store");
    }
    return { store: undefined, window: 0, onEvent, token: undefined };
  }
  if (!isObject(store) || STORE_METHODS.some((m) => typeof store[m] !== "function")) {
    throw invalid(`store must have the methods ${STORE_METHODS.join(", ")}`);
  }
  if (options.isRevoked !== undefined) throw invalid("use either store or isRevoked, not both");
  const window = revalidationWindow ?? 0;
  if (!Number.isSafeInteger(window) || window < 0 || window > 86400) {
    throw invalid("revalidationWindow is whole seconds from 0 to 86400");
  }
  let token;
  if (rememberToken !== undefined) {
    if (!isObject(rememberToken)) throw invalid("rememberToken must be { name?, lifetime?, grace? }");
    checkOptionNames(rememberToken, TOKEN_OPTION_NAMES, "rememberToken");
    if (REMEMBER_METHODS.some((m) => typeof store[m] !== "function")) {
      throw invalid("this store cannot rotate remember-me tokens atomically (use Redis, a Durable Object or Deno KV)");
    }
    const name = rememberToken.name ?? `${options.name}-remember`;
    const lifetime = rememberToken.lifetime ?? 30 * 86400;
    const grace = rememberToken.grace ?? DEFAULT_REMEMBER_GRACE;
    if (typeof name !== "string" || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/.test(name) || name === options.name) {
      throw invalid("rememberToken.name must be a cookie name other than the session's");
    }
    if (!Number.isSafeInteger(lifetime) || lifetime < 60 || lifetime > 400 * 86400) {
      throw invalid("rememberToken.lifetime is whole seconds from 60 to 34560000 (400 days)");
    }
    if (!Number.isSafeInteger(grace) || grace < 0 || grace > MAX_REMEMBER_GRACE) {
      throw invalid(`rememberToken.grace is whole seconds from 0 to ${MAX_REMEMBER_GRACE}`);
    }
    const secure = options.insecureDevModeForLocalhost !== true;
    const attributes =
      `; Path=${options.path ?? "/"}` +
      (options.domain === undefined ? "" : `; Domain=${options.domain}`) +
      `; HttpOnly${secure ? "; Secure" : ""}; SameSite=${options.sameSite ?? "Lax"}`;
    token = { name, lifetime, grace, attributes };
  }
  return { store, window, onEvent, token };
}

export function attachStore(manager, config) {
  CONFIG.set(manager, config);
}

export function hasStore(manager) {
  return configOf(manager).store !== undefined;
}

function configOf(manager) {
  const config = CONFIG.get(manager);
  if (config === undefined) throw invalid("not a SessionManager");
  return config;
}

function needStore(manager, what) {
  const config = configOf(manager);
  if (config.store === undefined) throw invalid(`${what} needs a SessionManager with a store`);
  return config;
}

/** Tells the application's hook; what the hook throws is dropped, never the request. */
export function emit(manager, event) {
  const hook = CONFIG.get(manager)?.onEvent;
  if (hook === undefined) return;
  try {
    const answer = hook(event);
    if (isObject(answer) && typeof answer.then === "function") answer.then(undefined, () => {});
  } catch {
    // The hook is the application's: its failure must not change what the read answers.
  }
}

export function emitRefused(manager, err) {
  emit(manager, { type: "refused", code: err.code, message: err.message });
}

async function call(manager, operation, run) {
  try {
    return await run();
  } catch (err) {
    if (err instanceof SealError && err.code === "STORE_UNAVAILABLE") {
      emit(manager, { type: "store-error", code: err.code, operation, message: err.message });
    }
    throw err;
  }
}

/**
 * The store's part of a read, for one candidate that passed every check of the core:
 * `undefined` when the manager has no store, `false` when a cookie a store confirmed less
 * than a window ago (its `validatedAt` claim) is trusted without a lookup, else a Promise of
 * "revoked?". As in Rust, the window runs from the last lookup, not from the last write: a
 * write carries the claim unchanged, so renewing a trusted cookie never extends the trust.
 */
export function storeVerdict(manager, session, now) {
  const { store, window } = configOf(manager);
  if (store === undefined) return undefined;
  const validated = session.validatedAt;
  if (window > 0 && typeof validated === "number" && now < validated + window) return false;
  return call(manager, "isRevoked", () => store.isRevoked(session.id, session.subject, now));
}

/**
 * After a lookup with a window: the session now says "validated now" and asks for a
 * re-seal that records it. True when the caller must record `now` as the claim to write.
 */
export function markRevalidated(manager, session, now) {
  if (configOf(manager).window === 0) return false;
  session.validatedAt = now;
  if (!session.needsReseal) {
    session.needsReseal = true;
    session.resealReason = "revalidation";
  }
  return true;
}

export function keepUntil(session) {
  return session.absoluteExpiresAt + MAX_LEEWAY;
}

function subjectId(session) {
  return session.subject === null ? null : session.subject.id;
}

/**
 * The methods a SessionManager has for its store. `parts` gives what lives in
 * session-core.js: `wouldWrite`, `appendSetCookies`, `headersOf`, `cookieHeaderOf` and
 * `validated(session, now)` (records a store lookup as the claim the next write carries).
 */
export function storeMethods(parts) {
  const { wouldWrite, appendSetCookies, headersOf, cookieHeaderOf, validated } = parts;
  return {
    async signInAsync(data, options = {}) {
      const { store } = needStore(this, "signInAsync");
      if (!isObject(options)) throw invalid("signInAsync options must be an object");
      const { subject, label = "", rememberMe = false, now: at } = options;
      checkOptionNames(options, new Set(["subject", "label", "rememberMe", "now", "listAsRemembered"]), "signInAsync");
      const now = nowOption(at === undefined ? undefined : { now: at });
      checkSubject(subject);
      checkLabel(label);
      const generation = await call(this, "generation", () => store.generation(subject, now));
      const session = this.signIn(data, { subject: { id: subject, generation }, rememberMe, now });
      // The store was just asked (for the generation): as in Rust, the window starts now.
      if (configOf(this).window > 0) validated(session, now);
      const entry = {
        id: session.id,
        signedInAt: now,
        lastSeen: now,
        rememberMe: rememberMe || options.listAsRemembered === true,
        label,
        keepUntil: keepUntil(session),
      };
      await call(this, "recordSignIn", () => store.recordSignIn(subject, entry, now));
      return session;
    },

    async setCookiesAsync(session, options) {
      const { store, window } = needStore(this, "setCookiesAsync");
      const now = nowOption(options);
      const fromRequest = isObject(session) && session.keyId !== "";
      if (fromRequest && window > 0) {
        const revoked = await call(this, "isRevoked", () => store.isRevoked(session.id, session.subject, now));
        if (revoked) throw new SealError("REVOKED", "session revoked");
      }
      const headers = this.setCookies(session, { now });
      if (fromRequest && session.subject !== null) {
        await call(this, "touch", () => store.touch(session.subject.id, session.id, now));
      }
      return headers;
    },

    async commitAsync(session, target, options) {
      headersOf(target);
      if (session === null || session === undefined || !wouldWrite(session)) return target;
      return appendSetCookies(target, await this.setCookiesAsync(session, options));
    },

    async signOutAsync(session, target, options) {
      const { store } = needStore(this, "signOutAsync");
      const now = nowOption(options);
      headersOf(target);
      if (session !== null && session !== undefined) {
        await call(this, "revoke", () => store.revoke(session.id, subjectId(session), keepUntil(session), now));
      }
      return this.signOut(target);
    },

    async signOutOthers(session, options) {
      const { store } = needStore(this, "signOutOthers");
      const now = nowOption(options);
      const subject = subjectId(session);
      if (subject === null) return 0;
      let count = 0;
      for (const entry of await call(this, "sessions", () => store.sessions(subject, now))) {
        if (entry.id === session.id) continue;
        await call(this, "revoke", () => store.revoke(entry.id, subject, entry.keepUntil, now));
        count += 1;
      }
      return count;
    },

    async signOutEverywhere(subject, options) {
      const { store } = needStore(this, "signOutEverywhere");
      const now = nowOption(options);
      checkSubject(subject);
      // Kept until the last moment a session sealed before now could open.
      const keep = now + this.longestSession + MAX_LEEWAY;
      return call(this, "signOutEverywhere", () => store.signOutEverywhere(subject, keep, now));
    },

    async listSessions(subject, options) {
      const { store } = needStore(this, "listSessions");
      const now = nowOption(options);
      checkSubject(subject);
      return call(this, "sessions", () => store.sessions(subject, now));
    },

    async putData(session, data, options) {
      const { store } = needStore(this, "putData");
      const now = nowOption(options);
      const bytes = dataBytes(data);
      await call(this, "putData", () => store.putData(session.id, subjectId(session), bytes, keepUntil(session), now));
    },

    async getData(session, options) {
      const { store } = needStore(this, "getData");
      const now = nowOption(options);
      return call(this, "data", () => store.data(session.id, subjectId(session), now));
    },

    async rememberAsync(session, options) {
      const { store, token } = needStore(this, "rememberAsync");
      if (token === undefined) throw invalid("rememberAsync needs the rememberToken option");
      const now = nowOption(options);
      const subject = subjectId(session);
      if (subject === null) throw invalid("a remember-me token needs a session with a subject");
      const series = randomText(16);
      const secret = randomText(32);
      const record = {
        subject,
        current: await tokenHash(secret),
        previous: "",
        rotatedAt: now,
        sessions: [[session.id, keepUntil(session)]],
      };
      const until = now + token.lifetime;
      await call(this, "rememberStart", () => store.rememberStart(series, record, until, now));
      return [tokenCookie(token, `${series}.${secret}`, token.lifetime)];
    },

    async resumeAsync(request, options = {}) {
      const { store, token } = needStore(this, "resumeAsync");
      if (token === undefined) throw invalid("resumeAsync needs the rememberToken option");
      if (!isObject(options)) throw invalid("resumeAsync options must be an object");
      checkOptionNames(options, new Set(["data", "label", "now"]), "resumeAsync");
      const now = nowOption(options.now === undefined ? undefined : { now: options.now });
      const [value] = cookieValues(cookieHeaderOf(request), token.name);
      if (value === undefined) return null;
      const cleared = [tokenCookie(token, "", 0)];
      const parts = TOKEN.exec(value);
      if (parts === null) {
        emit(this, { type: "refused", code: "MALFORMED", message: "malformed remember-me token" });
        return { outcome: "unknown", session: null, setCookies: cleared };
      }
      const [, series, secret] = parts;
      const presented = await tokenHash(secret);
      const nextSecret = randomText(32);
      const next = await tokenHash(nextSecret);
      const until = now + token.lifetime;
      const answer = await call(this, "rememberRotate", () =>
        store.rememberRotate(series, presented, next, now, token.grace, until),
      );
      if (answer.outcome === "theft") {
        // Two parties hold tokens of this series: it is gone, and so is every session it started.
        let revoked = 0;
        for (const [id, keep] of answer.sessions) {
          if (keep < now) continue;
          await call(this, "revoke", () => store.revoke(id, answer.subject, keep, now));
          revoked += 1;
        }
        emit(this, { type: "theft", subject: answer.subject, series, revokedSessions: revoked });
        return { outcome: "theft", session: null, setCookies: cleared };
      }
      if (answer.outcome !== "rotated" && answer.outcome !== "grace") {
        emit(this, { type: "refused", code: "REVOKED", message: "unknown or expired remember-me token" });
        return { outcome: "unknown", session: null, setCookies: cleared };
      }
      const session = await this.signInAsync(options.data ?? null, {
        subject: answer.subject,
        label: options.label ?? "",
        listAsRemembered: true,
        now,
      });
      await call(this, "rememberLink", () => store.rememberLink(series, session.id, keepUntil(session), now));
      // In the grace window the browser already has (or is about to get) the newer token from
      // the request that rotated it: nothing is set, so that one is not overwritten.
      const setCookies =
        answer.outcome === "rotated" ? [tokenCookie(token, `${series}.${nextSecret}`, token.lifetime)] : [];
      return { outcome: answer.outcome, session, setCookies };
    },

    async forgetRememberAsync(request, options) {
      const { store, token } = needStore(this, "forgetRememberAsync");
      if (token === undefined) throw invalid("forgetRememberAsync needs the rememberToken option");
      const now = nowOption(options);
      const [value = ""] = cookieValues(cookieHeaderOf(request), token.name);
      const parts = TOKEN.exec(value);
      if (parts !== null) await call(this, "rememberForget", () => store.rememberForget(parts[1], now));
      return [tokenCookie(token, "", 0)];
    },
  };
}

function tokenCookie(token, value, maxAge) {
  return `${token.name}=${value}; Max-Age=${maxAge}${token.attributes}`;
}

// The cookies of this name in a Cookie header, in order (names are case-sensitive).
export function* cookieValues(header, name) {
  // Longer than the core accepts for the session cookie: not split, read as no token.
  if (typeof header !== "string" || header.length > 65536) return;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) yield part.slice(eq + 1).trim();
  }
}

/**
 * The remember-me rule every adapter applies atomically to the stored record of a series:
 * returns [outcome, record to keep (or null to delete)]. `rotated` when the current token
 * was presented, `grace` for the one just before it within the grace window, `theft` for
 * any other token of a live series, `missing` when there is no live series.
 */
export function rotateRecord(record, presented, next, now, grace) {
  if (record === null || record === undefined || record.keepUntil < now) return ["missing", null];
  if (presented === record.current) {
    return ["rotated", { ...record, previous: record.current, current: next, rotatedAt: now }];
  }
  if (presented === record.previous && now <= record.rotatedAt + grace) return ["grace", record];
  return ["theft", null];
}

/**
 * The cap on one subject's live series, for stores that keep the subject's index as one
 * record `{ keepUntil, series: [[series, keepUntil], ...] }` (or undefined): sets the
 * deadline of `series` (started or rotated), or takes it out when `keepUntil` is null
 * (stolen or forgotten); drops ended ones, and, past MAX_SERIES_PER_SUBJECT, the ones that
 * expire first. Returns the new index and the series ids to delete.
 */
export function indexSeries(index, series, keepUntil, now) {
  const live = (index?.series ?? []).filter(([s, k]) => k >= now && s !== series);
  if (keepUntil !== null) live.push([series, keepUntil]);
  live.sort((a, b) => a[1] - b[1]);
  const dropped = live.splice(0, Math.max(0, live.length - MAX_SERIES_PER_SUBJECT)).map(([s]) => s);
  return [{ keepUntil: live.reduce((latest, [, k]) => Math.max(latest, k), now), series: live }, dropped];
}

/**
 * What a rotation's answer (`{ outcome, keepUntil }`) does to the subject's index, as
 * indexSeries' `keepUntil`: the series' new deadline when rotated, null (taken out) when
 * stolen, undefined when the index stays as it is.
 */
export function indexedDeadline(answer) {
  if (answer.outcome === "rotated") return answer.keepUntil;
  return answer.outcome === "theft" ? null : undefined;
}

/** Adds a session to a series' record, keeping the newest REMEMBER_LINKS still open. */
export function linkRecord(record, id, keep, now) {
  const sessions = record.sessions.filter(([, k]) => k >= now);
  sessions.push([id, keep]);
  return { ...record, sessions: sessions.slice(-REMEMBER_LINKS) };
}
