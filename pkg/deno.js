// Deno: the wasm is loaded with fetch() on the package's own file URL (Deno allows reading
// the npm cache and node_modules for this) at import, with top-level await, so seal/open work
// straight away and init() is a no-op.
import { init } from "./core.js";

await init();

export { init, Sealer, SealError, generateKey } from "./core.js";
