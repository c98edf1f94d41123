// The shared suite in Node, against `cookie-seal` and `cookie-seal/sessions` as installed
// from the packed tarball.
// COOKIE_SEAL_CROSS_DIR (set by scripts/test-js.sh) holds native-sealed.json and receives
// node-sealed.json for the native helper to open, and node-csrf.json: anti-forgery tokens
// (cookie-seal/csrf, JavaScript over the sessions entry's wasm) for it to verify.
import test from "node:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { wasmMemories } from "./wasm-memory.js"; // before the package: it records the instances
import * as api from "cookie-seal";
import * as sessionsApi from "cookie-seal/sessions";
import { CsrfTokens, PreSessionTokens } from "cookie-seal/csrf";
import { cases, sealForNative, sessionsForNative } from "./suite.js";

const crossDir = process.env.COOKIE_SEAL_CROSS_DIR;
const vectors = JSON.parse(readFileSync(new URL("../vectors/seal-v1.json", import.meta.url), "utf8"));
const openVectors = JSON.parse(readFileSync(new URL("../vectors/open-v1.json", import.meta.url), "utf8"));
const sessionVectors = JSON.parse(readFileSync(new URL("../vectors/session-v1.json", import.meta.url), "utf8"));
const ruleVectors = JSON.parse(readFileSync(new URL("../vectors/rules-v1.json", import.meta.url), "utf8"));
const revalidationVectors = JSON.parse(readFileSync(new URL("../vectors/revalidation-v1.json", import.meta.url), "utf8"));
const native = crossDir ? JSON.parse(readFileSync(join(crossDir, "native-sealed.json"), "utf8")) : null;

// COOKIE_SEAL_AES=software (scripts/test-js.sh's second run) forces the wasm's own AES;
// by default Node uses node:crypto's. Files for native Rust get the run's name.
const aesChoice = process.env.COOKIE_SEAL_AES || undefined;
const run = aesChoice === "software" ? "node-software" : "node";
// Only then is init() awaited: the default run also proves the entries work without it.
if (aesChoice) for (const entry of [api, sessionsApi]) await entry.init({ aesBackend: aesChoice });
const aes = aesChoice === "software" ? "software" : "node-crypto";

for (const { name, fn } of cases({ api, sessionsApi, vectors, openVectors, sessionVectors, ruleVectors, revalidationVectors, native, wasmMemories, aes, aesChoice, hostAes: true })) test(name, fn);

test("the node entries instantiate at import: init() is a no-op", async () => {
  // No await before this: the modules must already work.
  for (const entry of [api, sessionsApi]) {
    const value = new entry.Sealer({ keys: [{ id: "k", key: entry.generateKey() }], name: "n" }).seal(1);
    if (typeof value !== "string") throw new Error("not usable at import");
    const pending = entry.init();
    if (!(pending instanceof Promise)) throw new Error("init() must return a Promise");
    await pending;
  }
  if (new sessionsApi.SessionManager({ keys: "k1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE", name: "n" }).name !== "n") {
    throw new Error("SessionManager not usable at import");
  }
});

test("seal values for native Rust to open", () => {
  if (!crossDir) throw new Error("COOKIE_SEAL_CROSS_DIR not set (run scripts/test-js.sh)");
  writeFileSync(join(crossDir, `${run}-sealed.json`), JSON.stringify(sealForNative(api)));
});

test("write sessions for native Rust to read", () => {
  if (!crossDir) throw new Error("COOKIE_SEAL_CROSS_DIR not set (run scripts/test-js.sh)");
  writeFileSync(join(crossDir, `${run}-sessions.json`), JSON.stringify(sessionsForNative(sessionsApi, native)));
});

// The anti-forgery tokens both languages make: session-bound for the cookie __Host-session,
// pre-session for __Host-csrf, under key k1 = 32 bytes of 0x01, made at T0, checked at T0 + 60.
const CSRF_KEYS = "k1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE";
const CSRF_T0 = 1_700_000_000;
const csrfKinds = () => ({
  session: new CsrfTokens({ keys: CSRF_KEYS, name: "__Host-session" }),
  preSession: new PreSessionTokens({ keys: CSRF_KEYS }),
});
const preSessionCookie = (tokens) => {
  const { token, setCookie } = tokens.issue("", { now: CSRF_T0 });
  return { cookie: setCookie.split(";")[0], token };
};

test("verify native Rust's anti-forgery tokens, and refuse them for another subject", () => {
  if (!native) throw new Error("COOKIE_SEAL_CROSS_DIR not set (run scripts/test-js.sh)");
  const kinds = csrfKinds();
  const at = { now: CSRF_T0 + 60 };
  if (!Array.isArray(native.csrf) || native.csrf.length !== 2) throw new Error("native-sealed.json has no csrf tokens");
  for (const { name, kind, subject, token } of native.csrf) {
    kinds[kind].verify(token, subject, at);
    const other = kind === "session" ? "AAAAAAAAAAAAAAAAAAAAAA" : preSessionCookie(kinds.preSession).cookie;
    let code;
    try {
      kinds[kind].verify(token, other, at);
    } catch (err) {
      code = err.code;
    }
    if (code !== "CSRF") throw new Error(`${name}: verified for another subject (${code})`);
  }
});

test("make anti-forgery tokens for native Rust to verify", () => {
  if (!crossDir) throw new Error("COOKIE_SEAL_CROSS_DIR not set (run scripts/test-js.sh)");
  const kinds = csrfKinds();
  const id = new sessionsApi.SessionManager({ keys: CSRF_KEYS, name: "__Host-session" }).signIn({}).id;
  const pre = preSessionCookie(kinds.preSession);
  const items = [
    { name: "session", kind: "session", subject: id, token: kinds.session.token(id, { now: CSRF_T0 }) },
    { name: "pre-session", kind: "preSession", subject: pre.cookie, token: pre.token },
  ];
  writeFileSync(join(crossDir, `${run}-csrf.json`), JSON.stringify(items));
});
