// The shared suite in Deno, against `cookie-seal` and `cookie-seal/sessions` from tests/js/node_modules (installed from
// the packed tarball; deno.json sets nodeModulesDir "manual", so Deno resolves it exactly as
// Node does, with the `deno` export condition).
import { wasmMemories } from "./wasm-memory.js"; // before the package: it records the instances
import * as api from "cookie-seal";
import * as sessionsApi from "cookie-seal/sessions";
import { cases, sealForNative, sessionsForNative } from "./suite.js";

const crossDir = Deno.env.get("COOKIE_SEAL_CROSS_DIR");
const vectors = JSON.parse(await Deno.readTextFile(new URL("../vectors/seal-v1.json", import.meta.url)));
const openVectors = JSON.parse(await Deno.readTextFile(new URL("../vectors/open-v1.json", import.meta.url)));
const sessionVectors = JSON.parse(await Deno.readTextFile(new URL("../vectors/session-v1.json", import.meta.url)));
const ruleVectors = JSON.parse(await Deno.readTextFile(new URL("../vectors/rules-v1.json", import.meta.url)));
const native = crossDir ? JSON.parse(await Deno.readTextFile(`${crossDir}/native-sealed.json`)) : null;

// COOKIE_SEAL_AES=software (scripts/test-js.sh's second run) forces the wasm's own AES;
// by default Deno uses node:crypto's. Files for native Rust get the run's name.
const aesChoice = Deno.env.get("COOKIE_SEAL_AES") || undefined;
const run = aesChoice === "software" ? "deno-software" : "deno";
// Only then is init() awaited: the default run also proves the entries work without it.
if (aesChoice) for (const entry of [api, sessionsApi]) await entry.init({ aesBackend: aesChoice });
const aes = aesChoice === "software" ? "software" : "node-crypto";

for (const { name, fn } of cases({ api, sessionsApi, vectors, openVectors, sessionVectors, ruleVectors, native, wasmMemories, aes, aesChoice, hostAes: true })) Deno.test(name, fn);

Deno.test("the deno entries are ready at import: init() is a no-op", async () => {
  for (const entry of [api, sessionsApi]) {
    const value = new entry.Sealer({ keys: [{ id: "k", key: entry.generateKey() }], name: "n" }).seal(1);
    if (typeof value !== "string") throw new Error("not usable at import");
    await entry.init();
  }
});

Deno.test("seal values for native Rust to open", async () => {
  if (!crossDir) throw new Error("COOKIE_SEAL_CROSS_DIR not set (run scripts/test-js.sh)");
  await Deno.writeTextFile(`${crossDir}/${run}-sealed.json`, JSON.stringify(sealForNative(api)));
});

Deno.test("write sessions for native Rust to read", async () => {
  if (!crossDir) throw new Error("COOKIE_SEAL_CROSS_DIR not set (run scripts/test-js.sh)");
  await Deno.writeTextFile(`${crossDir}/${run}-sessions.json`, JSON.stringify(sessionsForNative(sessionsApi, native)));
});
