// Deno: the wasm is imported as a compiled WebAssembly.Module with a source-phase import
// (no --allow-read needed, unlike fetch or Deno.readFile on the package's files) and
// instantiated synchronously at import, so init() is a no-op. Tested on Deno 2.9.
import source wasmModule from "./cookie_seal_bg.wasm";
import { initSync } from "./cookie_seal.js";
import { markReady } from "./core.js";

initSync({ module: wasmModule });
markReady();

export { init, Sealer, SealError, SessionManager, generateKey } from "./core.js";
