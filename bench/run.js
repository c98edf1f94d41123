// cookie-seal against jose, iron-webcrypto, raw WebCrypto and raw node:crypto: seal and open
// ops/s for the three payloads of bench/payloads.json, in Node, Deno, and workerd with and
// without nodejs_compat, in one run; then cookie-seal's two AES backends in workerd over a
// range of payload sizes (where the threshold in pkg/aes-backend.js comes from), and the
// cost of one 24-byte nonce from getRandomValues and from randomFillSync (Node, Deno, workerd).
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
import * as nodeCrypto from "node:crypto";
import { bestOfRounds, contenders, inProcessNonces, nonceCost, NONCE_CALLS, opsPerSec, OPS, SWEEP, SWEPT, sweepInProcess } from "./contenders.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const payloads = JSON.parse(readFileSync(join(here, "payloads.json"), "utf8"));
const TARGET_MS = Number(process.env.BENCH_MS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

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

// Two workers on the same modules: "compat" with nodejs_compat (the default from
// compatibilityDate 2026-08-04), "nocompat" without (no node:crypto, as in a browser).
function workerdConfig(outDir) {
  const pkg = join(here, "node_modules/cookie-seal");
  const rel = (p) => relative(outDir, p);
  const modules = [
    `(name = "worker.js", esModule = embed "${rel(join(here, "workerd/worker.js"))}")`,
    `(name = "contenders.js", esModule = embed "${rel(join(here, "contenders.js"))}")`,
    `(name = "payloads.json", json = embed "${rel(join(here, "payloads.json"))}")`,
    `(name = "cookie-seal", esModule = embed "${rel(join(pkg, "workerd.js"))}")`,
    `(name = "core.js", esModule = embed "${rel(join(pkg, "core.js"))}")`,
    `(name = "aes-backend.js", esModule = embed "${rel(join(pkg, "aes-backend.js"))}")`,
    `(name = "text-checks.js", esModule = embed "${rel(join(pkg, "text-checks.js"))}")`,
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
  services = [ (name = "compat", worker = .compat), (name = "nocompat", worker = .nocompat) ],
  sockets = [
    (name = "compat", address = "127.0.0.1:0", http = (), service = "compat"),
    (name = "nocompat", address = "127.0.0.1:0", http = (), service = "nocompat"),
  ],
);
const modules :List(Workerd.Worker.Module) = [
  ${modules.join(",\n  ")}
];
const compat :Workerd.Worker = (modules = .modules, compatibilityDate = "2026-11-01");
const nocompat :Workerd.Worker = (
  modules = .modules,
  compatibilityDate = "2026-11-01",
  compatibilityFlags = ["no_nodejs_compat", "no_nodejs_compat_v2"],
);
`;
}

async function startWorkerd() {
  const outDir = join(here, "../test-output/bench");
  mkdirSync(outDir, { recursive: true });
  const config = join(outDir, "config.capnp");
  writeFileSync(config, workerdConfig(outDir));
  const ports = { compat: await freePort(), nocompat: await freePort() };
  const bin = join(here, "../tests/js/node_modules/.bin/workerd");
  const args = ["serve", config, ...Object.entries(ports).flatMap(([s, port]) => ["--socket-addr", `${s}=127.0.0.1:${port}`])];
  const child = spawn(bin, args, { stdio: ["ignore", "inherit", "inherit"] });
  workerdPid = child.pid;
  process.on("exit", () => child.kill());
  const bases = Object.fromEntries(Object.entries(ports).map(([s, port]) => [s, `http://127.0.0.1:${port}`]));
  const deadline = Date.now() + 30_000;
  for (const base of Object.values(bases)) {
    for (;;) {
      try {
        await (await fetch(`${base}/bench?n=0`)).text();
        break;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`workerd did not start: ${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  return { child, bases };
}

// workerd's own CPU time in ms: the time on a CPU of all its threads (Linux's schedstat, in
// ns), or undefined where there is no /proc.
let workerdPid;
function workerdCpuMs() {
  try {
    const tasks = readdirSync(`/proc/${workerdPid}/task`);
    return tasks.reduce((sum, t) => sum + Number(readFileSync(`/proc/${workerdPid}/task/${t}/schedstat`, "utf8").split(" ")[0]), 0) / 1e6;
  } catch {
    return undefined;
  }
}

// One request's wall time in ms; with `cpu`, also workerd's CPU time for it in cpu.ms, read
// outside the timed window so that reading /proc is not in the wall time.
async function timed(base, query, cpu) {
  const cpuStart = cpu ? workerdCpuMs() : undefined;
  const start = performance.now();
  const res = await fetch(`${base}/bench?${query}`);
  const body = await res.text();
  const ms = performance.now() - start;
  if (!res.ok) throw new Error(`workerd: ${body}`);
  if (cpu) cpu.ms = workerdCpuMs() - cpuStart;
  return ms;
}

// `what`: payload=NAME or bytes=N. Returns { wall, cpu } in ops/s (cpu: per CPU-second of
// the workerd process, which also serves the request; 0 where unmeasurable).
async function workerdOpsPerSec(base, name, op, what, overheadMs) {
  const q = (n) => `name=${encodeURIComponent(name)}&op=${op}&${what}&n=${n}`;
  await timed(base, q(300)); // warm-up, also tiers up the JIT
  // Size one request to about TARGET_MS.
  const probe = await timed(base, q(500));
  const n = Math.max(500, Math.round((500 * TARGET_MS) / Math.max(probe - overheadMs, 1)));
  const cpu = {};
  const ms = await timed(base, q(n), cpu);
  return { wall: ((n + 2) * 1000) / Math.max(ms - overheadMs, 0.001), cpu: cpu.ms > 0 ? ((n + 2) * 1000) / cpu.ms : 0 };
}

function fmt(x) {
  return x >= 100 ? Math.round(x).toLocaleString("en-US") : x.toFixed(1);
}

async function denoResults() {
  const deno = join(here, "../tests/js/node_modules/.bin/deno");
  const child = spawn(deno, ["run", "--allow-env=BENCH_MS,BENCH_ROUNDS", "--allow-read", "deno.js"], { cwd: here, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, NO_COLOR: "1" } });
  let text = "";
  child.stdout.on("data", (d) => (text += d));
  const code = await new Promise((r) => child.on("exit", r));
  if (code !== 0) throw new Error(`deno bench exited with ${code}`);
  return JSON.parse(text.trim().split("\n").pop());
}

async function overheadOf(base) {
  let overhead = Infinity;
  for (let i = 0; i < 20; i++) overhead = Math.min(overhead, await timed(base, "n=0"));
  return overhead;
}

// BENCH_RUNTIMES=node,deno,workerd (the default: all) picks which runs to make, for a
// quicker look at one; the tables then leave the others out.
const RUNTIMES = new Set((process.env.BENCH_RUNTIMES ?? "node,deno,workerd").split(","));

async function main() {
  const results = {}; // results[runtime][payload][name][op]
  const backends = {};
  const sweep = {}; // sweep[runtime][bytes][name][op]
  const nonce = {};
  const data = Object.fromEntries(payloads.map((p) => [p.name, JSON.parse(p.text)]));
  if (RUNTIMES.has("node")) {
    const impls = await contenders({ cookieSeal, jose, iron, nodeCrypto });
    backends.node = cookieSeal.Sealer.aesBackend;
    results.node = await bestOfRounds((p, name, op) => opsPerSec(impls[name], op, data[p.name], TARGET_MS), payloads, Object.keys(impls), ROUNDS);
    sweep.node = await sweepInProcess(impls, TARGET_MS, ROUNDS);
    nonce.node = await nonceCost(inProcessNonces(nodeCrypto));
  }
  let deno = { version: "not run" };
  if (RUNTIMES.has("deno")) {
    deno = await denoResults();
    sweep.deno = deno.sweep;
    results.deno = deno.results;
    backends.deno = deno.aesBackend;
    nonce.deno = deno.nonce;
  }

  if (RUNTIMES.has("workerd")) {
    const { child, bases } = await startWorkerd();
    try {
      for (const [runtime, base] of [["workerd", bases.compat], ["workerd-nocompat", bases.nocompat]]) {
        const info = await (await fetch(`${base}/bench?names=1`)).json();
        backends[runtime] = info.aesBackend;
        const overhead = await overheadOf(base);
        results[runtime] = await bestOfRounds((p, name, op) => workerdOpsPerSec(base, name, op, `payload=${p.name}`, overhead), payloads, info.names, ROUNDS);
      }
      const overhead = await overheadOf(bases.compat);
      nonce.workerd = await nonceCost(async (source) => {
        const cpu = {};
        const ms = (await timed(bases.compat, `nonce=${source}&n=${NONCE_CALLS}`, cpu)) - overhead;
        return { ms, cpuMs: cpu.ms };
      });
      const sizes = SWEEP.map((bytes) => ({ name: String(bytes), bytes }));
      sweep.workerd = await bestOfRounds((p, name, op) => workerdOpsPerSec(bases.compat, name, op, `bytes=${p.bytes}`, overhead), sizes, SWEPT, ROUNDS);
    } finally {
      child.kill();
    }
  }

  console.log(`cookie-seal JS benchmark: ${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0].model}, ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}, Node ${process.version}, Deno ${deno.version}`);
  console.log(`cookie-seal's default AES backend: ${Object.entries(backends).map(([r, b]) => `${r} ${b}`).join(", ")}`);
  console.log("ops/s, sequential awaited calls; ratios = cookie-seal (its default backend) / the other\n");
  const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : "–");
  // One row per runtime, payload and op; value(result, op) is the figure shown (or falsy: –).
  function table(columns, value) {
    const header = ["runtime", "payload", "op", ...columns, "vs jose", "vs webcrypto", "vs node:crypto"];
    console.log(`| ${header.join(" | ")} |`);
    console.log(`|${header.map(() => "---").join("|")}|`);
    for (const runtime of Object.keys(results)) {
      for (const p of payloads) {
        for (const op of OPS) {
          const v = (n) => value(results[runtime][p.name][n], op) || undefined;
          const cells = columns.map((n) => (v(n) ? fmt(v(n)) : "–"));
          const cs = v("cookie-seal");
          console.log(`| ${[runtime, `${p.name} (${p.bytes} B)`, op, ...cells, ratio(cs, v("jose")), ratio(cs, v("webcrypto")), ratio(cs, v("node:crypto"))].join(" | ")} |`);
        }
      }
    }
  }
  table(["cookie-seal", "cookie-seal sw", "cookie-seal hw", "jose", "iron-webcrypto", "webcrypto", "node:crypto"], (r, op) => r?.[op]);
  console.log("\nThe same runs by CPU time (ops per CPU-second of the process; for WebCrypto in Node and Deno that includes their worker threads); ratios as above\n");
  table(["cookie-seal", "jose", "webcrypto", "node:crypto"], (r, op) => r?.cpu?.[op]);
  console.log("\ncookie-seal by payload size: software AES (sw) vs node:crypto AES (hw), ops/s (workerd: with nodejs_compat)\n");
  console.log("| runtime | payload | seal sw | seal hw | hw/sw | open sw | open hw | hw/sw | seal hw/sw by CPU | open hw/sw by CPU |");
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const [runtime, bySize] of Object.entries(sweep)) {
    for (const bytes of SWEEP) {
      const r = bySize[String(bytes)];
      const [ss, sh, os_, oh] = [r["cookie-seal sw"].seal, r["cookie-seal hw"].seal, r["cookie-seal sw"].open, r["cookie-seal hw"].open];
      const [cs, ch, co, coh] = [r["cookie-seal sw"].cpu.seal, r["cookie-seal hw"].cpu.seal, r["cookie-seal sw"].cpu.open, r["cookie-seal hw"].cpu.open];
      console.log(`| ${runtime} | ${bytes} B | ${fmt(ss)} | ${fmt(sh)} | ${ratio(sh, ss)} | ${fmt(os_)} | ${fmt(oh)} | ${ratio(oh, os_)} | ${ratio(ch, cs)} | ${ratio(coh, co)} |`);
    }
  }
  for (const [runtime, cost] of Object.entries(nonce)) {
    console.log(`One 24-byte nonce in ${runtime}: ${Object.entries(cost).map(([n, us]) => `${n} ${us.toFixed(2)} µs`).join(", ")}`);
  }
  writeFileSync(join(here, "../test-output/bench/results.json"), JSON.stringify({ backends, results, sweep, nonce }, null, 2));
}

await main();
