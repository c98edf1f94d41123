// The store suite in Deno on `cookie-seal/deno-kv`, over a local Deno.openKv(path) in the
// folder scripts/test-js-stores.sh made (COOKIE_SEAL_STORES_DIR).
import { SessionManager } from "cookie-seal/sessions";
import { DenoKvStore } from "cookie-seal/deno-kv";
import { RateLimiter } from "cookie-seal/rate-limit";
import { storeCases } from "./store-suite.js";
import { rateCases } from "./rate-suite.js";
import { Handoff } from "cookie-seal/handoff";
import { handoffCases } from "./handoff-suite.js";

const dir = Deno.env.get("COOKIE_SEAL_STORES_DIR");
if (!dir) throw new Error("COOKIE_SEAL_STORES_DIR not set (run scripts/test-js-stores.sh)");
const kv = await Deno.openKv(`${dir}/deno.kv`);
let stores = 0;
const store = () => new DenoKvStore(kv, { prefix: `t${stores++}` });

for (const { name, fn } of storeCases({ SessionManager, store, remember: true })) {
  Deno.test({ name: `deno kv: ${name}`, fn });
}
// Two servers: two handles on the one file, one prefix.
const other = await Deno.openKv(`${dir}/deno.kv`);
const pair = () => {
  const prefix = `rl${stores++}`;
  return [new DenoKvStore(kv, { prefix }), new DenoKvStore(other, { prefix })];
};
for (const { name, fn } of rateCases({ RateLimiter, pair })) {
  Deno.test({ name: `deno kv: ${name}`, fn });
}
for (const { name, fn } of handoffCases({ Handoff, pair })) {
  Deno.test({ name: `deno kv: ${name}`, fn });
}
Deno.test({ name: "deno kv: rate limit on a closed store is STORE_UNAVAILABLE, nothing let through", fn: async () => {
  const gone = await Deno.openKv(`${dir}/deno.kv`);
  const limiter = new RateLimiter({ limit: 5, window: 60, store: new DenoKvStore(gone, { prefix: "rl-closed", timeout: 300 }) });
  if (!(await limiter.take("k")).ok) throw new Error("the open store refused");
  gone.close();
  const answer = await limiter.take("k");
  if (answer.ok || answer.code !== "STORE_UNAVAILABLE" || answer.error?.code !== "STORE_UNAVAILABLE") {
    throw new Error(`closed store: ${JSON.stringify({ ...answer, error: String(answer.error) })}`);
  }
  let reset;
  try {
    await limiter.reset("k");
  } catch (err) {
    reset = err.code;
  }
  if (reset !== "STORE_UNAVAILABLE") throw new Error(`reset on a closed store: ${reset}`);
} });
Deno.test({ name: "deno kv: the data survives closing and reopening the file", fn: async () => {
  const s = new DenoKvStore(kv, { prefix: "reopen" });
  const now = Math.floor(Date.now() / 1000);
  await s.revoke("AAAAAAAAAAAAAAAAAAAAAA", null, now + 600, now);
  const again = await Deno.openKv(`${dir}/deno.kv`);
  try {
    if (!(await new DenoKvStore(again, { prefix: "reopen" }).isRevoked("AAAAAAAAAAAAAAAAAAAAAA", null, now))) {
      throw new Error("a revocation written through one handle is not seen through another");
    }
  } finally {
    again.close();
  }
} });
