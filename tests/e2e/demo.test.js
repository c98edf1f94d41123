// Browser end-to-end tests of the demo server and the playground, in Debian's Chromium
// driven by playwright-core. scripts/test-e2e.sh starts the server and sets:
//   DEMO_URL     the server, e.g. http://127.0.0.1:41234 (no trailing slash)
//   DEMO_ADMIN_TOKEN  the admin token the server was started with (key rotation)
//   E2E_OUT      where screenshots go (test-output/e2e)
//   COOKIE_SEAL_DOCS_SCREENSHOT=1  also writes the README's docs/playground.png
// The tests share one server, so none assumes which key is primary when it starts.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { chromiumLaunchOptions } from "../chromium.mjs";

const BASE = process.env.DEMO_URL;
if (!BASE) throw new Error("DEMO_URL is not set: run scripts/test-e2e.sh");
const ADMIN_TOKEN = process.env.DEMO_ADMIN_TOKEN;
if (!ADMIN_TOKEN) throw new Error("DEMO_ADMIN_TOKEN is not set: run scripts/test-e2e.sh");
const OUT = process.env.E2E_OUT ?? fileURLToPath(new URL("../../test-output/e2e/", import.meta.url));
const DOCS_SHOT = fileURLToPath(new URL("../../docs/playground.png", import.meta.url));
mkdirSync(OUT, { recursive: true });

const COOKIE = "demo-session";
// Everything the playground may request: its own files and the package. All GETs.
const PLAYGROUND_FILES = new Set([
  "/playground.html",
  "/playground.js",
  "/style.css",
  "/pkg/browser.js",
  "/pkg/core.js",
  "/pkg/text-checks.js",
  "/pkg/aes-backend.js",
  "/pkg/cookie_seal.js",
  "/pkg/cookie_seal_bg.wasm",
  "/favicon.ico", // asked for by the browser itself, never with data
]);

let browser;

before(async () => {
  browser = await chromium.launch(chromiumLaunchOptions());
});

after(async () => {
  await browser?.close();
});

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  return { context, page };
}

async function shot(page, name) {
  await page.screenshot({ path: `${OUT}/${name}.png`, fullPage: true });
}

async function sessionCookie(context) {
  return (await context.cookies(BASE)).find((c) => c.name === COOKIE);
}

// The key id travels in the clear: byte 0 is the version, byte 1 the id's length.
function keyIdOf(value) {
  const raw = Buffer.from(value, "base64url");
  return raw.subarray(2, 2 + raw[1]).toString("latin1");
}

async function signIn(page, name, { remember = false } = {}) {
  await page.goto(`${BASE}/`);
  await page.getByTestId("name").fill(name);
  if (remember) await page.getByTestId("remember").check();
  await page.getByTestId("sign-in").click();
  await page.waitForURL(`${BASE}/session`);
}

const text = (page, id) => page.getByTestId(id).innerText();

async function openPlayground(page) {
  await page.goto(`${BASE}/playground.html`);
  await page.waitForSelector("body[data-ready=true]");
}

test("sign in, see the session, reload, sign out", async () => {
  const { context, page } = await newPage();
  await signIn(page, "Ada");
  assert.equal(await text(page, "user"), "Ada");
  assert.match(await text(page, "remember-me"), /^no: a browser-session cookie/);
  assert.equal(await text(page, "reseal"), "none needed");
  const id = await text(page, "session-id");
  assert.match(id, /^[A-Za-z0-9_-]{22}$/);

  const cookie = await sessionCookie(context);
  assert.ok(cookie, "the session cookie is set");
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.secure, false, "dev mode on http://127.0.0.1 drops Secure");
  assert.equal(cookie.sameSite, "Lax");
  assert.equal(cookie.expires, -1, "without remember-me it is a browser-session cookie");
  assert.equal(keyIdOf(cookie.value), await text(page, "key-before"));
  assert.equal(Number(await text(page, "cookie-len")), COOKIE.length + 1 + cookie.value.length);
  await shot(page, "session");

  // A reload opens the same cookie: same session, nothing to re-seal, cookie unchanged.
  await page.reload();
  assert.equal(await text(page, "session-id"), id);
  assert.equal(await text(page, "reseal"), "none needed");
  assert.equal((await sessionCookie(context)).value, cookie.value);

  // The landing page knows who is signed in.
  await page.goto(`${BASE}/`);
  assert.match(await page.locator(".notice").innerText(), /signed in as Ada/);

  await page.goto(`${BASE}/session`);
  await page.getByTestId("sign-out").click();
  await page.waitForURL(`${BASE}/`);
  assert.equal(await sessionCookie(context), undefined, "sign-out deletes the cookie");
  const response = await page.goto(`${BASE}/session`);
  assert.equal(response.status(), 401);
  assert.match(await page.locator("main").innerText(), /No session cookie/);
  await shot(page, "signed-out");
  await context.close();
});

test("remember me sets a persistent cookie with the remember-me lifetime", async () => {
  const { context, page } = await newPage();
  const before = Date.now() / 1000;
  await signIn(page, "Grace", { remember: true });
  assert.match(await text(page, "remember-me"), /^yes: a persistent cookie, 14 days idle, 30 days/);
  const cookie = await sessionCookie(context);
  // Max-Age is the 14-day idle window, measured from sign-in.
  const fourteenDays = 14 * 86400;
  assert.ok(
    Math.abs(cookie.expires - (before + fourteenDays)) < 120,
    `expires ${cookie.expires} is about 14 days from now`,
  );
  await shot(page, "remember-me");

  // A browser restart keeps persistent cookies only: carry the state to a new context.
  const state = await context.storageState();
  const restarted = await browser.newContext({
    storageState: { ...state, cookies: state.cookies.filter((c) => c.expires !== -1) },
  });
  const again = await restarted.newPage();
  await again.goto(`${BASE}/session`);
  assert.equal(await text(again, "user"), "Grace");
  await restarted.close();
  await context.close();
});

test("rotating keys re-seals the old cookie under the new key", async () => {
  const { context, page } = await newPage();
  await signIn(page, "Linus");
  const id = await text(page, "session-id");
  const oldKey = await text(page, "key-after");
  const oldValue = (await sessionCookie(context)).value;
  assert.equal(keyIdOf(oldValue), oldKey);

  // Without the admin token the browser's own form check stops the post; a wrong one is
  // refused by the server, and nothing rotates.
  await page.getByTestId("admin-token").fill("not-the-admin-token");
  await page.getByTestId("rotate").click();
  await page.waitForLoadState();
  assert.match(await page.locator("main").innerText(), /admin action/);
  await page.goto(`${BASE}/session`);
  assert.equal(await text(page, "key-after"), oldKey, "a wrong admin token rotates nothing");

  await page.getByTestId("admin-token").fill(ADMIN_TOKEN);
  await page.getByTestId("rotate").click();
  await page.waitForURL(/\/session\?rotated=/);
  const newKey = await text(page, "key-after");
  assert.notEqual(newKey, oldKey);
  assert.equal(await text(page, "key-before"), oldKey, "the request carried the old cookie");
  assert.match(await text(page, "reseal"), new RegExp(`^key-rotation: this response re-sealed the cookie under ${newKey}$`));
  assert.match(await page.locator("main").innerText(), /Keys rotated: the server now seals with/);
  assert.equal(await text(page, "session-id"), id, "same session: nobody is signed out");
  assert.match(await text(page, "keyring"), new RegExp(`^${newKey} \\(primary: seals and opens\\), ${oldKey} \\(opens only\\)`));

  const newValue = (await sessionCookie(context)).value;
  assert.notEqual(newValue, oldValue, "the browser holds a new cookie");
  assert.equal(keyIdOf(newValue), newKey, "sealed under the new primary key");
  await shot(page, "rotated");

  // The next request carries the new cookie: nothing more to re-seal.
  await page.goto(`${BASE}/session`);
  assert.equal(await text(page, "key-before"), newKey);
  assert.equal(await text(page, "reseal"), "none needed");
  assert.equal((await sessionCookie(context)).value, newValue);
  await context.close();
});

test("a value sealed in the playground opens on the server's verify form", async () => {
  const { context, page } = await newPage();
  const requests = [];
  page.on("request", (r) => requests.push(r));
  await openPlayground(page);

  await page.getByTestId("pg-generate").click();
  const keys = await page.getByTestId("pg-keys").inputValue();
  assert.match(keys, /^k1:[A-Za-z0-9_-]{43}$/);
  await page.getByTestId("pg-payload").fill('{"user":"ada","sealed":"in the browser"}');
  await page.getByTestId("pg-seal").click();
  const value = await page.getByTestId("pg-sealed").inputValue();
  assert.match(value, /^[A-Za-z0-9_-]{60,}$/);
  assert.equal(keyIdOf(value), "k1");

  // Opened right there in the page: payload and claims.
  await page.getByTestId("pg-open").click();
  assert.deepEqual(JSON.parse(await text(page, "pg-opened-data")), { user: "ada", sealed: "in the browser" });
  assert.equal(await text(page, "pg-claim-key"), "k1");
  assert.equal(await text(page, "pg-claim-reseal"), "no");

  // Rotating in the playground: the value still opens, and now asks for a re-seal.
  await page.getByTestId("pg-rotate").click();
  const rotatedKeys = await page.getByTestId("pg-keys").inputValue();
  assert.match(rotatedKeys, /^k2:[A-Za-z0-9_-]{43},k1:/);
  await page.getByTestId("pg-open").click();
  assert.equal(await text(page, "pg-claim-key"), "k1");
  assert.match(await text(page, "pg-claim-reseal"), /^yes/);
  await shot(page, "playground");
  if (process.env.COOKIE_SEAL_DOCS_SCREENSHOT === "1") {
    await page.screenshot({ path: DOCS_SHOT, fullPage: true });
  }

  // Nothing typed left the page: only GETs of the page's own files, without query strings.
  for (const r of requests) {
    const url = new URL(r.url());
    assert.equal(r.method(), "GET", `${r.method()} ${r.url()}`);
    assert.equal(r.postData(), null);
    assert.equal(url.origin, BASE);
    assert.equal(url.search, "");
    assert.ok(PLAYGROUND_FILES.has(url.pathname), `unexpected request for ${url.pathname}`);
  }

  // The Rust server opens the browser's value with the same key ring, name and purpose.
  const verify = await context.newPage();
  await verify.goto(`${BASE}/verify`);
  await verify.getByTestId("verify-keys").fill(rotatedKeys);
  await verify.getByTestId("verify-value").fill(value);
  let [response] = await Promise.all([
    verify.waitForResponse((r) => r.url() === `${BASE}/verify` && r.request().method() === "POST"),
    verify.getByTestId("verify-open").click(),
  ]);
  assert.equal(response.status(), 200);
  assert.deepEqual(JSON.parse(await text(verify, "verify-payload")), { user: "ada", sealed: "in the browser" });
  assert.equal(await text(verify, "verify-key-id"), "k1");
  assert.match(await text(verify, "verify-reseal"), /^yes/);
  await shot(verify, "verify-opens-playground-value");

  // One changed character: the server refuses it, opaquely.
  const i = Math.floor(value.length / 2);
  const tampered = value.slice(0, i) + (value[i] === "A" ? "B" : "A") + value.slice(i + 1);
  await verify.getByTestId("verify-value").fill(tampered);
  [response] = await Promise.all([
    verify.waitForResponse((r) => r.url() === `${BASE}/verify` && r.request().method() === "POST"),
    verify.getByTestId("verify-open").click(),
  ]);
  assert.equal(response.status(), 422);
  assert.equal(await verify.getByTestId("verify-result").getByTestId("error-code").innerText(), "BAD_SEAL");
  await shot(verify, "verify-tampered");
  await context.close();
});

test("a value sealed on the server opens in the playground", async () => {
  const { context, page } = await newPage();
  await openPlayground(page);
  const keys = await page.getByTestId("pg-keys").inputValue(); // generated at load

  const server = await context.newPage();
  await server.goto(`${BASE}/verify`);
  await server.getByTestId("seal-keys").fill(keys);
  await server.getByTestId("seal-payload").fill('{"hello":"from the Rust server","n":[1,2,3]}');
  await server.getByTestId("seal-submit").click();
  await server.waitForURL(`${BASE}/seal`);
  const value = await server.getByTestId("sealed-value").inputValue();
  assert.match(value, /^[A-Za-z0-9_-]{60,}$/);
  await shot(server, "verify-sealed-on-server");

  await page.getByTestId("pg-value").fill(value);
  await page.getByTestId("pg-open").click();
  assert.deepEqual(JSON.parse(await text(page, "pg-opened-data")), { hello: "from the Rust server", n: [1, 2, 3] });
  assert.equal(await text(page, "pg-claim-key"), keys.split(":")[0]);
  assert.equal(await text(page, "pg-claim-reseal"), "no");
  assert.equal(await page.getByTestId("pg-open-error").isHidden(), true);

  // Another purpose is another cookie: the binding holds across targets too.
  await page.getByTestId("pg-purpose").fill("magic-link");
  await page.getByTestId("pg-open").click();
  assert.match(await text(page, "pg-open-error"), /^BAD_SEAL: /);
  await shot(page, "playground-opens-server-value");
  await context.close();
});

test("the size bar at a near-limit payload, and one byte over", async () => {
  const { context, page } = await newPage();
  await openPlayground(page);
  // A small payload: a short green bar.
  assert.match(await text(page, "pg-size-text"), /^Cookie: \d+ of 4096 bytes/);
  assert.equal(await page.locator("#size-bar").getAttribute("class"), "bar");

  const capacity = Number((await text(page, "pg-size-fits")).match(/capacity (\d+) bytes/)[1]);
  assert.ok(capacity > 2900 && capacity < 3100, `capacity ${capacity}`);
  const wrapper = '{"pad":""}'.length;
  await page.getByTestId("pg-payload").fill(`{"pad":"${"x".repeat(capacity - wrapper)}"}`);
  const near = await text(page, "pg-size-text");
  const used = Number(near.match(/^Cookie: (\d+) of 4096/)[1]);
  assert.ok(used <= 4096 && used > 4090, `a payload of exactly the capacity uses ${used} bytes`);
  assert.match(near, new RegExp(`payload ${capacity} bytes\\.$`));
  assert.equal(await text(page, "pg-size-fits"), `0 more payload bytes fit (capacity ${capacity} bytes for this name and key id).`);
  assert.equal(await page.locator("#size-bar").getAttribute("class"), "bar near");
  // The style, not the rendered box: the bar animates towards it.
  const width = parseFloat(await page.getByTestId("pg-size-fill").evaluate((el) => el.style.width));
  assert.ok(width > 99.9 && width <= 100, `bar ${width}% full`);
  await page.getByTestId("pg-seal").click();
  assert.equal(
    (await page.getByTestId("pg-sealed").inputValue()).length + "playground=".length,
    used,
    "the bar's number is the sealed cookie's real length",
  );
  await shot(page, "size-near-limit");

  // One byte more does not fit: red bar, and seal refuses with TOO_LARGE.
  await page.getByTestId("pg-payload").fill(`{"pad":"${"x".repeat(capacity - wrapper + 1)}"}`);
  assert.match(await text(page, "pg-size-fits"), /^Too large by \d+ bytes?: /);
  assert.equal(await page.locator("#size-bar").getAttribute("class"), "bar over");
  await page.getByTestId("pg-seal").click();
  assert.match(await text(page, "pg-seal-error"), /^TOO_LARGE: cookie is \d+ bytes, more than the 4096-byte limit$/);
  assert.equal(await page.getByTestId("pg-sealed").inputValue(), "");
  await shot(page, "size-over-limit");
  await context.close();
});
