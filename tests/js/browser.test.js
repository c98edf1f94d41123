// The shared suite in headless Chromium (Debian's, driven by playwright-core), through the
// package's `browser` entries: the page imports `cookie-seal` and `cookie-seal/sessions` with an
// import map pointing where a bundler resolving the `browser` condition would (the test checks
// that), proves each entry refuses to work before its init(), awaits both, then runs each case
// on request.
import test from "node:test";
import { createServer } from "node:http";
import { readFile, writeFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { chromiumLaunchOptions } from "../chromium.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "../..");
const crossDir = process.env.COOKIE_SEAL_CROSS_DIR;

// Resolve the package's "." and "./sessions" exports the way a browser bundler does: the first
// key, in the map's order, among the conditions it sets (Node's own resolver always adds "node").
const pkgJson = JSON.parse(await readFile(join(here, "node_modules/cookie-seal/package.json"), "utf8"));
const BROWSER_CONDITIONS = new Set(["browser", "import", "module", "default"]);
const browserFile = (subpath) =>
  Object.entries(pkgJson.exports[subpath]).find(([c]) => BROWSER_CONDITIONS.has(c))?.[1];
const resolved = browserFile(".");
const resolvedSessions = browserFile("./sessions");

const PAGE = `<!doctype html><meta charset="utf-8"><title>cookie-seal JS suite</title>
<script type="importmap">{ "imports": {
  "cookie-seal": "/node_modules/cookie-seal/browser.js",
  "cookie-seal/sessions": "/node_modules/cookie-seal/sessions-browser.js"
} }</script>
<script type="module">
import { wasmMemories } from "/wasm-memory.js"; // before the package: it records the instances
import * as api from "cookie-seal";
import * as sessionsApi from "cookie-seal/sessions";
import { cases, sealForNative, sessionsForNative } from "/suite.js";
const beforeInit = [];
const KEYS = "k1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE";
const attempts = [
  () => new api.Sealer({ keys: KEYS, name: "n" }),
  () => api.generateKey(),
  () => new sessionsApi.Sealer({ keys: KEYS, name: "n" }),
  () => new sessionsApi.SessionManager({ keys: KEYS, name: "n" }),
];
for (const attempt of attempts) {
  try { attempt(); beforeInit.push("worked"); } catch (e) { beforeInit.push(e instanceof api.SealError ? e.code : String(e)); }
}
// One entry's init() does not initialise the other's wasm module.
await api.init();
try { sessionsApi.generateKey(); beforeInit.push("worked"); } catch (e) { beforeInit.push(e instanceof api.SealError ? e.code : String(e)); }
const [vectors, openVectors, sessionVectors, native] = await Promise.all(
  ["/vectors.json", "/open-vectors.json", "/session-vectors.json", "/native.json"].map((u) => fetch(u).then((r) => r.json())),
);
await Promise.all([api.init(), api.init(), sessionsApi.init(), sessionsApi.init()]); // concurrent calls share one load
// A browser has no node:crypto: the software AES, whatever init is asked.
const list = cases({ api, sessionsApi, vectors, openVectors, sessionVectors, native, wasmMemories, aes: "software", hostAes: false });
window.suite = {
  beforeInit,
  names: list.map((c) => c.name),
  async run(i) {
    try { await list[i].fn(); return { ok: true }; }
    catch (e) { return { ok: false, error: e && e.name + ": " + e.message + "\\n" + e.stack }; }
  },
  cross: () => sealForNative(api),
  sessions: () => sessionsForNative(sessionsApi, native),
};
</script>`;

// What the page may load, and from where. Anything else is a 404.
const ROUTES = {
  "/suite.js": join(here, "suite.js"),
  "/wasm-memory.js": join(here, "wasm-memory.js"),
  "/vectors.json": join(here, "../vectors/seal-v1.json"),
  "/open-vectors.json": join(here, "../vectors/open-v1.json"),
  "/session-vectors.json": join(here, "../vectors/session-v1.json"),
  "/native.json": crossDir ? join(crossDir, "native-sealed.json") : "/nonexistent",
};
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

const server = createServer(async (req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  if (path === "/") {
    res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
    return;
  }
  let file = ROUTES[path];
  if (!file && path.startsWith("/node_modules/cookie-seal/")) file = join(here, normalize(path));
  try {
    if (!file || !normalize(file).startsWith(root)) throw new Error("not served");
    const body = await readFile(file);
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch(chromiumLaunchOptions());
const page = await browser.newPage();
const pageErrors = [];
page.on("pageerror", (err) => pageErrors.push(String(err)));
let suite = null;
let loadError = null;
try {
  await page.goto(base + "/");
  await page.waitForFunction(() => window.suite !== undefined, null, { timeout: 30_000 });
  suite = await page.evaluate(() => ({ beforeInit: window.suite.beforeInit, names: window.suite.names }));
} catch (err) {
  loadError = new Error(`${err.message}\npage errors: ${pageErrors.join("\n")}`);
}

test.after(async () => {
  await browser.close();
  server.close();
});

test("chromium: the browser condition resolves to browser.js and sessions-browser.js, which need init()", () => {
  if (loadError) throw loadError;
  if (resolved !== "./browser.js") throw new Error(`browser condition gives ${resolved}`);
  if (resolvedSessions !== "./sessions-browser.js") throw new Error(`browser condition gives ${resolvedSessions} for ./sessions`);
  const codes = suite.beforeInit.join(",");
  if (codes !== "NOT_INITIALIZED,NOT_INITIALIZED,NOT_INITIALIZED,NOT_INITIALIZED,NOT_INITIALIZED") {
    throw new Error(`before init(): ${codes}`);
  }
  if (suite.names.length < 15) throw new Error(`only ${suite.names.length} cases`);
});

(suite?.names ?? []).forEach((name, i) => {
  test(`chromium: ${name}`, async () => {
    const result = await page.evaluate((n) => window.suite.run(n), i);
    if (!result.ok) throw new Error(result.error);
  });
});

test("chromium: seal values for native Rust to open", async () => {
  if (loadError) throw loadError;
  if (!crossDir) throw new Error("COOKIE_SEAL_CROSS_DIR not set (run scripts/test-js.sh)");
  await writeFile(join(crossDir, "chromium-sealed.json"), JSON.stringify(await page.evaluate(() => window.suite.cross())));
});

test("chromium: write sessions for native Rust to read", async () => {
  if (loadError) throw loadError;
  if (!crossDir) throw new Error("COOKIE_SEAL_CROSS_DIR not set (run scripts/test-js.sh)");
  await writeFile(join(crossDir, "chromium-sessions.json"), JSON.stringify(await page.evaluate(() => window.suite.sessions())));
});
