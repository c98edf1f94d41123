// `cookie-seal/handoff` on every single-use record: the JS stores that can hold one (Redis
// in Node, Deno KV, a Durable Object in workerd) and MemorySingleUse; Workers KV must
// refuse. It imports nothing runtime-specific.
//
// handoffCases(ctx) returns [{ name, fn }]; fn throws on failure.
//   ctx.Handoff   from `cookie-seal/handoff` as installed from the packed tarball
//   ctx.pair()    two records on one backend (two servers of the target), maybe async
//   ctx.refused   true for a store that cannot hold one (Workers KV): only the refusal case
//   ctx.memory    true for MemorySingleUse, which keeps a claim until its token's end only
//                 (one process has no clocks to disagree): no leeway case

/** The hand-off keyring of these tests and of the Rust side (examples/store_cross.rs): 32 bytes of 0x02. */
export const HANDOFF_KEYS = "h1:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI";
export const TARGET = "https://accounts.example.net";

class HandoffAssertion extends Error {}
const ok = (cond, what) => {
  if (!cond) throw new HandoffAssertion(what);
};
const eq = (a, b, what) => {
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
  if (x !== y) throw new HandoffAssertion(`${what}: got ${x}, want ${y}`);
};
async function code(promise) {
  try {
    await promise;
  } catch (err) {
    return err.code ?? String(err);
  }
  return "no error";
}
const nowSeconds = () => Math.floor(Date.now() / 1000);
const sleepUntil = async (second) => {
  while (nowSeconds() < second) await new Promise((resolve) => setTimeout(resolve, 100));
};
const randomId = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16)))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

export function handoffCases(ctx) {
  const { Handoff } = ctx;
  const handoff = new Handoff({ keys: HANDOFF_KEYS, ttl: 60 });
  if (ctx.refused) {
    return [
      {
        name: "hand-off: a store that cannot claim atomically refuses with INVALID_OPTION, and the token is not accepted",
        fn: async () => {
          const [store] = await ctx.pair();
          const token = handoff.issue(TARGET, { user: 42 });
          let err;
          try {
            await handoff.redeem(token, TARGET, store);
          } catch (e) {
            err = e;
          }
          eq(err?.code, "INVALID_OPTION", "redeem on the store");
          ok(/atomic|location/.test(err.message), `the message says why: ${err.message}`);
        },
      },
    ];
  }
  return [
    {
      name: "hand-off: a token redeems once, refused on the other server too; another site's token is BAD_SEAL and claims nothing",
      fn: async () => {
        const [one, two] = await ctx.pair();
        const now = nowSeconds();
        const token = handoff.issue(TARGET, { user: 42 }, { now });
        eq(await handoff.redeem(token, "HTTPS://accounts.example.net:443", one, { now }), { user: 42 }, "first, for the normalised origin");
        eq(await code(handoff.redeem(token, TARGET, one, { now: now + 1 })), "REVOKED", "again on the same server");
        eq(await code(handoff.redeem(token, TARGET, two, { now: now + 1 })), "REVOKED", "again on the other server");
        const elsewhere = handoff.issue("https://other.example", "x", { now });
        eq(await code(handoff.redeem(elsewhere, TARGET, one, { now })), "BAD_SEAL", "made for another site");
        eq(await handoff.redeem(elsewhere, "https://other.example", two, { now }), "x", "so it still redeems there");
        eq(await code(handoff.redeem(handoff.issue(TARGET, 1, { now }), TARGET, one, { now: now + 66 })), "EXPIRED", "past ttl and leeway");
      },
    },
    {
      name: "hand-off: sixteen redemptions of one token at once on two servers: exactly one succeeds",
      fn: async () => {
        const [one, two] = await ctx.pair();
        const token = handoff.issue(TARGET, "race");
        const codes = await Promise.all(Array.from({ length: 16 }, (_, i) => code(handoff.redeem(token, TARGET, i % 2 ? two : one))));
        eq(codes.filter((c) => c === "no error").length, 1, `one success in ${codes}`);
        ok(codes.every((c) => c === "no error" || c === "REVOKED"), `only REVOKED otherwise: ${codes}`);
      },
    },
    !ctx.memory && {
      name: "hand-off: a claim is kept CLAIM_LEEWAY (5 s) past its token's end, then taken again",
      fn: async () => {
        const [one, two] = await ctx.pair();
        const id = randomId();
        const t = nowSeconds();
        await one.claimHandoff(id, t, t);
        await sleepUntil(t + 4);
        eq(await code(two.claimHandoff(id, t, nowSeconds())), "REVOKED", "4 s on");
        await sleepUntil(t + 7);
        eq(await code(two.claimHandoff(id, nowSeconds() + 30, nowSeconds())), "no error", "after the leeway");
        eq(await code(one.claimHandoff(id, nowSeconds() + 30, nowSeconds())), "REVOKED", "the new claim holds");
      },
    },
    {
      name: "hand-off: bad options and a missing record are INVALID_OPTION",
      fn: async () => {
        eq(await code((async () => new Handoff({ keys: HANDOFF_KEYS, ttl: 61 }))()), "INVALID_OPTION", "ttl over 60 s");
        eq(await code((async () => new Handoff({ keys: "nope" }))()), "INVALID_KEY", "bad keys");
        eq(await code((async () => handoff.issue("accounts.example.net", 1))()), "INVALID_OPTION", "an origin without a scheme");
        eq(await code(handoff.redeem(handoff.issue(TARGET, 1), TARGET, {})), "INVALID_OPTION", "no single-use record");
        const [one] = await ctx.pair();
        eq(await code((async () => one.claimHandoff("short", 1, 1))()), "INVALID_OPTION", "a malformed id");
      },
    },
  ].filter(Boolean);
}
