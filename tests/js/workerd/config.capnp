# A real Cloudflare worker for the JS suite: tests/js/workerd.test.js starts
# `workerd serve config.capnp --socket-addr http=127.0.0.1:PORT` and drives it over HTTP.
# The package files are those npm installed from the packed tarball, as modules under
# "cookie-seal/" laid out as in the package, so the relative imports of both entries reach one
# core.js (as under a bundler). worker.js imports workerd.js and sessions-workerd.js, the files
# the package's `workerd` export condition names for "cookie-seal" and "cookie-seal/sessions"
# (the driver checks that). Each .wasm is a `wasm` module, i.e. imported as a compiled
# WebAssembly.Module, as wrangler does.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .testWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);

const testWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "suite.js", esModule = embed "../suite.js"),
    (name = "cookie-seal/workerd.js", esModule = embed "../node_modules/cookie-seal/workerd.js"),
    (name = "cookie-seal/sessions-workerd.js", esModule = embed "../node_modules/cookie-seal/sessions-workerd.js"),
    (name = "cookie-seal/core.js", esModule = embed "../node_modules/cookie-seal/core.js"),
    (name = "cookie-seal/session-core.js", esModule = embed "../node_modules/cookie-seal/session-core.js"),
    (name = "cookie-seal/store-core.js", esModule = embed "../node_modules/cookie-seal/store-core.js"),
    (name = "cookie-seal/cookie_seal.js", esModule = embed "../node_modules/cookie-seal/cookie_seal.js"),
    (name = "cookie-seal/cookie_seal_bg.wasm", wasm = embed "../node_modules/cookie-seal/cookie_seal_bg.wasm"),
    (name = "cookie-seal/cookie_seal_sessions.js", esModule = embed "../node_modules/cookie-seal/cookie_seal_sessions.js"),
    (name = "cookie-seal/cookie_seal_sessions_bg.wasm", wasm = embed "../node_modules/cookie-seal/cookie_seal_sessions_bg.wasm"),
    (name = "vectors.json", json = embed "../../vectors/seal-v1.json"),
    (name = "open-vectors.json", json = embed "../../vectors/open-v1.json"),
    (name = "session-vectors.json", json = embed "../../vectors/session-v1.json"),
    (name = "native.json", json = embed "../../../test-output/js/native-sealed.json"),
  ],
  compatibilityDate = "2026-11-01",
);
