# The Hono app as a Cloudflare worker. worker.js is bundled by scripts/test-frameworks.sh
# into test-output/frameworks/worker.bundle.js with everything but "cookie-seal/sessions",
# the one entry with wasm: that is the module sessions-workerd.js (the file the package's
# `workerd` condition names) with the files it imports relatively under "cookie-seal/", and
# the .wasm is a compiled WebAssembly.Module, as wrangler imports it.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .honoWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);

const honoWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "../../../test-output/frameworks/worker.bundle.js"),
    (name = "cookie-seal/sessions", esModule = embed "../node_modules/cookie-seal/sessions-workerd.js"),
    (name = "cookie-seal/core.js", esModule = embed "../node_modules/cookie-seal/core.js"),
    (name = "cookie-seal/session-core.js", esModule = embed "../node_modules/cookie-seal/session-core.js"),
    (name = "cookie-seal/text-checks.js", esModule = embed "../node_modules/cookie-seal/text-checks.js"),
    (name = "cookie-seal/aes-backend.js", esModule = embed "../node_modules/cookie-seal/aes-backend.js"),
    (name = "cookie-seal/store-core.js", esModule = embed "../node_modules/cookie-seal/store-core.js"),
    (name = "cookie-seal/cookie_seal_sessions.js", esModule = embed "../node_modules/cookie-seal/cookie_seal_sessions.js"),
    (name = "cookie-seal/cookie_seal_sessions_bg.wasm", wasm = embed "../node_modules/cookie-seal/cookie_seal_sessions_bg.wasm"),
  ],
  compatibilityDate = "2026-11-01",
);
