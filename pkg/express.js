// `cookie-seal/express`: Express (4 and 5) middleware on a SessionManager from
// `cookie-seal/sessions`.
//   app.use(session(sessions))   req.session is the Session or null; sign in with
//                                req.session = sessions.signIn(data), out with
//                                req.session = null. The cookies due are added just before
//                                the headers go out (res.writeHead), whatever sends them.
//   app.use(express.urlencoded({ extended: false }), protect({ crossOrigin, tokens }))
//   app.post("/sign-in", rateLimit(limiter), ...)   429 with Retry-After
import { checkManager, readSlot, statusOf, writesDue } from "./web-core.js";
import { CSRF_FIELD, CSRF_HEADER } from "./csrf.js";
import { clientKey } from "./rate-limit.js";

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

/**
 * Cross-origin check and CSRF token for every state-changing request (`crossOrigin` a
 * CrossOrigin, `tokens` a CsrfTokens, each optional), 403 with the code otherwise. The
 * token comes from the `x-csrf-token` header or `req.body.csrf_token` (parse the form
 * first); goes after session().
 */
export function protect({ crossOrigin, tokens } = {}) {
  return function cookieSealProtect(req, res, next) {
    if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return next();
    try {
      crossOrigin?.checkHeaders(originHeadersOf(req));
      if (tokens !== undefined) {
        const field = req.body?.[CSRF_FIELD];
        const token = req.get(CSRF_HEADER) ?? (typeof field === "string" ? field : "");
        tokens.verify(token, req.session ?? undefined);
      }
    } catch (err) {
      if (err?.code === "CROSS_ORIGIN" || err?.code === "CSRF") return refuse(res, err);
      return next(err);
    }
    next();
  };
}

/** Counts each request under `key(req)` (default: the client address, IPv6 by /64); 429 when over. */
export function rateLimit(limiter, { key = (req) => clientKey(req.ip ?? req.socket.remoteAddress) } = {}) {
  return function cookieSealRateLimit(req, res, next) {
    Promise.resolve(key(req))
      .then((k) => limiter.take(k))
      .then((answer) => {
        if (answer.ok) return next();
        refuse(res, { code: "RATE_LIMITED", message: "too many requests" }, { "retry-after": String(answer.retryAfter) });
      }, next);
  };
}
