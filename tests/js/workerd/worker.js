// The JS suite inside a Cloudflare worker. GET /list names the cases, GET /run?i=N runs
// one and answers {ok, error}, GET /cross seals values for native Rust to open, GET
// /cross-sessions writes sessions for it to read.
//
// And sessions over real HTTP, the way a worker uses the package (workerd.test.js carries
// the cookies between this worker and native Rust):
//   GET /session/sign-in  signs in at T0 and sets the session cookie(s) in the response;
//                         the body says what native Rust must read from them.
//   GET /session/renew    reads the session from the request's Cookie header at T0 + 30,
//                         answers what it read, changes the data and sets the new cookie(s).
// The package's files are modules under "cookie-seal/", laid out as in the package (see
// config.capnp), so both entries share one core.js as they do under a bundler; these two are
// the files the `workerd` condition gives for "cookie-seal" and "cookie-seal/sessions".
import { wasmMemories } from "./wasm-memory.js"; // before the package: it records the instances
import * as api from "./cookie-seal/workerd.js";
import * as sessionsApi from "./cookie-seal/sessions-workerd.js";
import { cases, sealForNative, sessionsForNative } from "./suite.js";
import vectors from "./vectors.json";
import openVectors from "./open-vectors.json";
import sessionVectors from "./session-vectors.json";
import native from "./native.json";

// Made at the first request, which has the bindings (config.capnp): the AES backend to force
// first (AES), what Sealer.aesBackend must then say and whether node:crypto exists.
let list;
async function suite(env) {
  if (list === undefined) {
    if (env.AES) for (const entry of [api, sessionsApi]) await entry.init({ aesBackend: env.AES });
    const aes = { aes: env.EXPECT_AES, aesChoice: env.AES, hostAes: env.HOST_AES === "yes" };
    list = cases({ api, sessionsApi, vectors, openVectors, sessionVectors, native, wasmMemories, ...aes });
  }
  return list;
}
const T0 = 1_700_000_000;
// The native side's manager (examples/cross_runtime.rs): key k1 = 32 bytes of 0x01.
const sessions = new sessionsApi.SessionManager({
  keys: "k1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE",
  name: "__Host-session",
  maxChunks: 3,
});

function json(body, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

// What native Rust checks of a session it reads (cross_runtime read).
function expected(session, subject) {
  return {
    payload: JSON.stringify(session.data),
    id: session.id,
    subject,
    signedInAt: session.signedInAt,
    rememberMe: session.rememberMe,
  };
}

export default {
  async fetch(request, env) {
    const list = await suite(env);
    const url = new URL(request.url);
    if (url.pathname === "/list") return json(list.map((c) => c.name));
    if (url.pathname === "/cross") return json(sealForNative(api));
    if (url.pathname === "/cross-sessions") return json(sessionsForNative(sessionsApi, native));
    if (url.pathname === "/session/sign-in") {
      const subject = { id: "worker-user", generation: 3 };
      const session = sessions.signIn({ uid: 5, via: "workerd" }, { rememberMe: true, subject, now: T0 });
      return sessions.commit(session, json(expected(session, { id: subject.id, generation: "3" })), { now: T0 });
    }
    if (url.pathname === "/session/renew") {
      const session = sessions.fromRequest(request, { now: T0 + 30 });
      if (session === null) return json({ error: "no session in the Cookie header" }, 400);
      const read = { ...session };
      session.data = { renewedBy: "workerd", was: session.data };
      return sessions.commit(session, json({ read, write: expected(session, null) }), { now: T0 + 30 });
    }
    if (url.pathname === "/run") {
      const item = list[Number(url.searchParams.get("i"))];
      if (!item) return json({ ok: false, error: "no such case" }, 404);
      try {
        await item.fn();
        return json({ ok: true });
      } catch (err) {
        return json({ ok: false, error: `${err && err.name}: ${err && err.message}\n${err && err.stack}` });
      }
    }
    return json({ error: "not found" }, 404);
  },
};
