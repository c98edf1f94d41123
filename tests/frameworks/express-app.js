// The site (site.js) as an Express 5 app on cookie-seal/express.
import express from "express";
import { SessionManager } from "cookie-seal/sessions";
import { CrossOrigin, CsrfTokens, PreSessionTokens } from "cookie-seal/csrf";
import { RateLimiter } from "cookie-seal/rate-limit";
import { preSessionToken, protect, protectSignIn, rateLimit, session } from "cookie-seal/express";
import { PRE_SESSION_OPTIONS, SESSION_OPTIONS, SIGN_IN_LIMIT, clientOf } from "./site.js";

export function expressApp() {
  const sessions = new SessionManager(SESSION_OPTIONS);
  const tokens = new CsrfTokens({ keys: SESSION_OPTIONS.keys, name: SESSION_OPTIONS.name });
  const preSession = new PreSessionTokens(PRE_SESSION_OPTIONS);
  const crossOrigin = new CrossOrigin();
  const guarded = protect({ crossOrigin, tokens });
  const app = express();
  app.use(session(sessions));
  app.use(express.urlencoded({ extended: false }));

  const needSession = (req, res, next) => (req.session ? next() : res.status(401).json({ code: "NO_SESSION" }));
  app.get("/whoami", (req, res) => {
    const s = req.session;
    res.json({ data: s?.data ?? null, id: s?.id ?? null, keyId: s?.keyId ?? null, error: req.sessionError?.code ?? null });
  });
  app.get("/token", needSession, (req, res) => res.json({ token: tokens.token(req.session) }));
  // A limiter whose counter is down: the request must be refused (503), never let through.
  const down = { hit: () => Promise.reject(new Error("counter down")), reset: () => Promise.resolve() };
  app.post("/sign-in-limiter-down", rateLimit(new RateLimiter({ ...SIGN_IN_LIMIT, counter: down }), { key: () => "any" }), (req, res) => res.json({ passed: true }));
  app.post(
    "/sign-in",
    rateLimit(new RateLimiter(SIGN_IN_LIMIT), { key: (req) => clientOf(req.get("x-client")) }),
    protect({ crossOrigin }),
    (req, res) => {
      req.session = sessions.signIn({ user: String(req.body.user), n: 0 });
      res.json({ id: req.session.id });
    },
  );
  // The sign-in form's page, and its post with the pre-session token checked.
  app.get("/sign-in-form", (req, res) => res.json({ token: preSessionToken(req, res, preSession) }));
  app.post("/sign-in-checked", protectSignIn({ crossOrigin, preSession }), (req, res) => {
    req.session = sessions.signIn({ user: String(req.body.user), n: 0 });
    res.json({ user: req.session.data.user });
  });
  app.post("/update", needSession, guarded, (req, res) => {
    req.session.data = { ...req.session.data, n: req.session.data.n + 1 };
    res.json({ n: req.session.data.n });
  });
  app.post("/rotate", needSession, guarded, (req, res) => res.json({ id: sessions.regenerateId(req.session).id }));
  app.post("/sign-out", guarded, (req, res) => {
    req.session = null;
    res.json({ ok: true });
  });
  app.post("/fail", needSession, guarded, (req) => {
    req.session.data = { ...req.session.data, failed: true };
    throw new Error("handler failed after changing the session");
  });
  app.use((err, req, res, next) => res.status(500).json({ code: "HANDLER_FAILED", error: String(err.message) }));
  return app;
}
