// The store suite in Deno on `cookie-seal/deno-kv`, over a local Deno.openKv(path) in the
// folder scripts/test-js-stores.sh made (COOKIE_SEAL_STORES_DIR).
import { SessionManager } from "cookie-seal/sessions";
import { DenoKvStore } from "cookie-seal/deno-kv";
import { storeCases } from "./store-suite.js";

const dir = Deno.env.get("COOKIE_SEAL_STORES_DIR");
if (!dir) throw new Error("COOKIE_SEAL_STORES_DIR not set (run scripts/test-js-stores.sh)");
const kv = await Deno.openKv(`${dir}/deno.kv`);
let stores = 0;
const store = () => new DenoKvStore(kv, { prefix: `t${stores++}` });

for (const { name, fn } of storeCases({ SessionManager, store, remember: true })) {
  Deno.test({ name: `deno kv: ${name}`, fn });
}
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
