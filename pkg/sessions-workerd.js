// Cloudflare workerd and other `worker` runtimes, `cookie-seal/sessions` (Sealer and
// SessionManager, on the wasm module with the session lifecycle): as workerd.js, instantiated
// synchronously at import.
import wasmModule from "./cookie_seal_sessions_bg.wasm";
import * as wasm from "./cookie_seal_sessions.js";
import { bindSealer } from "./core.js";
import { bindSessions } from "./session-core.js";

wasm.initSync({ module: wasmModule });
const sealer = bindSealer(wasm, true);

export const { init, Sealer, generateKey } = sealer;
export const SessionManager = bindSessions(wasm, sealer);
export { SealError } from "./core.js";
