// What the HTTP scenarios cannot reach cheaply: the rate limiter's bounds and reset, the
// cross-origin rules one by one, and token expiry.
import test from "node:test";
import assert from "node:assert/strict";
import { CrossOrigin, CsrfTokens, PreSessionTokens } from "cookie-seal/csrf";
import { MemoryCounter, RateLimiter, clientKey } from "cookie-seal/rate-limit";
import { NextSessions } from "cookie-seal/next";
import { SealError, SessionManager } from "cookie-seal/sessions";
import { KEY1, PRE_SESSION_OPTIONS, SESSION_OPTIONS } from "./site.js";

test("the in-memory counter never holds more than maxKeys; a flood shares the overflow budget", async () => {
  const counter = new MemoryCounter({ maxKeys: 100 });
  const limiter = new RateLimiter({ limit: 2, window: 60, counter });
  for (let i = 0; i < 10_000; i++) await limiter.take(`flood-${i}`, { now: 1000 });
  assert.equal(counter.size, 101); // 100 keys and the overflow counter
  assert.equal((await limiter.take("newcomer", { now: 1000 })).ok, false, "the overflow budget is spent");
  assert.equal((await limiter.take("flood-0", { now: 1000 })).ok, true, "a known key keeps its own count");
  assert.equal((await limiter.take("newcomer", { now: 1060 })).ok, true, "ended windows are swept");
});

test("reset forgets a key; windows end; a failing counter refuses", async () => {
  const limiter = new RateLimiter({ limit: 1, window: 10 });
  assert.equal((await limiter.take("a", { now: 0 })).ok, true);
  const over = await limiter.take("a", { now: 3 });
  assert.deepEqual([over.ok, over.retryAfter], [false, 7]);
  await limiter.reset("a");
  assert.equal((await limiter.take("a", { now: 4 })).ok, true);
  assert.equal((await limiter.take("a", { now: 14 })).ok, true);
  const down = new RateLimiter({ limit: 5, window: 30, counter: { hit: async () => { throw new Error("store down"); }, reset() {} } });
  const answer = await down.take("a");
  assert.deepEqual([answer.ok, answer.retryAfter], [false, 30]);
  assert.throws(() => new RateLimiter({ limit: 0, window: 1 }), (e) => e instanceof SealError && e.code === "INVALID_OPTION");
});

test("clientKey: IPv6 by /64, mapped IPv4 as IPv4", () => {
  assert.equal(clientKey("203.0.113.7"), "203.0.113.7");
  assert.equal(clientKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  assert.equal(clientKey("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
  assert.equal(clientKey("::ffff:203.0.113.7"), "203.0.113.7");
  assert.equal(clientKey("::1"), "0:0:0:0::/64");
});

test("cross-origin rules, as the Rust crate's", () => {
  const check = new CrossOrigin({ origin: "HTTPS://Shop.Example:443/", trust: ["https://pay.example"] });
  const post = (h) => ({ method: "POST", host: "shop.example", ...h });
  const refused = (h) => assert.throws(() => check.checkHeaders(post(h)), (e) => e.code === "CROSS_ORIGIN", JSON.stringify(h));
  check.checkHeaders(post({ origin: "https://shop.example", secFetchSite: "same-origin" }));
  check.checkHeaders(post({ origin: "https://pay.example", secFetchSite: "cross-site" }));
  check.checkHeaders(post({ origin: "https://evil.example", secFetchSite: "same-origin" }));
  check.checkHeaders(post({ secFetchSite: "none" }));
  check.checkHeaders(post({ referer: "https://shop.example/cart?x=1" }));
  check.checkHeaders(post({})); // no evidence: the token decides
  check.checkHeaders({ method: "GET", origin: "https://evil.example" });
  refused({ origin: "https://shop.example", secFetchSite: "cross-site" });
  refused({ origin: "https://blog.shop.example", secFetchSite: "same-site" });
  refused({ secFetchSite: "bogus" });
  refused({ origin: "http://shop.example" });
  refused({ origin: "null" });
  refused({ origin: "x".repeat(100_000) });
  refused({ referer: "https://shop.example.evil.example/" });
  refused({ referer: "garbage" });
  for (const method of ["PUT", "PATCH", "DELETE", "post", "PROPFIND"]) {
    assert.throws(() => check.checkHeaders({ method, origin: "https://evil.example" }), (e) => e.code === "CROSS_ORIGIN");
  }
  const sameHost = new CrossOrigin();
  sameHost.checkHeaders({ method: "POST", host: "Shop.Example", origin: "https://shop.example" });
  sameHost.checkHeaders({ method: "POST", host: "shop.example:443", origin: "https://shop.example" });
  assert.throws(() => sameHost.checkHeaders({ method: "POST", origin: "https://shop.example" }), (e) => e.code === "CROSS_ORIGIN");
  for (const bad of ["shop.example", "https://shop.example/path", "null", "ftp://x"]) {
    assert.throws(() => new CrossOrigin({ origin: bad }), (e) => e.code === "INVALID_OPTION", bad);
  }
  assert.throws(() => new CrossOrigin({ trust: Array(65).fill("https://a.example") }), (e) => e.code === "INVALID_OPTION");
});

test("CSRF tokens: bound to the session id, cookie name and purpose; they expire", () => {
  const tokens = new CsrfTokens({ keys: `k1:${KEY1}`, name: "session", ttl: 600 });
  const token = tokens.token("id-1", { now: 1000 });
  assert.notEqual(token, tokens.token("id-1", { now: 1000 }), "a fresh nonce each time");
  tokens.verify(token, { id: "id-1" }, { now: 1060 });
  const csrf = (fn, why) => assert.throws(fn, (e) => e instanceof SealError && e.code === "CSRF" && e.message.includes(why));
  csrf(() => tokens.verify(token, "id-2", { now: 1060 }), "not valid");
  csrf(() => tokens.verify(token, "id-1", { now: 1000 + 3600 }), "expired");
  csrf(() => tokens.verify("", "id-1"), "missing");
  csrf(() => tokens.verify(token, null), "needs a session");
  csrf(() => new CsrfTokens({ keys: `k1:${KEY1}`, name: "other" }).verify(token, "id-1", { now: 1060 }), "not valid");
});

test("pre-session tokens: bound to the cookie's value, cookie name and purpose; they expire; options are checked", () => {
  const tokens = new PreSessionTokens({ keys: `k1:${KEY1}`, ttl: 600 });
  assert.equal(tokens.cookieName, "__Host-csrf");
  const { token, setCookie } = tokens.issue("", { now: 1000 });
  assert.match(setCookie, /^__Host-csrf=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/; Secure; HttpOnly; SameSite=Lax$/);
  const cookie = setCookie.split(";")[0];
  tokens.verify(token, `a=1; ${cookie}`, { now: 1060 });
  const csrf = (fn, why) => assert.throws(fn, (e) => e instanceof SealError && e.code === "CSRF" && e.message.includes(why));
  csrf(() => tokens.verify(token, tokens.issue("").setCookie.split(";")[0], { now: 1060 }), "not valid for this browser");
  csrf(() => tokens.verify(token, cookie, { now: 1000 + 600 + 61 }), "expired");
  csrf(() => tokens.verify("", cookie), "missing");
  csrf(() => tokens.verify(token, "__Host-csrf=planted"), "no cookie");
  csrf(() => tokens.verify(token, ""), "no cookie");
  const sessionBound = new CsrfTokens({ keys: `k1:${KEY1}`, name: "__Host-csrf" }).token(cookie.split("=")[1], { now: 1000 });
  csrf(() => tokens.verify(sessionBound, cookie, { now: 1060 }), "not valid");
  assert.equal(tokens.issue(cookie).setCookie.split(";")[0], cookie, "the request's value is kept");
  assert.notEqual(tokens.issue("__Host-csrf=planted").setCookie.split(";")[0], "__Host-csrf=planted");
  assert.equal(tokens.clearCookie(), "__Host-csrf=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax");
  for (const options of [{ keys: `k1:${KEY1}`, secure: false }, { keys: `k1:${KEY1}`, ttl: 86401 }, { keys: `k1:${KEY1}`, ttl: 0 }, { keys: `k1:${KEY1}`, name: "a b" }, { keys: `k1:${KEY1}`, extra: 1 }]) {
    assert.throws(() => new PreSessionTokens(options), (e) => e.code === "INVALID_OPTION", JSON.stringify(options));
  }
  assert.doesNotThrow(() => new PreSessionTokens({ keys: `k1:${KEY1}`, name: "csrf", secure: false }));
});

test("next proxy(): a signed-out browser gets its pre-session cookie, passed on to the page's request, and a token for it verifies", async () => {
  const preSession = new PreSessionTokens(PRE_SESSION_OPTIONS);
  const auth = new NextSessions(new SessionManager(SESSION_OPTIONS), { cookies: async () => ({ getAll: () => [] }), preSession });
  // What proxy() uses of next/server: NextResponse.next({ request: { headers } }) and NextRequest's cookies.
  const NextResponse = { next: (init) => Object.assign(new Response(null), { passedOn: init?.request.headers }) };
  const request = (cookie) => {
    const r = new Request("http://127.0.0.1/", { headers: cookie === undefined ? {} : { cookie } });
    const all = (cookie ?? "").split("; ").filter(Boolean).map((pair) => ({ name: pair.split("=")[0], value: pair.slice(pair.indexOf("=") + 1) }));
    return Object.assign(r, { cookies: { getAll: () => all } });
  };
  const fresh = await auth.proxy(request(undefined), NextResponse);
  const set = fresh.headers.getSetCookie();
  assert.equal(set.length, 1, String(set));
  assert.match(set[0], /^csrf=[A-Za-z0-9_-]{43}; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax$/);
  const cookie = set[0].split(";")[0];
  assert.equal(fresh.passedOn.get("cookie"), cookie, "the page rendering this request sees the cookie");
  // The page's form token, made from the request as passed on, verifies with the browser's cookie.
  preSession.verify(preSession.issue(fresh.passedOn.get("cookie")).token, `a=1; ${cookie}`);
  const again = await auth.proxy(request(`a=1; ${cookie}`), NextResponse);
  assert.deepEqual([again.headers.getSetCookie(), again.passedOn], [[], undefined], "a browser that has the cookie keeps it");
  const other = await auth.proxy(request(undefined), NextResponse);
  assert.notEqual(other.headers.getSetCookie()[0].split(";")[0], cookie, "each browser its own value");
});
