// The site (site.js) as a Hono app on cookie-seal/hono; served by Node (@hono/node-server),
// Deno (Deno.serve) and workerd (as the worker's default export).
import { Hono } from "hono";
import { SessionManager } from "cookie-seal/sessions";
import { CrossOrigin, CsrfTokens, PreSessionTokens } from "cookie-seal/csrf";
import { RateLimiter } from "cookie-seal/rate-limit";
import { preSessionToken, protect, protectSignIn, rateLimit, session } from "cookie-seal/hono";
import { PRE_SESSION_OPTIONS, SESSION_OPTIONS, SIGN_IN_LIMIT, clientOf } from "./site.js";

export function honoApp() {
  const sessions = new SessionManager(SESSION_OPTIONS);
  const tokens = new CsrfTokens({ keys: SESSION_OPTIONS.keys, name: SESSION_OPTIONS.name });
  const preSession = new PreSessionTokens(PRE_SESSION_OPTIONS);
  const crossOrigin = new CrossOrigin();
  const guarded = protect({ crossOrigin, tokens });
  const app = new Hono();
  app.use(session(sessions));

  const needSession = async (c, next) => (c.get("session") ? next() : c.json({ code: "NO_SESSION" }, 401));
  app.get("/whoami", (c) => {
    const s = c.get("session");
    return c.json({ data: s?.data ?? null, id: s?.id ?? null, keyId: s?.keyId ?? null, error: c.get("sessionError")?.code ?? null });
  });
  app.get("/token", needSession, (c) => c.json({ token: tokens.token(c.get("session")) }));
  // A limiter whose counter is down: the request must be refused (503), never let through.
  const down = { hit: () => Promise.reject(new Error("counter down")), reset: () => Promise.resolve() };
  app.post("/sign-in-limiter-down", rateLimit(new RateLimiter({ ...SIGN_IN_LIMIT, counter: down }), { key: (c) => "any" }), (c) => c.json({ passed: true }));
  app.post(
    "/sign-in",
    rateLimit(new RateLimiter(SIGN_IN_LIMIT), { key: (c) => clientOf(c.req.header("x-client")) }),
    protect({ crossOrigin }),
    async (c) => {
      const form = await c.req.parseBody();
      const s = sessions.signIn({ user: String(form.user), n: 0 });
      c.set("session", s);
      return c.json({ id: s.id });
    },
  );
  // The sign-in form's page, and its post with the pre-session token checked.
  app.get("/sign-in-form", (c) => c.json({ token: preSessionToken(c, preSession) }));
  app.post("/sign-in-checked", protectSignIn({ crossOrigin, preSession }), async (c) => {
    const form = await c.req.parseBody();
    const s = sessions.signIn({ user: String(form.user), n: 0 });
    c.set("session", s);
    return c.json({ user: s.data.user });
  });
  app.post("/update", needSession, guarded, (c) => {
    const s = c.get("session");
    s.data = { ...s.data, n: s.data.n + 1 };
    return c.json({ n: s.data.n });
  });
  app.post("/rotate", needSession, guarded, (c) => c.json({ id: sessions.regenerateId(c.get("session")).id }));
  app.post("/sign-out", guarded, (c) => {
    c.set("session", null);
    return c.json({ ok: true });
  });
  // A handler that changes the session, then fails: the cookie still goes out on the 500.
  app.post("/fail", needSession, guarded, (c) => {
    const s = c.get("session");
    s.data = { ...s.data, failed: true };
    throw new Error("handler failed after changing the session");
  });
  app.onError((err, c) => c.json({ code: "HANDLER_FAILED", error: String(err.message) }, 500));
  return app;
}
