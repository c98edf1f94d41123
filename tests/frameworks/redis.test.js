// The shared counter on a real Redis: redis-server started here on 127.0.0.1 with its own
// port and folder, no persistence, stopped by pid; node-redis as the application's client.
// Two limiters stand for two servers of a fleet: they share one budget.
import test from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "redis";
import { RateLimiter, redisCounter } from "cookie-seal/rate-limit";

const port = await new Promise((resolve, reject) => {
  const probe = createServer();
  probe.on("error", reject);
  probe.listen(0, "127.0.0.1", () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const dir = mkdtempSync(join(tmpdir(), "cookie-seal-redis-"));
const server = spawn(
  process.env.REDIS_SERVER ?? "redis-server",
  ["--bind", "127.0.0.1", "--port", String(port), "--dir", dir, "--save", "", "--appendonly", "no"],
  { stdio: "ignore" },
);
process.on("exit", () => server.kill());

const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
client.on("error", () => {});
for (const deadline = Date.now() + 20_000; ; ) {
  try {
    await client.connect();
    break;
  } catch (err) {
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${port}: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test.after(async () => {
  await client.quit().catch(() => {});
  server.kill();
  rmSync(dir, { recursive: true, force: true });
});

test("redis: two servers share one budget; the key expires with its window; reset forgets it", async () => {
  const a = new RateLimiter({ limit: 3, window: 1, counter: redisCounter(client, { prefix: "t1:" }) });
  const b = new RateLimiter({ limit: 3, window: 1, counter: redisCounter(client, { prefix: "t1:" }) });
  assert.equal((await a.take("203.0.113.7")).ok, true);
  assert.equal((await b.take("203.0.113.7")).ok, true);
  assert.equal((await a.take("203.0.113.7")).ok, true);
  const over = await b.take("203.0.113.7");
  assert.deepEqual([over.ok, over.retryAfter], [false, 1]);
  assert.equal(await client.ttl("t1:203.0.113.7"), 1, "the counter carries its window as TTL");
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal((await a.take("203.0.113.7")).ok, true, "the window ended");
  await a.take("203.0.113.7");
  await a.take("203.0.113.7");
  assert.equal((await b.take("203.0.113.7")).ok, false);
  await b.reset("203.0.113.7");
  assert.equal((await a.take("203.0.113.7")).ok, true, "reset");
});

test("redis: a store that is down refuses rather than lets through", async () => {
  const gone = createClient({ url: "redis://127.0.0.1:1", socket: { reconnectStrategy: false } });
  gone.on("error", () => {});
  const limiter = new RateLimiter({ limit: 100, window: 30, counter: redisCounter(gone) });
  const answer = await limiter.take("203.0.113.7");
  assert.deepEqual([answer.ok, answer.retryAfter], [false, 30]);
  assert.ok(answer.error);
});
