// Drives the store suite inside workerd, through miniflare (npm), which runs the worker in
// workerd with a real local Workers KV namespace and Durable Object namespaces (what
// `wrangler dev` runs), persisted under COOKIE_SEAL_STORES_DIR. Every case is one HTTP
// request to the worker's fetch handler on 127.0.0.1.
import test from "node:test";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";

const here = fileURLToPath(new URL(".", import.meta.url));
const dir = process.env.COOKIE_SEAL_STORES_DIR ?? join(here, "../../test-output/js-stores");
const pkg = join(here, "node_modules/cookie-seal");
const esm = (path) => ({ type: "ESModule", path });

const mf = new Miniflare({
  host: "127.0.0.1",
  port: 0,
  modulesRoot: here,
  modules: [
    esm(join(here, "workerd-stores/worker.js")),
    esm(join(here, "store-suite.js")),
    esm(join(here, "rate-suite.js")),
    esm(join(here, "handoff-suite.js")),
    ...["sessions-workerd.js", "core.js", "session-core.js", "text-checks.js", "aes-backend.js", "store-core.js", "store-rate.js", "rate-limit.js", "store-handoff.js", "handoff.js", "store-workers-kv.js", "store-durable-object.js", "cookie_seal_sessions.js"].map((f) => esm(join(pkg, f))),
    { type: "CompiledWasm", path: join(pkg, "cookie_seal_sessions_bg.wasm") },
    // handoff.js imports "cookie-seal/sessions" (the package by its own name), which workerd
    // resolves beside the importer; this module there is the entry's workerd build.
    { type: "ESModule", path: join(pkg, "cookie-seal/sessions"), contents: 'export * from "../sessions-workerd.js";' },
  ],
  compatibilityDate: "2025-07-01",
  kvNamespaces: ["SESSIONS_KV"],
  kvPersist: join(dir, "workers-kv"),
  durableObjects: { STORE_DO: "SessionStoreObject", FAILING_DO: "FailingStoreObject" },
  durableObjectsPersist: join(dir, "durable-objects"),
});
const base = await mf.ready;
test.after(() => mf.dispose());

async function get(path) {
  const response = await fetch(new URL(path, base), { signal: AbortSignal.timeout(60_000) });
  return response.json();
}

const names = await get("/list");
for (const kind of ["kv", "do"]) {
  names[kind].forEach((name, n) => {
    test(`workerd ${kind === "kv" ? "Workers KV" : "Durable Object"}: ${name}`, async () => {
      const answer = await get(`/run?store=${kind}&case=${n}`);
      if (!answer.ok) throw new Error(answer.error);
    });
  });
}

test("workerd Durable Object down: STORE_UNAVAILABLE, nothing accepted, the hook hears it; back up: reads again", async () => {
  const eq = (a, b, what) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${what}: got ${JSON.stringify(a)}, want ${JSON.stringify(b)}`);
  };
  eq(await get("/down?step=setup"), { ok: true }, "setup");
  eq(
    await get("/down?step=fail"),
    {
      read: "STORE_UNAVAILABLE",
      fromRequest: "STORE_UNAVAILABLE",
      signIn: "STORE_UNAVAILABLE",
      events: [
        ["store-error", "STORE_UNAVAILABLE", "isRevoked"],
        ["store-error", "STORE_UNAVAILABLE", "isRevoked"],
        ["store-error", "STORE_UNAVAILABLE", "generation"],
      ],
    },
    "while down",
  );
  eq(await get("/down?step=recover"), { data: 1 }, "after recovery");
});

test("workerd Durable Object rate limit down: STORE_UNAVAILABLE, refused; back up: the count goes on", async () => {
  const answer = await get("/rate-down");
  const want = { before: 4, down: [false, "STORE_UNAVAILABLE", "STORE_UNAVAILABLE", 60], reset: "STORE_UNAVAILABLE", after: 3 };
  if (JSON.stringify(answer) !== JSON.stringify(want)) throw new Error(`got ${JSON.stringify(answer)}, want ${JSON.stringify(want)}`);
});
