// The session lifecycle over the wasm binding's session half (src/wasm/sessions.rs), only in
// the `cookie-seal/sessions` entries and their wasm module (cookie_seal_sessions_bg.wasm), so
// the main entry does not carry it. SessionManager wraps the Rust SessionManager
// (src/session.rs): the core parses the Cookie header, joins chunks, decides expiry and
// renewal and writes the Set-Cookie values. This layer converts values, runs the JSON step
// (core.js) and the application's isRevoked callback, and works on Fetch API
// Request/Response/Headers objects. Not part of the public API (not in the exports map).

import {
  SealError,
  checkOptionNames,
  fromJson,
  isObject,
  keyringText,
  nowOption,
  numberOption,
  stringOption,
  toJson,
  tooLarge,
  utf8Length,
} from "./core.js";
import { attachStore, emitRefused, markRevalidated, storeConfig, storeMethods, storeVerdict } from "./store-core.js";

const SESSION_OPTION_NAMES = new Set([
  "keys",
  "name",
  "purpose",
  "leeway",
  "idleTimeout",
  "absoluteLifetime",
  "rememberMe",
  "renewWhenRemaining",
  "sameSite",
  "domain",
  "path",
  "insecureDevModeForLocalhost",
  "maxChunks",
  "notBefore",
  "isRevoked",
  "store",
  "revalidationWindow",
  "onEvent",
  "rememberToken",
]);
const REMEMBER_OPTION_NAMES = new Set(["idleTimeout", "absoluteLifetime"]);
const SIGN_IN_OPTION_NAMES = new Set(["rememberMe", "subject", "now"]);
// The core refuses longer Cookie headers (MAX_COOKIE_HEADER_LEN); refusing them here too
// keeps a hostile megabyte out of wasm memory, which grows but never shrinks.
const MAX_COOKIE_HEADER_LEN = 65536;
// No session payload longer than ten full cookies (MAX_CHUNKS_LIMIT × 4096) can be written
// under any configuration; longer ones are refused before they are copied into wasm.
const MAX_SESSION_PAYLOAD = 10 * 4096;
// What the request carried and how the payload read, kept on each session under a symbol:
// out of JSON and Object.keys, but copied by object spread, so `{ ...session, data }` still
// deletes stale chunks on the next write.
const STATE = Symbol("cookie-seal session");
// Codes of a session cookie that is there but does not open: fromRequest reads them as
// "signed out". Anything else (a bad option, NOT_INITIALIZED, isRevoked throwing) is thrown.
const COOKIE_ERRORS = new Set([
  "MALFORMED",
  "TOO_LARGE",
  "UNSUPPORTED_VERSION",
  "UNKNOWN_KEY",
  "BAD_SEAL",
  "EXPIRED",
  "NOT_YET_VALID",
  "PAYLOAD",
  "REVOKED",
]);

function invalid(message) {
  return new SealError("INVALID_OPTION", `invalid option: ${message}`);
}

function optional(options, name, type) {
  const value = options[name];
  if (value !== undefined && typeof value !== type) throw invalid(`${name} must be a ${type}`);
  return value;
}

// A subject as the core takes it: the id, and the generation as decimal text. `kept` is the
// subject as read from a cookie; while the application has not changed it, its exact
// generation goes back, even one past Number.MAX_SAFE_INTEGER (only a Rust writer makes those).
function subjectParts(subject, kept) {
  if (subject === null || subject === undefined) return [undefined, ""];
  if (!isObject(subject) || typeof subject.id !== "string") {
    throw invalid("subject must be { id: string, generation: number } or null");
  }
  const generation = subject.generation;
  if (kept !== undefined && kept.subjectId === subject.id && Number(kept.generation) === generation) {
    return [subject.id, kept.generation];
  }
  if (!Number.isSafeInteger(generation) || generation < 0) {
    throw invalid("subject generation must be a whole number from 0 to Number.MAX_SAFE_INTEGER");
  }
  return [subject.id, String(generation)];
}

function cookieHeaderText(header) {
  if (header === null || header === undefined) return undefined; // no Cookie header at all
  if (typeof header !== "string") {
    throw new SealError("MALFORMED", "malformed cookie value: the Cookie header is not a string");
  }
  if (header.length > MAX_COOKIE_HEADER_LEN) {
    throw tooLarge(utf8Length(header), MAX_COOKIE_HEADER_LEN);
  }
  return header;
}

// Copies a WasmSession into a plain object (the payload not yet parsed) and frees it.
function sessionFrom(w) {
  try {
    const subjectId = w.subjectId;
    const reason = w.resealReason;
    const session = {
      data: undefined,
      id: w.id,
      subject: subjectId === undefined ? null : { id: subjectId, generation: w.subjectGeneration },
      signedInAt: w.signedInAt,
      issuedAt: w.issuedAt,
      expiresAt: w.expiresAt,
      absoluteExpiresAt: w.absoluteExpiresAt,
      rememberMe: w.rememberMe,
      keyId: w.keyId,
      needsReseal: reason !== undefined,
      resealReason: reason ?? null,
    };
    session[STATE] = { cookies: w.cookies, json: undefined, subjectId, generation: w.subjectGenerationText };
    return [session, w];
  } catch (err) {
    w.free();
    throw err;
  }
}

// What isRevoked sees: the session's identity, as the Rust Revocation trait does.
function revocationInfo(session) {
  const { id, subject, signedInAt, absoluteExpiresAt } = session;
  return { id, subject: subject && { ...subject }, signedInAt, absoluteExpiresAt };
}

function revokedAnswer(answer, async) {
  if (answer === true || answer === false) return answer;
  if (!async && isObject(answer) && typeof answer.then === "function") {
    answer.then(undefined, () => {}); // refused below; its rejection must not go unhandled
    throw invalid("isRevoked returned a Promise: use readAsync() or fromRequestAsync() for async checks");
  }
  // Revocation fails closed: a callback that forgot its `return` must not let sessions through.
  throw invalid(`isRevoked must return true or false${async ? " (or a Promise of one)" : ""}`);
}

function headersOf(target) {
  if (isObject(target) && typeof target.append === "function" && typeof target.has === "function") {
    return target; // a Headers
  }
  if (isObject(target) && isObject(target.headers) && typeof target.headers.append === "function") {
    return target.headers; // a Response
  }
  throw invalid("the target must be a Response or a Headers object");
}

// Appends one Set-Cookie header per value. A Response whose headers are immutable (one from
// fetch(), Response.redirect(), Response.error()) is copied into a new Response with the
// same status, headers and body, which is returned: always use the return value.
function appendSetCookies(target, values) {
  let headers = headersOf(target);
  try {
    for (const value of values) headers.append("set-cookie", value);
  } catch (err) {
    if (headers === target || !(err instanceof TypeError)) throw err;
    target = new Response(target.body, target);
    headers = target.headers;
    for (const value of values) headers.append("set-cookie", value);
  }
  if (values.length > 0 && !headers.has("set-cookie")) {
    // Browsers and service workers drop Set-Cookie from Response headers without a word;
    // an error here beats a session that silently never reaches the browser.
    throw invalid("this runtime drops Set-Cookie on this object (browsers and service workers cannot set cookies on a Response)");
  }
  return target;
}

function requestCookie(request) {
  if (!isObject(request) || !isObject(request.headers) || typeof request.headers.get !== "function") {
    throw invalid("fromRequest takes a Request (or an object with Fetch API headers)");
  }
  return request.headers.get("cookie");
}

/**
 * The SessionManager class over the glue of the sessions wasm module
 * (`import * as wasm from "./cookie_seal_sessions.js"`), sharing the instance's readiness
 * and error conversion with `sealer`, what bindSealer(wasm, ...) returned for that glue.
 */
export function bindSessions(wasm, sealer) {
  const { ensureReady, call } = sealer;

  class SessionManager {
    #inner;
    #name;
    #isRevoked;

    constructor(options) {
      ensureReady();
      if (!isObject(options)) {
        throw invalid("new SessionManager() takes an options object");
      }
      checkOptionNames(options, SESSION_OPTION_NAMES, "SessionManager");
      const keys = keyringText(options.keys);
      const name = stringOption(options, "name");
      const remember = options.rememberMe;
      if (remember !== undefined) {
        if (!isObject(remember)) throw invalid("rememberMe must be { idleTimeout?, absoluteLifetime? }");
        checkOptionNames(remember, REMEMBER_OPTION_NAMES, "rememberMe");
      }
      const isRevoked = optional(options, "isRevoked", "function");
      const config = storeConfig(options);
      // Every value below left undefined keeps the Rust builder's default.
      const args = [
        optional(options, "purpose", "string"),
        optional(options, "leeway", "number"),
        optional(options, "idleTimeout", "number"),
        optional(options, "absoluteLifetime", "number"),
        remember === undefined ? undefined : optional(remember, "idleTimeout", "number"),
        remember === undefined ? undefined : optional(remember, "absoluteLifetime", "number"),
        optional(options, "renewWhenRemaining", "number"),
        optional(options, "sameSite", "string"),
        optional(options, "domain", "string"),
        optional(options, "path", "string"),
        optional(options, "insecureDevModeForLocalhost", "boolean") === true,
        optional(options, "maxChunks", "number"),
        optional(options, "notBefore", "number"),
      ];
      this.#inner = call(() => new wasm.WasmSessionManager(keys, name, ...args));
      this.#name = name;
      this.#isRevoked = isRevoked;
      attachStore(this, config);
    }

    get name() {
      this.#live();
      return this.#name;
    }

    get capacity() {
      return this.#live().capacity;
    }

    get longestSession() {
      return this.#live().longestSession;
    }

    signIn(data, options) {
      const inner = this.#live();
      let now = Math.floor(Date.now() / 1000);
      let rememberMe = false;
      let subject;
      if (options !== undefined) {
        if (!isObject(options)) throw invalid("signIn options must be an object");
        checkOptionNames(options, SIGN_IN_OPTION_NAMES, "signIn");
        now = numberOption(options, "now", now);
        rememberMe = optional(options, "rememberMe", "boolean") === true;
        subject = options.subject;
      }
      const [subjectId, generation] = subjectParts(subject, undefined);
      const [session, w] = sessionFrom(call(() => inner.signIn(rememberMe, subjectId, generation, now)));
      w.free();
      session.data = data;
      return session;
    }

    read(cookieHeader, options) {
      try {
        return this.#read(cookieHeader, options);
      } catch (err) {
        if (err instanceof SealError && COOKIE_ERRORS.has(err.code)) emitRefused(this, err);
        throw err;
      }
    }

    async readAsync(cookieHeader, options) {
      try {
        return await this.#readAsync(cookieHeader, options);
      } catch (err) {
        if (err instanceof SealError && COOKIE_ERRORS.has(err.code)) emitRefused(this, err);
        throw err;
      }
    }

    #read(cookieHeader, options) {
      const now = nowOption(options);
      const header = cookieHeaderText(cookieHeader);
      if (header === undefined) return null;
      // Each round asks the core for the next candidate that passes every check of its own;
      // `skip` makes it count the ones isRevoked refused as REVOKED, so a revoked cookie never
      // hides a later one of the same name, and the error is the first in header order, as in
      // Rust. At most 4 candidates (3 of the name, 1 chunked), so at most 5 rounds.
      for (let skip = 0; ; skip++) {
        const [session, w] = this.#candidate(header, now, skip);
        if (session === null) return null;
        const verdict = storeVerdict(this, session, now);
        if (verdict !== undefined && verdict !== false) {
          w.free();
          verdict.then(undefined, () => {}); // refused below; its rejection must not go unhandled
          throw invalid("this cookie is due for a store lookup: use readAsync() or fromRequestAsync() with a store");
        }
        if (this.#isRevoked !== undefined) {
          let revoked;
          try {
            revoked = revokedAnswer(this.#isRevoked(revocationInfo(session), now), false);
          } catch (err) {
            w.free();
            throw err;
          }
          if (revoked) {
            w.free();
            continue;
          }
        }
        return withPayload(session, w);
      }
    }

    async #readAsync(cookieHeader, options) {
      const now = nowOption(options);
      const header = cookieHeaderText(cookieHeader);
      if (header === undefined) return null;
      for (let skip = 0; ; skip++) {
        const [session, w] = this.#candidate(header, now, skip);
        if (session === null) return null;
        const verdict = storeVerdict(this, session, now);
        if (verdict !== undefined && verdict !== false) {
          let revoked;
          try {
            revoked = await verdict;
          } catch (err) {
            w.free();
            throw err;
          }
          if (revoked !== false) {
            w.free();
            continue;
          }
          markRevalidated(this, session);
        }
        if (this.#isRevoked !== undefined) {
          let revoked;
          try {
            revoked = revokedAnswer(await this.#isRevoked(revocationInfo(session), now), true);
          } catch (err) {
            w.free();
            throw err;
          }
          if (revoked) {
            w.free();
            continue;
          }
        }
        return withPayload(session, w);
      }
    }

    fromRequest(request, options) {
      try {
        return this.read(requestCookie(request), options);
      } catch (err) {
        if (err instanceof SealError && COOKIE_ERRORS.has(err.code)) return null;
        throw err;
      }
    }

    async fromRequestAsync(request, options) {
      try {
        return await this.readAsync(requestCookie(request), options);
      } catch (err) {
        if (err instanceof SealError && COOKIE_ERRORS.has(err.code)) return null;
        throw err;
      }
    }

    setCookies(session, options) {
      this.#live();
      const now = nowOption(options);
      checkSession(session);
      return this.#write(session, toJson(session.data), now);
    }

    commit(session, target, options) {
      this.#live();
      headersOf(target);
      const now = nowOption(options);
      if (session === null || session === undefined) return target;
      checkSession(session);
      const json = toJson(session.data);
      const state = session[STATE];
      const unchanged = session.needsReseal !== true && state !== undefined && state.json === json;
      if (unchanged) return target;
      return appendSetCookies(target, this.#write(session, json, now));
    }

    signOut(target) {
      this.#live();
      headersOf(target);
      return appendSetCookies(target, this.clearCookies());
    }

    clearCookies() {
      return this.#live().clearCookies();
    }

    regenerateId(session) {
      this.#live();
      checkSession(session);
      session.id = call(() => wasm.newSessionId());
      session.needsReseal = true;
      session.resealReason = "new-id";
      return session;
    }

    free() {
      if (this.#inner !== undefined) {
        this.#inner.free();
        this.#inner = undefined;
      }
    }

    // [session without payload, its WasmSession] or [null] when there is no session cookie.
    #candidate(header, now, skip) {
      const inner = this.#live();
      const w = call(() => inner.read(header, now, skip));
      return w === undefined ? [null] : sessionFrom(w);
    }

    #write(session, json, now) {
      const inner = this.#live();
      if (json.length > MAX_SESSION_PAYLOAD) {
        const actual = utf8Length(json);
        throw new SealError(
          "TOO_LARGE",
          `session payload is ${actual} bytes; no session over ${MAX_SESSION_PAYLOAD} bytes fits in the most cookies allowed`,
          { actual, limit: MAX_SESSION_PAYLOAD },
        );
      }
      const state = session[STATE];
      const [subjectId, generation] = subjectParts(session.subject, state);
      // Without the state (a session object built by hand), nothing is known about what the
      // browser holds: an empty key id makes the core treat it as fresh from sign-in, which
      // deletes every chunk name the write does not use.
      const keyId = state === undefined ? "" : session.keyId;
      const cookies = state === undefined ? 0 : state.cookies;
      return call(() =>
        inner.setCookies(json, session.id, subjectId, generation, session.signedInAt, session.rememberMe, keyId, cookies, now),
      );
    }

    #live() {
      if (this.#inner === undefined) {
        throw invalid("this SessionManager was freed");
      }
      return this.#inner;
    }
  }

  if (typeof Symbol.dispose === "symbol") {
    SessionManager.prototype[Symbol.dispose] = function dispose() {
      this.free();
    };
  }

  Object.assign(
    SessionManager.prototype,
    storeMethods({
      wouldWrite: (session) => {
        checkSession(session);
        const state = session[STATE];
        return session.needsReseal === true || state === undefined || state.json !== toJson(session.data);
      },
      appendSetCookies,
      headersOf,
      cookieHeaderOf: (request) => (typeof request === "string" ? request : requestCookie(request)),
    }),
  );

  return SessionManager;
}

function checkSession(session) {
  const ok =
    isObject(session) &&
    typeof session.id === "string" &&
    typeof session.signedInAt === "number" &&
    typeof session.rememberMe === "boolean" &&
    typeof session.keyId === "string";
  if (!ok) throw invalid("not a session: use one from signIn(), read() or fromRequest()");
}

// Reads the payload of the chosen candidate, frees its WasmSession, and parses the JSON.
function withPayload(session, w) {
  let text;
  try {
    text = w.data;
  } finally {
    w.free();
  }
  session.data = fromJson(text);
  session[STATE].json = text;
  return session;
}
