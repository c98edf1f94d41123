// The benchmark in Deno: the same contenders and timing as Node's run, printed as JSON for
// bench/run.js, which starts this (`deno run`) and puts the figures in its table.
import * as cookieSeal from "cookie-seal";
import * as jose from "jose";
import * as iron from "iron-webcrypto";
import * as nodeCrypto from "node:crypto";
import payloadList from "./payloads.json" with { type: "json" };
import { bestOfRounds, contenders, inProcessNonces, nonceCost, opsPerSec, sweepInProcess } from "./contenders.js";

const ms = Number(Deno.env.get("BENCH_MS") ?? 300);
const rounds = Number(Deno.env.get("BENCH_ROUNDS") ?? 3);
const impls = await contenders({ cookieSeal, jose, iron, nodeCrypto });
const data = Object.fromEntries(payloadList.map((p) => [p.name, JSON.parse(p.text)]));
const results = await bestOfRounds((p, name, op) => opsPerSec(impls[name], op, data[p.name], ms), payloadList, Object.keys(impls), rounds);
const sweep = await sweepInProcess(impls, ms, rounds);
console.log(JSON.stringify({ version: Deno.version.deno, aesBackend: cookieSeal.Sealer.aesBackend, results, sweep, nonce: await nonceCost(inProcessNonces(nodeCrypto)) }));
