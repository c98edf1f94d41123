// The store suite in Node on `cookie-seal/redis`, against the redis-server that
// scripts/test-js-stores.sh started (COOKIE_SEAL_REDIS_PORT); then the cross-language cases
// with the Rust RedisStore (COOKIE_SEAL_STORE_CROSS, the store_cross example), and the store
// going down and coming back (the script's redis-stop / redis-start subcommands).
import test from "node:test";
import { execFileSync } from "node:child_process";
import { createClient } from "redis";
import { SessionManager } from "cookie-seal/sessions";
import { RedisStore } from "cookie-seal/redis";
import { RateLimiter } from "cookie-seal/rate-limit";
import { STORE_KEYS, header, nowSeconds, storeCases } from "./store-suite.js";
import { rateCases } from "./rate-suite.js";
import { Handoff, MemorySingleUse } from "cookie-seal/handoff";
import { HANDOFF_KEYS, TARGET, handoffCases } from "./handoff-suite.js";

const port = Number(process.env.COOKIE_SEAL_REDIS_PORT);
if (!port) throw new Error("COOKIE_SEAL_REDIS_PORT not set (run scripts/test-js-stores.sh)");
const cross = process.env.COOKIE_SEAL_STORE_CROSS;
const script = process.env.COOKIE_SEAL_STORES_SCRIPT;

// No offline queue: a command while the server is down fails at once instead of waiting.
const client = createClient({
  socket: { host: "127.0.0.1", port, reconnectStrategy: () => 100, connectTimeout: 500 },
  disableOfflineQueue: true,
});
client.on("error", () => {}); // reconnection attempts while the server is down
await client.connect();
test.after(() => client.destroy());

let stores = 0;
const fresh = () => new RedisStore(client, { prefix: `t${process.pid}-${stores++}` });

for (const { name, fn } of storeCases({ SessionManager, store: fresh, remember: true })) test(name, fn);
// Two servers: two RedisStores with one prefix, the second on a client of its own.
const second = createClient({ socket: { host: "127.0.0.1", port, connectTimeout: 500 } });
second.on("error", () => {});
await second.connect();
test.after(() => second.destroy());
const pair = () => {
  const prefix = `rl${process.pid}-${stores++}`;
  return [new RedisStore(client, { prefix }), new RedisStore(second, { prefix })];
};
for (const { name, fn } of rateCases({ RateLimiter, pair })) test(name, fn);
for (const { name, fn } of handoffCases({ Handoff, pair })) test(`redis ${name}`, fn);
const memoryPair = () => {
  const used = new MemorySingleUse();
  return [used, used];
};
for (const { name, fn } of handoffCases({ Handoff, pair: memoryPair, memory: true })) test(`memory ${name}`, fn);

test("memory hand-off: full of live claims refuses (RATE_LIMITED) and forgets none; ended ones make room", async () => {
  const handoff = new Handoff({ keys: HANDOFF_KEYS, ttl: 60 });
  const used = new MemorySingleUse({ capacity: 2 });
  const t = 1_700_000_000;
  const [a, b, c] = [1, 2, 3].map((n) => handoff.issue(TARGET, n, { now: t }));
  await handoff.redeem(a, TARGET, used, { now: t });
  await handoff.redeem(b, TARGET, used, { now: t });
  let full;
  try {
    await handoff.redeem(c, TARGET, used, { now: t + 1 });
  } catch (err) {
    full = err;
  }
  eq([full?.code, full?.retryAfter], ["RATE_LIMITED", 64], "the third, while both are live");
  eq(await code(handoff.redeem(a, TARGET, used, { now: t + 2 })), "REVOKED", "the first still refused");
  const d = handoff.issue(TARGET, 4, { now: t + 60 });
  eq(await handoff.redeem(d, TARGET, used, { now: t + 66 }), 4, "room once the first two ended");
  eq(used.size, 1, "the ended ones are gone");
});

const manager = (store, extra = {}) =>
  new SessionManager({ keys: STORE_KEYS, name: "__Host-session", maxChunks: 3, store, ...extra });

function rust(prefix, now, ...args) {
  const out = execFileSync(cross, [`redis://127.0.0.1:${port}`, prefix, String(now), ...args], { encoding: "utf8" });
  return JSON.parse(out);
}

async function code(promise) {
  try {
    await promise;
  } catch (err) {
    return err.code;
  }
  return "no error";
}

// Key order aside (serde_json writes keys sorted), the same JSON.
const norm = (value) =>
  Array.isArray(value) ? value.map(norm) : value && typeof value === "object"
    ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, norm(v)]))
    : value;

function eq(a, b, what) {
  const [x, y] = [JSON.stringify(norm(a)), JSON.stringify(norm(b))];
  if (x !== y) throw new Error(`${what}: got ${x}, want ${y}`);
}

test("cross-language: Rust and Node share revocations, lists, generations and data through Redis", { skip: !cross && "COOKIE_SEAL_STORE_CROSS not set" }, async () => {
  const now = nowSeconds();
  const prefix = `cross${process.pid}`;
  const store = new RedisStore(client, { prefix });
  const sessions = manager(store);
  const subject = `cross-user-${now}`;

  // Rust signs in; Node reads the cookie and lists the session Rust recorded.
  const fromRust = rust(prefix, now, "sign-in", subject, "rust label");
  const read = await sessions.readAsync(fromRust.cookie, { now });
  eq([read.id, read.data], [fromRust.id, { from: "rust" }], "Node reads Rust's session");
  // Node signs in a second one; Rust lists exactly what Node lists.
  const fromNode = await sessions.signInAsync({ from: "node" }, { subject, label: "node label", now: now + 1 });
  const nodeCookie = header(await sessions.setCookiesAsync(fromNode, { now: now + 1 }));
  const nodeList = await sessions.listSessions(subject, { now: now + 1 });
  eq(rust(prefix, now + 1, "list", subject), nodeList, "Rust's list is Node's");
  eq(nodeList.map((e) => e.label), ["node label", "rust label"], "both sessions listed, newest first");
  eq(rust(prefix, now + 1, "read", nodeCookie).id, fromNode.id, "Rust reads Node's session");

  // Data written by one side is read by the other.
  await sessions.putData(fromNode, new TextEncoder().encode("tokens from node"), { now: now + 1 });
  eq(rust(prefix, now + 1, "data", nodeCookie).data, "tokens from node", "Rust reads Node's data");
  rust(prefix, now + 1, "put-data", fromRust.cookie, "tokens from rust");
  eq(new TextDecoder().decode(await sessions.getData(read, { now: now + 1 })), "tokens from rust", "Node reads Rust's data");

  // Rust signs out Node's session: Node refuses it. Node signs out Rust's: Rust refuses it.
  rust(prefix, now + 2, "sign-out", nodeCookie);
  eq(await code(sessions.readAsync(nodeCookie, { now: now + 2 })), "REVOKED", "Node refuses what Rust revoked");
  await sessions.signOutAsync(read, new Headers(), { now: now + 2 });
  eq(rust(prefix, now + 2, "read", fromRust.cookie).code, "REVOKED", "Rust refuses what Node revoked");
  eq(rust(prefix, now + 2, "list", subject), [], "both lists are empty");

  // Sign out everywhere on either side moves the generation the other side checks.
  const again = rust(prefix, now + 3, "sign-in", subject, "rust again");
  const generation = await sessions.signOutEverywhere(subject, { now: now + 4 });
  eq(rust(prefix, now + 4, "read", again.cookie).code, "REVOKED", "Rust refuses after Node's sign-out everywhere");
  const latest = await sessions.signInAsync(1, { subject, now: now + 5 });
  eq(latest.subject.generation, generation, "Node seals with its generation");
  const latestCookie = header(await sessions.setCookiesAsync(latest, { now: now + 5 }));
  eq(rust(prefix, now + 5, "read", latestCookie).id, latest.id, "Rust accepts the new generation");
  // max(current + 1, now): Rust's next generation follows Node's, under either rule.
  eq(rust(prefix, now + 6, "everywhere", subject).generation, Math.max(generation + 1, now + 6), "Rust moves on from Node's generation");
  eq(await code(sessions.readAsync(latestCookie, { now: now + 6 })), "REVOKED", "Node refuses after Rust's sign-out everywhere");
});

test("cross-language: a remember-me series started by either side rotates on the other, and a replay is caught by both", { skip: !cross && "COOKIE_SEAL_STORE_CROSS not set" }, async () => {
  const now = nowSeconds();
  const prefix = `crossrm${process.pid}`;
  const events = [];
  const sessions = manager(new RedisStore(client, { prefix }), { rememberToken: {}, onEvent: (e) => events.push(e) });
  const subject = `cross-remember-${now}`;
  const tokenOf = (setCookies) => header(setCookies);

  // Node starts the series; Rust rotates it; Node rotates Rust's token; Rust's token, just
  // replaced by Node, still passes inside the grace window.
  const signedIn = await sessions.signInAsync(1, { subject, now });
  const t1 = tokenOf(await sessions.rememberAsync(signedIn, { now }));
  const r1 = rust(prefix, now + 10, "resume", t1);
  eq([r1.outcome, r1.subject], ["rotated", subject], "Rust rotates Node's series");
  eq((await sessions.readAsync(r1.cookie, { now: now + 10 })).data, { from: "rust" }, "Node reads the session Rust resumed");
  const n2 = await sessions.resumeAsync(r1.token, { now: now + 20 });
  eq([n2.outcome, n2.session.subject.id], ["rotated", subject], "Node rotates the token Rust issued");
  eq(rust(prefix, now + 25, "resume", r1.token).outcome, "grace", "Rust sees Node's rotation: grace");
  // The first token again, long after: theft, seen by Node; the series is gone for Rust too,
  // and the session Rust started from it is revoked.
  const stolen = await sessions.resumeAsync(t1, { now: now + 100 });
  eq(stolen.outcome, "theft", "Node catches the replay of a token Rust rotated away");
  eq(events.filter((e) => e.type === "theft").map((e) => e.subject), [subject], "the hook heard it");
  eq(rust(prefix, now + 101, "resume", tokenOf(n2.setCookies)).outcome, "unknown", "Rust finds the series gone");
  eq(rust(prefix, now + 101, "read", r1.cookie).code, "REVOKED", "Rust refuses the session the stolen series started");

  // Rust starts the series; Node rotates it; Rust catches the replay; Node refuses after.
  const rustSession = rust(prefix, now + 200, "sign-in", subject, "rust");
  const k1 = rust(prefix, now + 200, "remember", rustSession.cookie).token;
  const m2 = await sessions.resumeAsync(k1, { now: now + 210 });
  eq([m2.outcome, m2.session.subject.id], ["rotated", subject], "Node rotates Rust's series");
  eq(rust(prefix, now + 300, "resume", k1).outcome, "theft", "Rust catches the replay");
  eq(await code(sessions.readAsync(rustSession.cookie, { now: now + 301 })), "REVOKED", "Node refuses the session that started it");
  eq((await sessions.resumeAsync(tokenOf(m2.setCookies), { now: now + 301 })).outcome, "unknown", "Node finds the series gone");
});

test("redis: the subject's index of remember-me series holds at most 32 (the shared suite checks which are dropped)", async () => {
  const now = nowSeconds();
  const sessions = manager(new RedisStore(client, { prefix: `cap${process.pid}` }), { rememberToken: {} });
  const subject = `cap-user-${now}`;
  const s = await sessions.signInAsync(1, { subject, now });
  for (let i = 0; i < 33; i++) await sessions.rememberAsync(s, { now: now + i });
  const index = await client.sendCommand(["ZCARD", `cap${process.pid}:{u:${Buffer.from(subject).toString("base64url")}}:rm`]);
  eq(index, 32, "the subject's index holds the cap");
});

test("store down: STORE_UNAVAILABLE, nothing accepted, the hook hears it; back up: reads succeed again", { skip: !script && "COOKIE_SEAL_STORES_SCRIPT not set" }, async () => {
  const now = nowSeconds();
  const events = [];
  const sessions = manager(new RedisStore(client, { prefix: `down${process.pid}`, timeout: 300 }), {
    onEvent: (e) => events.push(e),
  });
  const s = await sessions.signInAsync(1, { subject: "down-user", now });
  const cookie = header(await sessions.setCookiesAsync(s, { now }));
  const request = new Request("https://example.com/", { headers: { cookie } });
  execFileSync(script, ["redis-stop"], { stdio: "inherit" });
  try {
    const started = Date.now();
    eq(await code(sessions.readAsync(cookie, { now })), "STORE_UNAVAILABLE", "readAsync");
    eq(await code(sessions.fromRequestAsync(request, { now })), "STORE_UNAVAILABLE", "fromRequestAsync throws, never a session");
    eq(await code(sessions.signInAsync(1, { subject: "down-user", now })), "STORE_UNAVAILABLE", "signInAsync");
    eq(await code(sessions.signOutAsync(s, new Headers(), { now })), "STORE_UNAVAILABLE", "signOutAsync");
    if (Date.now() - started > 4 * 1000) throw new Error("slower than the timeouts allow");
    const failures = events.filter((e) => e.type === "store-error");
    eq(failures.map((e) => e.operation), ["isRevoked", "isRevoked", "generation", "revoke"], "the hook heard each failure");
    if (!failures.every((e) => e.code === "STORE_UNAVAILABLE" && /^store unavailable: redis: /.test(e.message))) {
      throw new Error(`events: ${JSON.stringify(failures)}`);
    }
  } finally {
    execFileSync(script, ["redis-start"], { stdio: "inherit" });
  }
  for (let i = 0; i < 50 && !client.isReady; i++) await new Promise((r) => setTimeout(r, 100));
  eq((await sessions.readAsync(cookie, { now })).data, 1, "reads succeed once the server is back");
  // The append-only file kept the session list across the restart.
  eq((await sessions.listSessions("down-user", { now })).length, 1, "the list survived the restart");
});

test("cross-language: a Rust RedisRateLimit and a Node RateLimiter on one Redis count one budget", { skip: !cross && "COOKIE_SEAL_STORE_CROSS not set" }, async () => {
  const now = nowSeconds();
  const prefix = `crossrl${process.pid}`;
  const limiter = new RateLimiter({ limit: 3, window: 60, store: new RedisStore(client, { prefix }) });
  const key = `198.51.100.7-${now}-é`.padEnd(300, "x"); // past the 128 bytes both sides key on
  eq((await limiter.take(key)).remaining, 2, "Node's first");
  eq(rust(prefix, now, "rate", key, "3", "60"), { code: "OK" }, "Rust's counts as the second");
  eq((await limiter.take(key)).remaining, 0, "Node's third");
  const refused = rust(prefix, now, "rate", key, "3", "60");
  eq(refused.code, "RATE_LIMITED", "Rust's fourth is over the shared budget");
  if (!(refused.retryAfter >= 1 && refused.retryAfter <= 60)) throw new Error(`Rust retryAfter ${refused.retryAfter}`);
  eq((await limiter.take(key)).code, "RATE_LIMITED", "and Node's fifth");
  // Node's reset frees the budget for Rust too.
  await limiter.reset(key);
  eq(rust(prefix, now, "rate", key, "3", "60"), { code: "OK" }, "after Node's reset");
});

test("rate limit and hand-off on Redis: each counter expires with its window; store down: STORE_UNAVAILABLE, refused, never let through; back up: counts again", { skip: !script && "COOKIE_SEAL_STORES_SCRIPT not set" }, async () => {
  const prefix = `rldown${process.pid}`;
  const store = new RedisStore(client, { prefix, timeout: 300 });
  const limiter = new RateLimiter({ limit: 5, window: 30, store });
  const handoff = new Handoff({ keys: HANDOFF_KEYS, ttl: 60 });
  const redeemed = handoff.issue(TARGET, "before");
  eq(await handoff.redeem(redeemed, TARGET, store), "before", "redeemed before the outage");
  const token = handoff.issue(TARGET, "during");
  // What a flood of keys costs: one key each, gone when the window ends.
  for (let i = 0; i < 50; i++) eq((await limiter.take(`flood-${i}`)).ok, true, "flood");
  const keys = await client.keys(`${prefix}:{rl:*`);
  eq(keys.length, 50, "one counter per client key");
  for (const k of keys) {
    const left = await client.pTTL(k);
    if (!(left > 0 && left <= 30_000)) throw new Error(`${k} expires in ${left} ms`);
  }
  execFileSync(script, ["redis-stop"], { stdio: "inherit" });
  try {
    const started = Date.now();
    const answer = await limiter.take("flood-0");
    eq([answer.ok, answer.code, answer.error?.code], [false, "STORE_UNAVAILABLE", "STORE_UNAVAILABLE"], "take while down");
    eq(answer.retryAfter, 30, "retry after one window");
    eq(await code(limiter.reset("flood-0")), "STORE_UNAVAILABLE", "reset while down");
    eq(await code(handoff.redeem(token, TARGET, store)), "STORE_UNAVAILABLE", "a hand-off is not accepted while down");
    eq(await code(handoff.redeem(redeemed, TARGET, store)), "STORE_UNAVAILABLE", "nor a redeemed one");
    if (Date.now() - started > 3 * 1000) throw new Error("slower than the timeouts allow");
  } finally {
    execFileSync(script, ["redis-start"], { stdio: "inherit" });
  }
  for (let i = 0; i < 50 && !client.isReady; i++) await new Promise((r) => setTimeout(r, 100));
  eq((await limiter.take("flood-0")).remaining, 3, "the count survived the restart and goes on");
  eq(await handoff.redeem(token, TARGET, store), "during", "the token refused during the outage redeems now, once");
  eq(await code(handoff.redeem(token, TARGET, store)), "REVOKED", "and only once");
  eq(await code(handoff.redeem(redeemed, TARGET, store)), "REVOKED", "the claim made before the outage survived it");
});

test("cross-language: a hand-off token redeems once across Rust and Node on one Redis", { skip: !cross && "COOKIE_SEAL_STORE_CROSS not set" }, async () => {
  const now = nowSeconds();
  const prefix = `crossh${process.pid}`;
  const store = new RedisStore(client, { prefix });
  const handoff = new Handoff({ keys: HANDOFF_KEYS, ttl: 60 });
  // Rust issues, Node redeems; Rust's redemption of the same token is refused.
  const fromRust = rust(prefix, now, "handoff-issue", TARGET, "from rust").token;
  eq(await handoff.redeem(fromRust, TARGET, store, { now }), "from rust", "Node redeems Rust's token");
  eq(rust(prefix, now, "handoff-redeem", fromRust, TARGET), { code: "REVOKED" }, "Rust refuses what Node redeemed");
  // Node issues, Rust redeems; Node's redemption is refused.
  const fromNode = handoff.issue(TARGET, "from node", { now });
  eq(rust(prefix, now, "handoff-redeem", fromNode, TARGET), { data: "from node" }, "Rust redeems Node's token");
  eq(await code(handoff.redeem(fromNode, TARGET, store, { now })), "REVOKED", "Node refuses what Rust redeemed");
  eq(rust(prefix, now, "handoff-redeem", handoff.issue("https://other.example", "x", { now }), TARGET), { code: "BAD_SEAL" }, "the origin is bound");
});
