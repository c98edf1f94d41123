// The Next.js app of this folder, for real: `next build`, then `next start` on 127.0.0.1
// (own port, stopped by pid), driven in Chromium (playwright-core, tests/chromium.mjs):
// sign in through a server action, read in a server component, renew and re-seal in
// proxy, rotate the id, sign out; refused cookies; cross-site POSTs, missing and wrong
// CSRF tokens refused; the sign-in rate limit reached and reset; the sign-in form's
// pre-session token (set by proxy, checked by the server action and a route handler).
import test from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { SessionManager } from "cookie-seal/sessions";
import { chromiumLaunchOptions } from "../chromium.mjs";
import { KEYS, OPTIONS, PRE_SESSION_COOKIE } from "./lib/site.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
const next = `${here}node_modules/.bin/next`;

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const started = Date.now();
const build = spawnSync(next, ["build"], { cwd: here, env, stdio: "inherit" });
console.log(`next build: ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (build.status !== 0) throw new Error(`next build failed (${build.status})`);

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn(next, ["start", "-H", "127.0.0.1", "-p", String(port)], { cwd: here, env, stdio: ["ignore", "inherit", "inherit"] });
process.on("exit", () => server.kill());
for (const deadline = Date.now() + 30_000; ; ) {
  try {
    await fetch(`${base}/api/whoami`);
    break;
  } catch (err) {
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`next start did not answer on ${base}: ${err}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// Another site (localhost is not the same site as 127.0.0.1) whose page posts a form to the app.
const evil = createServer((req, res) => {
  res.setHeader("content-type", "text/html");
  res.end(`<form method="post" action="${base}/api/update"><input name="csrf_token" value="x"></form>
    <script>document.forms[0].submit()</script>`);
});
await new Promise((resolve) => evil.listen(0, "127.0.0.1", resolve));
const evilUrl = `http://localhost:${evil.address().port}/`;

const browser = await chromium.launch(chromiumLaunchOptions());
const context = await browser.newContext();
const page = await context.newPage();
const sessions = new SessionManager(OPTIONS);

test.after(async () => {
  await browser.close();
  evil.close();
  server.kill();
});

const cookieValue = async () => (await context.cookies(base)).find((c) => c.name === OPTIONS.name)?.value;
const shown = async () => JSON.parse(await page.textContent("#session"));
const state = () => page.textContent("#state");
// Clicks a server action's button and waits for the page it leads to: with JavaScript on,
// Next runs the action by fetch and re-renders in place, so there is no load event to wait for.
async function click(id) {
  const before = await page.evaluate(() => document.querySelector("main").innerText);
  await page.click(id);
  await page.waitForFunction((b) => document.querySelector("main")?.innerText !== b, before, { timeout: 15_000 });
}
async function signIn(user = "ada") {
  await page.goto(base);
  await page.fill("input[name=user]", user);
  await click("#sign-in");
}
// A cookie sealed here, put in the browser: as if the app had written it earlier.
async function plant(value) {
  await context.clearCookies();
  await context.addCookies([{ name: OPTIONS.name, value, url: base, httpOnly: true }]);
}
const sealed = (manager, session, now) => manager.setCookies(session, { now })[0].split(";")[0].slice(OPTIONS.name.length + 1);

test("next: sign in through a server action, read it in a server component", async () => {
  await page.goto(base);
  assert.equal(await state(), "signed out");
  await signIn("ada");
  assert.equal(await state(), "signed in as ada");
  const value = await cookieValue();
  const read = sessions.read(`${OPTIONS.name}=${value}`);
  assert.deepEqual(read.data, { user: "ada", n: 0 });
  assert.equal((await shown()).id, read.id);
});

test("next: a server action with the CSRF token changes the session; route handlers read it", async () => {
  await click("#increment");
  assert.equal((await shown()).n, 1);
  const r = await page.request.get(`${base}/api/whoami`);
  assert.deepEqual((await r.json()).data, { user: "ada", n: 1 });
});

test("next: a missing or wrong CSRF token is refused by the server action", async () => {
  for (const value of ["", "forged", null]) {
    await page.goto(base);
    const foreign = new SessionManager(OPTIONS).signIn({});
    await page.evaluate((v) => {
      for (const input of document.querySelectorAll("input[name=csrf_token]")) input.value = v;
    }, value ?? "");
    if (value === null) {
      // A token minted for another session id.
      const { CsrfTokens } = await import("cookie-seal/csrf");
      const theirs = new CsrfTokens({ keys: KEYS, name: OPTIONS.name }).token(foreign);
      await page.evaluate((v) => {
        for (const input of document.querySelectorAll("input[name=csrf_token]")) input.value = v;
      }, theirs);
    }
    await click("#increment");
    assert.equal(await page.textContent("#error"), "error: CSRF", `token ${value}`);
    assert.equal((await shown()).n, 1, "nothing changed");
  }
});

test("next: route handler refuses cross-site POSTs and missing tokens, takes the right one", async () => {
  // A real cross-site form post from another site's page, in the browser.
  const [response] = await Promise.all([page.waitForResponse(`${base}/api/update`), page.goto(evilUrl)]);
  assert.equal(response.status(), 403);
  assert.equal((await response.json()).code, "CROSS_ORIGIN");
  const cookie = `${OPTIONS.name}=${await cookieValue()}`;
  const post = (headers) => fetch(`${base}/api/update`, { method: "POST", headers: { cookie, ...headers } });
  let r = await post({ "sec-fetch-site": "cross-site", origin: "http://evil.example" });
  assert.deepEqual([r.status, (await r.json()).code], [403, "CROSS_ORIGIN"]);
  r = await post({ "sec-fetch-site": "same-origin" });
  assert.deepEqual([r.status, (await r.json()).code], [403, "CSRF"]);
  const { CsrfTokens } = await import("cookie-seal/csrf");
  const token = new CsrfTokens({ keys: KEYS, name: OPTIONS.name }).token(sessions.read(cookie));
  r = await post({ "sec-fetch-site": "same-origin", "x-csrf-token": token });
  assert.deepEqual([r.status, await r.json()], [200, { n: 2 }]);
});

test("next: proxy renews a session past half its idle window before the page reads it", async () => {
  const now = Math.floor(Date.now() / 1000);
  const old = sessions.signIn({ user: "old", n: 5 }, { now: now - 2000 });
  await plant(sealed(sessions, old, now - 2000));
  await page.goto(base);
  assert.equal(await state(), "signed in as old");
  const seen = await shown();
  assert.equal(seen.id, old.id);
  assert.ok(seen.issuedAt >= now - 5, "the page read the renewed cookie");
  const renewed = sessions.read(`${OPTIONS.name}=${await cookieValue()}`);
  assert.ok(renewed.issuedAt >= now - 5, "the browser got the renewed cookie");
  assert.equal(renewed.needsReseal, false);
});

test("next: proxy re-seals a cookie under the retired key k1 under k2", async () => {
  const before = new SessionManager({ ...OPTIONS, keys: KEYS.split(",")[1] });
  const s = before.signIn({ user: "rotated", n: 0 });
  await plant(sealed(before, s));
  await page.goto(base);
  assert.deepEqual([(await shown()).id, (await shown()).keyId], [s.id, "k2"]);
  assert.equal(sessions.read(`${OPTIONS.name}=${await cookieValue()}`).keyId, "k2");
});

test("next: refused cookies read as signed out and proxy clears them", async () => {
  for (const value of ["garbage", sealed(sessions, sessions.signIn({ user: "x" })).slice(0, -3) + "AAA"]) {
    await plant(value);
    await page.goto(base);
    assert.equal(await state(), "signed out");
    assert.equal(await cookieValue(), undefined, "cleared");
  }
});

test("next: rotate the id, then sign out, through server actions", async () => {
  await signIn("ada");
  const { id } = await shown();
  await click("#rotate");
  assert.notEqual((await shown()).id, id);
  await click("#sign-out");
  assert.equal(await state(), "signed out");
  assert.equal(await cookieValue(), undefined);
});

test("next: the sign-in rate limit is reached and resets after its window", async () => {
  for (let i = 0; i < 3; i++) {
    await context.clearCookies();
    await signIn("limited");
    assert.equal(await state(), "signed in as limited");
  }
  await context.clearCookies();
  await signIn("limited");
  assert.equal(await page.textContent("#error"), "error: RATE_LIMITED");
  assert.equal(await state(), "signed out");
  const retry = Number(new URL(page.url()).searchParams.get("retry"));
  assert.ok(retry >= 1 && retry <= 5, `retry ${retry}`);
  await new Promise((r) => setTimeout(r, retry * 1000 + 200));
  await signIn("limited");
  assert.equal(await state(), "signed in as limited");
});

// The sign-in page as a fresh browser fetches it: its pre-session cookie and form token.
async function signInPage() {
  const r = await fetch(base, { redirect: "manual" });
  const cookie = r.headers.getSetCookie().find((c) => c.startsWith(`${PRE_SESSION_COOKIE}=`));
  assert.ok(cookie, `proxy sets the pre-session cookie: ${r.headers.getSetCookie()}`);
  assert.match(cookie, /; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax$/);
  const token = (await r.text()).match(/name="csrf_token" value="([^"]+)"/)?.[1];
  assert.ok(token, "the sign-in form carries a token");
  return { cookie: cookie.split(";")[0], token };
}

test("next: a sign-in route handler takes the page's pre-session token, and refuses a missing, wrong or moved one", async () => {
  const mine = await signInPage();
  const theirs = await signInPage();
  assert.notEqual(mine.cookie, theirs.cookie);
  const post = (cookie, form, headers = {}) =>
    fetch(`${base}/api/sign-in`, {
      method: "POST",
      headers: { ...(cookie ? { cookie } : {}), "sec-fetch-site": "same-origin", "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form),
    });
  const forged = mine.token.slice(0, 40) + (mine.token[40] === "A" ? "B" : "A") + mine.token.slice(41);
  for (const [what, cookie, form] of [
    ["missing", mine.cookie, { user: "eve" }],
    ["altered", mine.cookie, { user: "eve", csrf_token: forged }],
    ["moved to another browser", theirs.cookie, { user: "eve", csrf_token: mine.token }],
    ["without its cookie", null, { user: "eve", csrf_token: mine.token }],
  ]) {
    const r = await post(cookie, form);
    assert.deepEqual([r.status, (await r.json()).code], [403, "CSRF"], what);
    assert.ok(!r.headers.getSetCookie().some((c) => c.startsWith(`${OPTIONS.name}=`)), `${what}: nobody signed in`);
  }
  let r = await post(mine.cookie, { user: "eve", csrf_token: mine.token }, { "sec-fetch-site": "cross-site" });
  assert.deepEqual([r.status, (await r.json()).code], [403, "CROSS_ORIGIN"]);
  r = await post(mine.cookie, { user: "ada", csrf_token: mine.token });
  assert.deepEqual([r.status, await r.json()], [200, { user: "ada" }]);
  assert.ok(r.headers.getSetCookie().some((c) => c.startsWith(`${OPTIONS.name}=`)), "signed in");
});

test("next: the sign-in server action refuses a wrong pre-session token or a lost cookie, and takes the page's", async () => {
  for (const spoil of ["token", "cookie"]) {
    await context.clearCookies();
    await page.goto(base);
    assert.ok((await context.cookies(base)).some((c) => c.name === PRE_SESSION_COOKIE), "proxy set the cookie");
    if (spoil === "token") await page.evaluate(() => (document.querySelector("input[name=csrf_token]").value = "forged"));
    else await context.clearCookies();
    await page.fill("input[name=user]", "mallory");
    await click("#sign-in");
    // What the page shows when no error comes, so that a failure says what happened instead.
    const error = await page.waitForSelector("#error", { timeout: 30_000 }).then(
      (e) => e.textContent(),
      async () => `no #error; the page says: ${await page.evaluate(() => document.querySelector("main")?.innerText ?? document.body.innerText)}`,
    );
    assert.equal(error, "error: CSRF", spoil);
    assert.equal(await state(), "signed out", spoil);
  }
  await context.clearCookies();
  await signIn("grace");
  assert.equal(await state(), "signed in as grace");
});
