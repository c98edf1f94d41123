// Browsers and bundlers, `cookie-seal/sessions` (Sealer and SessionManager): `await init()`
// fetches cookie_seal_sessions_bg.wasm next to this file, or what init(input) is given, as
// browser.js does for the main entry. Its own wasm instance: init() of one entry does not
// initialise the other.
import * as wasm from "./cookie_seal_sessions.js";
import { bindSealer } from "./core.js";
import { bindSessions } from "./session-core.js";

const sealer = bindSealer(wasm, false);

export const { init, Sealer, generateKey } = sealer;
export const SessionManager = bindSessions(wasm, sealer);
export { SealError } from "./core.js";
