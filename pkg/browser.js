// Browsers and bundlers, `cookie-seal` (Sealer only): `await init()` fetches
// cookie_seal_bg.wasm next to this file (bundlers follow the `new URL(..., import.meta.url)`
// in the glue), or from the URL, Response, bytes or WebAssembly.Module passed to init(input).
import * as wasm from "./cookie_seal.js";
import { bindSealer } from "./core.js";

export const { init, Sealer, generateKey } = bindSealer(wasm, false);
export { SealError } from "./core.js";
