// Browsers and bundlers: `await init()` fetches cookie_seal_bg.wasm next to this file
// (bundlers follow the `new URL(..., import.meta.url)` in the glue), or from the URL, Response,
// bytes or WebAssembly.Module passed to init(input).
export { init, Sealer, SealError, SessionManager, generateKey } from "./core.js";
