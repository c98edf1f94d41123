// Node ≥ 20, `cookie-seal/sessions` (Sealer and SessionManager, on the larger wasm module that
// has the session lifecycle): instantiated synchronously at import, as node.js does.
import { readFileSync } from "node:fs";
import * as wasm from "./cookie_seal_sessions.js";
import { bindSealer } from "./core.js";
import { bindSessions } from "./session-core.js";

wasm.initSync({ module: readFileSync(new URL("./cookie_seal_sessions_bg.wasm", import.meta.url)) });
const sealer = bindSealer(wasm, true);

export const { init, Sealer, generateKey } = sealer;
export const SessionManager = bindSessions(wasm, sealer);
export { SealError } from "./core.js";
