// The rate limiter on the store contract, run unchanged against every JS store adapter that
// can count (Redis in Node, Deno KV, a Durable Object in workerd); Workers KV must refuse.
// It imports nothing runtime-specific.
//
// rateCases(ctx) returns [{ name, fn }]; fn throws on failure.
//   ctx.RateLimiter  from `cookie-seal/rate-limit` as installed from the packed tarball
//   ctx.pair()       two stores on one backend with one prefix (two servers), maybe async
//   ctx.refused      true for a store that cannot count (Workers KV): only the refusal case

class RateAssertion extends Error {}
const ok = (cond, what) => {
  if (!cond) throw new RateAssertion(what);
};
const eq = (a, b, what) => {
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
  if (x !== y) throw new RateAssertion(`${what}: got ${x}, want ${y}`);
};
function codeOf(fn) {
  try {
    fn();
  } catch (err) {
    return err.code ?? String(err);
  }
  return "no error";
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const client = (n) => `203.0.113.${n}-${Math.random().toString(36).slice(2)}`;

export function rateCases(ctx) {
  const { RateLimiter } = ctx;
  if (ctx.refused) {
    return [
      {
        name: "rate limit: a store that cannot count atomically is refused with INVALID_OPTION, saying why",
        fn: async () => {
          const [store] = await ctx.pair();
          let err;
          try {
            new RateLimiter({ limit: 5, window: 60, store });
          } catch (e) {
            err = e;
          }
          eq(err?.code, "INVALID_OPTION", "new RateLimiter({ store })");
          ok(/eventually|60 s|atomic/.test(err.message), `the message says why: ${err.message}`);
          eq(codeOf(() => store.rateCounter()), "INVALID_OPTION", "rateCounter()");
        },
      },
    ];
  }
  const limiters = async (limit, window) => {
    const [a, b] = await ctx.pair();
    return [new RateLimiter({ limit, window, store: a }), new RateLimiter({ limit, window, store: b })];
  };
  return [
    {
      name: "rate limit: two servers share one budget through the store; over it RATE_LIMITED with a retry-after",
      fn: async () => {
        const [one, two] = await limiters(3, 60);
        const key = client(1);
        eq((await one.take(key)).remaining, 2, "first");
        eq((await two.take(key)).remaining, 1, "second, on the other server");
        eq((await one.take(key)).remaining, 0, "third");
        const over = await two.take(key);
        eq([over.ok, over.code, over.remaining], [false, "RATE_LIMITED", 0], "fourth");
        ok(over.retryAfter >= 1 && over.retryAfter <= 60, `retryAfter ${over.retryAfter}`);
        eq((await one.take(key)).code, "RATE_LIMITED", "still over on the first server");
        eq((await one.take(client(2))).ok, true, "another client has its own budget");
      },
    },
    {
      name: "rate limit: reset gives the budget back on every server",
      fn: async () => {
        const [one, two] = await limiters(2, 60);
        const key = client(3);
        await one.take(key);
        await one.take(key);
        eq((await two.take(key)).code, "RATE_LIMITED", "spent");
        await two.reset(key);
        eq(await one.take(key), { ok: true, remaining: 1, retryAfter: 0 }, "after reset");
      },
    },
    {
      name: "rate limit: the budget comes back when the window ends",
      fn: async () => {
        const [one, two] = await limiters(1, 1);
        const key = client(4);
        eq((await one.take(key)).ok, true, "first");
        const over = await two.take(key);
        eq([over.code, over.retryAfter], ["RATE_LIMITED", 1], "second, in the same window");
        await sleep(2100);
        eq((await two.take(key)).ok, true, "in the next window");
      },
    },
    {
      name: "rate limit: a long key is counted, not refused, under its first 256 characters; an empty one is INVALID_OPTION",
      fn: async () => {
        const [one, two] = await limiters(1, 60);
        const stem = client(5).padEnd(256, "x");
        eq((await one.take(`${stem}${"a".repeat(10_000)}`)).ok, true, "a 10 kB key");
        eq((await two.take(`${stem}b`)).code, "RATE_LIMITED", "alike for 256 characters: one budget");
        let err;
        try {
          await one.take("");
        } catch (e) {
          err = e;
        }
        eq(err?.code, "INVALID_OPTION", "an empty key");
      },
    },
    {
      name: "rate limit: a counter and a store at once, or a store that is not one, is INVALID_OPTION",
      fn: async () => {
        const [store] = await ctx.pair();
        eq(codeOf(() => new RateLimiter({ limit: 1, window: 1, store, counter: store.rateCounter() })), "INVALID_OPTION", "both");
        eq(codeOf(() => new RateLimiter({ limit: 1, window: 1, store: {} })), "INVALID_OPTION", "not a store");
        eq(codeOf(() => store.rateCounter().hit("k", 0, 1)), "INVALID_OPTION", "a window of 0 s");
      },
    },
  ];
}
