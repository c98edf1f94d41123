// Type-checked by `deno test` (scripts/test-frameworks.sh) against the packed package's
// .d.ts files of the framework-free entries, then run.
import { SessionManager } from "cookie-seal/sessions";
import { CSRF_FIELD, CSRF_HEADER, CrossOrigin, CsrfTokens, PreSessionTokens, originHeaders, requestToken, type PreSessionToken } from "cookie-seal/csrf";
import { MemoryCounter, RateLimiter, clientKey, rateLimitedResponse, type Counter } from "cookie-seal/rate-limit";
import { protect, protectSignIn, rateLimit, session } from "cookie-seal/hono";
import * as expressEntry from "cookie-seal/express";
import { NextSessions } from "cookie-seal/next";
import { KEY1 } from "./site.js";

Deno.test("types: the entries' declarations match what they export", async () => {
  const sessions = new SessionManager({ keys: `k1:${KEY1}`, name: "s", insecureDevModeForLocalhost: true });
  const tokens = new CsrfTokens({ keys: `k1:${KEY1}`, name: "s", ttl: 60 });
  const s = sessions.signIn({ n: 1 });
  const token: string = tokens.token(s);
  tokens.verify(token, s);
  const request = new Request("http://127.0.0.1/x", { method: "POST", headers: { [CSRF_HEADER]: token } });
  new CrossOrigin({ trust: ["https://a.example"] }).check(request);
  if (originHeaders(request).host !== "127.0.0.1") throw new Error("host from the URL");
  if ((await requestToken(request)) !== token || CSRF_FIELD !== "csrf_token") throw new Error("token");
  const counter: Counter = new MemoryCounter({ maxKeys: 10 });
  const limiter = new RateLimiter({ limit: 1, window: 60, counter });
  const answer = await limiter.take(clientKey("2001:db8::1"));
  if (!answer.ok || rateLimitedResponse(5).status !== 429) throw new Error("limiter");
  if (rateLimitedResponse(5, "STORE_UNAVAILABLE").status !== 503) throw new Error("limiter down");
  const middleware = [session(sessions), protect({ tokens }), rateLimit(limiter, { key: () => "k" })];
  if (middleware.some((m) => typeof m !== "function")) throw new Error("hono middleware");
  if (typeof expressEntry.session(sessions) !== "function") throw new Error("express middleware");
  const preSession = new PreSessionTokens({ keys: `k1:${KEY1}`, name: "csrf", ttl: 600, secure: false });
  const issued: PreSessionToken = preSession.issue(null);
  preSession.verify(issued.token, issued.setCookie.split(";")[0]);
  if (preSession.cookieName !== "csrf" || !preSession.clearCookie().includes("Max-Age=0")) throw new Error("pre-session");
  if (typeof protectSignIn({ preSession }) !== "function" || typeof expressEntry.protectSignIn({ preSession }) !== "function") {
    throw new Error("sign-in guards");
  }
  const jar = { getAll: () => [], set: () => undefined };
  if ((await new NextSessions(sessions, { cookies: () => jar, tokens, preSession }).get()) !== null) throw new Error("next");
});

Deno.test("types: a RateLimiter counts on a store's rateCounter(); refusals carry their code", async () => {
  type Stores = [import("cookie-seal/redis").RedisStore, import("cookie-seal/deno-kv").DenoKvStore, import("cookie-seal/durable-object").DurableObjectStore];
  const fleet = (store: Stores[number]) => new RateLimiter({ limit: 5, window: 60, store });
  const refused = (store: import("cookie-seal/workers-kv").WorkersKvStore): never => store.rateCounter();
  const store = { rateCounter: (): Counter => new MemoryCounter() };
  const limiter = new RateLimiter({ limit: 1, window: 60, store });
  await limiter.take("k");
  const over = await limiter.take("k");
  const code: "RATE_LIMITED" | "STORE_UNAVAILABLE" | undefined = over.code;
  if (code !== "RATE_LIMITED" || typeof fleet !== "function" || typeof refused !== "function") throw new Error(`got ${code}`);
  // @ts-expect-error a store is one with rateCounter()
  () => new RateLimiter({ limit: 1, window: 1, store: {} });
});

Deno.test("types: cookie-seal/handoff issues and redeems through a single-use record", async () => {
  const { Handoff, MemorySingleUse, MAX_HANDOFF_TTL } = await import("cookie-seal/handoff");
  const handoff = new Handoff({ keys: `h1:${KEY1}`, ttl: MAX_HANDOFF_TTL });
  const token: string = handoff.issue("https://b.example", { user: 1 });
  const used: import("cookie-seal/handoff").SingleUse = new MemorySingleUse({ capacity: 10 });
  const data = await handoff.redeem<{ user: number }>(token, "https://b.example", used);
  const user: number = data.user;
  const store = (s: import("cookie-seal/redis").RedisStore): import("cookie-seal/handoff").SingleUse => s;
  if (user !== 1 || typeof store !== "function") throw new Error("handoff");
  // @ts-expect-error redeem needs a single-use record
  () => handoff.redeem(token, "https://b.example");
});
