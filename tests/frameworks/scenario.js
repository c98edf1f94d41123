// The checks every framework app of site.js must pass, over real HTTP against `base`.
// scenarios(base, api) returns [{ name, fn }]; fn throws on failure. `api` is the installed
// cookie-seal/sessions module, used to forge the cookies a test needs (an old session due
// for renewal, one under the retired key k1).
import assert from "node:assert/strict";
import { KEY1, NAME, SESSION_OPTIONS } from "./site.js";

// A browser's cookie jar, enough for these tests: Set-Cookie values in, a Cookie header out.
export class Jar {
  #cookies = new Map();
  take(response) {
    const set = response.headers.getSetCookie();
    for (const value of set) {
      const [pair, ...attributes] = value.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const deleted = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (deleted) this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(at + 1).trim());
    }
    return set;
  }
  put(name, value) {
    this.#cookies.set(name, value);
  }
  header() {
    return [...this.#cookies].map(([n, v]) => `${n}=${v}`).join("; ");
  }
}

export function scenarios(base, api) {
  const clientId = `c${Math.random().toString(36).slice(2)}`;
  const origin = new URL(base).origin;

  // A request as a same-origin page of the site would send it (Sec-Fetch-Site, Origin).
  async function send(jar, path, { method = "GET", form, headers = {}, client = clientId } = {}) {
    const h = { cookie: jar.header(), "x-client": client, ...headers };
    if (method !== "GET") {
      if (!("sec-fetch-site" in h)) h["sec-fetch-site"] = "same-origin";
      if (!("origin" in h)) h.origin = origin;
    }
    for (const [k, v] of Object.entries(h)) if (v === null) delete h[k];
    const init = { method, headers: h, redirect: "manual", signal: AbortSignal.timeout(30_000) };
    if (form) {
      init.body = new URLSearchParams(form);
      h["content-type"] = "application/x-www-form-urlencoded";
    }
    const response = await fetch(base + path, init);
    const setCookie = jar.take(response);
    const text = await response.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: response.status, body, setCookie, headers: response.headers };
  }

  async function signedIn(user = "ada", client) {
    const jar = new Jar();
    const r = await send(jar, "/sign-in", { method: "POST", form: { user }, client: client ?? `${clientId}-${user}-${Math.random()}` });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.setCookie.length, 1);
    assert.match(r.setCookie[0], new RegExp(`^${NAME}=`));
    assert.match(r.setCookie[0], /HttpOnly/);
    return { jar, id: r.body.id };
  }

  async function token(jar) {
    const r = await send(jar, "/token");
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.token;
  }

  return [
    {
      name: "sign in, read, change, and nothing is written when nothing changed",
      fn: async () => {
        const { jar, id } = await signedIn();
        let r = await send(jar, "/whoami");
        assert.deepEqual(r.body, { data: { user: "ada", n: 0 }, id, keyId: "k2", error: null });
        assert.equal(r.setCookie.length, 0, "a read with nothing due writes no cookie");
        r = await send(jar, "/update", { method: "POST", form: { csrf_token: await token(jar) } });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.setCookie.length, 1, "changed data is written");
        r = await send(jar, "/whoami");
        assert.deepEqual(r.body.data, { user: "ada", n: 1 });
      },
    },
    {
      name: "refused cookies: forged, garbage and another site's read as signed out and are cleared",
      fn: async () => {
        const { jar } = await signedIn();
        const real = jar.header().slice(NAME.length + 1);
        const forged = real.slice(0, -2) + (real.at(-2) === "A" ? "B" : "A") + real.at(-1);
        const other = new api.SessionManager({ ...SESSION_OPTIONS, keys: "k2:" + "Aw".repeat(21) + "A" });
        const foreign = other.setCookies(other.signIn({ user: "mallory" }))[0].split(";")[0].slice(NAME.length + 1);
        for (const [what, value, code] of [
          ["forged", forged, "BAD_SEAL"],
          ["garbage", "not-a-cookie", "UNSUPPORTED_VERSION"],
          ["oversized", "A".repeat(5000), "TOO_LARGE"],
          ["another key's k2", foreign, "BAD_SEAL"],
        ]) {
          const j = new Jar();
          j.put(NAME, value);
          const r = await send(j, "/whoami");
          assert.equal(r.status, 200);
          assert.equal(r.body.data, null, what);
          assert.equal(r.body.error, code, what);
          assert.ok(r.setCookie.some((v) => v.startsWith(`${NAME}=;`) && /Max-Age=0/i.test(v)), `${what}: cleared: ${r.setCookie}`);
        }
      },
    },
    {
      name: "renewal: a session past half its idle window is re-sealed on a plain read",
      fn: async () => {
        const sessions = new api.SessionManager(SESSION_OPTIONS);
        const now = Math.floor(Date.now() / 1000);
        const old = sessions.signIn({ user: "old", n: 7 }, { now: now - 2000 });
        const jar = new Jar();
        jar.put(NAME, sessions.setCookies(old, { now: now - 2000 })[0].split(";")[0].slice(NAME.length + 1));
        const r = await send(jar, "/whoami");
        assert.deepEqual(r.body.data, { user: "old", n: 7 });
        assert.equal(r.setCookie.length, 1, "renewed");
        const renewed = sessions.read(jar.header());
        assert.equal(renewed.id, old.id);
        assert.ok(renewed.issuedAt >= now - 5, `issued at ${renewed.issuedAt}, now ${now}`);
        assert.equal(renewed.needsReseal, false);
      },
    },
    {
      name: "key rotation: a cookie under the retired key k1 is read and re-sealed under k2",
      fn: async () => {
        const before = new api.SessionManager({ ...SESSION_OPTIONS, keys: `k1:${KEY1}` });
        const s = before.signIn({ user: "rotated", n: 0 });
        const jar = new Jar();
        jar.put(NAME, before.setCookies(s)[0].split(";")[0].slice(NAME.length + 1));
        let r = await send(jar, "/whoami");
        assert.equal(r.body.keyId, "k1");
        assert.equal(r.setCookie.length, 1, "re-sealed under the primary");
        r = await send(jar, "/whoami");
        assert.equal(r.body.keyId, "k2");
        assert.equal(r.body.id, s.id);
      },
    },
    {
      name: "id rotation: regenerateId gives a new id, and the old CSRF token stops verifying",
      fn: async () => {
        const { jar, id } = await signedIn();
        const before = await token(jar);
        const r = await send(jar, "/rotate", { method: "POST", headers: { "x-csrf-token": before } });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.notEqual(r.body.id, id);
        assert.equal((await send(jar, "/whoami")).body.id, r.body.id);
        const stale = await send(jar, "/update", { method: "POST", headers: { "x-csrf-token": before } });
        assert.equal(stale.status, 403);
        assert.equal(stale.body.code, "CSRF");
      },
    },
    {
      name: "sign-out deletes the cookie",
      fn: async () => {
        const { jar } = await signedIn();
        const r = await send(jar, "/sign-out", { method: "POST", form: { csrf_token: await token(jar) } });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.ok(r.setCookie.some((v) => v.startsWith(`${NAME}=;`) && /Max-Age=0/i.test(v)), String(r.setCookie));
        assert.equal((await send(jar, "/whoami")).body.data, null);
      },
    },
    {
      name: "a session changed by a failing handler is still written on the 500",
      fn: async () => {
        const { jar } = await signedIn();
        const r = await send(jar, "/fail", { method: "POST", headers: { "x-csrf-token": await token(jar) } });
        assert.equal(r.status, 500);
        assert.equal(r.setCookie.length, 1);
        assert.equal((await send(jar, "/whoami")).body.data.failed, true);
      },
    },
    {
      name: "cross-site POSTs are refused (Sec-Fetch-Site, Origin, Referer), even with a valid token",
      fn: async () => {
        const { jar } = await signedIn();
        const t = await token(jar);
        for (const headers of [
          { "sec-fetch-site": "cross-site", origin: "http://evil.example" },
          { "sec-fetch-site": "same-site", origin: "http://evil.localhost" },
          { "sec-fetch-site": null, origin: "http://evil.example" },
          { "sec-fetch-site": null, origin: "null" },
          { "sec-fetch-site": null, origin: null, referer: "http://evil.example/page" },
        ]) {
          const r = await send(jar, "/update", { method: "POST", headers: { ...headers, "x-csrf-token": t } });
          assert.equal(r.status, 403, JSON.stringify(headers));
          assert.equal(r.body.code, "CROSS_ORIGIN", JSON.stringify(headers));
        }
        const signIn = await send(new Jar(), "/sign-in", { method: "POST", form: { user: "x" }, headers: { "sec-fetch-site": "cross-site" } });
        assert.equal(signIn.status, 403);
        assert.equal((await send(jar, "/whoami")).body.data.n, 0, "nothing changed");
      },
    },
    {
      name: "a missing or wrong CSRF token is refused; the right one passes",
      fn: async () => {
        const { jar } = await signedIn("victim");
        const { jar: attacker } = await signedIn("attacker");
        const theirs = await token(attacker);
        const mine = await token(jar);
        for (const [what, opts] of [
          ["missing", {}],
          ["empty", { form: { csrf_token: "" } }],
          ["another session's", { form: { csrf_token: theirs } }],
          ["garbage", { headers: { "x-csrf-token": "x".repeat(600) } }],
          ["truncated", { form: { csrf_token: mine.slice(0, -1) } }],
          ["a no-header browser without a token", { headers: { "sec-fetch-site": null, origin: null } }],
        ]) {
          const r = await send(jar, "/update", { method: "POST", ...opts });
          assert.equal(r.status, 403, what);
          assert.equal(r.body.code, "CSRF", what);
        }
        const r = await send(jar, "/update", { method: "POST", form: { csrf_token: mine }, headers: { "sec-fetch-site": null, origin: null } });
        assert.equal(r.status, 200, "a no-header browser with the token passes");
      },
    },
    {
      name: "the sign-in form's pre-session token: missing, wrong, moved or cookie-less refused; the right one signs in",
      fn: async () => {
        const browser = new Jar();
        const page = await send(browser, "/sign-in-form");
        assert.equal(page.status, 200);
        assert.equal(page.setCookie.length, 1, String(page.setCookie));
        assert.match(page.setCookie[0], /^csrf=[A-Za-z0-9_-]{43}; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax$/);
        const pageToken = page.body.token;
        const other = new Jar();
        await send(other, "/sign-in-form");
        const { jar: signedInJar } = await signedIn("someone");
        const sessionToken = await token(signedInJar);
        const forged = pageToken.slice(0, 40) + (pageToken[40] === "A" ? "B" : "A") + pageToken.slice(41);
        const planted = new Jar();
        planted.put("csrf", "chosen-by-the-attacker");
        for (const [what, jar, opts] of [
          ["missing", browser, { form: { user: "eve" } }],
          ["empty", browser, { form: { user: "eve", csrf_token: "" } }],
          ["altered", browser, { form: { user: "eve", csrf_token: forged } }],
          ["moved to another browser", other, { form: { user: "eve", csrf_token: pageToken } }],
          ["without its cookie", new Jar(), { form: { user: "eve", csrf_token: pageToken } }],
          ["a planted cookie value", planted, { form: { user: "eve", csrf_token: pageToken } }],
          ["a session-bound token", browser, { form: { user: "eve", csrf_token: sessionToken } }],
        ]) {
          const r = await send(jar, "/sign-in-checked", { method: "POST", ...opts });
          assert.equal(r.status, 403, what);
          assert.equal(r.body.code, "CSRF", what);
          assert.equal(r.setCookie.length, 0, `${what}: nobody signed in`);
        }
        const cross = await send(browser, "/sign-in-checked", { method: "POST", form: { user: "eve", csrf_token: pageToken }, headers: { "sec-fetch-site": "cross-site" } });
        assert.equal(cross.body.code, "CROSS_ORIGIN");
        // Reloading the form keeps the value (other tabs stay valid); both tokens sign in.
        const again = await send(browser, "/sign-in-form");
        assert.equal(again.setCookie[0].split(";")[0], page.setCookie[0].split(";")[0]);
        for (const [t, how] of [[pageToken, "form"], [again.body.token, "header"]]) {
          const opts = how === "form" ? { form: { user: "ada", csrf_token: t } } : { form: { user: "ada" }, headers: { "x-csrf-token": t } };
          const r = await send(browser, "/sign-in-checked", { method: "POST", ...opts });
          assert.equal(r.status, 200, `${how}: ${JSON.stringify(r.body)}`);
          assert.equal(r.body.user, "ada");
          assert.ok(r.setCookie.some((v) => v.startsWith(`${NAME}=`)), "signed in");
        }
      },
    },
    {
      name: "a rate limiter whose store is down refuses (503, STORE_UNAVAILABLE), never lets the request through",
      fn: async () => {
        const r = await send(new Jar(), "/sign-in-limiter-down", { method: "POST", form: { user: "ada" } });
        assert.equal(r.status, 503);
        assert.equal(r.body.code, "STORE_UNAVAILABLE");
        assert.ok(Number(r.headers.get("retry-after")) >= 1);
        assert.notEqual(r.body.passed, true);
      },
    },
    {
      name: "the sign-in rate limit is reached (429, Retry-After, RATE_LIMITED) and resets after its window",
      fn: async () => {
        const client = `${clientId}-limited`;
        for (let i = 0; i < 3; i++) await signedIn(`try${i}`, client);
        const r = await send(new Jar(), "/sign-in", { method: "POST", form: { user: "over" }, client });
        assert.equal(r.status, 429);
        assert.equal(r.body.code, "RATE_LIMITED");
        const wait = Number(r.headers.get("retry-after"));
        assert.ok(wait >= 1 && wait <= 2, `Retry-After ${wait}`);
        assert.equal((await send(new Jar(), "/sign-in", { method: "POST", form: { user: "other" }, client: `${client}-2` })).status, 200, "another client is not limited");
        await new Promise((resolve) => setTimeout(resolve, wait * 1000 + 100));
        await signedIn("again", client);
      },
    },
  ];
}
