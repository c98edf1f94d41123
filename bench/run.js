// cookie-seal against jose, iron-webcrypto and raw WebCrypto: seal and open ops/s for the
// three payloads of bench/payloads.json, in Node and inside workerd, in one run.
// Prints figures; not a test. Run it with bench/run.sh (it installs and packs first).
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import os from "node:os";
import * as cookieSeal from "cookie-seal";
import * as jose from "jose";
import * as iron from "iron-webcrypto";
import { contenders, runOps, NAMES, OPS } from "./contenders.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const payloads = JSON.parse(readFileSync(join(here, "payloads.json"), "utf8"));
const TARGET_MS = Number(process.env.BENCH_MS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

// ---- Node: warm up, then time batches until TARGET_MS has passed.
async function nodeOpsPerSec(impl, op, data) {
  await runOps(impl, op, data, 300);
  let n = 0;
  let batch = 100;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < TARGET_MS) {
    await runOps(impl, op, data, batch);
    n += batch + 2; // runOps also does one seal and one open to check the round trip
    elapsed = performance.now() - start;
    batch = Math.min(batch * 2, 5000);
  }
  return (n * 1000) / elapsed;
}

// ---- workerd: the worker runs n operations per request; time requests from here.
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function jsFiles(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return jsFiles(p);
    return p.endsWith(".js") ? [p] : [];
  });
}

function workerdConfig(outDir) {
  const pkg = join(here, "node_modules/cookie-seal");
  const rel = (p) => relative(outDir, p);
  const modules = [
    `(name = "worker.js", esModule = embed "${rel(join(here, "workerd/worker.js"))}")`,
    `(name = "contenders.js", esModule = embed "${rel(join(here, "contenders.js"))}")`,
    `(name = "payloads.json", json = embed "${rel(join(here, "payloads.json"))}")`,
    `(name = "cookie-seal", esModule = embed "${rel(join(pkg, "workerd.js"))}")`,
    `(name = "core.js", esModule = embed "${rel(join(pkg, "core.js"))}")`,
    `(name = "cookie_seal.js", esModule = embed "${rel(join(pkg, "cookie_seal.js"))}")`,
    `(name = "cookie_seal_bg.wasm", wasm = embed "${rel(join(pkg, "cookie_seal_bg.wasm"))}")`,
    // workerd resolves a bare specifier against the importing module's folder.
    `(name = "node_modules/iron-webcrypto/uint8array-extras", esModule = embed "${rel(join(here, "node_modules/uint8array-extras/index.js"))}")`,
  ];
  for (const dir of ["node_modules/jose/dist/webapi", "node_modules/iron-webcrypto"]) {
    for (const file of jsFiles(join(here, dir))) {
      modules.push(`(name = "${relative(here, file)}", esModule = embed "${rel(file)}")`);
    }
  }
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [
    ${modules.join(",\n    ")}
  ],
  compatibilityDate = "2026-11-01",
);
`;
}

async function startWorkerd() {
  const outDir = join(here, "../test-output/bench");
  mkdirSync(outDir, { recursive: true });
  const config = join(outDir, "config.capnp");
  writeFileSync(config, workerdConfig(outDir));
  const port = await freePort();
  const bin = join(here, "../tests/js/node_modules/.bin/workerd");
  const child = spawn(bin, ["serve", config, "--socket-addr", `http=127.0.0.1:${port}`], { stdio: ["ignore", "inherit", "inherit"] });
  process.on("exit", () => child.kill());
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await (await fetch(`${base}/bench?n=0`)).text();
      return { child, base };
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`workerd did not start: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function timed(base, query) {
  const start = performance.now();
  const res = await fetch(`${base}/bench?${query}`);
  const body = await res.text();
  if (!res.ok) throw new Error(`workerd: ${body}`);
  return performance.now() - start;
}

async function workerdOpsPerSec(base, name, op, payload, overheadMs) {
  const q = (n) => `name=${name}&op=${op}&payload=${payload}&n=${n}`;
  await timed(base, q(300)); // warm-up, also tiers up the JIT
  // Size one request to about TARGET_MS.
  const probe = await timed(base, q(500));
  const n = Math.max(500, Math.round((500 * TARGET_MS) / Math.max(probe - overheadMs, 1)));
  const ms = await timed(base, q(n));
  return ((n + 2) * 1000) / Math.max(ms - overheadMs, 0.001);
}

// results[payload][name][op] = the best of ROUNDS calls of measure(payload, name, op), in
// ops/s. Rounds interleave the contenders: on a shared 2-core machine, a neighbour's burst
// then hurts one round, not one contender.
async function bestOfRounds(measure) {
  const best = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const p of payloads) {
      best[p.name] ??= {};
      for (const name of NAMES) {
        const r = (best[p.name][name] ??= { seal: 0, open: 0 });
        for (const op of OPS) r[op] = Math.max(r[op], await measure(p, name, op));
      }
    }
  }
  return best;
}

function fmt(x) {
  return x >= 100 ? Math.round(x).toLocaleString("en-US") : x.toFixed(1);
}

async function main() {
  const results = {}; // results[runtime][payload][name][op]
  const impls = await contenders({ cookieSeal, jose, iron });
  const data = Object.fromEntries(payloads.map((p) => [p.name, JSON.parse(p.text)]));
  results.node = await bestOfRounds((p, name, op) => nodeOpsPerSec(impls[name], op, data[p.name]));
  const { child, base } = await startWorkerd();
  try {
    let overhead = Infinity;
    for (let i = 0; i < 20; i++) overhead = Math.min(overhead, await timed(base, "n=0"));
    results.workerd = await bestOfRounds((p, name, op) => workerdOpsPerSec(base, name, op, p.name, overhead));
  } finally {
    child.kill();
  }

  console.log(`cookie-seal JS benchmark: ${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}`);
  console.log("ops/s, sequential awaited calls; ratio = cookie-seal / other\n");
  const header = ["runtime", "payload", "op", ...NAMES, "vs jose", "vs webcrypto"];
  const rows = [];
  for (const runtime of ["node", "workerd"]) {
    for (const p of payloads) {
      for (const op of OPS) {
        const r = results[runtime][p.name];
        const cs = r["cookie-seal"][op];
        rows.push([runtime, `${p.name} (${p.bytes} B)`, op, ...NAMES.map((n) => fmt(r[n][op])), `${(cs / r.jose[op]).toFixed(2)}×`, `${(cs / r.webcrypto[op]).toFixed(2)}×`]);
      }
    }
  }
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
  writeFileSync(join(here, "../test-output/bench/results.json"), JSON.stringify(results, null, 2));
}

await main();
