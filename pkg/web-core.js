// What the framework entries (hono.js, express.js, next.js) share, on the public
// SessionManager API only: read the request's session once, remember whether its cookie
// was refused, and at the end of the request work out the Set-Cookie values due; and what
// csrf.js takes from here so there is one copy: the safe methods, and the symbol of the
// PreSessionTokens method proxy() calls. Not part of the public API (not in the exports map).
// From the entry, not ./core.js: the errors the manager throws are of this very class
// even where a bundle keeps the sessions entry (and its wasm) as a module of its own.
import { SealError } from "cookie-seal/sessions";

// Codes of a session cookie that is there but does not open: the user is signed out, and
// the stale cookie is cleared on the way out. Anything else (a bad option, what isRevoked
// throws) is the application's error and is thrown.
const COOKIE_ERRORS = new Set([
  "MALFORMED",
  "TOO_LARGE",
  "UNSUPPORTED_VERSION",
  "UNKNOWN_KEY",
  "BAD_SEAL",
  "EXPIRED",
  "NOT_YET_VALID",
  "PAYLOAD",
  "REVOKED",
]);

// Methods that must not change state (RFC 9110 §9.2.1): the integrations' guards and
// CrossOrigin let them through.
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Whether a request with this method is let through the cross-origin and token checks. */
export function isSafeMethod(method) {
  return SAFE_METHODS.has(method);
}

/**
 * The method of a PreSessionTokens (csrf.js) that gives `{ value, setCookie }` for a Cookie
 * header, issue()'s cookie without its token: proxy() sets that cookie on every signed-out
 * request and has no form to seal a token for. A symbol, so the public class gains no name.
 */
export const PRE_SESSION_COOKIE = Symbol("cookie-seal pre-session cookie");

/** Whether `err` is a refusal the guards answer with (403), not the application's error. */
export function isRefusal(err) {
  return statusOf(err?.code) === 403;
}

/** The PreSessionTokens a sign-in guard needs, or SealError INVALID_OPTION. */
export function checkPreSession(preSession, where) {
  if (typeof preSession !== "object" || preSession === null || typeof preSession.verify !== "function" || typeof preSession.issue !== "function") {
    throw new SealError("INVALID_OPTION", `invalid option: ${where} needs { preSession: new PreSessionTokens(...) } from cookie-seal/csrf`);
  }
}

/** HTTP status for the codes the integrations answer with. */
export function statusOf(code) {
  if (code === "CROSS_ORIGIN" || code === "CSRF") return 403;
  if (code === "RATE_LIMITED") return 429;
  if (code === "STORE_UNAVAILABLE") return 503;
  return 500;
}

export function checkManager(sessions) {
  if (typeof sessions !== "object" || sessions === null || typeof sessions.readAsync !== "function") {
    throw new SealError("INVALID_OPTION", "invalid option: the integration takes a SessionManager from cookie-seal/sessions");
  }
}

/**
 * Reads the session of a Cookie header: { initial, session, refused }. `refused` is the
 * SealError of a cookie that did not open (then session is null).
 */
export async function readSlot(sessions, cookieHeader, now) {
  const options = now === undefined ? undefined : { now };
  try {
    const session = await sessions.readAsync(cookieHeader, options);
    return { initial: session, session, refused: null };
  } catch (err) {
    if (err instanceof SealError && COOKIE_ERRORS.has(err.code)) return { initial: null, session: null, refused: err };
    throw err;
  }
}

/**
 * The Set-Cookie values the request's end is due: the session when it needs writing
 * (sign-in, changed data, renewal, rotation, new id, stale chunks), deletions when it was
 * signed out (set to null) or its cookie was refused, nothing otherwise.
 */
export function writesDue(sessions, slot, now) {
  const options = now === undefined ? undefined : { now };
  if (slot.session === null || slot.session === undefined) {
    return slot.initial !== null || slot.refused !== null ? sessions.clearCookies() : [];
  }
  const scratch = new Headers();
  sessions.commit(slot.session, scratch, options);
  return scratch.getSetCookie();
}

/** A JSON answer for a refused request: `{ code, error }` with its status. */
export function refusal(err, extraHeaders) {
  return new Response(JSON.stringify({ code: err.code, error: err.message }), {
    status: statusOf(err.code),
    headers: { "content-type": "application/json", ...extraHeaders },
  });
}
