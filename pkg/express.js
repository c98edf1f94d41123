// `cookie-seal/express`: Express (4 and 5) middleware on a SessionManager from
// `cookie-seal/sessions`.
//   app.use(session(sessions))   req.session is the Session or null; sign in with
//                                req.session = sessions.signIn(data), out with
//                                req.session = null. The cookies due are added just before
//                                the headers go out (res.writeHead), whatever sends them.
//   app.use(express.urlencoded({ extended: false }), protect({ crossOrigin, tokens }))
//   app.get("/sign-in", (req, res) => ... preSessionToken(req, res, preSession) ...)
//   app.post("/sign-in", protectSignIn({ crossOrigin, preSession }), ...)  403 without it
//   app.post("/sign-in", rateLimit(limiter), ...)   429 with Retry-After
import { checkManager, checkPreSession, isRefusal, isSafeMethod, readSlot, statusOf, writesDue } from "./web-core.js";
import { CSRF_FIELD, CSRF_HEADER } from "./csrf.js";
import { clientKey, rateLimitedResponse } from "./rate-limit.js";

function refuse(res, err, headers = {}) {
  res.status(statusOf(err.code)).set(headers).json({ code: err.code, error: err.message });
}

/**
 * Session middleware: sets `req.session` (Session | null) and `req.sessionError` (the
 * SealError of a refused cookie, or null). A write that fails at the end (a session grown
 * past what the cookies hold) goes to `onError(err, req)` (default console.error) and
 * writes nothing.
 */
export function session(sessions, { onError = (err) => console.error("cookie-seal:", err) } = {}) {
  checkManager(sessions);
  return function cookieSealSession(req, res, next) {
    readSlot(sessions, req.headers.cookie).then((slot) => {
      req.session = slot.session;
      req.sessionError = slot.refused;
      const writeHead = res.writeHead;
      res.writeHead = function writeHeadWithSession(...args) {
        res.writeHead = writeHead;
        slot.session = req.session ?? null;
        try {
          const values = writesDue(sessions, slot);
          if (values.length > 0) res.appendHeader("set-cookie", values);
        } catch (err) {
          onError(err, req);
        }
        return writeHead.apply(this, args);
      };
      next();
    }, next);
  };
}

/** The headers the cross-origin check reads, from an Express request. */
export function originHeadersOf(req) {
  const one = (name) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    method: req.method,
    host: one("host"),
    origin: one("origin"),
    secFetchSite: one("sec-fetch-site"),
    referer: one("referer"),
  };
}

// The token of a request: the x-csrf-token header, else req.body.csrf_token.
function tokenOf(req) {
  const field = req.body?.[CSRF_FIELD];
  return req.get(CSRF_HEADER) ?? (typeof field === "string" ? field : "");
}

// A middleware that refuses a state-changing request the cross-origin check or `verify(req)`
// (a token check, optional) throws a refusal for.
function guard(crossOrigin, verify) {
  return function cookieSealGuard(req, res, next) {
    if (isSafeMethod(req.method)) return next();
    try {
      crossOrigin?.checkHeaders(originHeadersOf(req));
      verify?.(req);
    } catch (err) {
      if (isRefusal(err)) return refuse(res, err);
      return next(err);
    }
    next();
  };
}

/**
 * Cross-origin check and CSRF token for every state-changing request (`crossOrigin` a
 * CrossOrigin, `tokens` a CsrfTokens, each optional), 403 with the code otherwise. The
 * token comes from the `x-csrf-token` header or `req.body.csrf_token` (parse the form
 * first); goes after session().
 */
export function protect({ crossOrigin, tokens } = {}) {
  return guard(crossOrigin, tokens && ((req) => tokens.verify(tokenOf(req), req.session ?? undefined)));
}

/**
 * For a form posted before there is a session (sign-in, sign-up): the cross-origin check
 * (optional) and the pre-session token of `preSession` (a PreSessionTokens) from the
 * `x-csrf-token` header or `req.body.csrf_token`, against the request's pre-session
 * cookie; 403 `CSRF` when missing, expired or made for another browser.
 */
export function protectSignIn({ crossOrigin, preSession } = {}) {
  checkPreSession(preSession, "protectSignIn");
  return guard(crossOrigin, (req) => preSession.verify(tokenOf(req), req.headers.cookie ?? ""));
}

/** The pre-session token for a sign-in form's page; its cookie is added to `res`. */
export function preSessionToken(req, res, preSession) {
  checkPreSession(preSession, "preSessionToken");
  const { token, setCookie } = preSession.issue(req.headers.cookie ?? "");
  res.append("set-cookie", setCookie);
  return token;
}

/** Counts each request under `key(req)` (default: the client address, IPv6 by /64); 429 when over, 503
 * when the limiter's store cannot count. */
export function rateLimit(limiter, { key = (req) => clientKey(req.ip ?? req.socket.remoteAddress) } = {}) {
  return function cookieSealRateLimit(req, res, next) {
    Promise.resolve(key(req))
      .then((k) => limiter.take(k))
      .then((answer) => {
        if (answer.ok) return next();
        // The code and text of the answer Hono gets, read from it so the two cannot drift.
        const answered = rateLimitedResponse(answer.retryAfter, answer.code);
        return answered.json().then(({ code, error }) => {
          refuse(res, { code, message: error }, { "retry-after": answered.headers.get("retry-after") });
        });
      }, next);
  };
}
