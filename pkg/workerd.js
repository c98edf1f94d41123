// Cloudflare workerd (and other `worker` runtimes that import .wasm files as compiled
// WebAssembly.Module objects, as wrangler does by default), `cookie-seal` (Sealer only):
// instantiating a compiled module is synchronous, so it happens at import and init() is a no-op.
import wasmModule from "./cookie_seal_bg.wasm";
import * as wasm from "./cookie_seal.js";
import { bindSealer } from "./core.js";

wasm.initSync({ module: wasmModule });

export const { init, Sealer, generateKey } = bindSealer(wasm, true);
export { SealError } from "./core.js";
