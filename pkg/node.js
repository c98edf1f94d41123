// Node ≥ 20, `cookie-seal` (Sealer only): the wasm is read from the package and instantiated
// synchronously at import, so seal/open work straight away and init() is a no-op.
import { readFileSync } from "node:fs";
import * as wasm from "./cookie_seal.js";
import { bindSealer } from "./core.js";

wasm.initSync({ module: readFileSync(new URL("./cookie_seal_bg.wasm", import.meta.url)) });

export const { init, Sealer, generateKey } = bindSealer(wasm, true);
export { SealError } from "./core.js";
