// Node ≥ 20: the wasm is read from the package and instantiated synchronously at import, so
// seal/open work straight away and init() is a no-op.
import { readFileSync } from "node:fs";
import { initSync } from "./cookie_seal.js";
import { markReady } from "./core.js";

initSync({ module: readFileSync(new URL("./cookie_seal_bg.wasm", import.meta.url)) });
markReady();

export { init, Sealer, SealError, SessionManager, generateKey } from "./core.js";
