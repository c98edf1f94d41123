// Deno, `cookie-seal` (Sealer only): the wasm is imported as a compiled WebAssembly.Module
// with a source-phase import (no --allow-read needed, unlike fetch or Deno.readFile on the
// package's files) and instantiated synchronously at import, so init() is a no-op. Tested on
// Deno 2.9.
import source wasmModule from "./cookie_seal_bg.wasm";
import * as wasm from "./cookie_seal.js";
import { bindSealer } from "./core.js";

wasm.initSync({ module: wasmModule });

export const { init, Sealer, generateKey } = bindSealer(wasm, true);
export { SealError } from "./core.js";
