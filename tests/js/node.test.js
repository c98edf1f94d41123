// The shared suite in Node, against `cookie-seal` and `cookie-seal/sessions` as installed
// from the packed tarball.
// COOKIE_SEAL_CROSS_DIR (set by scripts/test-js.sh) holds native-sealed.json and receives
// node-sealed.json for the native helper to open.
import test from "node:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { wasmMemories } from "./wasm-memory.js"; // before the package: it records the instances
import * as api from "cookie-seal";
import * as sessionsApi from "cookie-seal/sessions";
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
