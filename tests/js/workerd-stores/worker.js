// The store suite inside a real workerd (run by miniflare, see stores.workerd.test.js), on a
// Workers KV namespace and a Durable Object namespace, one HTTP request per case:
//   GET /list                     the case names for each store, { kv: [...], do: [...] }
//   GET /run?store=kv|do&case=N   runs one case: { ok: true } or { ok: false, error }
//   GET /down?step=...            the Durable Object store failing and recovering (see below)
//   GET /rate-down                the rate limiter on a failing Durable Object, and back
import { SessionManager } from "../node_modules/cookie-seal/sessions-workerd.js";
import { WorkersKvStore } from "../node_modules/cookie-seal/store-workers-kv.js";
import { DurableObjectStore, SessionStoreObject } from "../node_modules/cookie-seal/store-durable-object.js";
import { RateLimiter } from "../node_modules/cookie-seal/rate-limit.js";
import { STORE_KEYS, header, nowSeconds, storeCases } from "../store-suite.js";
import { rateCases } from "../rate-suite.js";
import { Handoff } from "../node_modules/cookie-seal/handoff.js";
import { handoffCases } from "../handoff-suite.js";

export { SessionStoreObject };

// A SessionStoreObject that really fails while its "down" flag is set: what the worker sees
// when the object cannot answer (an exception crosses the RPC, as when it is overloaded).
export class FailingStoreObject extends SessionStoreObject {
  async setDown(down) {
    await this.ctx.storage.put("flag:down", down);
  }
}
for (const name of ["isRevoked", "revoke", "generation", "signOutEverywhere", "recordSignIn", "touch", "sessions", "rateHit", "rateReset"]) {
  const method = SessionStoreObject.prototype[name];
  FailingStoreObject.prototype[name] = async function (...args) {
    if (await this.ctx.storage.get("flag:down")) throw new Error("Durable Object storage is unavailable");
    return method.apply(this, args);
  };
}

let stores = 0;
function cases(env, kind) {
  const store = () =>
    kind === "kv"
      ? new WorkersKvStore(env.SESSIONS_KV, { prefix: `kv${stores++}` })
      : new DurableObjectStore(env.STORE_DO, { prefix: `do${stores++}` });
  const prefix = `rl${stores++}`;
  const pair = () =>
    kind === "kv"
      ? [new WorkersKvStore(env.SESSIONS_KV, { prefix })]
      : [new DurableObjectStore(env.STORE_DO, { prefix }), new DurableObjectStore(env.STORE_DO, { prefix })];
  return [
    ...storeCases({ SessionManager, store, remember: kind === "do" }),
    ...rateCases({ RateLimiter, pair, refused: kind === "kv" }),
    ...handoffCases({ Handoff, pair, refused: kind === "kv" }),
  ];
}

// A rate limit on a Durable Object that fails: refused with STORE_UNAVAILABLE, never let
// through; once it answers again, the count goes on from where it was.
async function rateDown(env) {
  const limiter = new RateLimiter({ limit: 5, window: 60, store: new DurableObjectStore(env.FAILING_DO, { prefix: "rdown", timeout: 500 }) });
  const key = `k${Date.now()}`;
  const object = env.FAILING_DO.get(env.FAILING_DO.idFromName(`rdown:rl:${key}`));
  await object.setDown(false);
  const before = await limiter.take(key);
  await object.setDown(true);
  const down = await limiter.take(key);
  const reset = await code(limiter.reset(key));
  await object.setDown(false);
  const after = await limiter.take(key);
  return { before: before.remaining, down: [down.ok, down.code, down.error?.code, down.retryAfter], reset, after: after.remaining };
}

const json = (value) => new Response(JSON.stringify(value), { headers: { "content-type": "application/json" } });

async function code(promise) {
  try {
    await promise;
  } catch (err) {
    return err.code ?? String(err);
  }
  return "no error";
}

// One subject's object on the failing namespace; each step is its own request.
let down;
async function downStep(env, step) {
  const events = [];
  const store = new DurableObjectStore(env.FAILING_DO, { prefix: "down", timeout: 500 });
  const sessions = new SessionManager({ keys: STORE_KEYS, name: "__Host-session", store, onEvent: (e) => events.push(e) });
  const now = nowSeconds();
  const object = env.FAILING_DO.get(env.FAILING_DO.idFromName("down:u:down-user"));
  if (step === "setup") {
    await object.setDown(false);
    const s = await sessions.signInAsync(1, { subject: "down-user", now });
    down = header(await sessions.setCookiesAsync(s, { now }));
    return { ok: (await sessions.readAsync(down, { now })).data === 1 };
  }
  if (step === "fail") {
    await object.setDown(true);
    const request = new Request("https://example.com/", { headers: { cookie: down } });
    return {
      read: await code(sessions.readAsync(down, { now })),
      fromRequest: await code(sessions.fromRequestAsync(request, { now })),
      signIn: await code(sessions.signInAsync(1, { subject: "down-user", now })),
      events: events.map((e) => [e.type, e.code, e.operation]),
    };
  }
  await object.setDown(false);
  return { data: (await sessions.readAsync(down, { now })).data };
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/list") {
      return json({ kv: cases(env, "kv").map((c) => c.name), do: cases(env, "do").map((c) => c.name) });
    }
    if (url.pathname === "/down") return json(await downStep(env, url.searchParams.get("step")));
    if (url.pathname === "/rate-down") return json(await rateDown(env));
    const { fn } = cases(env, url.searchParams.get("store"))[Number(url.searchParams.get("case"))];
    try {
      await fn();
      return json({ ok: true });
    } catch (err) {
      return json({ ok: false, error: `${err.name}: ${err.message}\n${err.stack}` });
    }
  },
};
