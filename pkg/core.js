// The public JavaScript API over the wasm binding (src/wasm.rs). Every runtime's entry file
// (node.js, workerd.js, deno.js, browser.js) instantiates the wasm its own way and then
// re-exports this module. JSON is done here, by the engine's own JSON.stringify/JSON.parse;
// the wasm only ever sees text and returns text.

import initWasm, {
  WasmError,
  WasmSealer,
  WasmSessionManager,
  generateKey as wasmGenerateKey,
  newSessionId,
} from "./cookie_seal.js";

const DEFAULT_PURPOSE = "session";
const DEFAULT_TTL = 7 * 86400;
const DEFAULT_LEEWAY = 60;
const DEFAULT_MAX_LEN = 4096;
const OPTION_NAMES = new Set(["keys", "name", "purpose", "ttl", "leeway", "maxLen"]);
const CALL_OPTION_NAMES = new Set(["now"]);

// The Rust side reads JSON with serde_json, which stops at 128 levels of nesting; staying
// well under it keeps every value sealed here openable by a typed Rust `open`, and bounds
// the recursion of the pre-check below.
const MAX_DEPTH = 100;
// A 4096-byte cookie cannot hold more than about 2000 JSON values (each takes at least two
// characters), so walking more than this is wasted work on a payload that cannot fit.
const MAX_VALUES = 4096;
// Key ids and base64url keys use one alphabet. Checking it here stops an id or key holding
// "," or ":" from smuggling an extra entry into the keyring text handed to Rust.
const KEY_TEXT = /^[A-Za-z0-9_-]+$/;

let ready = false;
let pending;

/**
 * Marks the module instantiated; called by entry files that instantiate synchronously.
 * Not part of the public API (the package's exports map does not expose this file).
 */
export function markReady() {
  ready = true;
}

export async function init(input) {
  if (ready) return;
  if (pending === undefined) {
    const arg = input === undefined ? undefined : { module_or_path: input };
    pending = initWasm(arg).then(
      () => {
        ready = true;
      },
      (cause) => {
        pending = undefined; // let a later init() try again, e.g. after a network error
        throw new SealError("NOT_INITIALIZED", `could not load cookie-seal's wasm: ${cause}`, {
          cause,
        });
      },
    );
  }
  return pending;
}

export class SealError extends Error {
  constructor(code, message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "SealError";
    this.code = code;
    if (details.actual !== undefined) this.actual = details.actual;
    if (details.limit !== undefined) this.limit = details.limit;
    if (details.expiresAt !== undefined) this.expiresAt = details.expiresAt;
    if (details.validFrom !== undefined) this.validFrom = details.validFrom;
    if (details.chunksNeeded !== undefined) this.chunksNeeded = details.chunksNeeded;
    if (details.maxChunks !== undefined) this.maxChunks = details.maxChunks;
  }
}

function ensureReady() {
  if (!ready) {
    throw new SealError(
      "NOT_INITIALIZED",
      "cookie-seal is not initialised yet: `await init()` once before using it",
    );
  }
}

// Runs a wasm call and turns the binding's WasmError into a SealError. Anything else that
// escapes would be a defect in the binding (it never panics on input) and is rethrown as is.
function call(fn) {
  try {
    return fn();
  } catch (err) {
    if (err instanceof WasmError) throw fromWasm(err);
    throw err;
  }
}

function fromWasm(err) {
  const code = err.code;
  const message = err.message;
  const first = err.first;
  const second = err.second;
  const chunks = err.chunks;
  err.free();
  const details = {};
  if (code === "TOO_LARGE" && chunks) {
    // A session that needs more cookies than maxChunks: counts of cookies, not bytes.
    details.chunksNeeded = first;
    details.maxChunks = second;
  } else if (code === "TOO_LARGE") {
    details.actual = first;
    details.limit = second;
  } else if (code === "EXPIRED") {
    details.expiresAt = first;
  } else if (code === "NOT_YET_VALID") {
    details.validFrom = first;
  }
  return new SealError(code, message, details);
}

function isObject(value) {
  return typeof value === "object" && value !== null;
}

function checkOptionNames(options, allowed, what) {
  for (const name of Object.keys(options)) {
    if (!allowed.has(name)) {
      // A typo such as `maxAge` would otherwise be ignored and the default used silently.
      throw new SealError("INVALID_OPTION", `invalid option: unknown ${what} option "${name}"`);
    }
  }
}

function numberOption(options, name, fallback) {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== "number") {
    throw new SealError("INVALID_OPTION", `invalid option: ${name} must be a number`);
  }
  return value; // range and integrality are checked in Rust
}

function stringOption(options, name, fallback) {
  const value = options[name];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string") {
    throw new SealError("INVALID_OPTION", `invalid option: ${name} must be a string`);
  }
  return value;
}

function keyringText(keys) {
  if (typeof keys === "string") return keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new SealError(
      "INVALID_KEY",
      'invalid key: keys must be a string "id:key,..." or a non-empty array of { id, key }',
    );
  }
  return keys
    .map((entry, n) => {
      if (!isObject(entry) || typeof entry.id !== "string" || typeof entry.key !== "string") {
        throw new SealError("INVALID_KEY", `invalid key: keys[${n}] must be { id: string, key: string }`);
      }
      // Neither value is echoed: a key pasted in the wrong place must not reach a log.
      if (!KEY_TEXT.test(entry.id) || !KEY_TEXT.test(entry.key)) {
        throw new SealError(
          "INVALID_KEY",
          `invalid key: keys[${n}] id and key must be non-empty and use only A-Z a-z 0-9 _ -`,
        );
      }
      return `${entry.id}:${entry.key}`;
    })
    .join(",");
}

function nowOption(options) {
  if (options === undefined) return Math.floor(Date.now() / 1000);
  if (!isObject(options)) {
    throw new SealError("INVALID_OPTION", "invalid option: the options argument must be an object");
  }
  checkOptionNames(options, CALL_OPTION_NAMES, "call");
  return numberOption(options, "now", Math.floor(Date.now() / 1000));
}

// UTF-8 length of a JS string, counted without allocating, for size errors.
function utf8Length(text) {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

// The path is kept as raw keys and only formatted when a value is refused.
function describe(path) {
  if (path.length === 0) return "the payload";
  return `payload${path.map((k) => (typeof k === "number" ? `[${k}]` : `[${JSON.stringify(k)}]`)).join("")}`;
}

function refuse(path, what) {
  throw new SealError(
    "PAYLOAD",
    `payload: ${describe(path)} is ${what}, which JSON cannot carry unchanged`,
  );
}

/**
 * Refuses, before JSON.stringify sees it, any value that JSON would drop, change or choke on,
 * so what `open` returns always equals what `seal` was given. Bounded in depth and work.
 * This runs on every seal, so it allocates little: one key list per container. Symbol-keyed
 * and non-enumerable properties are not looked at: like JSON.stringify everywhere, they are
 * not part of the data (finding them would cost a second key list per object).
 */
function checkJson(root) {
  let count = 0;
  const path = []; // keys from the root, formatted only if a value is refused
  const ancestors = []; // containers on the current path, to tell a cycle from deep nesting

  function visit(value, depth) {
    if (++count > MAX_VALUES) {
      throw new SealError(
        "PAYLOAD",
        `payload: more than ${MAX_VALUES} values; that cannot fit in a cookie`,
      );
    }
    switch (typeof value) {
      case "string":
      case "boolean":
        return;
      case "number":
        // -0 is accepted: JSON writes it as 0, and -0 === 0, so it compares equal after open.
        if (!Number.isFinite(value)) refuse(path, String(value));
        return;
      case "undefined":
        // Also what a hole in a sparse array reads as.
        return refuse(path, "undefined");
      case "bigint":
        return refuse(path, "a BigInt");
      case "function":
        return refuse(path, "a function");
      case "symbol":
        return refuse(path, "a symbol");
      default:
        break;
    }
    if (value === null) return;
    if (depth >= MAX_DEPTH) {
      // A cycle always ends here too; only then is the (short) ancestor list searched.
      if (ancestors.includes(value)) refuse(path, "a reference back to itself (a cycle)");
      throw new SealError("PAYLOAD", `payload: nested deeper than ${MAX_DEPTH} levels`);
    }
    const proto = Object.getPrototypeOf(value);
    ancestors.push(value);
    if (Array.isArray(value)) {
      if (proto !== Array.prototype) refuse(path, "an Array subclass");
      // More enumerable keys than elements: named properties JSON.stringify would drop.
      // (Fewer: holes, which are refused as undefined below, with their index.)
      if (Object.keys(value).length > value.length) {
        refuse(path, "an array with extra named properties");
      }
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        visit(value[i], depth + 1);
        path.pop();
      }
    } else {
      if (proto !== Object.prototype && proto !== null) {
        const ctor = proto && typeof proto.constructor === "function" ? proto.constructor.name : "";
        refuse(path, ctor ? `a ${ctor}` : "an object with a custom prototype");
      }
      for (const key of Object.keys(value)) {
        path.push(key);
        visit(value[key], depth + 1);
        path.pop();
      }
    }
    ancestors.pop();
  }

  visit(root, 0);
}

// checkJson, then JSON.stringify: the one way a payload becomes text, for seal and sessions.
function toJson(data) {
  try {
    checkJson(data);
    return JSON.stringify(data);
  } catch (cause) {
    if (cause instanceof SealError) throw cause;
    // A getter or a Proxy trap that throws, for instance.
    throw new SealError("PAYLOAD", `payload: reading it as JSON failed: ${cause}`, { cause });
  }
}

// Authentic text that is not JSON was sealed by someone holding the key, but not by this
// package (seal_bytes in Rust): PAYLOAD, as a typed Rust read would say.
function fromJson(text) {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new SealError("PAYLOAD", `payload: not JSON: ${cause.message}`, { cause });
  }
}

export class Sealer {
  #inner;
  #nameBytes;
  #maxLen;

  constructor(options) {
    ensureReady();
    if (!isObject(options)) {
      throw new SealError("INVALID_OPTION", "invalid option: new Sealer() takes an options object");
    }
    checkOptionNames(options, OPTION_NAMES, "Sealer");
    const keys = keyringText(options.keys);
    const name = stringOption(options, "name");
    const purpose = stringOption(options, "purpose", DEFAULT_PURPOSE);
    const ttl = numberOption(options, "ttl", DEFAULT_TTL);
    const leeway = numberOption(options, "leeway", DEFAULT_LEEWAY);
    const maxLen = numberOption(options, "maxLen", DEFAULT_MAX_LEN);
    this.#inner = call(() => new WasmSealer(keys, name, purpose, ttl, leeway, maxLen));
    this.#nameBytes = utf8Length(name);
    this.#maxLen = maxLen;
  }

  get capacity() {
    return this.#live().capacity;
  }

  seal(data, options) {
    const inner = this.#live();
    const now = nowOption(options);
    const json = toJson(data);
    if (json.length > this.#maxLen) {
      // At least one UTF-8 byte per UTF-16 unit, so it cannot fit. Report it without copying
      // the text into wasm memory, which grows but never shrinks.
      const actual = inner.cookieLen(utf8Length(json));
      throw new SealError(
        "TOO_LARGE",
        `cookie is ${actual} bytes, more than the ${this.#maxLen}-byte limit`,
        { actual, limit: this.#maxLen },
      );
    }
    return call(() => inner.seal(json, now));
  }

  open(value, options) {
    const inner = this.#live();
    const now = nowOption(options);
    if (typeof value !== "string") {
      throw new SealError("MALFORMED", "malformed cookie value: the value is not a string");
    }
    if (value.length > this.#maxLen) {
      const actual = this.#nameBytes + 1 + utf8Length(value);
      throw new SealError(
        "TOO_LARGE",
        `cookie is ${actual} bytes, more than the ${this.#maxLen}-byte limit`,
        { actual, limit: this.#maxLen },
      );
    }
    const opened = call(() => inner.open(value, now));
    const text = opened.data;
    const issuedAt = opened.issuedAt;
    const expiresAt = opened.expiresAt;
    const keyId = opened.keyId;
    const needsReseal = opened.needsReseal;
    opened.free();
    return { data: fromJson(text), issuedAt, expiresAt, keyId, needsReseal };
  }

  free() {
    if (this.#inner !== undefined) {
      this.#inner.free();
      this.#inner = undefined;
    }
  }

  #live() {
    if (this.#inner === undefined) {
      throw new SealError("INVALID_OPTION", "invalid option: this Sealer was freed");
    }
    return this.#inner;
  }
}

// `using sealer = new Sealer(...)` where the engine has explicit resource management.
if (typeof Symbol.dispose === "symbol") {
  Sealer.prototype[Symbol.dispose] = function dispose() {
    this.free();
  };
}

export function generateKey() {
  ensureReady();
  return call(() => wasmGenerateKey());
}

// ---- Sessions ------------------------------------------------------------------------------
// SessionManager wraps the Rust SessionManager (src/session.rs): the core parses the Cookie
// header, joins chunks, decides expiry and renewal and writes the Set-Cookie values. This
// layer converts values, runs the JSON step and the application's isRevoked callback, and
// works on Fetch API Request/Response/Headers objects.

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
    const actual = utf8Length(header);
    throw new SealError(
      "TOO_LARGE",
      `cookie is ${actual} bytes, more than the ${MAX_COOKIE_HEADER_LEN}-byte limit`,
      { actual, limit: MAX_COOKIE_HEADER_LEN },
    );
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

export class SessionManager {
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
    this.#inner = call(() => new WasmSessionManager(keys, name, ...args));
    this.#name = name;
    this.#isRevoked = isRevoked;
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

  async readAsync(cookieHeader, options) {
    const now = nowOption(options);
    const header = cookieHeaderText(cookieHeader);
    if (header === undefined) return null;
    for (let skip = 0; ; skip++) {
      const [session, w] = this.#candidate(header, now, skip);
      if (session === null) return null;
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
    session.id = call(() => newSessionId());
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
