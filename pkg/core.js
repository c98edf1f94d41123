// The public JavaScript API over the wasm binding (src/wasm.rs), shared by both entries:
// `cookie-seal` (Sealer only, over cookie_seal.js) and `cookie-seal/sessions` (over
// cookie_seal_sessions.js, with session-core.js on top). The entry files pass their glue's
// exports to bindSealer() and re-export what it returns, so this code exists once while each
// wasm module gets its own Sealer, bound to its own instance. JSON is done by the engine's
// own JSON.stringify/JSON.parse (text-checks.js checks what is written, and every other string
// bound for wasm); the wasm only ever sees text and returns text.
// Options objects go to Rust as their entries (optionEntries), where serde checks names and
// types and applies every default; errors come back as the JSON text of { code, message,
// details }. Not part of the public API (the package's exports map does not expose this file).

import { toJson, wellFormed } from "./text-checks.js";
// aes-backend hook: which AES-256-GCM the wasm uses (node:crypto or its own software AES).
import { bindAes } from "./aes-backend.js";

const INIT_OPTION_NAMES = new Set(["aesBackend"]);

const CALL_OPTION_NAMES = new Set(["now"]);
// Key ids and base64url keys use one alphabet. Checking it here stops an id or key holding
// "," or ":" from smuggling an extra entry into the keyring text handed to Rust.
const KEY_TEXT = /^[A-Za-z0-9_-]+$/;

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

// The binding's error text ({ code, message, details }, src/wasm.rs) as a SealError.
export function fromWasm(text) {
  const { code, message, details } = JSON.parse(text);
  return new SealError(code, message, details);
}

// Text enters wasm as UTF-8 bytes (src/wasm.rs says why): a Sealer's text and a session's,
// and a Cookie header. Up to a cookie's worth (4096 units, so ≤ 12 KB) through one reused
// buffer, which the glue copies out at once (synchronous); longer text (a chunked session, a
// long header) in a fresh array, so that one large request does not keep memory for good.
const encoder = new TextEncoder();
const SCRATCH_LEN = 3 * 4096;
const scratch = new Uint8Array(SCRATCH_LEN);

export function utf8(text) {
  const n = text.length;
  if (n * 3 > SCRATCH_LEN) return encoder.encode(text);
  // Short ASCII by hand: cheaper than encodeInto's call and result object.
  if (n <= 256) {
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) break;
      scratch[i] = c;
    }
    if (i === n) return scratch.subarray(0, n);
  }
  return scratch.subarray(0, encoder.encodeInto(text, scratch).written);
}

export function isObject(value) {
  return typeof value === "object" && value !== null;
}

export function checkOptionNames(options, allowed, what) {
  for (const name of Object.keys(options)) {
    if (!allowed.has(name)) {
      // A typo such as `maxAge` would otherwise be ignored and the default used silently.
      throw new SealError("INVALID_OPTION", `invalid option: unknown ${what} option "${name}"`);
    }
  }
}

/**
 * The entries of an options object as the binding reads them (src/wasm/options.rs):
 * `[names, values]`, `keys` as keyring text, undefined values left out (so the Rust default
 * applies), and a nested plain object (`rememberMe`) flattened to `rememberMe.idleTimeout`.
 * Names and types are checked in Rust. `skip` lists the keys handled here (`isRevoked`, the store options).
 */
export function optionEntries(options, what, skip) {
  if (!isObject(options)) {
    throw new SealError("INVALID_OPTION", `invalid option: new ${what}() takes an options object`);
  }
  const names = ["keys"];
  const values = [keyringText(options.keys)];
  const add = (name, value) => {
    if (value !== undefined) {
      // Names and string values cross as text: refused unless well-formed, never converted.
      names.push(wellFormed(name, "an option name"));
      values.push(typeof value === "string" ? wellFormed(value, name) : value);
    }
  };
  for (const [name, value] of Object.entries(options)) {
    if (name === "keys" || skip?.includes(name)) continue;
    if (isObject(value) && Object.getPrototypeOf(value) === Object.prototype) {
      for (const [inner, v] of Object.entries(value)) add(`${name}.${inner}`, v);
    } else add(name, value);
  }
  return [names, values];
}

// The wasm object behind a public class (Sealer, SessionManager): `this[LIVE]()` gives it, or
// refuses once free() has run; `using` works where the engine has explicit resource management.
export const LIVE = Symbol("cookie-seal live");

export class WasmBacked {
  #inner;
  #what;

  constructor(inner, what) {
    this.#inner = inner;
    this.#what = what;
  }

  free() {
    if (this.#inner !== undefined) {
      this.#inner.free();
      this.#inner = undefined;
    }
  }

  [LIVE]() {
    if (this.#inner === undefined) {
      throw new SealError("INVALID_OPTION", `invalid option: this ${this.#what} was freed`);
    }
    return this.#inner;
  }
}

if (typeof Symbol.dispose === "symbol") {
  WasmBacked.prototype[Symbol.dispose] = function dispose() {
    this.free();
  };
}

export function numberOption(options, name, fallback) {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== "number") {
    throw new SealError("INVALID_OPTION", `invalid option: ${name} must be a number`);
  }
  return value; // range and integrality are checked in Rust
}

export function keyringText(keys) {
  if (typeof keys === "string") return wellFormed(keys, "keys", "INVALID_KEY");
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

export function nowOption(options) {
  if (options === undefined) return Math.floor(Date.now() / 1000);
  if (!isObject(options)) {
    throw new SealError("INVALID_OPTION", "invalid option: the options argument must be an object");
  }
  checkOptionNames(options, CALL_OPTION_NAMES, "call");
  return numberOption(options, "now", Math.floor(Date.now() / 1000));
}

// UTF-8 length of a JS string, counted without allocating, for size errors.
export function utf8Length(text) {
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

// Authentic text that is not JSON was sealed by someone holding the key, but not by this
// package (seal_bytes in Rust): PAYLOAD, as a typed Rust read would say.
export function fromJson(text) {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new SealError("PAYLOAD", `payload: not JSON: ${cause.message}`, { cause });
  }
}

/**
 * The Sealer API over one wasm-bindgen glue module (`import * as wasm from "./cookie_seal.js"`
 * or "./cookie_seal_sessions.js"). `instantiated` is true when the entry file has already
 * run the glue's initSync (Node, Deno, workerd), so init() is a no-op; browsers leave it
 * false and `await init()` fetches the wasm. Returns the public API plus ensureReady and
 * call, which session-core.js needs against the same instance.
 */
export function bindSealer(wasm, instantiated) {
  let ready = instantiated === true;
  let pending;
  // aes-backend hook: the choice is made once the instance exists, and again by init(options).
  const aes = bindAes(wasm, (message) => new SealError("INVALID_OPTION", message));
  if (ready) aes.choose();

  // init(input?, options?) or init(options): a plain object is never wasm input.
  async function init(input, options) {
    if (options === undefined && isObject(input) && Object.getPrototypeOf(input) === Object.prototype) {
      [input, options] = [undefined, input];
    }
    if (options !== undefined) {
      if (!isObject(options)) throw new SealError("INVALID_OPTION", "invalid option: init options must be an object");
      checkOptionNames(options, INIT_OPTION_NAMES, "init");
    }
    if (!ready) await load(input);
    if (options?.aesBackend !== undefined) aes.choose(options.aesBackend);
  }

  function load(input) {
    if (pending === undefined) {
      const arg = input === undefined ? undefined : { module_or_path: input };
      pending = wasm.default(arg).then(
        () => {
          ready = true;
          aes.choose();
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

  function ensureReady() {
    if (!ready) {
      throw new SealError(
        "NOT_INITIALIZED",
        "cookie-seal is not initialised yet: `await init()` once before using it",
      );
    }
  }

  // Runs a wasm call and turns the binding's error text into a SealError. Anything else that
  // escapes would be a defect in the binding (it never panics on input) and is rethrown as is.
  function call(fn) {
    try {
      return fn();
    } catch (err) {
      if (typeof err === "string") throw fromWasm(err);
      throw err;
    }
  }

  class Sealer extends WasmBacked {
    // aes-backend hook: "node-crypto" or "software", for every Sealer of this entry.
    static get aesBackend() {
      ensureReady();
      return aes.name();
    }

    #maxLen;

    constructor(options) {
      ensureReady();
      const [names, values] = optionEntries(options, "Sealer");
      const inner = call(() => new wasm.WasmSealer(names, values));
      super(inner, "Sealer");
      this.#maxLen = inner.maxLen;
    }

    get capacity() {
      return this[LIVE]().capacity;
    }

    seal(data, options) {
      const inner = this[LIVE]();
      const now = nowOption(options);
      const json = toJson(data);
      if (json.length > this.#maxLen) {
        // At least one UTF-8 byte per UTF-16 unit, so it cannot fit. Report it without copying
        // the text into wasm memory, which grows but never shrinks.
        throw fromWasm(inner.tooLarge(utf8Length(json), false));
      }
      const bytes = utf8(json);
      try {
        return call(() => inner.seal(bytes, now));
      } finally {
        bytes.fill(0); // no plaintext left behind
      }
    }

    open(value, options) {
      const inner = this[LIVE]();
      const now = nowOption(options);
      if (typeof value !== "string") {
        throw new SealError("MALFORMED", "malformed cookie value: the value is not a string");
      }
      if (value.length > this.#maxLen) throw fromWasm(inner.tooLarge(utf8Length(value), true));
      wellFormed(value, "the value", "MALFORMED");
      const bytes = utf8(value);
      const [text, issuedAt, expiresAt, keyId, needsReseal] = call(() => inner.open(bytes, now));
      return { data: fromJson(text), issuedAt, expiresAt, keyId, needsReseal };
    }
  }

  function generateKey() {
    ensureReady();
    return call(() => wasm.generateKey());
  }

  return { init, Sealer, generateKey, ensureReady, call };
}
