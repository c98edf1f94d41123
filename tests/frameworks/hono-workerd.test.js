// The Hono app as a Cloudflare worker in a real workerd (npm `workerd`, from tests/js)
// serving workerd/config.capnp on 127.0.0.1, driven over HTTP by scenario.js.
import test from "node:test";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import * as api from "cookie-seal/sessions";
import { scenarios } from "./scenario.js";

const here = fileURLToPath(new URL(".", import.meta.url));

const port = await new Promise((resolve, reject) => {
  const probe = createServer();
  probe.on("error", reject);
  probe.listen(0, "127.0.0.1", () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const base = `http://127.0.0.1:${port}`;
const workerd = spawn(
  `${here}../js/node_modules/.bin/workerd`,
  ["serve", `${here}workerd/config.capnp`, "--socket-addr", `http=127.0.0.1:${port}`],
  { stdio: ["ignore", "inherit", "inherit"] },
);
let exited = false;
workerd.on("exit", () => (exited = true));
process.on("exit", () => workerd.kill());

let startError = null;
try {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error("workerd exited before serving");
    try {
      await fetch(`${base}/whoami`);
      break;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`workerd did not answer on ${base}: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
} catch (err) {
  startError = err;
}

test("workerd serves the Hono worker", () => {
  if (startError) throw startError;
});
if (!startError) for (const { name, fn } of scenarios(base, api)) test(`hono/workerd: ${name}`, fn);
test.after(() => workerd.kill());
