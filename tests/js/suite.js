// The one JS test suite, run unchanged in Node (node.test.js), Deno (deno.test.js) and a
// Cloudflare worker (workerd/worker.js). It imports nothing runtime-specific: the runner
// passes in the installed package's API, the frozen vectors and the natively sealed values.
//
// cases(ctx) returns [{ name, fn }]; fn throws on failure.
//   ctx.api     the module `cookie-seal` (the main entry, Sealer only) as installed from the
//               packed tarball: the Sealer cases run against it
//   ctx.sessionsApi the module `cookie-seal/sessions` from the same tarball: the session
//               cases run against it
//   ctx.vectors tests/vectors/seal-v1.json
//   ctx.openVectors tests/vectors/open-v1.json
//   ctx.native  values sealed by the native Rust helper (cross_runtime example), or null;
//               ctx.native.sessions: Cookie headers of sessions it signed in at T0
//   ctx.sessionVectors tests/vectors/session-v1.json
//   ctx.wasmMemories the WebAssembly.Memory of each wasm instance the package made (the runner
//               imports wasm-memory.js before the package), searched for key bytes after free()
//   ctx.revalidationVectors tests/vectors/revalidation-v1.json (Node runner): the reader's
//               results and validatedAt, and a write that keeps the claim
//   ctx.ruleVectors tests/vectors/rules-v1.json (given by the Node and Deno runners; its
//               open and read sections run here, the write side is checked natively)
//   ctx.aes     the AES backend this run must be on ("node-crypto" or "software"), after the
//               runner applied ctx.aesChoice (init({ aesBackend }); undefined: the default)
//   ctx.hostAes true where the runtime has a synchronous node:crypto AES-256-GCM

const T0 = 1_700_000_000;
const KEY1 = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE"; // 32 bytes of 0x01, as tests/common uses
const KEY2 = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI"; // 32 bytes of 0x02
const PAYLOAD = { uid: 42, role: "admin" };

// What this runtime seals for the native helper to open: [{ name, data }] under the
// standard sealer at T0. The runner sends the sealed values to the helper.
export const CROSS_PAYLOADS = [
  { name: "object", data: { uid: 42, role: "admin", perms: ["a", "b"], nested: { ok: true } } },
  { name: "unicode", data: { s: "é 中 😀 \u2028", pair: "\ud83d\ude00" } },
  { name: "number", data: 1.5e300 },
  { name: "string", data: "plain" },
  { name: "null", data: null },
  { name: "empty-object", data: {} },
];

export class AssertionError extends Error {}

function fail(message) {
  throw new AssertionError(message);
}

function show(value) {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export function deepEqual(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
}

function eq(actual, expected, what) {
  if (!deepEqual(actual, expected)) fail(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

function ok(cond, what) {
  if (!cond) fail(what);
}

// ---- base64url without padding, for forging values the way tests/common/mod.rs tamper() does
function decode(text) {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function encode(bytes) {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// XAES-256-GCM's per-key subkey K1 = dbl(AES-256_K(0^128)) (C2SP XAES-256-GCM), with Web
// Crypto: AES-CBC with a zero IV encrypts one zero block as AES_K(0^128) first.
async function xaesSubkey(raw) {
  const key = await globalThis.crypto.subtle.importKey("raw", raw, "AES-CBC", false, ["encrypt"]);
  const l = new Uint8Array(await globalThis.crypto.subtle.encrypt({ name: "AES-CBC", iv: new Uint8Array(16) }, key, new Uint8Array(16)), 0, 16);
  const k1 = l.map((b, i) => ((b << 1) | (i < 15 ? l[i + 1] >> 7 : 0)) & 0xff);
  if (l[0] & 0x80) k1[15] ^= 0x87;
  return k1;
}

// Whether `needle` occurs in `haystack` (both Uint8Array).
function contains(haystack, needle) {
  for (let i = haystack.indexOf(needle[0]); i !== -1; i = haystack.indexOf(needle[0], i + 1)) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return true;
  }
  return false;
}

function tamper(value, change) {
  const raw = Array.from(decode(value));
  change(raw);
  return encode(Uint8Array.from(raw));
}

export function cases(ctx) {
  const { Sealer, SealError, generateKey, init } = ctx.api;
  const list = [];
  const test = (name, fn) => list.push({ name, fn });

  const sealer = (extra = {}) => new Sealer({ keys: `k1:${KEY1}`, name: "session", ...extra });

  // The call must fail with a SealError whose code is one of `codes`; returns the error.
  function fails(fn, codes, what) {
    codes = [].concat(codes);
    let result;
    try {
      result = fn();
    } catch (err) {
      if (!(err instanceof SealError)) {
        fail(`${what}: threw ${err && err.constructor && err.constructor.name}: ${err}, not a SealError`);
      }
      ok(err instanceof Error, `${what}: SealError is not an Error`);
      ok(err.name === "SealError", `${what}: name is ${err.name}`);
      ok(codes.includes(err.code), `${what}: code ${err.code} (${err.message}), expected ${codes}`);
      ok(typeof err.message === "string" && err.message.length > 0, `${what}: empty message`);
      return err;
    }
    fail(`${what}: succeeded with ${show(result)}, expected ${codes}`);
  }

  // After every bad input, the same instance must still seal and open: a panic in wasm would
  // have killed the instance, and every later call would throw.
  function stillWorks(s, what) {
    const v = s.seal(PAYLOAD, { now: T0 });
    eq(s.open(v, { now: T0 }).data, PAYLOAD, `${what}: round trip afterwards`);
  }

  test("init() is idempotent and the API is synchronous afterwards", async () => {
    await init();
    await init();
    const s = sealer();
    const value = s.seal(PAYLOAD);
    ok(typeof value === "string", "seal returns a string synchronously");
    eq(s.open(value).data, PAYLOAD, "open returns the data synchronously");
  });

  test("round trip keeps every JSON value and reports the claims", () => {
    const s = sealer({ ttl: 3600 });
    const values = [
      PAYLOAD,
      { nested: { deeper: [1, 2, { x: null }] }, t: true, f: false },
      [1, "two", 3.25, -7, 0, 1e-7, Number.MAX_SAFE_INTEGER],
      "a string with \"quotes\", \\ and \n newlines",
      "é 中 😀 \u2028 \u0000",
      "a surrogate pair \ud83d\ude00 kept",
      0,
      -1.5,
      true,
      null,
      {},
      [],
      Object.assign(Object.create(null), { nullProto: 1 }),
      { ["__proto__"]: 1 }, // a computed key is an ordinary own property
    ];
    for (const data of values) {
      const value = s.seal(data, { now: T0 });
      ok(/^[A-Za-z0-9_-]+$/.test(value), `value is base64url: ${value}`);
      const opened = s.open(value, { now: T0 + 10 });
      eq(opened.data, JSON.parse(JSON.stringify(data)), `data of ${show(data)}`);
      eq(opened.issuedAt, T0, "issuedAt");
      eq(opened.expiresAt, T0 + 3600, "expiresAt");
      eq(opened.keyId, "k1", "keyId");
      eq(opened.needsReseal, false, "needsReseal");
      eq(Object.keys(opened).sort(), ["data", "expiresAt", "issuedAt", "keyId", "needsReseal"], "fields");
    }
    // -0 is documented as accepted and opening as 0.
    eq(s.open(s.seal(-0, { now: T0 }), { now: T0 }).data, 0, "-0 opens as 0");
  });

  test("defaults: now is the clock, ttl 7 days, purpose session, capacity for 4096", () => {
    const s = sealer();
    const before = Math.floor(Date.now() / 1000);
    const opened = s.open(s.seal(PAYLOAD));
    const after = Math.floor(Date.now() / 1000);
    ok(opened.issuedAt >= before && opened.issuedAt <= after, `issuedAt ${opened.issuedAt} is now`);
    eq(opened.expiresAt - opened.issuedAt, 7 * 86400, "default ttl");
    // "session" is the default purpose: an explicit one opens the same value.
    const explicit = sealer({ purpose: "session" });
    eq(explicit.open(s.seal(PAYLOAD)).data, PAYLOAD, "default purpose is session");
    eq(s.capacity, 3005, "capacity, as the Rust doc example for cookie 'session'");
  });

  test("generateKey() returns distinct 32-byte base64url keys that work", () => {
    const a = generateKey();
    const b = generateKey();
    ok(/^[A-Za-z0-9_-]{43}$/.test(a), `key shape: ${a}`);
    ok(a !== b, "keys differ");
    eq(decode(a).length, 32, "32 bytes");
    const s = new Sealer({ keys: [{ id: "g", key: a }], name: "n" });
    eq(s.open(s.seal([1])).data, [1], "a generated key seals");
  });

  test("keys as an array: first is primary, others open", () => {
    const s = new Sealer({ keys: [{ id: "k2", key: KEY2 }, { id: "k1", key: KEY1 }], name: "session" });
    const opened = s.open(s.seal(PAYLOAD, { now: T0 }), { now: T0 });
    eq(opened.keyId, "k2", "primary seals");
    const fromText = new Sealer({ keys: `k2:${KEY2},k1:${KEY1}`, name: "session" });
    eq(fromText.open(s.seal(PAYLOAD, { now: T0 }), { now: T0 }).data, PAYLOAD, "same keyring as text");
  });

  test("key rotation: old values open with needsReseal, reseal moves them to the new key", () => {
    const old = sealer();
    const value = old.seal(PAYLOAD, { now: T0 });
    const rotated = new Sealer({ keys: `k2:${KEY2},k1:${KEY1}`, name: "session" });
    const opened = rotated.open(value, { now: T0 + 5 });
    eq(opened.data, PAYLOAD, "data");
    eq(opened.keyId, "k1", "opened with the old key");
    eq(opened.needsReseal, true, "needsReseal");
    const resealed = rotated.seal(opened.data, { now: T0 + 5 });
    const again = rotated.open(resealed, { now: T0 + 5 });
    eq([again.keyId, again.needsReseal], ["k2", false], "resealed under the primary");
    const retired = new Sealer({ keys: `k2:${KEY2}`, name: "session" });
    fails(() => retired.open(value, { now: T0 }), "UNKNOWN_KEY", "k1 retired");
    eq(retired.open(resealed, { now: T0 + 5 }).data, PAYLOAD, "the resealed value outlives k1");
  });

  test("MALFORMED: empty, non-base64url, non-string values", () => {
    const s = sealer();
    const value = s.seal(PAYLOAD, { now: T0 });
    const bad = [
      "",
      "!!!",
      `${value}==`,
      ` ${value}`,
      `${value}\n`,
      value.replace(/-/g, "+").replace(/_/g, "/") + "+/",
      `"${value}"`,
      `${value.slice(0, -2)}é`,
      `${value.slice(0, -1)}\0`,
      "AQ", // a version byte and nothing else
    ];
    for (const v of bad) {
      fails(() => s.open(v, { now: T0 }), "MALFORMED", `open(${show(v)})`);
      stillWorks(s, show(v));
    }
    for (const v of [undefined, null, 42, {}, ["x"], new String(value)]) {
      fails(() => s.open(v, { now: T0 }), "MALFORMED", `open(${show(v)})`);
    }
    stillWorks(s, "non-strings");
  });

  test("UNSUPPORTED_VERSION: other format versions", () => {
    const s = sealer();
    const value = s.seal(PAYLOAD, { now: T0 });
    for (const version of [0, 2, 0xff]) {
      const forged = tamper(value, (raw) => {
        raw[0] = version;
      });
      fails(() => s.open(forged, { now: T0 }), "UNSUPPORTED_VERSION", `version ${version}`);
      stillWorks(s, `version ${version}`);
    }
  });

  test("UNKNOWN_KEY and BAD_SEAL: other keys, names, purposes", () => {
    const s = sealer();
    const value = s.seal(PAYLOAD, { now: T0 });
    fails(() => new Sealer({ keys: `k9:${KEY1}`, name: "session" }).open(value, { now: T0 }), "UNKNOWN_KEY", "other id");
    fails(() => new Sealer({ keys: `k1:${KEY2}`, name: "session" }).open(value, { now: T0 }), "BAD_SEAL", "same id, other key");
    fails(() => sealer({ name: "session2" }).open(value, { now: T0 }), "BAD_SEAL", "other cookie name");
    fails(() => sealer({ purpose: "magic-link" }).open(value, { now: T0 }), "BAD_SEAL", "other purpose");
    const err = fails(() => new Sealer({ keys: `k1:${KEY2}`, name: "session" }).open(value, { now: T0 }), "BAD_SEAL", "opaque");
    eq(err.message, "cookie failed authentication", "BAD_SEAL says nothing more");
    stillWorks(s, "after foreign values");
  });

  test("EXPIRED and NOT_YET_VALID at the leeway boundaries", () => {
    const s = sealer({ ttl: 100, leeway: 10 });
    const value = s.seal(PAYLOAD, { now: T0 });
    eq(s.open(value, { now: T0 + 110 }).data, PAYLOAD, "last second within leeway");
    const expired = fails(() => s.open(value, { now: T0 + 111 }), "EXPIRED", "one second later");
    eq(expired.expiresAt, T0 + 100, "expiresAt detail");
    eq(s.open(value, { now: T0 - 10 }).data, PAYLOAD, "earliest second within leeway");
    const early = fails(() => s.open(value, { now: T0 - 11 }), "NOT_YET_VALID", "one second earlier");
    eq(early.validFrom, T0, "validFrom detail");
    const exact = sealer({ ttl: 100, leeway: 0 });
    const v2 = exact.seal(PAYLOAD, { now: T0 });
    fails(() => exact.open(v2, { now: T0 + 101 }), "EXPIRED", "zero leeway");
    stillWorks(s, "after time errors");
  });

  test("TOO_LARGE: exact capacity fits, one byte more reports actual and limit", () => {
    for (const [name, maxLen] of [["session", 4096], ["t", 200], ["__Host-session", 1000]]) {
      const s = sealer({ name, maxLen });
      const cap = s.capacity;
      // A JSON string of cap bytes: the quotes take 2.
      const fits = "x".repeat(cap - 2);
      const value = s.seal(fits, { now: T0 });
      const cookie = name.length + 1 + value.length;
      // Within the limit, and tight: base64 adds at most 2 characters per extra byte.
      ok(cookie <= maxLen && cookie > maxLen - 3, `${name}: cookie ${cookie} just within ${maxLen}`);
      const err = fails(() => s.seal(fits + "x", { now: T0 }), "TOO_LARGE", `${name}: capacity + 1`);
      eq(err.limit, maxLen, "limit");
      ok(err.actual > maxLen && err.actual <= maxLen + 4, `actual ${err.actual} just over ${maxLen}`);
      // Multi-byte characters count in UTF-8 bytes, not UTF-16 units.
      fails(() => s.seal("é".repeat(Math.ceil(cap / 2)), { now: T0 }), "TOO_LARGE", "UTF-8 bytes counted");
      stillWorks(s, `${name} after TOO_LARGE`);
    }
    const s = sealer();
    const huge = "A".repeat(1 << 20);
    const openErr = fails(() => s.open(huge, { now: T0 }), "TOO_LARGE", "megabyte value");
    eq([openErr.actual, openErr.limit], ["session=".length + (1 << 20), 4096], "open sizes, as Rust reports them");
    const sealErr = fails(() => s.seal(huge, { now: T0 }), "TOO_LARGE", "megabyte payload");
    eq(sealErr.limit, 4096, "seal limit");
    eq(sealErr.actual > (1 << 20), true, "seal actual counts the whole cookie");
    stillWorks(s, "after megabyte inputs");
  });

  test("PAYLOAD: values JSON cannot round-trip are refused, never changed", () => {
    const s = sealer();
    class Point {
      constructor() {
        this.x = 1;
      }
    }
    const cyclic = { a: 1 };
    cyclic.self = cyclic;
    const cyclicArray = [1];
    cyclicArray.push(cyclicArray);
    const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const extra = [1, 2];
    extra.note = "dropped by JSON";
    let deep = 1;
    for (let i = 0; i < 200; i++) deep = [deep];
    const wide = Array.from({ length: 5000 }, () => 0);
    const refused = [
      ["undefined", undefined],
      ["undefined in an object", { a: undefined }],
      ["undefined in an array", [undefined]],
      ["a function", () => 1],
      ["a function in an object", { f() {} }],
      ["a symbol", Symbol("x")],
      ["a BigInt", 10n],
      ["NaN", NaN],
      ["Infinity", { n: Infinity }],
      ["-Infinity", [-Infinity]],
      ["a Date", new Date(0)],
      ["a Map", new Map([[1, 2]])],
      ["a Set", new Set([1])],
      ["a RegExp", /x/],
      ["a class instance", new Point()],
      ["a boxed number", new Number(1)],
      ["a typed array", new Uint8Array(2)],
      ["an object with toJSON", { toJSON: () => "changed" }],
      ["a cycle", cyclic],
      ["an array cycle", cyclicArray],
      ["a sparse array", sparse],
      ["an array with extra named properties", extra],
      ["absurd depth", deep],
      ["absurd width", wide],
      ["an Array subclass", new (class Sub extends Array {})()],
      // JSON.stringify writes "\ud800", which this package would open but a typed Rust open refuses.
      ["a lone surrogate", "\ud800"],
      ["a lone low surrogate in an object", { s: "x\udfff" }],
      ["a lone surrogate in an array", ["ok", "\udbff!"]],
      ["a lone surrogate in a key", { ["k\ud800"]: 1 }],
    ];
    for (const [what, data] of refused) {
      fails(() => s.seal(data, { now: T0 }), "PAYLOAD", what);
      stillWorks(s, what);
    }
    // A shared (not cyclic) reference is fine: JSON writes it twice.
    const shared = { n: 1 };
    eq(s.open(s.seal({ a: shared, b: shared }, { now: T0 }), { now: T0 }).data, { a: { n: 1 }, b: { n: 1 } }, "shared reference");
    // Symbol-keyed properties are not JSON data, as JSON.stringify documents: not sealed.
    eq(s.open(s.seal({ a: 1, [Symbol("s")]: 2 }, { now: T0 }), { now: T0 }).data, { a: 1 }, "symbol key");
    // A throwing getter fails inside JSON.stringify; still a SealError.
    const getter = {
      get boom() {
        throw new Error("getter");
      },
    };
    fails(() => s.seal(getter, { now: T0 }), "PAYLOAD", "throwing getter");
    stillWorks(s, "after PAYLOAD refusals");
  });

  test("PAYLOAD: what is sealed is the value as read once (getters, Proxies, toJSON)", () => {
    const s = sealer();
    const roundTrip = (data) => s.open(s.seal(data, { now: T0 }), { now: T0 }).data;
    // A getter that answers differently the second time it is read.
    let reads = 0;
    const getter = {
      get a() {
        reads += 1;
        return reads === 1 ? 1 : undefined;
      },
    };
    eq(roundTrip(getter), { a: 1 }, "a getter's first answer is what is sealed");
    eq(reads, 1, "the getter is read once");
    // A Proxy whose get trap changes its answer.
    let gets = 0;
    const trap = new Proxy({ a: 1 }, {
      get(target, key) {
        if (key !== "a") return Reflect.get(target, key);
        gets += 1;
        return gets === 1 ? "checked" : "swapped";
      },
    });
    eq(roundTrip(trap), { a: "checked" }, "a Proxy's first answer is what is sealed");
    eq(gets, 1, "the trap is asked once");
    // A toJSON the check does not see (not enumerable) does not rewrite what is sealed.
    const hidden = Object.defineProperty({ a: 1 }, "toJSON", { value: () => ({ a: undefined, b: 2 }) });
    eq(roundTrip(hidden), { a: 1 }, "a non-enumerable toJSON is not called");
    eq(roundTrip([Object.defineProperty([1], "toJSON", { value: () => "x" })]), [[1]], "nor on an array");
    // A property named __proto__ stays data.
    eq(roundTrip(JSON.parse('{"__proto__": {"x": 1}}')), JSON.parse('{"__proto__": {"x": 1}}'), "a __proto__ key");
    stillWorks(s, "after shifting values");
  });

  test("text into wasm: a string that is not well-formed UTF-16 is refused, never converted", () => {
    // In Rust a lone surrogate would arrive as U+FFFD: these two purposes would be one.
    fails(() => sealer({ purpose: "reset\ud800" }), "INVALID_OPTION", "purpose with a lone high surrogate");
    fails(() => sealer({ purpose: "reset\udbff" }), "INVALID_OPTION", "purpose with another one");
    fails(() => sealer({ purpose: "\udc00reset" }), "INVALID_OPTION", "purpose with a lone low surrogate");
    fails(() => sealer({ name: "session\ud800" }), "INVALID_OPTION", "name");
    fails(() => new Sealer({ keys: `k1:${KEY1}\ud800`, name: "n" }), "INVALID_KEY", "keys text");
    fails(() => new Sealer({ keys: [{ id: "k1\ud800", key: KEY1 }], name: "n" }), "INVALID_KEY", "key id");
    const s = sealer({ purpose: "réinitialiser 😀" }); // well-formed non-ASCII is fine
    const value = s.seal(PAYLOAD, { now: T0 });
    eq(s.open(value, { now: T0 }).data, PAYLOAD, "a well-formed purpose");
    fails(() => sealer({ purpose: "réinitialiser \ud83d" }).open(value, { now: T0 }), "INVALID_OPTION", "half of its emoji");
    fails(() => s.open(`${value}\ud800`, { now: T0 }), "MALFORMED", "a value with a lone surrogate");
    stillWorks(s, "after refused text");
  });

  test("INVALID_KEY: bad keyrings", () => {
    const bad = [
      "",
      "k1",
      "k1:short",
      `k1:${KEY1}=`,
      `k1:${KEY1},k1:${KEY2}`, // duplicate id
      `has space:${KEY1}`,
      `${"x".repeat(17)}:${KEY1}`,
      [],
      [{ id: "k1" }],
      [{ id: "k1", key: KEY1 }, null],
      [{ id: "k1", key: `${KEY1},k2:${KEY2}` }], // smuggling a second entry
      [{ id: "k1:x", key: KEY1 }],
      [{ id: " k1", key: KEY1 }],
      Array.from({ length: 33 }, (_, i) => ({ id: `k${i}`, key: KEY1 })),
      undefined,
      42,
    ];
    for (const keys of bad) {
      const err = fails(() => new Sealer({ keys, name: "session" }), "INVALID_KEY", `keys ${show(keys)}`);
      ok(!err.message.includes(KEY1) && !err.message.includes(KEY2), `message leaks no key: ${err.message}`);
    }
  });

  test("INVALID_OPTION: bad options and call options", () => {
    const base = { keys: `k1:${KEY1}`, name: "session" };
    const bad = [
      { name: "" },
      { name: "a b" },
      { name: "a;b" },
      { name: "café" },
      { name: 42 },
      { purpose: "" },
      { purpose: "x".repeat(256) },
      { purpose: "tab\t" },
      { ttl: 0 },
      { ttl: -1 },
      { ttl: 1.5 },
      { ttl: NaN },
      { ttl: Infinity },
      { ttl: "3600" },
      { ttl: 10n },
      { ttl: 2 ** 53 },
      { leeway: 3601 },
      { leeway: -1 },
      { maxLen: 5000 },
      { maxLen: 50 },
      { maxLen: 4096.5 },
      { maxAge: 3600 }, // unknown option, a likely typo
    ];
    for (const extra of bad) {
      fails(() => new Sealer({ ...base, ...extra }), "INVALID_OPTION", `option ${show(extra)} ${String(Object.values(extra)[0])}`);
    }
    fails(() => new Sealer(), "INVALID_OPTION", "no options");
    fails(() => new Sealer({ keys: `k1:${KEY1}` }), "INVALID_OPTION", "no name");
    const s = new Sealer(base);
    const value = s.seal(PAYLOAD, { now: T0 });
    for (const now of [-1, 1.5, NaN, Infinity, "1700000000", 2 ** 53, 10n]) {
      fails(() => s.seal(PAYLOAD, { now }), "INVALID_OPTION", `seal now ${String(now)}`);
      fails(() => s.open(value, { now }), "INVALID_OPTION", `open now ${String(now)}`);
    }
    fails(() => s.seal(PAYLOAD, 5), "INVALID_OPTION", "options not an object");
    fails(() => s.open(value, { now: T0, nwo: 1 }), "INVALID_OPTION", "unknown call option");
    // The largest safe timestamp plus the ttl overflows nothing: Rust checks in u64.
    const far = s.seal(PAYLOAD, { now: Number.MAX_SAFE_INTEGER });
    eq(s.open(far, { now: Number.MAX_SAFE_INTEGER }).issuedAt, Number.MAX_SAFE_INTEGER, "far future");
    stillWorks(s, "after bad options");
  });

  test("RANDOM_FAILED: a failing crypto.getRandomValues is reported, nothing sealed", () => {
    const s = sealer();
    const cryptoObj = globalThis.crypto;
    const original = cryptoObj.getRandomValues;
    let err;
    try {
      Object.defineProperty(cryptoObj, "getRandomValues", {
        configurable: true,
        writable: true,
        value: () => {
          throw new Error("entropy source unavailable");
        },
      });
      ok(cryptoObj.getRandomValues !== original, "could not replace crypto.getRandomValues");
      err = fails(() => s.seal(PAYLOAD, { now: T0 }), "RANDOM_FAILED", "seal without randomness");
      fails(() => generateKey(), "RANDOM_FAILED", "generateKey without randomness");
    } finally {
      // Restore by deleting the own property when the method lives on the prototype.
      if (Object.getPrototypeOf(cryptoObj).getRandomValues === original) delete cryptoObj.getRandomValues;
      else Object.defineProperty(cryptoObj, "getRandomValues", { configurable: true, writable: true, value: original });
    }
    ok(err.message.includes("random"), `message: ${err.message}`);
    stillWorks(s, "after RANDOM_FAILED");
  });

  test("tamper suite: every bit flip, truncation and extension fails with a SealError", () => {
    const s = sealer();
    const value = s.seal(PAYLOAD, { now: T0 });
    const rawLen = decode(value).length;
    for (let byte = 0; byte < rawLen; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const forged = tamper(value, (raw) => {
          raw[byte] ^= 1 << bit;
        });
        const expected = byte === 0 ? ["UNSUPPORTED_VERSION"] : byte < 4 ? ["MALFORMED", "UNKNOWN_KEY"] : ["BAD_SEAL"];
        fails(() => s.open(forged, { now: T0 }), expected, `bit ${bit} of byte ${byte}`);
      }
    }
    stillWorks(s, "after bit flips");
    for (let len = 0; len < rawLen; len++) {
      const forged = tamper(value, (raw) => raw.splice(len));
      fails(() => s.open(forged, { now: T0 }), ["MALFORMED", "BAD_SEAL"], `${len} bytes`);
    }
    for (let len = 0; len < value.length; len++) {
      fails(() => s.open(value.slice(0, len), { now: T0 }), ["MALFORMED", "BAD_SEAL"], `${len} characters`);
    }
    for (const extra of [[0], [0, 0, 0], new Array(16).fill(0xff)]) {
      const forged = tamper(value, (raw) => raw.push(...extra));
      fails(() => s.open(forged, { now: T0 }), "BAD_SEAL", `+${extra.length} bytes`);
    }
    for (const extra of ["x", "A", "AA", "AAAA"]) {
      fails(() => s.open(value + extra, { now: T0 }), ["MALFORMED", "BAD_SEAL"], `+${extra}`);
    }
    // Non-zero unused trailing bits: base64url must be canonical.
    const short = s.seal("a", { now: T0 });
    ok(short.length % 4 === 2, "fixture leaves 4 spare bits");
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const index = alphabet.indexOf(short.at(-1));
    fails(() => s.open(short.slice(0, -1) + alphabet[index | 1], { now: T0 }), "MALFORMED", "trailing bits");
    stillWorks(s, "after the tamper suite");
  });

  test("free() releases the sealer; later calls fail cleanly, others keep working", () => {
    const a = sealer();
    const b = sealer();
    const value = a.seal(PAYLOAD, { now: T0 });
    a.free();
    a.free(); // idempotent
    fails(() => a.seal(PAYLOAD, { now: T0 }), "INVALID_OPTION", "seal after free");
    fails(() => a.open(value, { now: T0 }), "INVALID_OPTION", "open after free");
    fails(() => a.capacity, "INVALID_OPTION", "capacity after free");
    eq(b.open(value, { now: T0 }).data, PAYLOAD, "another sealer still opens");
  });

  test("free() wipes the key: neither its bytes nor its text stay in wasm memory", async () => {
    const memories = ctx.wasmMemories ?? [];
    ok(memories.length > 0, "the runner recorded no wasm memory (import wasm-memory.js before the package)");
    const inMemory = (needle) => memories.some((memory) => contains(new Uint8Array(memory.buffer), needle));
    const { Sealer: SessionsSealer, SessionManager } = ctx.sessionsApi;
    const makers = [
      ["Sealer", (keys) => new Sealer({ keys, name: "n" })],
      ["the sessions entry's Sealer", (keys) => new SessionsSealer({ keys, name: "n" })],
      ["SessionManager", (keys) => new SessionManager({ keys, name: "n" })],
    ];
    for (const [what, make] of makers) {
      // A fresh key each time, used for nothing else: any copy found is one this instance made.
      const raw = globalThis.crypto.getRandomValues(new Uint8Array(32));
      const text = encode(raw);
      const k1 = await xaesSubkey(raw);
      const user = make(`k9:${text}`);
      // The key schedule is secret too; its CMAC subkey K1 is the part a test can compute.
      ok(inMemory(k1), `${what}: the search does not find the live subkey`);
      // The live key is in memory: this is what makes the search below meaningful.
      ok(inMemory(raw), `${what}: the search does not find the live key`);
      user.free();
      // Any 16 bytes of it: AES works on 16-byte halves of the key.
      for (const part of [raw, raw.subarray(0, 16), raw.subarray(16)]) {
        ok(!inMemory(part), `${what}: ${part.length} key bytes are still in wasm memory after free()`);
      }
      ok(!inMemory(k1), `${what}: the key's subkey K1 is still in wasm memory after free()`);
      ok(!inMemory(Uint8Array.from(text, (c) => c.charCodeAt(0))), `${what}: the key text is still in wasm memory after free()`);
    }
  });

  test("the payload's text does not stay in wasm memory after a seal, an open, a session write or read", () => {
    const memories = ctx.wasmMemories ?? [];
    ok(memories.length > 0, "the runner recorded no wasm memory (import wasm-memory.js before the package)");
    const inMemory = (needle) => memories.some((memory) => contains(new Uint8Array(memory.buffer), needle));
    // A fresh random marker each time, long enough that no other bytes match it by chance.
    const marker = () => encode(globalThis.crypto.getRandomValues(new Uint8Array(24)));
    const bytes = (text) => Uint8Array.from(text, (c) => c.charCodeAt(0));
    const s = sealer();
    const sealed = marker();
    const value = s.seal({ secret: sealed }, { now: T0 });
    ok(!inMemory(bytes(sealed)), "Sealer.seal left the payload in wasm memory");
    const opened = marker();
    const other = s.seal({ secret: opened }, { now: T0 });
    ok(!inMemory(bytes(opened)), "Sealer.seal left the second payload in wasm memory");
    eq(s.open(other, { now: T0 }).data, { secret: opened }, "it opens");
    ok(!inMemory(bytes(opened)), "Sealer.open left the payload in wasm memory");
    ok(s.open(value, { now: T0 }).data.secret === sealed, "the first opens too");
    s.free();

    const m = new ctx.sessionsApi.SessionManager({ keys: `k1:${KEY1}`, name: "s" });
    const written = marker();
    const header = cookieHeader(m.setCookies(m.signIn({ secret: written }, { now: T0 }), { now: T0 }));
    ok(!inMemory(bytes(written)), "SessionManager.setCookies left the session data in wasm memory");
    eq(m.read(header, { now: T0 }).data, { secret: written }, "the session reads back");
    ok(!inMemory(bytes(written)), "SessionManager.read left the session data in wasm memory");
    m.free();
  });

  test("frozen vectors in tests/vectors/seal-v1.json open to their payload and claims", () => {
    const vectors = ctx.vectors.vectors;
    ok(vectors.length >= 7, `vectors present (${vectors.length})`);
    for (const v of vectors) {
      ok(v.value.length > 0, `${v.description}: value filled in`);
      const primary = v.primary ? [{ id: v.primary.key_id, key: v.primary.key }] : [];
      const keys = [...primary, { id: v.key_id, key: v.key }];
      const s = new Sealer({ keys, name: v.cookie_name, purpose: v.purpose, ttl: v.ttl });
      const opened = s.open(v.value, { now: v.now });
      eq(opened.data, JSON.parse(v.payload), `${v.description}: data`);
      eq(JSON.stringify(opened.data), v.payload, `${v.description}: JSON text`);
      eq(opened.issuedAt, v.issued_at, `${v.description}: issuedAt`);
      eq(opened.expiresAt, v.expires_at, `${v.description}: expiresAt`);
      eq(opened.keyId, v.key_id, `${v.description}: keyId`);
      eq(opened.needsReseal, v.needs_reseal, `${v.description}: needsReseal`);
      // And one flipped character of a frozen value never opens.
      const forged = tamper(v.value, (raw) => {
        raw[raw.length - 1] ^= 1;
      });
      fails(() => s.open(forged, { now: v.now }), "BAD_SEAL", `${v.description}: forged`);
    }
  });

  // ---- AES backends (pkg/aes-backend.js): the same bytes whichever one runs.
  async function rejects(promise, code, what) {
    try {
      await promise;
    } catch (err) {
      ok(err instanceof SealError && err.code === code, `${what}: ${err && err.code} ${err}, expected ${code}`);
      return;
    }
    fail(`${what}: resolved, expected ${code}`);
  }

  test("aesBackend: both entries run on the backend this run chose", () => {
    ok(ctx.aes === "node-crypto" || ctx.aes === "software", `the runner says which (${ctx.aes})`);
    eq(Sealer.aesBackend, ctx.aes, "cookie-seal's Sealer.aesBackend");
    eq(ctx.sessionsApi.Sealer.aesBackend, ctx.aes, "cookie-seal/sessions' Sealer.aesBackend");
  });

  test("aesBackend: init refuses unknown choices, and node-crypto where the runtime has none", async () => {
    await rejects(init({ aesBackend: "fast" }), "INVALID_OPTION", "unknown choice");
    await rejects(init({ aesBackends: "software" }), "INVALID_OPTION", "unknown option");
    await rejects(init(undefined, "software"), "INVALID_OPTION", "options not an object");
    eq(Sealer.aesBackend, ctx.aes, "a refused init changes nothing");
    if (!ctx.hostAes) {
      await rejects(init({ aesBackend: "node-crypto" }), "INVALID_OPTION", "node-crypto without node:crypto");
      eq(Sealer.aesBackend, "software", "still software");
    }
  });

  test("aesBackend: what either backend seals the other opens, at every payload size", async () => {
    if (!ctx.hostAes) return; // one backend here: the frozen vectors above cover it
    const s = sealer();
    const datas = [0, 62, 600, 1000, 1100, 2800].map((n) => ({ pad: "é".repeat(n >> 1) }));
    const vectorSealers = ctx.vectors.vectors.map((v) => {
      const primary = v.primary ? [{ id: v.primary.key_id, key: v.primary.key }] : [];
      const keys = [...primary, { id: v.key_id, key: v.key }];
      return [v, new Sealer({ keys, name: v.cookie_name, purpose: v.purpose, ttl: v.ttl })];
    });
    try {
      for (const [from, to] of [["node-crypto", "software"], ["software", "node-crypto"]]) {
        await init({ aesBackend: from });
        eq(Sealer.aesBackend, from, "switched");
        const sealed = datas.map((d) => s.seal(d, { now: T0 }));
        await init({ aesBackend: to });
        eq(Sealer.aesBackend, to, "switched");
        sealed.forEach((value, i) => eq(s.open(value, { now: T0 }).data, datas[i], `${from} to ${to}, ${i}`));
        for (const [v, vs] of vectorSealers) eq(vs.open(v.value, { now: v.now }).data, JSON.parse(v.payload), `${to}: ${v.description}`);
        // A forged tag is refused by each backend alike.
        fails(() => s.open(tamper(sealed[2], (raw) => (raw[raw.length - 1] ^= 1)), { now: T0 }), "BAD_SEAL", `${to}: forged`);
      }
    } finally {
      await init({ aesBackend: ctx.aesChoice ?? "auto" });
    }
    eq(Sealer.aesBackend, ctx.aes, "back on this run's backend");
  });

  test("frozen vectors in tests/vectors/open-v1.json give their results at every check", () => {
    const o = ctx.openVectors;
    ok(o && o.cases.length >= 20, "open vectors present");
    const s = new Sealer({
      keys: o.keyring.map((k) => ({ id: k.key_id, key: k.key })),
      name: o.cookie_name,
      purpose: o.purpose,
      leeway: o.leeway,
      maxLen: o.max_len,
    });
    const isJson = (text) => {
      try {
        JSON.parse(text);
        return true;
      } catch {
        return false;
      }
    };
    let ran = 0;
    for (const c of o.cases) {
      for (const check of c.checks) {
        const what = `${c.description}, now ${check.now}`;
        if (check.now > Number.MAX_SAFE_INTEGER) {
          // JSON.parse already rounded this now; a JS number cannot name the second exactly,
          // so the API refuses it rather than guess.
          fails(() => s.open(c.value, { now: check.now }), "INVALID_OPTION", `${what} (not a safe integer)`);
          continue;
        }
        // The JS API opens to parsed JSON: an authentic payload that is not JSON (the empty
        // one) is PAYLOAD here where Rust's byte-level open says ok.
        const expected = check.result === "ok" && !isJson(c.payload) ? "PAYLOAD" : check.result;
        if (expected === "ok") {
          const opened = s.open(c.value, { now: check.now });
          eq(opened.data, JSON.parse(c.payload), `${what}: data`);
          // Timestamps past 2^53 (2^64 - 1 here) compare as the same rounded double on both sides.
          eq([opened.issuedAt, opened.expiresAt], [c.issued_at, c.expires_at], `${what}: claims`);
        } else {
          fails(() => s.open(c.value, { now: check.now }), expected, what);
        }
        ran++;
      }
    }
    ok(ran >= 30, `ran ${ran} checks`);
    stillWorks(sealer(), "after the open vectors");
  });

  test("values sealed by native Rust open here", () => {
    ok(ctx.native !== null && ctx.native !== undefined, "native fixtures given");
    const s = sealer();
    ok(ctx.native.sealed.length >= CROSS_PAYLOADS.length, "one native value per payload");
    for (const item of ctx.native.sealed) {
      const opened = s.open(item.value, { now: T0 + 1 });
      eq(opened.data, JSON.parse(item.payload), `native ${item.name}`);
      eq([opened.issuedAt, opened.expiresAt, opened.keyId], [T0, T0 + 7 * 86400, "k1"], `native ${item.name} claims`);
    }
    // Authentic but not JSON (Rust's seal_bytes can carry any UTF-8): PAYLOAD, after authentication.
    fails(() => s.open(ctx.native.notJson, { now: T0 }), "PAYLOAD", "native non-JSON payload");
    stillWorks(s, "after native values");
  });

  test("entries: cookie-seal is Sealer only; cookie-seal/sessions adds SessionManager", () => {
    // The main entry's wasm is built without the session binding (to keep it small):
    // exporting SessionManager from it would be a class that cannot work.
    eq(Object.keys(ctx.api).sort(), ["SealError", "Sealer", "generateKey", "init"], "cookie-seal exports");
    ok(!("SessionManager" in ctx.api), "cookie-seal has no SessionManager");
    eq(
      Object.keys(ctx.sessionsApi).sort(),
      ["SealError", "Sealer", "SessionManager", "generateKey", "init"],
      "cookie-seal/sessions exports",
    );
    // One SealError class, so `instanceof SealError` holds whichever entry threw.
    ok(ctx.sessionsApi.SealError === SealError, "both entries export the same SealError");
    ok(ctx.sessionsApi.Sealer !== Sealer, "each entry's Sealer is bound to its own wasm module");
  });

  test("entries: each entry's Sealer opens what the other sealed", () => {
    const other = new ctx.sessionsApi.Sealer({ keys: `k1:${KEY1}`, name: "session", ttl: 3600 });
    const s = sealer({ ttl: 3600 });
    for (const { name, data } of CROSS_PAYLOADS) {
      const fromMain = s.seal(data, { now: T0 });
      const fromSessions = other.seal(data, { now: T0 });
      eq(other.open(fromMain, { now: T0 + 1 }), { data, issuedAt: T0, expiresAt: T0 + 3600, keyId: "k1", needsReseal: false }, `main → sessions: ${name}`);
      eq(s.open(fromSessions, { now: T0 + 1 }), { data, issuedAt: T0, expiresAt: T0 + 3600, keyId: "k1", needsReseal: false }, `sessions → main: ${name}`);
    }
    // Keys from either module's generateKey work in the other.
    const keys = `a:${ctx.sessionsApi.generateKey()},b:${generateKey()}`;
    const value = new ctx.sessionsApi.Sealer({ keys, name: "n" }).seal(PAYLOAD, { now: T0 });
    eq(new Sealer({ keys, name: "n" }).open(value, { now: T0 }).data, PAYLOAD, "generated keys");
    // The sessions module's refusals are the shared SealError (fails checks instanceof).
    const flipped = tamper(s.seal(PAYLOAD, { now: T0 }), (raw) => {
      raw[raw.length - 1] ^= 1; // the last tag byte
    });
    const err = fails(() => other.open(flipped, { now: T0 }), "BAD_SEAL", "sessions Sealer, tampered main value");
    ok(err instanceof ctx.sessionsApi.SealError, "instanceof the sessions entry's SealError too");
    stillWorks(other, "the sessions Sealer after a refusal");
  });

  sessionCases(ctx, test, fails);
  return list;
}

// Seals CROSS_PAYLOADS under the standard sealer at T0, for the native helper to open.
export function sealForNative(api) {
  const s = new api.Sealer({ keys: `k1:${KEY1}`, name: "session" });
  return CROSS_PAYLOADS.map(({ name, data }) => ({
    name,
    payload: JSON.stringify(data),
    value: s.seal(data, { now: T0 }),
  }));
}

// ---- sessions ----------------------------------------------------------------------------
// The JS half of tests/session.rs: the same lifecycle through the package's SessionManager.

const SNAME = "__Host-s";
const written = (setCookies) => setCookies.filter((h) => !h.includes("; Max-Age=0"));
// The Cookie header a browser sends back for these Set-Cookie values (deletions dropped).
export const cookieHeader = (setCookies) => written(setCookies).map((h) => h.split(";")[0]).join("; ");
const pairsOf = (setCookies) =>
  written(setCookies).map((h) => {
    const pair = h.split(";")[0];
    const at = pair.indexOf("=");
    return [pair.slice(0, at), pair.slice(at + 1)];
  });
const joinPairs = (pairs) => pairs.map(([n, v]) => `${n}=${v}`).join("; ");
const deletedNames = (setCookies) => setCookies.filter((h) => h.includes("; Max-Age=0")).map((h) => h.split("=")[0]);
// A JSON string payload of exactly `len` bytes.
const payloadOf = (len) => "x".repeat(len - 2);
const FORGED = "__Host-s=AQJrMQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

// Browsers and service workers drop Set-Cookie from Response headers, and Cookie from
// Request headers; the suite checks what each runtime can do, and that the package says so.
function dropsSetCookie() {
  const r = new Response("");
  r.headers.append("set-cookie", "a=b");
  return !r.headers.has("set-cookie");
}
function requestWithCookie(cookie) {
  const request = new Request("https://example.com/", { headers: cookie === undefined ? {} : { cookie } });
  if (cookie === undefined || request.headers.has("cookie")) return request;
  return { headers: new Headers({ cookie }) }; // a browser: the same shape, as a fetch handler sees it
}

function sessionCases(ctx, test, fails) {
  const { Sealer, SessionManager, SealError } = ctx.sessionsApi;
  const keys = `k1:${KEY1}`;
  const manager = (extra = {}) => new SessionManager({ keys, name: SNAME, ...extra });
  const chunked = () => manager({ maxChunks: 3 });
  const timed = () => manager({ idleTimeout: 1000, absoluteLifetime: 3000, leeway: 10 });
  const signedIn = (m, data, options, now) => {
    const session = m.signIn(data, { ...options, now });
    return [session, cookieHeader(m.setCookies(session, { now }))];
  };
  const read = (m, header, now) => {
    const session = m.read(header, { now });
    ok(session !== null, `a session cookie in ${header.slice(0, 40)}`);
    return session;
  };

  test("sessions: Set-Cookie has the secure defaults, and each option is written", () => {
    const m = manager();
    const s = m.signIn({ uid: 1 }, { now: T0 });
    eq([s.needsReseal, s.resealReason, s.keyId, s.signedInAt, s.rememberMe], [true, "new-id", "", T0, false], "fresh");
    eq([s.expiresAt, s.absoluteExpiresAt], [T0 + 7200, T0 + 43200], "default lifetimes");
    ok(/^[A-Za-z0-9_-]{22}$/.test(s.id), `id ${s.id}`);
    const headers = m.setCookies(s, { now: T0 });
    eq(headers.length, 1, "one cookie, nothing to delete without chunking");
    ok(headers[0].startsWith("__Host-s="), headers[0]);
    ok(headers[0].endsWith("; Path=/; Secure; HttpOnly; SameSite=Lax"), headers[0]);
    ok(!headers[0].includes("Max-Age") && !headers[0].includes("Domain"), "a browser-session, host-only cookie");
    const o = new SessionManager({ keys, name: "__Secure-s", domain: "example.com", path: "/app", sameSite: "Strict" });
    const r = o.setCookies(o.signIn(1, { rememberMe: true, now: T0 }), { now: T0 })[0];
    ok(r.endsWith("; Max-Age=1209600; Domain=example.com; Path=/app; Secure; HttpOnly; SameSite=Strict"), r);
    const dev = new SessionManager({ keys, name: "dev-session", insecureDevModeForLocalhost: true });
    const d = dev.setCookies(dev.signIn(1, { now: T0 }), { now: T0 })[0];
    ok(!d.includes("Secure"), d);
    ok(manager({ sameSite: "None" }).setCookies(manager().signIn(1, { now: T0 }), { now: T0 })[0].endsWith("SameSite=None"), "None with Secure");
    const year = 500 * 86400;
    const long = manager({ rememberMe: { idleTimeout: year, absoluteLifetime: year } });
    const capped = long.setCookies(long.signIn(1, { rememberMe: true, now: T0 }), { now: T0 })[0];
    ok(capped.includes(`; Max-Age=${400 * 86400};`), `Max-Age capped at 400 days: ${capped}`);
  });

  test("sessions: every refused combination is INVALID_OPTION when the manager is built", () => {
    const refused = [
      ["__Host- with Domain", { domain: "example.com" }],
      ["__Host- with Path", { path: "/app" }],
      ["__Host- without Secure", { insecureDevModeForLocalhost: true }],
      ["__Secure- without Secure", { name: "__Secure-s", insecureDevModeForLocalhost: true }],
      ["__host- (any case) with Domain", { name: "__host-s", domain: "example.com" }],
      ["__HOST- (any case) with Path", { name: "__HOST-s", path: "/app" }],
      ["__SECURE- (any case) without Secure", { name: "__SECURE-s", insecureDevModeForLocalhost: true }],
      ["SameSite=None without Secure", { name: "s", sameSite: "None", insecureDevModeForLocalhost: true }],
      ["separator in name", { name: "a;b" }],
      ["space in name", { name: "a b" }],
      ["empty name", { name: "" }],
      ["bad domain", { name: "s", domain: "exa mple.com" }],
      ["leading-dot domain", { name: "s", domain: ".example.com" }],
      ["relative path", { name: "s", path: "app" }],
      ["path with ;", { name: "s", path: "/a;b" }],
      ["zero chunks", { maxChunks: 0 }],
      ["eleven chunks", { maxChunks: 11 }],
      ["absolute < idle", { idleTimeout: 100, absoluteLifetime: 99 }],
      ["remember-me absolute < idle", { rememberMe: { idleTimeout: 100, absoluteLifetime: 99 } }],
      ["zero idle", { idleTimeout: 0 }],
      ["renew fraction 0", { renewWhenRemaining: 0 }],
      ["renew fraction above 1", { renewWhenRemaining: 1.5 }],
      ["renew fraction NaN", { renewWhenRemaining: NaN }],
      ["long leeway", { leeway: 7200 }],
      ["name too long", { name: "n".repeat(4000) }],
      ["sameSite in lower case", { sameSite: "lax" }],
      ["fractional idle", { idleTimeout: 1.5 }],
      ["negative notBefore", { notBefore: -1 }],
      ["a number as a string", { idleTimeout: "3600" }],
      ["isRevoked not a function", { isRevoked: true }],
      ["rememberMe not an object", { rememberMe: true }],
      ["unknown rememberMe option", { rememberMe: { ttl: 5 } }],
      ["unknown option (a likely typo)", { maxAge: 3600 }],
      ["no name", { name: undefined }],
    ];
    for (const [what, extra] of refused) fails(() => manager(extra), "INVALID_OPTION", what);
    fails(() => new SessionManager(), "INVALID_OPTION", "no options");
    fails(() => manager({ keys: "k1:short" }), "INVALID_KEY", "bad key");
  });

  test("sessions: clearCookies and signOut delete the cookie and every chunk", () => {
    const m = manager({ maxChunks: 4 });
    const clear = m.clearCookies();
    eq(clear.map((h) => h.split("=")[0]), ["__Host-s", "__Host-s.0", "__Host-s.1", "__Host-s.2", "__Host-s.3"], "names");
    ok(clear.every((h) => h.includes("=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax")), "deletions");
    eq(manager().clearCookies().length, 1, "no chunks to delete without chunking");
    const headers = new Headers();
    ok(m.signOut(headers) === headers, "signOut returns the Headers it appended to");
    eq(headers.getSetCookie(), clear, "one Set-Cookie each");
    if (dropsSetCookie()) {
      fails(() => m.signOut(new Response("")), "INVALID_OPTION", "a runtime that drops Set-Cookie says so");
    } else {
      eq(m.signOut(new Response("")).headers.getSetCookie(), clear, "on a Response");
    }
    fails(() => m.signOut({}), "INVALID_OPTION", "not a Response or Headers");
  });

  test("sessions: hostile Cookie headers are bounded and typed", () => {
    const m = manager();
    const [, good] = signedIn(m, { uid: 7 }, {}, T0);
    for (const header of ["", ";;;", "; ; ;", "noequals", "=", "=value", "a", "\u0000", "__Host-s", null, undefined]) {
      eq(m.read(header, { now: T0 }), null, `no session in ${show(header)}`);
    }
    const many = "a=b; ".repeat(100_000);
    const err = fails(() => m.read(many, { now: T0 }), "TOO_LARGE", "100,000 pairs");
    eq([err.actual, err.limit], [many.length, 65536], "sizes, as Rust reports them");
    fails(() => m.read(`${good}; x=${"y".repeat(1 << 20)}`, { now: T0 }), "TOO_LARGE", "1 MB");
    // Past the pair bound (256), the session cookie is not looked for; within it, it is found.
    eq(m.read("a=b; ".repeat(256) + good, { now: T0 }), null, "pair 257");
    eq(read(m, "a=b; ".repeat(255) + good, T0).data, { uid: 7 }, "pair 256");
    const value = good.slice("__Host-s=".length);
    eq(m.read(`__host-s=${value}`, { now: T0 }), null, "lower case is another cookie");
    eq(m.read(`__HOST-S=${value}`, { now: T0 }), null, "upper case is another cookie");
    eq(read(m, `__Host-s="${value}"`, T0).data, { uid: 7 }, "quoted value");
    eq(read(m, `a="x; __Host-s=${value}`, T0).data, { uid: 7 }, "a stray quote in another pair");
    eq(m.read(`__Host-s=${value}\u0007`, { now: T0 }), null, "a control character skips the pair");
    eq(read(m, `x=\u0001; ;; noeq; ${good}`, T0).data, { uid: 7 }, "junk around it");
    for (const bad of [42, {}, ["x"]]) fails(() => m.read(bad, { now: T0 }), "MALFORMED", `header ${show(bad)}`);
    fails(() => m.read(good, { now: -1 }), "INVALID_OPTION", "bad now");
    eq(read(m, good, T0).data, { uid: 7 }, "still works afterwards");
  });

  test("sessions: same-name cookies are tried in order, at most three", () => {
    const m = manager();
    const [, good] = signedIn(m, { uid: 7 }, {}, T0);
    eq(read(m, `${FORGED}; ${good}`, T0).data, { uid: 7 }, "the tossed cookie first");
    eq(read(m, `${FORGED}; ${FORGED}; ${good}`, T0).data, { uid: 7 }, "two tossed");
    fails(() => m.read(`${FORGED}; ${FORGED}; ${FORGED}; ${good}`, { now: T0 }), "BAD_SEAL", "the fourth is not reached");
    // A plain Sealer value and an expired session authenticate, then fail a lifecycle rule.
    const t = timed();
    const plain = new Sealer({ keys, name: SNAME }).seal(0, { now: T0 });
    const [, old] = signedIn(t, "old", {}, T0 - 3500);
    const [, real] = signedIn(t, "real", {}, T0);
    eq(read(t, `${SNAME}=${plain}; ${old}; ${real}`, T0).data, "real", "decoys do not hide it");
    fails(() => t.read(`${SNAME}=${plain}`, { now: T0 }), "MALFORMED", "a plain Sealer value is not a session");
  });

  test("sessions: chunk split and join at every boundary", () => {
    const m = chunked();
    const single = m.capacity;
    const cookiesFor = (mgr, len) => written(mgr.setCookies(mgr.signIn(payloadOf(len), { now: T0 }), { now: T0 })).length;
    // The largest payload that fits two cookies, by bisection (the count only grows with it).
    let lo = single + 1;
    let hi = 3 * 4096;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (cookiesFor(m, mid) <= 2) lo = mid;
      else hi = mid - 1;
    }
    const twoLimit = lo;
    const two = manager({ maxChunks: 2 });
    const full = written(two.setCookies(two.signIn(payloadOf(twoLimit), { now: T0 }), { now: T0 }));
    const bytes = full.reduce((n, h) => n + h.split(";")[0].length, 0);
    ok(bytes >= 2 * 4096 - 3, `two full cookies hold only ${bytes} bytes`);
    const err = fails(() => two.setCookies(two.signIn(payloadOf(twoLimit + 1), { now: T0 }), { now: T0 }), "TOO_LARGE", "one byte more");
    eq([err.chunksNeeded, err.maxChunks], [3, 2], "how many cookies it needed");
    const lengths = [];
    for (let d = -3; d <= 3; d++) lengths.push(single + d);
    for (let d = -2; d <= 2; d++) lengths.push(twoLimit + d);
    for (const len of lengths) {
      const data = payloadOf(len);
      const headers = m.setCookies(m.signIn(data, { now: T0 }), { now: T0 });
      eq(written(headers).length, len <= single ? 1 : len <= twoLimit ? 2 : 3, `cookies for payload ${len}`);
      for (const [name, value] of pairsOf(headers)) {
        const piece = name.endsWith(".0") ? value.slice(value.indexOf(".") + 1) : value;
        ok(piece.length > 0, `payload ${len}: an empty chunk`);
        ok(name.length + 1 + value.length <= 4096, `payload ${len}: a cookie over 4096 bytes`);
      }
      const opened = read(m, cookieHeader(headers), T0);
      eq(opened.data, data, `payload ${len} read back`);
      eq(opened.resealReason, null, `payload ${len} needs nothing`);
    }
  });

  test("sessions: TOO_LARGE says how many cookies a session needed", () => {
    const m = chunked();
    const err = fails(() => m.setCookies(m.signIn(payloadOf(12_000), { now: T0 }), { now: T0 }), "TOO_LARGE", "four cookies");
    eq([err.chunksNeeded, err.maxChunks], [4, 3], "needed and allowed");
    ok(err.message.includes("needs 4 cookies"), err.message);
    const plain = manager();
    const one = fails(() => plain.setCookies(plain.signIn(payloadOf(5000), { now: T0 }), { now: T0 }), "TOO_LARGE", "no chunking");
    ok(one.limit === 4096 && one.actual > 4096, `sizes ${one.actual}/${one.limit}`);
    const huge = fails(() => m.setCookies(m.signIn("é".repeat(1 << 20), { now: T0 }), { now: T0 }), "TOO_LARGE", "a megabyte");
    eq([huge.actual, huge.limit], [2 * (1 << 20) + 2, 40960], "refused before sealing, in UTF-8 bytes");
    eq(read(m, cookieHeader(m.setCookies(m.signIn(1, { now: T0 }), { now: T0 })), T0).data, 1, "still works");
  });

  test("sessions: chunk attacks never open as something else", () => {
    const m = chunked();
    const three = (fill) => {
      const headers = m.setCookies(m.signIn({ fill: fill.repeat(7000) }, { now: T0 }), { now: T0 });
      const pairs = pairsOf(headers);
      eq(pairs.length, 3, "three chunks");
      return pairs;
    };
    const a = three("a");
    const b = three("b");
    eq(read(m, joinPairs(a), T0).data, { fill: "a".repeat(7000) }, "intact");
    fails(() => m.read(joinPairs([a[0], a[2]]), { now: T0 }), "MALFORMED", "missing chunk");
    fails(() => m.read(joinPairs([a[0], [a[1][0], a[2][1]], [a[2][0], a[1][1]]]), { now: T0 }), ["BAD_SEAL", "MALFORMED"], "swapped");
    fails(() => m.read(joinPairs([a[0], b[1], a[2]]), { now: T0 }), "BAD_SEAL", "spliced");
    const recount = [[a[0][0], a[0][1].replace("3.", "2.")], a[1], a[2]];
    fails(() => m.read(joinPairs(recount), { now: T0 }), ["BAD_SEAL", "MALFORMED"], "count changed");
    for (const bad of ["1.", "4.", "x.", "03.", "100.", "+3."]) {
      fails(() => m.read(joinPairs([[a[0][0], a[0][1].replace("3.", bad)], a[1], a[2]]), { now: T0 }), ["MALFORMED", "BAD_SEAL"], `count ${bad}`);
    }
    eq(read(m, joinPairs([a[0], a[1], b[1], a[2]]), T0).data.fill[0], "a", "a later duplicate is ignored");
    fails(() => m.read(joinPairs([a[0], b[1], a[1], a[2]]), { now: T0 }), "BAD_SEAL", "an earlier duplicate is used");
    fails(() => m.read(joinPairs([a[1], a[2]]), { now: T0 }), "MALFORMED", "chunks without chunk 0");
  });

  test("sessions: stale chunks are ignored and deleted by the next write", () => {
    const m = chunked();
    const big = m.setCookies(m.signIn({ fill: "a".repeat(7000) }, { now: T0 }), { now: T0 });
    const small = m.setCookies(m.signIn({ small: true }, { now: T0 }), { now: T0 });
    const header = `${cookieHeader(small)}; ${cookieHeader(big)}`;
    const opened = read(m, header, T0);
    eq([opened.data, opened.resealReason, opened.needsReseal], [{ small: true }, "stale-cookies", true], "read");
    eq(deletedNames(m.setCookies(opened, { now: T0 })), ["__Host-s.0", "__Host-s.1", "__Host-s.2"], "deleted");
    // An object spread keeps what the request carried.
    const copy = { ...opened, data: { small: false } };
    eq(deletedNames(m.setCookies(copy, { now: T0 })), ["__Host-s.0", "__Host-s.1", "__Host-s.2"], "after a spread");
    // A session rebuilt from JSON has lost it, and is written like a fresh sign-in.
    const rebuilt = JSON.parse(JSON.stringify(opened));
    eq(deletedNames(m.setCookies(rebuilt, { now: T0 })), ["__Host-s.0", "__Host-s.1", "__Host-s.2"], "from JSON");
    // A chunk beyond the count is ignored too, then deleted.
    const twoChunks = m.setCookies(m.signIn({ fill: "c".repeat(3500) }, { now: T0 }), { now: T0 });
    eq(written(twoChunks).length, 2, "two chunks");
    const extra = read(m, `${cookieHeader(twoChunks)}; __Host-s.2=${pairsOf(big)[2][1]}`, T0);
    eq(extra.resealReason, "stale-cookies", "extra chunk");
    eq(deletedNames(m.setCookies(extra, { now: T0 })), ["__Host-s.2"], "only the extra one");
    // A fresh sign-in with chunking deletes every chunk it does not write.
    eq(deletedNames(m.setCookies(m.signIn(1, { now: T0 }), { now: T0 })), ["__Host-s.0", "__Host-s.1", "__Host-s.2"], "sign-in");
  });

  test("sessions: sliding renewal, idle timeout and absolute lifetime at their exact boundaries", () => {
    const m = timed();
    const [first, header] = signedIn(m, 1, {}, T0);
    eq(read(m, header, T0 + 500).resealReason, null, "half the window remains: not yet");
    const due = read(m, header, T0 + 501);
    eq([due.resealReason, due.needsReseal], ["renewal", true], "one second later");
    const renewed = read(m, cookieHeader(m.setCookies(due, { now: T0 + 501 })), T0 + 501);
    eq([renewed.id, renewed.signedInAt, renewed.expiresAt, renewed.resealReason], [first.id, T0, T0 + 1501, null], "renewed");
    eq(read(m, header, T0 + 1010).data, 1, "idle deadline plus leeway");
    const expired = fails(() => m.read(header, { now: T0 + 1011 }), "EXPIRED", "one second later");
    eq(expired.expiresAt, T0 + 1000, "expiresAt");
    let h = header;
    for (let step = 1; step <= 4; step++) {
      const now = T0 + 600 * step;
      const s = read(m, h, now);
      ok(s.expiresAt <= T0 + 3000, `step ${step}: ${s.expiresAt}`);
      h = cookieHeader(m.setCookies(s, { now }));
    }
    const last = read(m, h, T0 + 2500);
    eq([last.expiresAt, last.resealReason], [T0 + 3000, null], "capped, and no renewal that cannot extend");
    eq(read(m, h, T0 + 3010).data, 1, "absolute deadline plus leeway");
    eq(fails(() => m.read(h, { now: T0 + 3011 }), "EXPIRED", "past the absolute lifetime").expiresAt, T0 + 3000, "absolute");
    ok(m.setCookies(last, { now: T0 + 3010 }).length > 0, "written while it still reads");
    fails(() => m.setCookies(last, { now: T0 + 3011 }), "EXPIRED", "nothing to write past the absolute end");
    const stricter = manager({ idleTimeout: 100, absoluteLifetime: 200, leeway: 10 });
    eq(read(stricter, header, T0 + 210).data, 1, "a shorter lifetime, within it");
    eq(fails(() => stricter.read(header, { now: T0 + 211 }), "EXPIRED", "applies to existing cookies").expiresAt, T0 + 200, "reader's lifetime");
  });

  test("sessions: remember-me is persistent and lives longer", () => {
    const m = manager({ idleTimeout: 1000, absoluteLifetime: 3000, rememberMe: { idleTimeout: 10_000, absoluteLifetime: 50_000 } });
    const s = m.signIn(1, { rememberMe: true, now: T0 });
    const headers = m.setCookies(s, { now: T0 });
    ok(headers[0].includes("; Max-Age=10000;"), headers[0]);
    const r = read(m, cookieHeader(headers), T0 + 5000);
    eq([r.rememberMe, r.absoluteExpiresAt], [true, T0 + 50_000], "remember-me lifetimes");
    const late = read(m, cookieHeader(m.setCookies(r, { now: T0 + 5000 })), T0 + 14_000);
    ok(m.setCookies(late, { now: T0 + 49_000 })[0].includes("; Max-Age=1000;"), "Max-Age shrinks at the end");
    const ordinary = m.signIn(1, { now: T0 });
    ok(!m.setCookies(ordinary, { now: T0 })[0].includes("Max-Age"), "without it, a browser-session cookie");
  });

  test("sessions: key rotation asks for a reseal; ids are fresh at sign-in and regenerateId", () => {
    const [, header] = signedIn(manager(), 1, {}, T0);
    const rotated = new SessionManager({ keys: [{ id: "k2", key: KEY2 }, { id: "k1", key: KEY1 }], name: SNAME });
    const s = read(rotated, header, T0);
    eq([s.keyId, s.resealReason], ["k1", "key-rotation"], "old key");
    const again = read(rotated, cookieHeader(rotated.setCookies(s, { now: T0 })), T0);
    eq([again.keyId, again.resealReason, again.id], ["k2", null, s.id], "moved to the new key, same id");
    const m = manager();
    const a = m.signIn(1, { now: T0 });
    ok(a.id !== m.signIn(1, { now: T0 }).id, "fresh ids");
    const back = read(m, cookieHeader(m.setCookies(a, { now: T0 })), T0);
    eq(back.id, a.id, "kept by a write");
    ok(m.regenerateId(back) === back, "returns the session");
    ok(back.id !== a.id && /^[A-Za-z0-9_-]{22}$/.test(back.id), "a new id");
    eq([back.needsReseal, back.resealReason], [true, "new-id"], "needs writing");
    eq(read(m, cookieHeader(m.setCookies(back, { now: T0 })), T0).id, back.id, "written");
    back.id = "not-an-id";
    fails(() => m.setCookies(back, { now: T0 }), "INVALID_OPTION", "an id the manager did not give");
  });

  test("sessions: revocation by the notBefore cutoff, by id and by subject generation", () => {
    const revokedIds = new Set();
    const lowest = new Map();
    const calls = [];
    const m = manager({
      idleTimeout: 1000,
      absoluteLifetime: 3000,
      isRevoked(info, now) {
        calls.push([info, now]);
        const floor = info.subject ? lowest.get(info.subject.id) ?? 0 : 0;
        return revokedIds.has(info.id) || (info.subject !== null && info.subject.generation < floor);
      },
    });
    const user = (generation) => ({ subject: { id: "user-42", generation } });
    const [one, h1] = signedIn(m, 1, user(1), T0);
    const [, h2] = signedIn(m, 2, user(1), T0);
    const [, h3] = signedIn(m, 3, user(2), T0);
    revokedIds.add(one.id);
    fails(() => m.read(h1, { now: T0 }), "REVOKED", "by id");
    eq(read(m, h2, T0).data, 2, "another session of the subject");
    lowest.set("user-42", 2);
    fails(() => m.read(h2, { now: T0 }), "REVOKED", "by subject generation");
    eq(read(m, h3, T0).subject, { id: "user-42", generation: 2 }, "the current generation");
    const [info, now] = calls.at(-1);
    eq(Object.keys(info).sort(), ["absoluteExpiresAt", "id", "signedInAt", "subject"], "identity only, never the data");
    eq([info.signedInAt, info.absoluteExpiresAt, now], [T0, T0 + 3000, T0], "times");
    eq(m.fromRequest(requestWithCookie(h2), { now: T0 }), null, "fromRequest: revoked is signed out");
    const cutoff = manager({ notBefore: T0 + 1 });
    fails(() => cutoff.read(h3, { now: T0 + 5 }), "REVOKED", "signed in before the cutoff");
    eq(read(cutoff, signedIn(cutoff, 4, {}, T0 + 1)[1], T0 + 5).data, 4, "signed in at the cutoff");
  });

  test("sessions: a revoked cookie does not hide a later one of the same name", () => {
    const revoked = new Set();
    let calls = 0;
    const m = manager({
      isRevoked: (info) => {
        calls++;
        return revoked.has(info.id);
      },
    });
    const [a, ha] = signedIn(m, "a", {}, T0);
    const [b, hb] = signedIn(m, "b", {}, T0);
    revoked.add(a.id);
    eq(read(m, `${ha}; ${hb}`, T0).data, "b", "the next candidate");
    eq(calls, 2, "asked once per candidate");
    revoked.add(b.id);
    fails(() => m.read(`${ha}; ${hb}`, { now: T0 }), "REVOKED", "both revoked");
    // The first error in header order, as in Rust.
    fails(() => m.read(`${FORGED}; ${ha}`, { now: T0 }), "BAD_SEAL", "forged first");
    fails(() => m.read(`${ha}; ${FORGED}`, { now: T0 }), "REVOKED", "revoked first");
  });

  test("sessions: isRevoked answers true or false; async answers need readAsync", async () => {
    const [, header] = signedIn(manager(), { uid: 1 }, {}, T0);
    const withCheck = (isRevoked) => manager({ isRevoked });
    fails(() => withCheck(() => Promise.reject(new Error("never seen"))).read(header, { now: T0 }), "INVALID_OPTION", "a Promise in read");
    fails(() => withCheck(() => undefined).read(header, { now: T0 }), "INVALID_OPTION", "a forgotten return fails closed");
    fails(() => withCheck(() => 1).read(header, { now: T0 }), "INVALID_OPTION", "not a boolean");
    const boom = withCheck(() => {
      throw new Error("kv down");
    });
    for (const attempt of [() => boom.read(header, { now: T0 }), () => boom.fromRequest(requestWithCookie(header), { now: T0 })]) {
      try {
        attempt();
        fail("a throwing isRevoked must throw");
      } catch (err) {
        ok(!(err instanceof SealError) && err.message === "kv down", `its own error: ${err}`);
      }
    }
    const store = new Map();
    const kv = withCheck(async (info) => {
      await new Promise((r) => setTimeout(r, 1));
      return store.has(info.id);
    });
    const s = await kv.readAsync(header, { now: T0 });
    eq(s.data, { uid: 1 }, "readAsync");
    store.set(s.id, "revoked");
    let code;
    await kv.readAsync(header, { now: T0 }).catch((err) => {
      code = err.code;
    });
    eq(code, "REVOKED", "readAsync refuses a revoked session");
    eq(await kv.fromRequestAsync(requestWithCookie(header), { now: T0 }), null, "fromRequestAsync: signed out");
    eq(await kv.readAsync(null), null, "no header");
    eq((await withCheck(() => false).readAsync(header, { now: T0 })).data, { uid: 1 }, "a sync answer");
    let thrown;
    await withCheck(async () => {
      throw new Error("kv timeout");
    })
      .readAsync(header, { now: T0 })
      .catch((err) => {
        thrown = err;
      });
    ok(thrown && thrown.message === "kv timeout", `a rejected lookup rejects: ${thrown}`);
    fails(() => withCheck(async () => true).read(header, { now: T0 }), "INVALID_OPTION", "an async function in read");
  });

  test("sessions: commit writes only when needed, into a Response or Headers", () => {
    const m = timed();
    const fresh = m.signIn({ n: 1 }, { now: T0 });
    const h = new Headers();
    ok(m.commit(fresh, h, { now: T0 }) === h, "returns the Headers");
    eq(h.getSetCookie().length, 1, "a fresh session is written");
    const header = cookieHeader(h.getSetCookie());
    const s = read(m, header, T0 + 10);
    const untouched = new Headers();
    m.commit(s, untouched, { now: T0 + 10 });
    eq(untouched.getSetCookie().length, 0, "unchanged and not due: nothing written");
    s.data.n = 2;
    const changed = new Headers();
    m.commit(s, changed, { now: T0 + 10 });
    eq(read(m, cookieHeader(changed.getSetCookie()), T0 + 10).data, { n: 2 }, "changed data is written");
    const due = read(m, header, T0 + 600);
    const renewed = new Headers();
    m.commit(due, renewed, { now: T0 + 600 });
    eq(read(m, cookieHeader(renewed.getSetCookie()), T0 + 600).expiresAt, T0 + 1600, "a renewal is written");
    const none = new Headers();
    ok(m.commit(null, none) === none && m.commit(undefined, none) === none, "no session: the target as is");
    eq(none.getSetCookie().length, 0, "nothing written for no session");
    fails(() => m.commit(fresh, 42, { now: T0 }), "INVALID_OPTION", "not a target");
    fails(() => m.commit({ data: 1 }, new Headers(), { now: T0 }), "INVALID_OPTION", "not a session");
    fails(() => m.commit({ ...fresh, data: new Date(0) }, new Headers(), { now: T0 }), "PAYLOAD", "JSON cannot carry it");
    if (dropsSetCookie()) {
      fails(() => m.commit(fresh, new Response("x"), { now: T0 }), "INVALID_OPTION", "this runtime drops Set-Cookie");
      return;
    }
    const response = new Response("x", { status: 201 });
    ok(m.commit(fresh, response, { now: T0 }) === response, "a mutable Response is appended to");
    eq(response.headers.getSetCookie().length, 1, "on the Response");
    // Response.redirect's headers are immutable: a copy comes back, with the same status and headers.
    const redirect = Response.redirect("https://example.com/next", 302);
    const out = m.commit(fresh, redirect, { now: T0 });
    ok(out !== redirect, "a new Response");
    eq([out.status, out.headers.get("location"), out.headers.getSetCookie().length], [302, "https://example.com/next", 1], "copied");
  });

  test("sessions: commit writes any change to what the cookie carries, not only data", () => {
    const m = timed();
    const header = cookieHeader(m.setCookies(m.signIn({ n: 1 }, { subject: { id: "u", generation: 1 }, now: T0 }), { now: T0 }));
    const now = T0 + 10;
    const committed = (change) => {
      const s = read(m, header, now);
      change(s);
      const h = new Headers();
      m.commit(s, h, { now });
      return h.getSetCookie();
    };
    eq(committed(() => {}), [], "nothing changed: nothing written");
    const changes = [
      ["a new subject generation", (s) => (s.subject = { id: "u", generation: 2 }), (r) => eq(r.subject, { id: "u", generation: 2 }, "generation")],
      ["another subject", (s) => (s.subject = { id: "v", generation: 1 }), (r) => eq(r.subject, { id: "v", generation: 1 }, "subject")],
      ["no subject", (s) => (s.subject = null), (r) => eq(r.subject, null, "subject removed")],
      ["rememberMe", (s) => (s.rememberMe = true), (r) => eq(r.rememberMe, true, "rememberMe")],
      ["the sign-in time", (s) => (s.signedInAt = T0 - 5), (r) => eq(r.signedInAt, T0 - 5, "signedInAt")],
    ];
    for (const [what, change, check] of changes) {
      const written = committed(change);
      ok(written.length > 0, `${what}, data unchanged: written`);
      check(read(m, cookieHeader(written), now));
    }
    // The same subject in a new object is no change.
    eq(committed((s) => (s.subject = { ...s.subject })), [], "an equal subject: nothing written");
  });

  test("sessions: a sign-in time from the future is not written", () => {
    const m = timed(); // leeway 10
    const s = m.signIn(1, { now: T0 });
    const skewed = read(m, cookieHeader(m.setCookies({ ...s, signedInAt: T0 + 10 }, { now: T0 })), T0);
    eq([skewed.signedInAt, skewed.absoluteExpiresAt], [T0 + 10, T0 + 3010], "within the leeway (another machine's clock)");
    fails(() => m.setCookies({ ...s, signedInAt: T0 + 11 }, { now: T0 }), "INVALID_OPTION", "beyond the leeway");
    // A hand-built session a year ahead would have lived a year past its 3000 s lifetime.
    const hand = { data: 1, id: s.id, subject: null, signedInAt: T0 + 365 * 86400, rememberMe: false, keyId: "" };
    fails(() => m.setCookies(hand, { now: T0 }), "INVALID_OPTION", "a hand-built session a year ahead");
    fails(() => m.commit(hand, new Headers(), { now: T0 }), "INVALID_OPTION", "committed");
  });

  test("sessions: a session that reads can be written, up to the absolute deadline plus the leeway", () => {
    const m = timed(); // idle 1000, absolute 3000, leeway 10
    const late = cookieHeader(m.setCookies(m.signIn({ n: 1 }, { now: T0 }), { now: T0 + 2500 }));
    const rotated = new SessionManager({ keys: `k2:${KEY2},k1:${KEY1}`, name: SNAME, idleTimeout: 1000, absoluteLifetime: 3000, leeway: 10 });
    for (const now of [T0 + 3000, T0 + 3010]) {
      const s = read(rotated, late, now);
      eq(s.resealReason, "key-rotation", `read at T0 + ${now - T0}`);
      const h = new Headers();
      rotated.commit(s, h, { now }); // threw EXPIRED
      const again = read(rotated, cookieHeader(h.getSetCookie()), now);
      eq([again.id, again.data, again.keyId, again.expiresAt], [s.id, { n: 1 }, "k2", T0 + 3000], `written at T0 + ${now - T0}`);
    }
    fails(() => rotated.read(late, { now: T0 + 3011 }), "EXPIRED", "one second later it does not read");
    fails(() => rotated.setCookies(read(rotated, late, T0 + 3010), { now: T0 + 3011 }), "EXPIRED", "nor write");
  });

  test("sessions: fromRequest reads the Cookie header of a Request; a cookie that does not open is null", () => {
    const m = timed();
    const [s, header] = signedIn(m, { uid: 3 }, {}, T0);
    eq(m.fromRequest(requestWithCookie(undefined), { now: T0 }), null, "no Cookie header");
    eq(m.fromRequest(requestWithCookie(`theme=dark; ${header}`), { now: T0 }).id, s.id, "found among others");
    for (const bad of [`${SNAME}=garbage`, FORGED]) eq(m.fromRequest(requestWithCookie(bad), { now: T0 }), null, `${bad}: signed out`);
    eq(m.fromRequest(requestWithCookie(header), { now: T0 + 1011 }), null, "expired: signed out");
    fails(() => m.fromRequest(requestWithCookie(header), { now: 1.5 }), "INVALID_OPTION", "a bad now is thrown");
    fails(() => m.fromRequest("cookie: x"), "INVALID_OPTION", "not a request");
  });

  test("sessions: signIn and setCookies refuse what the core would not write", () => {
    const m = manager();
    for (const [what, data] of [["a Date", new Date(0)], ["undefined", undefined], ["a BigInt", 1n], ["a Map", new Map()]]) {
      fails(() => m.setCookies(m.signIn(data, { now: T0 }), { now: T0 }), "PAYLOAD", what);
    }
    const bad = [
      ["unknown option", { remember: true }],
      ["rememberMe not a boolean", { rememberMe: "yes" }],
      ["bad now", { now: -1 }],
      ["subject without id", { subject: { generation: 1 } }],
      ["empty subject id", { subject: { id: "", generation: 1 } }],
      ["long subject id", { subject: { id: "x".repeat(129), generation: 1 } }],
      ["negative generation", { subject: { id: "u", generation: -1 } }],
      ["fractional generation", { subject: { id: "u", generation: 1.5 } }],
      ["unsafe generation", { subject: { id: "u", generation: 2 ** 53 } }],
    ];
    for (const [what, options] of bad) fails(() => m.signIn(1, options), "INVALID_OPTION", what);
    fails(() => m.signIn(1, 5), "INVALID_OPTION", "options not an object");
    const s = m.signIn(1, { subject: { id: "u", generation: 1 }, now: T0 });
    fails(() => m.setCookies({ ...s, subject: { id: "u", generation: -1 } }, { now: T0 }), "INVALID_OPTION", "a changed subject");
    fails(() => m.setCookies({ ...s, signedInAt: -5 }, { now: T0 }), "INVALID_OPTION", "a bad sign-in time");
    for (const notSession of [null, 42, {}, { id: s.id }]) fails(() => m.setCookies(notSession, { now: T0 }), "INVALID_OPTION", `not a session: ${show(notSession)}`);
    const ok2 = read(m, cookieHeader(m.setCookies(s, { now: T0 })), T0);
    eq(ok2.subject, { id: "u", generation: 1 }, "the subject written");
  });

  test("sessions: text that is not well-formed UTF-16 never reaches the core", () => {
    for (const [what, extra] of [
      ["name", { name: "__Host-s\ud800" }],
      ["purpose", { purpose: "admin\udbff" }],
      ["domain", { name: "s", domain: "example.com\ud800" }],
      ["path", { name: "s", path: "/app\udc00" }],
      ["sameSite", { sameSite: "Lax\ud800" }],
    ]) {
      fails(() => manager(extra), "INVALID_OPTION", what);
    }
    fails(() => manager({ keys: `k1:${KEY1}\udfff` }), "INVALID_KEY", "keys text");
    const m = manager();
    // A deny list of subject ids must see the id that signed in: two lone surrogates would
    // both have become U+FFFD.
    for (const id of ["mallory\ud800", "mallory\udbff", "\udc00"]) {
      fails(() => m.signIn(1, { subject: { id, generation: 0 }, now: T0 }), "INVALID_OPTION", `subject id ${show(id)}`);
    }
    const s = m.signIn({ n: 1 }, { subject: { id: "zoë 😀", generation: 0 }, now: T0 });
    const header = cookieHeader(m.setCookies(s, { now: T0 }));
    eq(read(m, header, T0).subject, { id: "zoë 😀", generation: 0 }, "a well-formed non-ASCII subject id");
    fails(() => m.setCookies({ ...s, subject: { id: "zoë \ud83d", generation: 0 } }, { now: T0 }), "INVALID_OPTION", "a changed subject id");
    fails(() => m.setCookies({ ...s, keyId: "k1\ud800" }, { now: T0 }), "INVALID_OPTION", "keyId");
    fails(() => m.setCookies({ ...s, data: { s: "\ud800" } }, { now: T0 }), "PAYLOAD", "session data");
    fails(() => m.read(`${header}; x=\ud800`, { now: T0 }), "MALFORMED", "a Cookie header");
    eq(read(m, header, T0).data, { n: 1 }, "the manager still reads afterwards");
  });

  test("sessions: free() releases the manager; later calls fail cleanly", () => {
    const m = manager();
    const [s, header] = signedIn(m, 1, {}, T0);
    m.free();
    m.free();
    for (const [what, call] of [
      ["read", () => m.read(header, { now: T0 })],
      ["signIn", () => m.signIn(1)],
      ["setCookies", () => m.setCookies(s, { now: T0 })],
      ["clearCookies", () => m.clearCookies()],
      ["capacity", () => m.capacity],
      ["name", () => m.name],
    ]) {
      fails(call, "INVALID_OPTION", `${what} after free`);
    }
    eq(read(manager(), header, T0).data, 1, "another manager still reads it");
  });

  test("session vectors in tests/vectors/session-v1.json give their frozen results", () => {
    const v = ctx.sessionVectors;
    ok(v && v.cases.length >= 20, "session vectors present");
    const c = v.config;
    const reader = (notBefore) =>
      new SessionManager({
        keys: c.keyring.map((k) => ({ id: k.key_id, key: k.key })),
        name: c.cookie_name,
        purpose: c.purpose,
        idleTimeout: c.idle_timeout,
        absoluteLifetime: c.absolute_lifetime,
        rememberMe: { idleTimeout: c.remember_idle_timeout, absoluteLifetime: c.remember_absolute_lifetime },
        leeway: c.leeway,
        maxChunks: c.max_chunks,
        renewWhenRemaining: c.renew_when_remaining,
        notBefore,
      });
    let checked = 0;
    for (const k of v.cases) {
      for (const check of k.checks) {
        const m = reader(check.not_before ?? c.not_before);
        const what = `${k.description.slice(0, 60)}, at ${check.now}`;
        if (check.result === "none") {
          eq(m.read(k.cookie_header, { now: check.now }), null, what);
        } else if (check.result === "ok") {
          const s = m.read(k.cookie_header, { now: check.now });
          const e = k.session;
          eq(s.data, JSON.parse(e.payload), `${what}: data`);
          eq(
            [s.id, s.subject, s.signedInAt, s.issuedAt, s.expiresAt, s.absoluteExpiresAt, s.rememberMe, s.keyId],
            [e.session_id, e.subject, e.signed_in_at, e.issued_at, e.expires_at, e.absolute_expires_at, e.remember_me, e.key_id],
            `${what}: claims`,
          );
          eq([s.resealReason, s.needsReseal], [check.reseal, check.reseal !== null], `${what}: reseal`);
        } else {
          fails(() => m.read(k.cookie_header, { now: check.now }), check.result, what);
        }
        m.free();
        checked++;
      }
    }
    ok(checked >= 50, `checked ${checked}`);
  });

  if (ctx.ruleVectors) {
    test("rule vectors in tests/vectors/rules-v1.json: the open and read sections", () => {
      const r = ctx.ruleVectors;
      const keys = r.keyring.map((k) => ({ id: k.key_id, key: k.key }));
      const o = r.open;
      const s = new Sealer({ keys, name: o.cookie_name, purpose: o.purpose, leeway: o.leeway, maxLen: o.max_len });
      let checked = 0;
      for (const c of o.cases) {
        for (const check of c.checks) {
          const what = `${c.rule}: ${c.description.slice(0, 60)}, at ${check.now}`;
          if (check.result === "ok") eq(s.open(c.value, { now: check.now }).data, JSON.parse(check.payload), what);
          else fails(() => s.open(c.value, { now: check.now }), check.result, what);
          checked++;
        }
      }
      const c = r.read.config;
      for (const k of r.read.cases) {
        for (const check of k.checks) {
          const m = new SessionManager({
            keys,
            name: c.cookie_name,
            purpose: c.purpose,
            idleTimeout: c.idle_timeout,
            absoluteLifetime: c.absolute_lifetime,
            rememberMe: { idleTimeout: c.remember_idle_timeout, absoluteLifetime: c.remember_absolute_lifetime },
            leeway: c.leeway,
            maxChunks: c.max_chunks,
            renewWhenRemaining: c.renew_when_remaining,
            notBefore: check.sign_in_cutoff ?? 0,
          });
          const what = `${k.rule}: ${k.description.slice(0, 60)}, at ${check.now}`;
          if (check.result === "none") {
            eq(m.read(k.cookie_header, { now: check.now }), null, what);
          } else if (check.result === "ok") {
            const got = m.read(k.cookie_header, { now: check.now });
            eq([got.data, got.id, got.resealReason], [JSON.parse(check.payload), check.session_id, check.reseal], what);
          } else {
            fails(() => m.read(k.cookie_header, { now: check.now }), check.result, what);
          }
          m.free();
          checked++;
        }
      }
      ok(checked >= 50, `checked ${checked}`);
    });
  }

  if (ctx.revalidationVectors) {
    test("revalidation vectors in tests/vectors/revalidation-v1.json: results, validatedAt, kept by a write", () => {
      const r = ctx.revalidationVectors;
      const c = r.config;
      const m = new SessionManager({
        keys: c.keyring.map((k) => ({ id: k.key_id, key: k.key })),
        name: c.cookie_name,
        purpose: c.purpose,
        idleTimeout: c.idle_timeout,
        absoluteLifetime: c.absolute_lifetime,
        rememberMe: { idleTimeout: c.remember_idle_timeout, absoluteLifetime: c.remember_absolute_lifetime },
        leeway: c.leeway,
        maxChunks: c.max_chunks,
        renewWhenRemaining: c.renew_when_remaining,
      });
      let checked = 0;
      for (const k of r.cases) {
        for (const check of k.checks) {
          const what = `${k.rule}, at ${check.now}`;
          if (check.result !== "ok") {
            fails(() => m.read(k.cookie_header, { now: check.now }), check.result, what);
            checked++;
            continue;
          }
          const got = m.read(k.cookie_header, { now: check.now });
          const want = k.session;
          eq([got.data, got.id, got.validatedAt, got.resealReason], [JSON.parse(want.payload), want.session_id, want.validated_at, check.reseal], what);
          // A write from JavaScript carries the claim as the cookie had it.
          const cookie = m.setCookies(got, { now: check.now }).filter((h) => !h.includes("Max-Age=0;")).map((h) => h.split(";")[0]).join("; ");
          eq(m.read(cookie, { now: check.now }).validatedAt, want.validated_at, `${what}: written back`);
          checked++;
        }
      }
      m.free();
      ok(checked >= 26, `checked ${checked}`);
    });
  }

  test("sessions set by native Rust are read here, from their Cookie headers", () => {
    const sessions = ctx.native && ctx.native.sessions;
    ok(Array.isArray(sessions) && sessions.length >= 3, "native sessions given");
    const m = new SessionManager({ keys, name: "__Host-session", maxChunks: 3 });
    for (const n of sessions) {
      for (const s of [m.read(n.cookie, { now: T0 + 60 }), m.fromRequest(requestWithCookie(n.cookie), { now: T0 + 60 })]) {
        eq(s.data, JSON.parse(n.payload), `${n.name}: data`);
        eq(
          [s.id, s.signedInAt, s.issuedAt, s.expiresAt, s.absoluteExpiresAt, s.rememberMe, s.keyId, s.resealReason],
          [n.id, n.signedInAt, n.issuedAt, n.expiresAt, n.absoluteExpiresAt, n.rememberMe, "k1", null],
          `${n.name}: claims`,
        );
        eq(s.subject, n.subject && { id: n.subject.id, generation: Number(n.subject.generation) }, `${n.name}: subject`);
      }
    }
  });
}

// Sessions this runtime writes for native Rust to read (cross_runtime read), as
// [{ name, setCookie, payload, id, subject: {id, generation as text} | null, signedInAt,
// rememberMe }]. Two are sessions native Rust wrote, read and re-written here: the subject's
// generation past 2^53 must come back exact, and a shrunk chunked session deletes its chunks.
export function sessionsForNative(api, native) {
  const m = new api.SessionManager({ keys: `k1:${KEY1}`, name: "__Host-session", maxChunks: 3 });
  const out = [];
  const add = (name, session, now, subject) =>
    out.push({
      name,
      setCookie: m.setCookies(session, { now }),
      payload: JSON.stringify(session.data),
      id: session.id,
      subject,
      signedInAt: session.signedInAt,
      rememberMe: session.rememberMe,
    });
  add("signed-in", m.signIn({ uid: 1, s: "é 中 😀" }, { now: T0 + 30 }), T0 + 30, null);
  const subject = { id: "user-2", generation: Number.MAX_SAFE_INTEGER };
  add("remember-subject", m.signIn({ uid: 2 }, { rememberMe: true, subject, now: T0 }), T0, {
    id: "user-2",
    generation: String(Number.MAX_SAFE_INTEGER),
  });
  add("chunked", m.signIn({ fill: "q".repeat(6000) }, { now: T0 }), T0, null);
  for (const n of native.sessions) {
    const s = m.read(n.cookie, { now: T0 + 30 });
    s.data = { rewritten: n.name };
    add(`native-${n.name}-rewritten`, s, T0 + 30, n.subject);
  }
  return out;
}
