// The session lifecycle over the wasm binding's session half (src/wasm/sessions.rs), only in
// the `cookie-seal/sessions` entries and their wasm module (cookie_seal_sessions_bg.wasm), so
// the main entry does not carry it. SessionManager wraps the Rust SessionManager
// (src/session.rs): the core parses the Cookie header, joins chunks, decides expiry and
// renewal and writes the Set-Cookie values. This layer converts values, runs the JSON step
// (core.js) and the application's isRevoked callback, and works on Fetch API
// Request/Response/Headers objects. Not part of the public API (not in the exports map).

import {
  LIVE,
  SealError,
  WasmBacked,
  checkOptionNames,
  fromJson,
  fromWasm,
  isObject,
  nowOption,
  numberOption,
  optionEntries,
  utf8,
  utf8Length,
} from "./core.js";
import { toJson, wellFormed } from "./text-checks.js";
import { attachStore, emitRefused, hasStore, markRevalidated, storeConfig, storeMethods, storeVerdict } from "./store-core.js";

// Options this layer reads itself; the others go to the wasm manager.
const JS_OPTIONS = ["isRevoked", "store", "revalidationWindow", "onEvent", "rememberToken"];
const SIGN_IN_OPTION_NAMES = new Set(["rememberMe", "subject", "now"]);
// What the request carried and how the payload read, kept on each session under a symbol:
// out of JSON and Object.keys, but copied by object spread, so `{ ...session, data }` still
// deletes stale chunks on the next write.
const STATE = Symbol("cookie-seal session");

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
  wellFormed(subject.id, "subject id");
  const generation = subject.generation;
  if (kept !== undefined && kept.subjectId === subject.id && Number(kept.generation) === generation) {
    return [subject.id, kept.generation];
  }
  if (!Number.isSafeInteger(generation) || generation < 0) {
    throw invalid("subject generation must be a whole number from 0 to Number.MAX_SAFE_INTEGER");
  }
  return [subject.id, String(generation)];
}

// A session's view from the binding (JSON text, src/wasm/sessions.rs) as the plain object
// the application sees, its payload not yet there.
function sessionFrom(text) {
  const v = JSON.parse(text);
  const session = {
    data: undefined,
    id: v.id,
    subject: v.subjectId === null ? null : { id: v.subjectId, generation: v.subjectGeneration },
    signedInAt: v.signedInAt,
    issuedAt: v.issuedAt,
    expiresAt: v.expiresAt,
    absoluteExpiresAt: v.absoluteExpiresAt,
    rememberMe: v.rememberMe,
    validatedAt: v.validatedAt,
    keyId: v.keyId,
    needsReseal: v.resealReason !== null,
    resealReason: v.resealReason,
  };
  const subjectId = v.subjectId ?? undefined;
  // What the cookie carried, so commit() can tell whether anything it carries changed.
  session[STATE] = {
    cookies: v.cookies,
    json: undefined,
    id: session.id,
    subjectId,
    generation: v.subjectGenerationText,
    signedInAt: session.signedInAt,
    rememberMe: session.rememberMe,
    // Written back as the cookie carried it: only a store lookup may move it.
    validatedAt: v.validatedAt ?? undefined,
  };
  return session;
}

// The payload text of the accepted candidate, parsed, on its session.
function withPayload(session, text) {
  session.data = fromJson(text);
  session[STATE].json = text;
  return session;
}

// What isRevoked sees: the session's identity, as the Rust Revocation trait does.
function revocationInfo(session) {
  const { id, subject, signedInAt, absoluteExpiresAt } = session;
  return { id, subject: subject && { ...subject }, signedInAt, absoluteExpiresAt };
}

// The read, once, as a generator over the wasm reader (src/wasm/sessions.rs): when `checked`
// it yields what isRevoked sees of each candidate in header order and is sent back whether
// that one is revoked (the session itself is yielded: the answer sees what it needs); it returns the accepted session, or null when the header has no session
// cookie, and throws the first error in header order, as in Rust. At most 4 candidates (3 of
// the name, 1 chunked). run() answers synchronously, runAsync() awaits each answer.
function* reading(reader, call, checked) {
  try {
    for (let view = reader.next(); view !== undefined; view = reader.next()) {
      const session = sessionFrom(view);
      if (!checked || !(yield session)) {
        return withPayload(session, call(() => reader.accept()));
      }
      reader.reject();
    }
    call(() => reader.finish());
    return null;
  } finally {
    reader.free();
  }
}

function run(steps, answer) {
  try {
    let step = steps.next();
    while (!step.done) step = steps.next(revokedAnswer(answer(step.value), false));
    return step.value;
  } finally {
    steps.return(); // frees the reader when an answer threw
  }
}

async function runAsync(steps, answer) {
  try {
    let step = steps.next();
    while (!step.done) step = steps.next(revokedAnswer(await answer(step.value), true));
    return step.value;
  } finally {
    steps.return();
  }
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
  // The binding's constants and error codes, read once the module is instantiated.
  let known;
  function constants() {
    if (known === undefined) {
      const c = JSON.parse(wasm.constants());
      known = { ...c, cookieErrors: new Set(c.codes.slice(0, c.cookieCodes)) };
    }
    return known;
  }

  // Codes of a session cookie that is there but does not open read as "signed out"; anything
  // else (a bad option, NOT_INITIALIZED, isRevoked throwing) is thrown.
  function signedOut(err) {
    if (err instanceof SealError && constants().cookieErrors.has(err.code)) return null;
    throw err;
  }

  function cookieHeaderText(header) {
    if (header === null || header === undefined) return undefined; // no Cookie header at all
    if (typeof header !== "string") {
      throw new SealError("MALFORMED", "malformed cookie value: the Cookie header is not a string");
    }
    // The core refuses it too; refusing it here keeps a hostile megabyte out of wasm memory,
    // which grows but never shrinks.
    if (header.length > constants().maxCookieHeaderLen) {
      throw fromWasm(wasm.cookieHeaderTooLarge(utf8Length(header)));
    }
    return wellFormed(header, "the Cookie header", "MALFORMED");
  }

  class SessionManager extends WasmBacked {
    #name;
    #isRevoked;

    constructor(options) {
      ensureReady();
      const [names, values] = optionEntries(options, "SessionManager", JS_OPTIONS);
      const isRevoked = options.isRevoked;
      if (isRevoked !== undefined && typeof isRevoked !== "function") {
        throw invalid("isRevoked must be a function");
      }
      const config = storeConfig(options);
      super(call(() => new wasm.WasmSessionManager(names, values)), "SessionManager");
      this.#name = options.name;
      this.#isRevoked = isRevoked;
      attachStore(this, config);
    }

    get name() {
      this[LIVE]();
      return this.#name;
    }

    get capacity() {
      return this[LIVE]().capacity;
    }

    get longestSession() {
      return this[LIVE]().longestSession;
    }

    signIn(data, options) {
      const inner = this[LIVE]();
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
      const session = sessionFrom(call(() => inner.signIn(rememberMe, subjectId, generation, now)));
      session.data = data;
      return session;
    }

    read(cookieHeader, options) {
      try {
        return this.#read(cookieHeader, options, run, (session, now) => {
          const verdict = storeVerdict(this, session, now);
          if (verdict === false) return false;
          verdict.then(undefined, () => {}); // refused below; its rejection must not go unhandled
          throw invalid("this cookie is due for a store lookup: use readAsync() or fromRequestAsync() with a store");
        });
      } catch (err) {
        throw this.#refused(err);
      }
    }

    async readAsync(cookieHeader, options) {
      const lookup = async (session, now) => {
        const verdict = storeVerdict(this, session, now);
        if (verdict === false) return false; // trusted: sealed less than a window ago
        const revoked = await verdict;
        if (revoked === false && markRevalidated(this, session, now)) session[STATE].validatedAt = now;
        return revoked;
      };
      try {
        return await this.#read(cookieHeader, options, runAsync, lookup);
      } catch (err) {
        throw this.#refused(err);
      }
    }

    // Tells the onEvent hook the code of a session cookie that did not open.
    #refused(err) {
      if (err instanceof SealError && constants().cookieErrors.has(err.code)) emitRefused(this, err);
      return err;
    }

    fromRequest(request, options) {
      try {
        return this.read(requestCookie(request), options);
      } catch (err) {
        return signedOut(err);
      }
    }

    async fromRequestAsync(request, options) {
      return this.readAsync(requestCookie(request), options).catch(signedOut);
    }

    setCookies(session, options) {
      this[LIVE]();
      const now = nowOption(options);
      checkSession(session);
      return this.#write(session, toJson(session.data), now);
    }

    commit(session, target, options) {
      this[LIVE]();
      headersOf(target);
      const now = nowOption(options);
      if (session === null || session === undefined) return target;
      checkSession(session);
      const json = toJson(session.data);
      if (session.needsReseal !== true && carriesAsRead(session, json)) return target;
      return appendSetCookies(target, this.#write(session, json, now));
    }

    signOut(target) {
      this[LIVE]();
      headersOf(target);
      return appendSetCookies(target, this.clearCookies());
    }

    clearCookies() {
      return this[LIVE]().clearCookies();
    }

    regenerateId(session) {
      this[LIVE]();
      checkSession(session);
      session.id = call(() => wasm.newSessionId());
      session.needsReseal = true;
      session.resealReason = "new-id";
      return session;
    }

    // The one read behind read() and readAsync(): `runner` is run or runAsync, `lookup` the
    // store's answer for one candidate (used when the manager has a store, instead of isRevoked).
    #read(cookieHeader, options, runner, lookup) {
      const inner = this[LIVE]();
      const now = nowOption(options);
      const header = cookieHeaderText(cookieHeader);
      if (header === undefined) return null;
      const check = this.#isRevoked;
      const stored = hasStore(this);
      const steps = reading(call(() => inner.reader(utf8(header), now)), call, check !== undefined || stored);
      return runner(steps, stored ? (session) => lookup(session, now) : (session) => check(revocationInfo(session), now));
    }

    #write(session, json, now) {
      const inner = this[LIVE]();
      const limit = constants().maxSessionPayload;
      if (json.length > limit) {
        const actual = utf8Length(json);
        throw new SealError(
          "TOO_LARGE",
          `session payload is ${actual} bytes; no session over ${limit} bytes fits in the most cookies allowed`,
          { actual, limit },
        );
      }
      const state = session[STATE];
      const [subjectId, generation] = subjectParts(session.subject, state);
      // Without the state (a session object built by hand), nothing is known about what the
      // browser holds: an empty key id makes the core treat it as fresh from sign-in, which
      // deletes every chunk name the write does not use.
      const keyId = state === undefined ? "" : wellFormed(session.keyId, "keyId");
      wellFormed(session.id, "session id");
      const cookies = state === undefined ? 0 : state.cookies;
      const validatedAt = state === undefined ? undefined : state.validatedAt;
      // As bytes, like Sealer.seal: the wasm wipes its copy, and the buffer is wiped here.
      const bytes = utf8(json);
      try {
        return call(() =>
          inner.setCookies(
            bytes, session.id, subjectId, generation, session.signedInAt, session.rememberMe, validatedAt, keyId, cookies, now,
          ),
        );
      } finally {
        bytes.fill(0);
      }
    }
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
      // Checked as a read checks it (TOO_LARGE over the limit, as in Rust), "" for none.
      cookieHeaderOf: (request) => cookieHeaderText(typeof request === "string" ? request : requestCookie(request)) ?? "",
      validated: (session, now) => {
        session.validatedAt = now;
        session[STATE].validatedAt = now;
      },
    }),
  );

  return SessionManager;
}

// Whether the cookie would carry exactly what the request's cookie did: the data, the id,
// the subject, the sign-in time and the remember-me flag. Any change must be written.
function carriesAsRead(session, json) {
  const state = session[STATE];
  if (state === undefined || state.json !== json) return false;
  const subject = session.subject;
  const sameSubject =
    subject === null || subject === undefined
      ? state.subjectId === undefined
      : isObject(subject) && subject.id === state.subjectId && subject.generation === Number(state.generation);
  return (
    sameSubject &&
    session.id === state.id &&
    session.signedInAt === state.signedInAt &&
    session.rememberMe === state.rememberMe
  );
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
