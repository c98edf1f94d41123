// Cloudflare workerd (and other `worker` runtimes that import .wasm files as compiled
// WebAssembly.Module objects, as wrangler does by default): instantiating a compiled module
// is synchronous, so it happens at import and init() is a no-op.
import wasmModule from "./cookie_seal_bg.wasm";
import { initSync } from "./cookie_seal.js";
import { markReady } from "./core.js";

initSync({ module: wasmModule });
markReady();

export { init, Sealer, SealError, SessionManager, generateKey } from "./core.js";
