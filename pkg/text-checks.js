// What a JS value must be before it crosses into wasm as text. Shared by both entries (core.js
// and session-core.js); not part of the public API (the package's exports map does not expose it).
//
// A JS string is UTF-16 and wasm-bindgen hands it to Rust as UTF-8. A lone surrogate (half of
// a UTF-16 pair) has no UTF-8 form and would arrive as U+FFFD, so two different strings
// ("reset\uD800", "reset\uDBFF") would become one purpose, subject id or payload. Nothing is
// ever converted: a string that is not well-formed is refused before it crosses.

import { SealError } from "./core.js";

const PREFIXES = {
  INVALID_OPTION: "invalid option",
  INVALID_KEY: "invalid key",
  MALFORMED: "malformed cookie value",
};

// The Rust side reads JSON with serde_json, which stops at 128 levels of nesting; staying
// well under it keeps every value sealed here openable by a typed Rust `open`, and bounds
// the recursion of the copy below.
const MAX_DEPTH = 100;
// A 4096-byte cookie cannot hold more than about 2000 JSON values (each takes at least two
// characters), so walking more than this is wasted work on a payload that cannot fit.
const MAX_VALUES = 4096;

/**
 * Returns `text` if it is well-formed UTF-16; otherwise throws `code` (INVALID_OPTION unless
 * told) naming `what`. The text itself is never echoed: it may be a key. isWellFormed is in
 * every runtime the package supports (Node 20, Deno, workerd, current browsers).
 */
export function wellFormed(text, what, code = "INVALID_OPTION") {
  if (text.isWellFormed()) return text;
  throw new SealError(code, `${PREFIXES[code]}: ${what} holds a lone surrogate (half of a UTF-16 pair), which has no UTF-8 form`);
}

// The path is kept as raw keys and only formatted when a value is refused.
function describe(path) {
  if (path.length === 0) return "the payload";
  return `payload${path.map((k) => (typeof k === "number" ? `[${k}]` : `[${JSON.stringify(k)}]`)).join("")}`;
}

function refuse(path, what) {
  throw new SealError("PAYLOAD", `payload: ${describe(path)} is ${what}, which JSON cannot carry unchanged`);
}

const LONE = "a string with a lone surrogate (half of a UTF-16 pair)";

/**
 * A plain copy of `root`, refusing any value that JSON would drop, change or choke on, so what
 * `open` returns always equals what was sealed. Each property is read exactly once, and the
 * copy (plain arrays and objects, holding no getters, Proxies or toJSON) is what
 * JSON.stringify writes: no getter or trap can change the text after it was checked.
 * Bounded in depth and work. Symbol-keyed and non-enumerable properties are not looked at:
 * like JSON.stringify everywhere, they are not part of the data.
 */
function checkedCopy(root) {
  let count = 0;
  const path = []; // keys from the root, formatted only if a value is refused
  const ancestors = []; // containers on the current path, to tell a cycle from deep nesting

  function copy(value, depth) {
    if (++count > MAX_VALUES) {
      throw new SealError("PAYLOAD", `payload: more than ${MAX_VALUES} values; that cannot fit in a cookie`);
    }
    switch (typeof value) {
      case "string":
        // JSON.stringify would write it as an escape (\ud800) that a typed Rust open refuses.
        if (!value.isWellFormed()) refuse(path, LONE);
        return value;
      case "boolean":
        return value;
      case "number":
        // -0 is accepted: JSON writes it as 0, and -0 === 0, so it compares equal after open.
        if (!Number.isFinite(value)) refuse(path, String(value));
        return value;
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
    if (value === null) return null;
    if (depth >= MAX_DEPTH) {
      // A cycle always ends here too; only then is the (short) ancestor list searched.
      if (ancestors.includes(value)) refuse(path, "a reference back to itself (a cycle)");
      throw new SealError("PAYLOAD", `payload: nested deeper than ${MAX_DEPTH} levels`);
    }
    const proto = Object.getPrototypeOf(value);
    ancestors.push(value);
    let out;
    if (Array.isArray(value)) {
      if (proto !== Array.prototype) refuse(path, "an Array subclass");
      const length = value.length;
      // More enumerable keys than elements: named properties JSON.stringify would drop.
      // (Fewer: holes, which are refused as undefined below, with their index.)
      if (Object.keys(value).length > length) refuse(path, "an array with extra named properties");
      out = [];
      for (let i = 0; i < length; i++) {
        path.push(i);
        out.push(copy(value[i], depth + 1));
        path.pop();
      }
    } else {
      if (proto !== Object.prototype && proto !== null) {
        const ctor = proto && typeof proto.constructor === "function" ? proto.constructor.name : "";
        refuse(path, ctor ? `a ${ctor}` : "an object with a custom prototype");
      }
      out = {};
      for (const key of Object.keys(value)) {
        path.push(key);
        if (!key.isWellFormed()) refuse(path, `a key that is ${LONE}`);
        const item = copy(value[key], depth + 1);
        // Assigning "__proto__" would set the copy's prototype instead of a property.
        if (key === "__proto__") Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
        else out[key] = item;
        path.pop();
      }
    }
    ancestors.pop();
    return out;
  }

  return copy(root, 0);
}

// The one way a payload becomes text, for seal and sessions: the checked copy, stringified.
export function toJson(data) {
  let copy;
  try {
    copy = checkedCopy(data);
  } catch (cause) {
    if (cause instanceof SealError) throw cause;
    // A getter or a Proxy trap that throws, for instance.
    throw new SealError("PAYLOAD", `payload: reading it as JSON failed: ${cause}`, { cause });
  }
  return JSON.stringify(copy);
}
