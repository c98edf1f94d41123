// The store suite, run unchanged against every JS store adapter: Redis in Node
// (stores.node.test.js), Deno KV (stores.deno.test.js), and Workers KV and a Durable Object
// inside workerd (workerd-stores/worker.js). It imports nothing runtime-specific.
//
// storeCases(ctx) returns [{ name, fn }]; fn throws on failure.
//   ctx.SessionManager  from `cookie-seal/sessions` as installed from the packed tarball
//   ctx.store()         a fresh store (its own key prefix or namespace), maybe async
//   ctx.remember        true when the store rotates remember-me tokens (not Workers KV)
//   ctx.settle(ms)      waits until a write is visible to reads (0 but for Workers KV)

const KEYS = "k1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE"; // 32 bytes of 0x01, as in Rust
export const STORE_KEYS = KEYS;

class StoreAssertion extends Error {}
const ok = (cond, what) => {
  if (!cond) throw new StoreAssertion(what);
};
const eq = (a, b, what) => {
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
  if (x !== y) throw new StoreAssertion(`${what}: got ${x}, want ${y}`);
};
async function code(promise) {
  try {
    await promise;
  } catch (err) {
    return err.code ?? String(err);
  }
  return "no error";
}
function codeSync(fn) {
  try {
    fn();
  } catch (err) {
    return err.code ?? String(err);
  }
  return "no error";
}
export const header = (setCookies) =>
  setCookies
    .filter((h) => !h.includes("Max-Age=0"))
    .map((h) => h.split(";")[0])
    .join("; ");

export function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

export function storeCases(ctx) {
  const settle = ctx.settle ?? (async () => {});
  async function setup(extra = {}) {
    const events = [];
    const store = await ctx.store();
    const sessions = new ctx.SessionManager({
      keys: KEYS,
      name: "__Host-session",
      maxChunks: 3,
      store,
      onEvent: (e) => events.push(e),
      ...extra,
    });
    return { sessions, store, events };
  }
  const user = (n) => `user-${n}-${Math.random().toString(36).slice(2)}`;

  const cases = [
    {
      name: "store: a signed-out session is refused on read, and the hook hears REVOKED",
      fn: async () => {
        const now = nowSeconds();
        const { sessions, events } = await setup();
        const s = await sessions.signInAsync({ a: 1 }, { subject: user(1), label: "Firefox", now });
        const cookie = header(await sessions.setCookiesAsync(s, { now }));
        eq((await sessions.readAsync(cookie, { now })).data, { a: 1 }, "read before sign-out");
        await sessions.signOutAsync(s, new Headers(), { now });
        await settle();
        eq(await code(sessions.readAsync(cookie, { now })), "REVOKED", "read after sign-out");
        const request = new Request("https://example.com/", { headers: { cookie } });
        eq(await sessions.fromRequestAsync(request, { now }), null, "fromRequestAsync after sign-out");
        ok(events.some((e) => e.type === "refused" && e.code === "REVOKED"), "the hook heard REVOKED");
        // A forged cookie: the hook hears its own code, and nothing reaches the store.
        const forged = cookie.slice(0, -4) + (cookie.endsWith("AAAA") ? "BBBB" : "AAAA");
        eq(await sessions.fromRequestAsync(new Request("https://example.com/", { headers: { cookie: forged } }), { now }), null, "forged");
        eq(events.at(-1).type === "refused" && ["BAD_SEAL", "MALFORMED"].includes(events.at(-1).code), true, `forged: ${JSON.stringify(events.at(-1))}`);
        const plain = [];
        const stateless = new ctx.SessionManager({ keys: KEYS, name: "__Host-session", maxChunks: 3, onEvent: (e) => plain.push(e) });
        eq(stateless.fromRequest(new Request("https://example.com/", { headers: { cookie: forged } }), { now }), null, "forged, no store");
        eq(plain.map((e) => e.type), ["refused"], "the hook works without a store too");
      },
    },
    {
      name: "store: sign out other devices keeps this one, refuses the others",
      fn: async () => {
        const now = nowSeconds();
        const { sessions } = await setup();
        const u = user(2);
        const phone = await sessions.signInAsync(1, { subject: u, label: "phone", now });
        const tablet = await sessions.signInAsync(2, { subject: u, label: "tablet", now: now + 1 });
        const laptop = await sessions.signInAsync(3, { subject: u, label: "laptop", now: now + 2 });
        const cookies = [];
        for (const s of [phone, tablet, laptop]) cookies.push(header(await sessions.setCookiesAsync(s, { now: now + 2 })));
        await settle();
        eq(await sessions.signOutOthers(laptop, { now: now + 3 }), 2, "two others signed out");
        await settle();
        eq((await sessions.listSessions(u, { now: now + 3 })).map((e) => e.label), ["laptop"], "list after");
        eq(await code(sessions.readAsync(cookies[0], { now: now + 3 })), "REVOKED", "phone");
        eq(await code(sessions.readAsync(cookies[1], { now: now + 3 })), "REVOKED", "tablet");
        eq((await sessions.readAsync(cookies[2], { now: now + 3 })).data, 3, "laptop still reads");
      },
    },
    {
      name: "store: sign out everywhere raises the generation; older sessions refused, new ones open",
      fn: async () => {
        const now = nowSeconds();
        const { sessions } = await setup();
        const u = user(3);
        const old = await sessions.signInAsync("old", { subject: u, now });
        const cookie = header(await sessions.setCookiesAsync(old, { now }));
        const generation = await sessions.signOutEverywhere(u, { now });
        ok(generation >= now, `generation ${generation} is at least now`);
        await settle();
        eq(await code(sessions.readAsync(cookie, { now })), "REVOKED", "older session");
        eq(await sessions.listSessions(u, { now }), [], "the list is empty");
        const fresh = await sessions.signInAsync("new", { subject: u, now });
        eq(fresh.subject.generation, generation, "a new session carries the new generation");
        const again = header(await sessions.setCookiesAsync(fresh, { now }));
        eq((await sessions.readAsync(again, { now })).data, "new", "the new session reads");
        ok((await sessions.signOutEverywhere(u, { now })) === generation + 1, "a second sign-out moves on by one");
      },
    },
    {
      name: "store: the session list has every field, newest sign-in first, last seen moves on writes",
      fn: async () => {
        const now = nowSeconds();
        const { sessions } = await setup();
        const u = user(4);
        const a = await sessions.signInAsync(null, { subject: u, label: "Safari", rememberMe: true, now });
        const b = await sessions.signInAsync(null, { subject: u, label: "Edge", now: now + 5 });
        await settle();
        const read = await sessions.readAsync(header(await sessions.setCookiesAsync(a, { now: now + 5 })), { now: now + 9 });
        read.data = { changed: true };
        await sessions.commitAsync(read, new Headers(), { now: now + 9 });
        await settle();
        const list = await sessions.listSessions(u, { now: now + 9 });
        eq(list.map((e) => e.id), [b.id, a.id], "order");
        eq(
          list[1],
          { id: a.id, signedInAt: now, lastSeen: now + 9, rememberMe: true, label: "Safari", keepUntil: a.absoluteExpiresAt + 3600 },
          "entry",
        );
        eq([list[0].rememberMe, list[0].lastSeen], [false, now + 5], "the other entry");
        eq(await code(sessions.signInAsync(null, { subject: u, label: "x\ny", now })), "INVALID_OPTION", "control character in label");
        eq(await code(sessions.signInAsync(null, { subject: u, label: "x".repeat(65), now })), "INVALID_OPTION", "label over 64 bytes");
      },
    },
    {
      name: "store: server-side data is kept with the session and deleted with it",
      fn: async () => {
        const now = nowSeconds();
        const { sessions } = await setup();
        const s = await sessions.signInAsync(null, { subject: user(5), now });
        eq(await sessions.getData(s, { now }), null, "no data yet");
        const bytes = new Uint8Array([0, 1, 2, 255, 10, 13]);
        await sessions.putData(s, bytes, { now });
        await settle();
        eq([...(await sessions.getData(s, { now }))], [...bytes], "bytes round-trip");
        await sessions.putData(s, "refresh-token é", { now });
        await settle();
        eq(new TextDecoder().decode(await sessions.getData(s, { now })), "refresh-token é", "a string is stored as UTF-8");
        eq(await code(sessions.putData(s, new Uint8Array(65537), { now })), "PAYLOAD", "over 64 KiB");
        await sessions.signOutAsync(s, new Headers(), { now });
        await settle();
        eq(await sessions.getData(s, { now }), null, "deleted with the session");
        const anon = new ctx.SessionManager({ keys: KEYS, name: "__Host-session", store: await ctx.store() });
        const a = anon.signIn("no subject", { now });
        await anon.putData(a, "anon data", { now });
        await settle();
        eq(new TextDecoder().decode(await anon.getData(a, { now })), "anon data", "a session without a subject");
        const cookie = header(anon.setCookies(a, { now }));
        await anon.signOutAsync(a, new Headers(), { now });
        await settle();
        eq(await code(anon.readAsync(cookie, { now })), "REVOKED", "a session without a subject revoked");
      },
    },
    {
      name: "store: the revalidation window trusts a fresh cookie for at most the window, then looks up",
      fn: async () => {
        const now = nowSeconds();
        const { sessions } = await setup({ revalidationWindow: 30 });
        const s = await sessions.signInAsync(1, { subject: user(6), now });
        const cookie = header(await sessions.setCookiesAsync(s, { now }));
        await sessions.signOutAsync(s, new Headers(), { now });
        await settle();
        eq((await sessions.readAsync(cookie, { now: now + 29 })).data, 1, "trusted inside the window");
        eq(sessions.read(cookie, { now: now + 29 }).data, 1, "a synchronous read inside the window needs no await");
        eq(await code(sessions.readAsync(cookie, { now: now + 30 })), "REVOKED", "looked up at the window's end");
        eq(codeSync(() => sessions.read(cookie, { now: now + 30 })), "INVALID_OPTION", "a synchronous read due for a lookup");
        const live = await sessions.signInAsync(2, { subject: user(6), now });
        const c2 = header(await sessions.setCookiesAsync(live, { now }));
        const read = await sessions.readAsync(c2, { now: now + 31 });
        eq([read.needsReseal, read.resealReason], [true, "revalidation"], "a looked-up cookie asks for a re-seal");
      },
    },
    {
      name: "store: the revalidation window runs from the last lookup (validatedAt), not from the last write",
      fn: async () => {
        const now = nowSeconds();
        const { sessions } = await setup({ revalidationWindow: 30 });
        const s = await sessions.signInAsync(1, { subject: user(9), now });
        eq(s.validatedAt, now, "sign-in asked the store: validated now");
        const cookie = header(await sessions.setCookiesAsync(s, { now }));
        const trusted = await sessions.readAsync(cookie, { now: now + 20 });
        eq([trusted.validatedAt, trusted.needsReseal], [now, false], "trusted without a lookup: the claim stays");
        trusted.data = 2;
        const rewritten = header(await sessions.setCookiesAsync(trusted, { now: now + 20 }));
        await sessions.signOutAsync(trusted, new Headers(), { now: now + 21 });
        await settle();
        // Sealed at now + 20, but last confirmed at now: the window ended at now + 30.
        eq((await sessions.readAsync(rewritten, { now: now + 29 })).data, 2, "inside the window of the lookup");
        eq(await code(sessions.readAsync(rewritten, { now: now + 35 })), "REVOKED", "a write did not extend the trust");
        const live = await sessions.signInAsync(3, { subject: user(9), now });
        const c2 = header(await sessions.setCookiesAsync(live, { now }));
        const looked = await sessions.readAsync(c2, { now: now + 31 });
        eq([looked.validatedAt, looked.resealReason], [now + 31, "revalidation"], "a lookup moves the claim");
        const c3 = header(await sessions.setCookiesAsync(looked, { now: now + 31 }));
        await sessions.signOutAsync(looked, new Headers(), { now: now + 32 });
        await settle();
        eq((await sessions.readAsync(c3, { now: now + 60 })).data, 3, "trusted for a window from that lookup");
        eq(await code(sessions.readAsync(c3, { now: now + 61 })), "REVOKED", "and no longer");
      },
    },
    {
      name: "store: without a window every read is looked up; the synchronous read refuses",
      fn: async () => {
        const now = nowSeconds();
        const { sessions } = await setup();
        const s = await sessions.signInAsync(1, { subject: user(7), now });
        const cookie = header(await sessions.setCookiesAsync(s, { now }));
        eq(codeSync(() => sessions.read(cookie, { now })), "INVALID_OPTION", "read() with a store");
        eq(codeSync(() => sessions.fromRequest(new Request("https://e/", { headers: { cookie } }), { now })), "INVALID_OPTION", "fromRequest() with a store");
        eq(sessions.read("theme=dark", { now }), null, "no session cookie needs no lookup");
        const plain = new ctx.SessionManager({ keys: KEYS, name: "__Host-session", maxChunks: 3 });
        eq(plain.read(cookie, { now }).data, 1, "no store: read() works as before");
      },
    },
  ];

  if (!ctx.remember) return cases;

  const token = { grace: 10 };
  const rememberSetup = () => setup({ rememberToken: token });
  const tokenHeader = (setCookies) => header(setCookies);
  // `n` series for one session, started a second apart from `now`: their token headers.
  const startSeries = async (sessions, session, n, now) => {
    const tokens = [];
    for (let i = 0; i < n; i++) tokens.push(tokenHeader(await sessions.rememberAsync(session, { now: now + i })));
    return tokens;
  };

  cases.push(
    {
      name: "remember-me: each use rotates the token and starts a fresh short session",
      fn: async () => {
        const now = nowSeconds();
        const { sessions } = await rememberSetup();
        const u = user(8);
        const s = await sessions.signInAsync(1, { subject: u, label: "Firefox", now });
        const first = await sessions.rememberAsync(s, { now });
        ok(/^__Host-session-remember=[\w-]{22}\.[\w-]{43}; Max-Age=2592000; Path=\/; HttpOnly; Secure; SameSite=Lax$/.test(first[0]), first[0]);
        const r1 = await sessions.resumeAsync(tokenHeader(first), { data: { back: 1 }, label: "Firefox", now: now + 100 });
        eq([r1.outcome, r1.session.subject.id, r1.session.data, r1.session.rememberMe], ["rotated", u, { back: 1 }, false], "first use");
        ok(r1.setCookies.length === 1 && r1.setCookies[0] !== first[0], "a new token is set");
        const r2 = await sessions.resumeAsync(tokenHeader(r1.setCookies), { now: now + 200 });
        eq(r2.outcome, "rotated", "the new token works once more");
        const list = await sessions.listSessions(u, { now: now + 200 });
        eq(list.filter((e) => e.rememberMe).length, 2, "resumed sessions are listed as remembered");
        eq(await sessions.resumeAsync("other=1", { now }), null, "no token: null");
      },
    },
    {
      name: "remember-me: a rotated token used again after the grace window revokes the series; the hook hears it",
      fn: async () => {
        const now = nowSeconds();
        const { sessions, events } = await rememberSetup();
        const u = user(9);
        const s = await sessions.signInAsync(1, { subject: u, now });
        const stolen = tokenHeader(await sessions.rememberAsync(s, { now }));
        const owner = await sessions.resumeAsync(stolen, { now: now + 50 });
        const ownerCookie = header(await sessions.setCookiesAsync(owner.session, { now: now + 50 }));
        eq(owner.outcome, "rotated", "the owner's use");
        const thief = await sessions.resumeAsync(stolen, { now: now + 61 });
        eq([thief.outcome, thief.session], ["theft", null], "the replay");
        ok(thief.setCookies[0].includes("Max-Age=0"), "the replay clears the token");
        const theft = events.find((e) => e.type === "theft");
        ok(theft !== undefined && theft.subject === u && theft.revokedSessions === 2, `hook: ${JSON.stringify(events)}`);
        eq(await code(sessions.readAsync(ownerCookie, { now: now + 61 })), "REVOKED", "the series' sessions are revoked");
        eq((await sessions.resumeAsync(tokenHeader(owner.setCookies), { now: now + 62 })).outcome, "unknown", "the newest token is dead too");
      },
    },
    {
      name: "remember-me: two concurrent refreshes within the grace window both succeed; after it the older token is refused",
      fn: async () => {
        const now = nowSeconds();
        const { sessions, events } = await rememberSetup();
        const s = await sessions.signInAsync(1, { subject: user(10), now });
        const t0 = tokenHeader(await sessions.rememberAsync(s, { now }));
        const [a, b] = await Promise.all([
          sessions.resumeAsync(t0, { now: now + 20 }),
          sessions.resumeAsync(t0, { now: now + 20 }),
        ]);
        eq([a.outcome, b.outcome].sort(), ["grace", "rotated"], "both tabs");
        ok(a.session !== null && b.session !== null, "both get a session");
        const rotated = a.outcome === "rotated" ? a : b;
        eq((a.outcome === "grace" ? a : b).setCookies, [], "the grace answer leaves the new token alone");
        eq((await sessions.resumeAsync(t0, { now: now + 30 })).outcome, "grace", "the last second of the window");
        eq(events.filter((e) => e.type === "theft").length, 0, "no theft so far");
        eq((await sessions.resumeAsync(t0, { now: now + 31 })).outcome, "theft", "after the window");
        eq((await sessions.resumeAsync(tokenHeader(rotated.setCookies), { now: now + 32 })).outcome, "unknown", "series gone");
      },
    },
    {
      name: "remember-me: a forged secret for a live series is theft; forgetting a series ends it",
      fn: async () => {
        const now = nowSeconds();
        const { sessions } = await rememberSetup();
        const s = await sessions.signInAsync(1, { subject: user(11), now });
        const real = tokenHeader(await sessions.rememberAsync(s, { now }));
        const forged = real.replace(/\.[\w-]{43}$/, `.${"A".repeat(43)}`);
        eq((await sessions.resumeAsync(forged, { now })).outcome, "theft", "a wrong secret");
        const s2 = await sessions.signInAsync(1, { subject: user(11), now });
        const t2 = tokenHeader(await sessions.rememberAsync(s2, { now }));
        ok((await sessions.forgetRememberAsync(t2, { now }))[0].includes("Max-Age=0"), "clears the cookie");
        eq((await sessions.resumeAsync(t2, { now })).outcome, "unknown", "after forgetting");
        eq((await sessions.resumeAsync("__Host-session-remember=junk", { now })).outcome, "unknown", "malformed");
        // A Cookie header longer than a read takes is refused as a read refuses it, in Rust too,
        // and nothing is forgotten.
        const s3 = await sessions.signInAsync(1, { subject: user(11), now });
        const t3 = tokenHeader(await sessions.rememberAsync(s3, { now }));
        const huge = `${t3}; pad=${"x".repeat(70_000)}`;
        eq(await code(sessions.resumeAsync(huge, { now })), "TOO_LARGE", "resume with a huge header");
        eq(await code(sessions.forgetRememberAsync(huge, { now })), "TOO_LARGE", "forget with a huge header");
        eq((await sessions.resumeAsync(t3, { now })).outcome, "rotated", "the series is still there");
      },
    },
    {
      name: "remember-me: at most 32 live series per subject; starting one more ends the one expiring first",
      fn: async () => {
        const now = nowSeconds();
        const { sessions } = await rememberSetup();
        const s = await sessions.signInAsync(1, { subject: user(12), now });
        const tokens = await startSeries(sessions, s, 33, now);
        eq((await sessions.resumeAsync(tokens[0], { now: now + 40 })).outcome, "unknown", "the oldest series was dropped");
        eq((await sessions.resumeAsync(tokens[1], { now: now + 40 })).outcome, "rotated", "the next one lives");
        eq((await sessions.resumeAsync(tokens[32], { now: now + 40 })).outcome, "rotated", "the newest lives");
      },
    },
    {
      name: "remember-me: a forgotten or stolen series frees its place under the cap; a rotated one keeps its place",
      fn: async () => {
        const now = nowSeconds();
        const { sessions } = await rememberSetup();
        const s = await sessions.signInAsync(1, { subject: user(13), now });
        const tokens = await startSeries(sessions, s, 32, now);
        await sessions.forgetRememberAsync(tokens[31], { now: now + 40 });
        const forged = tokens[30].replace(/\.[\w-]{43}$/, `.${"A".repeat(43)}`);
        eq((await sessions.resumeAsync(forged, { now: now + 40 })).outcome, "theft", "a stolen series");
        // Rotating the oldest moves its deadline past the others'.
        const rotated = await sessions.resumeAsync(tokens[0], { now: now + 41 });
        eq(rotated.outcome, "rotated", "the oldest rotates");
        // Two places free: two more starts push nobody out.
        for (let i = 0; i < 2; i++) await sessions.rememberAsync(s, { now: now + 42 });
        eq((await sessions.resumeAsync(tokens[1], { now: now + 43 })).outcome, "rotated", "the next oldest still lives");
        eq((await sessions.resumeAsync(tokenHeader(rotated.setCookies), { now: now + 43 })).outcome, "rotated", "the rotated one lives");
        // One more: the cap is full again, and the series expiring first (tokens[2]) goes.
        await sessions.rememberAsync(s, { now: now + 44 });
        eq((await sessions.resumeAsync(tokens[2], { now: now + 45 })).outcome, "unknown", "the cap still holds");
      },
    },
  );
  return cases;
}
