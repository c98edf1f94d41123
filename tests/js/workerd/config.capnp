# A real Cloudflare worker for the JS suite: tests/js/workerd.test.js starts
# `workerd serve config.capnp --socket-addr http=127.0.0.1:PORT` and drives it over HTTP.
# The package files are those npm installed from the packed tarball, as modules under
# "cookie-seal/" laid out as in the package, so the relative imports of both entries reach one
# core.js (as under a bundler). worker.js imports workerd.js and sessions-workerd.js, the files
# the package's `workerd` export condition names for "cookie-seal" and "cookie-seal/sessions"
# (the driver checks that). Each .wasm is a `wasm` module, i.e. imported as a compiled
# WebAssembly.Module, as wrangler does.
#
# Three workers on the same modules, one socket each (workerd.test.js runs the suite on each):
#   http           nodejs_compat (the default from compatibilityDate 2026-08-04), AES forced
#                  to node:crypto at every size
#   http-software  nodejs_compat, AES forced to the wasm's own software AES
#   http-nocompat  without nodejs_compat: no node:crypto, so the default picks software

using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .nodeCryptoWorker),
    (name = "software", worker = .softwareWorker),
    (name = "nocompat", worker = .noCompatWorker),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:0", http = (), service = "main"),
    (name = "http-software", address = "127.0.0.1:0", http = (), service = "software"),
    (name = "http-nocompat", address = "127.0.0.1:0", http = (), service = "nocompat"),
  ],
);

const modules :List(Workerd.Worker.Module) = [
  (name = "worker.js", esModule = embed "worker.js"),
  (name = "suite.js", esModule = embed "../suite.js"),
  (name = "wasm-memory.js", esModule = embed "../wasm-memory.js"),
  (name = "cookie-seal/workerd.js", esModule = embed "../node_modules/cookie-seal/workerd.js"),
  (name = "cookie-seal/sessions-workerd.js", esModule = embed "../node_modules/cookie-seal/sessions-workerd.js"),
  (name = "cookie-seal/core.js", esModule = embed "../node_modules/cookie-seal/core.js"),
  (name = "cookie-seal/aes-backend.js", esModule = embed "../node_modules/cookie-seal/aes-backend.js"),
  (name = "cookie-seal/session-core.js", esModule = embed "../node_modules/cookie-seal/session-core.js"),
  (name = "cookie-seal/store-core.js", esModule = embed "../node_modules/cookie-seal/store-core.js"),
  (name = "cookie-seal/text-checks.js", esModule = embed "../node_modules/cookie-seal/text-checks.js"),
  (name = "cookie-seal/cookie_seal.js", esModule = embed "../node_modules/cookie-seal/cookie_seal.js"),
  (name = "cookie-seal/cookie_seal_bg.wasm", wasm = embed "../node_modules/cookie-seal/cookie_seal_bg.wasm"),
  (name = "cookie-seal/cookie_seal_sessions.js", esModule = embed "../node_modules/cookie-seal/cookie_seal_sessions.js"),
  (name = "cookie-seal/cookie_seal_sessions_bg.wasm", wasm = embed "../node_modules/cookie-seal/cookie_seal_sessions_bg.wasm"),
  (name = "vectors.json", json = embed "../../vectors/seal-v1.json"),
  (name = "open-vectors.json", json = embed "../../vectors/open-v1.json"),
  (name = "session-vectors.json", json = embed "../../vectors/session-v1.json"),
  (name = "native.json", json = embed "../../../test-output/js/native-sealed.json"),
];

# AES: the init({ aesBackend }) the worker applies first; EXPECT_AES: what Sealer.aesBackend
# must then say; HOST_AES: whether node:crypto is there.
const nodeCryptoWorker :Workerd.Worker = (
  modules = .modules,
  compatibilityDate = "2026-11-01",
  bindings = [
    (name = "AES", text = "node-crypto"),
    (name = "EXPECT_AES", text = "node-crypto"),
    (name = "HOST_AES", text = "yes"),
  ],
);

const softwareWorker :Workerd.Worker = (
  modules = .modules,
  compatibilityDate = "2026-11-01",
  bindings = [
    (name = "AES", text = "software"),
    (name = "EXPECT_AES", text = "software"),
    (name = "HOST_AES", text = "yes"),
  ],
);

const noCompatWorker :Workerd.Worker = (
  modules = .modules,
  compatibilityDate = "2026-11-01",
  compatibilityFlags = ["no_nodejs_compat", "no_nodejs_compat_v2"],
  bindings = [
    (name = "EXPECT_AES", text = "software"),
    (name = "HOST_AES", text = "no"),
  ],
);
