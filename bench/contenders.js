// The contenders, each as async seal/open functions awaited one after another the way a
// request handler would. Shared by the Node and Deno runs (bench/run.js, bench/deno.js) and
// the workerd run (bench/workerd/worker.js), so all measure exactly the same code.
//
//   cookie-seal     this package as it starts (synchronous; awaited anyway, as a handler
//                   would): on node:crypto's AES where the runtime has it and it measured
//                   faster, else its own software AES
//   cookie-seal sw  the same, forced onto the software AES (init({ aesBackend: "software" }))
//   cookie-seal hw  the same, forced onto node:crypto's AES at every size (where there is one)
//   jose            JWE compact, alg "dir" + enc "A256GCM", pre-imported CryptoKey
//   iron-webcrypto  iron's seal/unseal with its defaults (what iron-session uses)
//   webcrypto       raw AES-256-GCM (random 96-bit IV) + base64url: the async platform floor
//   node:crypto     raw AES-256-GCM with createCipheriv (KeyObject made once, random 96-bit
//                   IV, tag) + base64url + JSON both ways: the synchronous hardware floor,
//                   where the runtime has node:crypto

// Deno and workerd (nodejs_compat) have Buffer in node:buffer, not always as a global.
const Buffer = globalThis.Buffer ?? globalThis.process?.getBuiltinModule?.("node:buffer")?.Buffer;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const KEY_BYTES = new Uint8Array(32).map((_, i) => i + 1);
const IRON_PASSWORD = "a-password-of-at-least-32-characters-for-iron";

function toBase64url(bytes) {
  if (typeof Buffer !== "undefined") return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("base64url");
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text) {
  if (typeof Buffer !== "undefined") return new Uint8Array(Buffer.from(text, "base64url"));
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// The variant's backend is set before each batch and the default restored after it.
function cookieSealVariant(cookieSeal, sealer, aesBackend) {
  return {
    seal: async (data) => sealer.seal(data),
    open: async (value) => sealer.open(value).data,
    before: () => cookieSeal.init({ aesBackend }),
    after: () => cookieSeal.init({ aesBackend: "auto" }),
  };
}

function nodeCryptoContender({ createCipheriv, createDecipheriv, createSecretKey, randomFillSync }) {
  const key = createSecretKey(KEY_BYTES);
  return {
    seal: async (data) => {
      const iv = randomFillSync(new Uint8Array(12));
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const ct = cipher.update(JSON.stringify(data), "utf8");
      cipher.final();
      return Buffer.concat([iv, ct, cipher.getAuthTag()]).toString("base64url");
    },
    open: async (value) => {
      const raw = Buffer.from(value, "base64url");
      const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const pt = decipher.update(raw.subarray(12, raw.length - 16), undefined, "utf8") + decipher.final("utf8");
      return JSON.parse(pt);
    },
  };
}

// `nodeCrypto`: the runtime's node:crypto, or undefined (then no "cookie-seal hw" either).
export async function contenders({ cookieSeal, jose, iron, nodeCrypto }) {
  const subtle = crypto.subtle;
  const aesKey = await subtle.importKey("raw", KEY_BYTES, "AES-GCM", false, ["encrypt", "decrypt"]);
  const sealer = new cookieSeal.Sealer({ keys: [{ id: "k1", key: toBase64url(KEY_BYTES) }], name: "__Host-session" });

  const list = {
    "cookie-seal": {
      seal: async (data) => sealer.seal(data),
      open: async (value) => sealer.open(value).data,
    },
    "cookie-seal sw": cookieSealVariant(cookieSeal, sealer, "software"),
    ...(nodeCrypto ? { "cookie-seal hw": cookieSealVariant(cookieSeal, sealer, "node-crypto") } : {}),
    jose: {
      seal: (data) =>
        new jose.CompactEncrypt(encoder.encode(JSON.stringify(data)))
          .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
          .encrypt(aesKey),
      open: async (value) => JSON.parse(decoder.decode((await jose.compactDecrypt(value, aesKey)).plaintext)),
    },
    "iron-webcrypto": {
      seal: (data) => iron.seal(data, IRON_PASSWORD, iron.defaults),
      open: (value) => iron.unseal(value, IRON_PASSWORD, iron.defaults),
    },
    webcrypto: {
      seal: async (data) => {
        const iv = crypto.getRandomValues(new Uint8Array(12));
        const ct = new Uint8Array(await subtle.encrypt({ name: "AES-GCM", iv }, aesKey, encoder.encode(JSON.stringify(data))));
        const raw = new Uint8Array(12 + ct.length);
        raw.set(iv);
        raw.set(ct, 12);
        return toBase64url(raw);
      },
      open: async (value) => {
        const raw = fromBase64url(value);
        const pt = await subtle.decrypt({ name: "AES-GCM", iv: raw.subarray(0, 12) }, aesKey, raw.subarray(12));
        return JSON.parse(decoder.decode(pt));
      },
    },
  };
  if (nodeCrypto) list["node:crypto"] = nodeCryptoContender(nodeCrypto);
  return list;
}

// Runs `n` sequential operations of one kind; returns a value so the work cannot be elided.
export async function runOps(impl, op, data, n) {
  await impl.before?.();
  try {
    return await runBatch(impl, op, data, n);
  } finally {
    await impl.after?.();
  }
}

async function runBatch(impl, op, data, n) {
  const sealed = await impl.seal(data);
  // A wrong round trip would make every figure meaningless: check once per batch.
  if (JSON.stringify(await impl.open(sealed)) !== JSON.stringify(data)) throw new Error("round trip failed");
  let last;
  if (op === "seal") for (let i = 0; i < n; i++) last = await impl.seal(data);
  else for (let i = 0; i < n; i++) last = await impl.open(sealed);
  return last;
}

export const OPS = ["seal", "open"];

// CPU time of this process (all its threads) in µs, where the runtime has process.cpuUsage
// (Node, Deno). On a shared machine it moves far less than the wall clock, because time spent
// waiting for a core is not in it; work a runtime hands to other threads (WebCrypto in Node
// and Deno) is.
const cpuMicros = globalThis.process?.cpuUsage ? () => {
  const u = globalThis.process.cpuUsage();
  return u.user + u.system;
} : undefined;

// ---- In-process timing (Node, Deno): warm up, then time growing batches for `ms`.
// Returns { wall, cpu } in ops/s (cpu: per CPU-second, if measurable).
export async function opsPerSec(impl, op, data, ms) {
  await runOps(impl, op, data, 300);
  let n = 0;
  let batch = 100;
  const start = performance.now();
  const cpuStart = cpuMicros?.();
  let elapsed = 0;
  while (elapsed < ms) {
    await runOps(impl, op, data, batch);
    n += batch + 2; // runOps also does one seal and one open to check the round trip
    elapsed = performance.now() - start;
    batch = Math.min(batch * 2, 5000);
  }
  const cpu = cpuMicros ? (n * 1e6) / Math.max(cpuMicros() - cpuStart, 1) : 0;
  return { wall: (n * 1000) / elapsed, cpu };
}

// best[payload][name][op] = the best of `rounds` calls of measure(payload, name, op), in
// ops/s by the wall clock, and best[payload][name].cpu[op] per CPU-second (0: not measured).
// Rounds interleave the contenders: on a shared 2-core machine, a neighbour's burst then
// hurts one round, not one contender.
export async function bestOfRounds(measure, payloads, names, rounds) {
  const best = {};
  for (let round = 0; round < rounds; round++) {
    for (const p of payloads) {
      best[p.name] ??= {};
      for (const name of names) {
        const r = (best[p.name][name] ??= { seal: 0, open: 0, cpu: { seal: 0, open: 0 } });
        for (const op of OPS) {
          const { wall, cpu } = await measure(p, name, op);
          r[op] = Math.max(r[op], wall);
          r.cpu[op] = Math.max(r.cpu[op], cpu);
        }
      }
    }
  }
  return best;
}

// A payload of exactly `bytes` bytes of JSON, for the size sweep.
export function sized(bytes) {
  return { p: "x".repeat(Math.max(0, bytes - 8)) };
}

// Payload sizes (bytes of JSON) of the sweep between cookie-seal's two AES backends.
export const SWEEP = [62, 256, 512, 768, 1024, 1280, 1536, 2048, 2800];
export const SWEPT = ["cookie-seal sw", "cookie-seal hw"];

// The in-process sweep: best[bytes][name][op].
export function sweepInProcess(impls, ms, rounds, sizes = SWEEP) {
  const list = sizes.map((bytes) => ({ name: String(bytes), bytes }));
  return bestOfRounds((p, name, op) => opsPerSec(impls[name], op, sized(p.bytes), ms), list, SWEPT, rounds);
}

// The two nonce sources measured, and how many 24-byte nonces one timed run makes.
export const NONCE_SOURCES = ["getRandomValues", "randomFillSync"];
export const NONCE_CALLS = 20_000;

// Microseconds per nonce from each source: the best of 5 calls of run(source), which makes
// NONCE_CALLS nonces and answers { ms, cpuMs } (cpuMs undefined where not measurable).
export async function nonceCost(run) {
  const out = {};
  for (const source of NONCE_SOURCES) {
    let best = Infinity;
    let bestCpu = Infinity;
    for (let r = 0; r < 5; r++) {
      const { ms, cpuMs } = await run(source);
      best = Math.min(best, (ms * 1000) / NONCE_CALLS);
      if (cpuMs !== undefined) bestCpu = Math.min(bestCpu, (cpuMs * 1000) / NONCE_CALLS);
    }
    out[source] = best;
    if (Number.isFinite(bestCpu)) out[`${source} (CPU)`] = bestCpu;
  }
  return out;
}

// nonceCost's run in this process (Node, Deno).
export function inProcessNonces(nodeCrypto) {
  const buf = new Uint8Array(24);
  const fills = { getRandomValues: (b) => crypto.getRandomValues(b), randomFillSync: (b) => nodeCrypto.randomFillSync(b) };
  return (source) => {
    const fill = fills[source];
    const cpuStart = cpuMicros?.();
    const start = performance.now();
    for (let i = 0; i < NONCE_CALLS; i++) fill(buf);
    const ms = performance.now() - start;
    return { ms, cpuMs: cpuMicros ? (cpuMicros() - cpuStart) / 1000 : undefined };
  };
}
