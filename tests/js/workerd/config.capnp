# A real Cloudflare worker for the JS suite: tests/js/workerd.test.js starts
# `workerd serve config.capnp --socket-addr http=127.0.0.1:PORT` and drives it over HTTP.
# The package files are those npm installed from the packed tarball; "cookie-seal" is the
# file the package's `workerd` export condition names (the driver checks that), and its
# .wasm is a `wasm` module, i.e. imported as a compiled WebAssembly.Module, as wrangler does.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .testWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);

const testWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "suite.js", esModule = embed "../suite.js"),
    (name = "cookie-seal", esModule = embed "../node_modules/cookie-seal/workerd.js"),
    (name = "core.js", esModule = embed "../node_modules/cookie-seal/core.js"),
    (name = "cookie_seal.js", esModule = embed "../node_modules/cookie-seal/cookie_seal.js"),
    (name = "cookie_seal_bg.wasm", wasm = embed "../node_modules/cookie-seal/cookie_seal_bg.wasm"),
    (name = "vectors.json", json = embed "../../vectors/seal-v1.json"),
    (name = "open-vectors.json", json = embed "../../vectors/open-v1.json"),
    (name = "session-vectors.json", json = embed "../../vectors/session-v1.json"),
    (name = "native.json", json = embed "../../../test-output/js/native-sealed.json"),
  ],
  compatibilityDate = "2026-11-01",
);
