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

for (const { name, fn } of cases({ api, sessionsApi, vectors, openVectors, sessionVectors, ruleVectors, native, wasmMemories })) Deno.test(name, fn);

Deno.test("the deno entries are ready at import: init() is a no-op", async () => {
  for (const entry of [api, sessionsApi]) {
    const value = new entry.Sealer({ keys: [{ id: "k", key: entry.generateKey() }], name: "n" }).seal(1);
    if (typeof value !== "string") throw new Error("not usable at import");
    await entry.init();
  }
});

Deno.test("seal values for native Rust to open", async () => {
  if (!crossDir) throw new Error("COOKIE_SEAL_CROSS_DIR not set (run scripts/test-js.sh)");
  await Deno.writeTextFile(`${crossDir}/deno-sealed.json`, JSON.stringify(sealForNative(api)));
});

Deno.test("write sessions for native Rust to read", async () => {
  if (!crossDir) throw new Error("COOKIE_SEAL_CROSS_DIR not set (run scripts/test-js.sh)");
  await Deno.writeTextFile(`${crossDir}/deno-sessions.json`, JSON.stringify(sessionsForNative(sessionsApi, native)));
});
