// Drives the JS suite inside a real workerd (npm `workerd`) serving tests/js/workerd on
// 127.0.0.1, one HTTP request per case, and reports each case to node's test runner.
import test from "node:test";
import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const crossDir = process.env.COOKIE_SEAL_CROSS_DIR;

// The worker imports workerd.js and sessions-workerd.js as the package's entries; make sure
// that is what the package's exports map gives a bundler resolving with the `workerd` condition.
const resolve = (specifier) =>
  execFileSync(
    process.execPath,
    ["--conditions=workerd", "--input-type=module", "-e", `console.log(import.meta.resolve(${JSON.stringify(specifier)}))`],
    { cwd: here, encoding: "utf8" },
  ).trim();
const resolved = resolve("cookie-seal");
const resolvedSessions = resolve("cookie-seal/sessions");

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// One worker per AES setup (workerd/config.capnp), each on its own socket; `run` names the
// files each writes for native Rust. "workerd" is node:crypto's AES at every size.
const WORKERS = [
  { socket: "http", run: "workerd", label: "workerd" },
  { socket: "http-software", run: "workerd-software", label: "workerd (software AES)" },
  { socket: "http-nocompat", run: "workerd-nocompat", label: "workerd (no nodejs_compat)" },
];
for (const w of WORKERS) {
  w.port = await freePort();
  w.base = `http://127.0.0.1:${w.port}`;
}
const base = WORKERS[0].base;
const workerd = spawn(
  join(here, "node_modules/.bin/workerd"),
  ["serve", join(here, "workerd/config.capnp"), ...WORKERS.flatMap((w) => ["--socket-addr", `${w.socket}=127.0.0.1:${w.port}`])],
  { stdio: ["ignore", "inherit", "inherit"] },
);
let exited = false;
workerd.on("exit", () => {
  exited = true;
});
process.on("exit", () => workerd.kill());

async function get(path, at = base) {
  const response = await fetch(at + path, { signal: AbortSignal.timeout(60_000) });
  return response.json();
}

async function waitUntilServing(at) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error("workerd exited before serving");
    try {
      return await get("/list", at);
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`workerd did not answer on ${at}: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

let startError = null;
try {
  for (const w of WORKERS) w.names = await waitUntilServing(w.base);
} catch (err) {
  startError = err;
}
const names = WORKERS[0].names ?? [];

test("workerd serves the test worker", () => {
  if (startError) throw startError;
  if (!resolved.endsWith("/cookie-seal/workerd.js")) {
    throw new Error(`the workerd condition resolves to ${resolved}, not workerd.js`);
  }
  if (!resolvedSessions.endsWith("/cookie-seal/sessions-workerd.js")) {
    throw new Error(`the workerd condition resolves cookie-seal/sessions to ${resolvedSessions}, not sessions-workerd.js`);
  }
  if (names.length < 15) throw new Error(`only ${names.length} cases listed`);
});

for (const w of WORKERS) {
  if (w.names && w.names.length !== names.length) startError ??= new Error(`${w.label} lists ${w.names.length} cases`);
  names.forEach((name, i) => {
    test(`${w.label}: ${name}`, async () => {
      const result = await get(`/run?i=${i}`, w.base);
      if (!result.ok) throw new Error(result.error);
    });
  });

  test(`${w.label}: seal values for native Rust to open`, async () => {
    if (startError) throw startError;
    if (!crossDir) throw new Error("COOKIE_SEAL_CROSS_DIR not set (run scripts/test-js.sh)");
    writeFileSync(join(crossDir, `${w.run}-sealed.json`), JSON.stringify(await get("/cross", w.base)));
  });

  // The HTTP session exchange below runs on the first worker; the others' sessions are
  // written in the worker.
  if (w !== WORKERS[0]) {
    test(`${w.label}: write sessions for native Rust to read`, async () => {
      if (startError) throw startError;
      if (!crossDir) throw new Error("COOKIE_SEAL_CROSS_DIR not set (run scripts/test-js.sh)");
      writeFileSync(join(crossDir, `${w.run}-sessions.json`), JSON.stringify(await get("/cross-sessions", w.base)));
    });
  }
}

// Sessions over real HTTP: the worker's Set-Cookie response headers go to native Rust as
// they are (cross_runtime read builds the Cookie header a browser would send back), and the
// native sessions' Cookie headers come to the worker in real requests.
const httpSessions = [];

test("workerd: a session the worker sets in an HTTP response is for native Rust to read", async () => {
  if (startError) throw startError;
  const response = await fetch(`${base}/session/sign-in`, { signal: AbortSignal.timeout(60_000) });
  const body = await response.json();
  const setCookie = response.headers.getSetCookie();
  if (response.status !== 200 || setCookie.length === 0) throw new Error(`no Set-Cookie: ${response.status} ${JSON.stringify(body)}`);
  if (!setCookie[0].startsWith("__Host-session=") || !setCookie[0].includes("; Max-Age=1209600; Path=/; Secure; HttpOnly")) {
    throw new Error(`unexpected Set-Cookie ${setCookie[0]}`);
  }
  httpSessions.push({ name: "http-sign-in", setCookie, ...body });
});

test("workerd: the worker reads native sessions from a real Cookie header and renews them", async () => {
  if (startError) throw startError;
  if (!crossDir) throw new Error("COOKIE_SEAL_CROSS_DIR not set (run scripts/test-js.sh)");
  const native = JSON.parse(readFileSync(join(crossDir, "native-sealed.json"), "utf8"));
  for (const n of native.sessions) {
    const response = await fetch(`${base}/session/renew`, { headers: { cookie: n.cookie }, signal: AbortSignal.timeout(60_000) });
    const body = await response.json();
    if (response.status !== 200) throw new Error(`${n.name}: ${response.status} ${JSON.stringify(body)}`);
    const { read, write } = body;
    const want = { id: n.id, data: JSON.parse(n.payload), signedInAt: n.signedInAt, expiresAt: n.expiresAt, keyId: "k1" };
    for (const [field, value] of Object.entries(want)) {
      if (JSON.stringify(read[field]) !== JSON.stringify(value)) {
        throw new Error(`${n.name}: ${field} read as ${JSON.stringify(read[field])}, expected ${JSON.stringify(value)}`);
      }
    }
    const setCookie = response.headers.getSetCookie();
    if (setCookie.length === 0) throw new Error(`${n.name}: changed data but no Set-Cookie`);
    httpSessions.push({ name: `http-renew-${n.name}`, setCookie, ...write, subject: n.subject });
  }
});

test("workerd: write sessions for native Rust to read", async () => {
  if (startError) throw startError;
  if (!crossDir) throw new Error("COOKIE_SEAL_CROSS_DIR not set (run scripts/test-js.sh)");
  const inWorker = await get("/cross-sessions");
  writeFileSync(join(crossDir, "workerd-sessions.json"), JSON.stringify([...httpSessions, ...inWorker]));
});

test.after(() => workerd.kill());
