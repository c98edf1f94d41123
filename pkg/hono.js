// `cookie-seal/hono`: Hono middleware on a SessionManager from `cookie-seal/sessions`.
//   app.use(session(sessions))        c.get("session") is the Session or null; set it with
//                                     c.set("session", sessions.signIn(data)), end it with
//                                     c.set("session", null). Cookies are written on the
//                                     way out exactly when due, error responses included.
//   app.use(protect({ crossOrigin, tokens }))  refuses cross-site and token-less writes (403)
//   app.post("/sign-in", rateLimit(limiter, { key }), ...)  429 with Retry-After
// Revocation lookups in a store go in the manager's async isRevoked: the session is read
// with readAsync.
import { SealError } from "cookie-seal/sessions";
import { checkManager, readSlot, refusal, writesDue } from "./web-core.js";
import { requestToken } from "./csrf.js";
import { rateLimitedResponse } from "./rate-limit.js";

const SLOT = "cookie-seal";

/** Session middleware: sets `session` (Session | null) and `sessionError` (SealError | null). */
export function session(sessions) {
  checkManager(sessions);
  return async function cookieSealSession(c, next) {
    const slot = await readSlot(sessions, c.req.header("cookie"));
    c.set(SLOT, slot);
    c.set("session", slot.session);
    c.set("sessionError", slot.refused);
    await next();
    slot.session = c.get("session") ?? null;
    const values = writesDue(sessions, slot);
    if (values.length === 0) return;
    try {
      for (const value of values) c.res.headers.append("set-cookie", value);
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      // Immutable headers (a Response from fetch()): a copy that can take the cookies.
      const copy = new Response(c.res.body, c.res);
      for (const value of values) copy.headers.append("set-cookie", value);
      c.res = undefined; // so Hono does not merge the old headers back in
      c.res = copy;
    }
  };
}

/**
 * Cross-origin check and CSRF token for every state-changing request: `crossOrigin` a
 * CrossOrigin, `tokens` a CsrfTokens (each optional). The token comes from the
 * `x-csrf-token` header or the `csrf_token` form field; goes after session().
 */
export function protect({ crossOrigin, tokens } = {}) {
  return async function cookieSealProtect(c, next) {
    const request = c.req.raw;
    if (request.method === "GET" || request.method === "HEAD" || request.method === "OPTIONS") return next();
    try {
      crossOrigin?.check(request);
      if (tokens !== undefined) {
        const current = c.get("session");
        tokens.verify(await requestToken(request), current ?? undefined);
      }
    } catch (err) {
      if (err?.code === "CROSS_ORIGIN" || err?.code === "CSRF") return refusal(err);
      throw err;
    }
    return next();
  };
}

/** Counts each request under `key(c)` (required: Hono has no portable client address); 429 when over. */
export function rateLimit(limiter, { key } = {}) {
  if (typeof key !== "function") {
    throw new SealError("INVALID_OPTION", "invalid option: rateLimit(limiter, { key: (c) => string }) needs a key function");
  }
  return async function cookieSealRateLimit(c, next) {
    const answer = await limiter.take(await key(c));
    if (!answer.ok) return rateLimitedResponse(answer.retryAfter);
    return next();
  };
}
