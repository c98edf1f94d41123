// `cookie-seal/hono`: Hono middleware on a SessionManager from `cookie-seal/sessions`.
//   app.use(session(sessions))        c.get("session") is the Session or null; set it with
//                                     c.set("session", sessions.signIn(data)), end it with
//                                     c.set("session", null). Cookies are written on the
//                                     way out exactly when due, error responses included.
//   app.use(protect({ crossOrigin, tokens }))  refuses cross-site and token-less writes (403)
//   app.get("/sign-in", (c) => ... preSessionToken(c, preSession) ...)  the sign-in form's token
//   app.post("/sign-in", protectSignIn({ crossOrigin, preSession }), ...)  checks it (403)
//   app.post("/sign-in", rateLimit(limiter, { key }), ...)  429 with Retry-After
// Revocation lookups in a store go in the manager's async isRevoked: the session is read
// with readAsync.
import { SealError } from "cookie-seal/sessions";
import { checkManager, checkPreSession, isRefusal, isSafeMethod, readSlot, refusal, writesDue } from "./web-core.js";
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

// A middleware that refuses a state-changing request the cross-origin check or `verify(c,
// request)` (a token check, optional) throws a refusal for.
function guard(crossOrigin, verify) {
  return async function cookieSealGuard(c, next) {
    const request = c.req.raw;
    if (isSafeMethod(request.method)) return next();
    try {
      crossOrigin?.check(request);
      await verify?.(c, request);
    } catch (err) {
      if (isRefusal(err)) return refusal(err);
      throw err;
    }
    return next();
  };
}

/**
 * Cross-origin check and CSRF token for every state-changing request: `crossOrigin` a
 * CrossOrigin, `tokens` a CsrfTokens (each optional). The token comes from the
 * `x-csrf-token` header or the `csrf_token` form field; goes after session().
 */
export function protect({ crossOrigin, tokens } = {}) {
  return guard(
    crossOrigin,
    tokens && (async (c, request) => tokens.verify(await requestToken(request), c.get("session") ?? undefined)),
  );
}

/**
 * For a form posted before there is a session (sign-in, sign-up): the cross-origin check
 * (optional) and the pre-session token of `preSession` (a PreSessionTokens), from the
 * `x-csrf-token` header or the `csrf_token` field, against the request's pre-session
 * cookie; 403 `CSRF` when missing, expired or made for another browser.
 */
export function protectSignIn({ crossOrigin, preSession } = {}) {
  checkPreSession(preSession, "protectSignIn");
  return guard(crossOrigin, async (c, request) => preSession.verify(await requestToken(request), request.headers.get("cookie") ?? ""));
}

/** The pre-session token for a sign-in form's page; its cookie goes out with the response. */
export function preSessionToken(c, preSession) {
  checkPreSession(preSession, "preSessionToken");
  const { token, setCookie } = preSession.issue(c.req.header("cookie") ?? "");
  c.header("set-cookie", setCookie, { append: true });
  return token;
}

/**
 * Counts each request under `key(c)` (required: Hono has no portable client address); 429
 * when over, 503 when the limiter's store cannot count.
 */
export function rateLimit(limiter, { key } = {}) {
  if (typeof key !== "function") {
    throw new SealError("INVALID_OPTION", "invalid option: rateLimit(limiter, { key: (c) => string }) needs a key function");
  }
  return async function cookieSealRateLimit(c, next) {
    const answer = await limiter.take(await key(c));
    if (!answer.ok) return rateLimitedResponse(answer.retryAfter, answer.code);
    return next();
  };
}
