/**
 * `cookie-seal/express`: Express middleware on a {@link SessionManager}.
 *
 * @example
 * ```ts
 * app.use(session(sessions));
 * app.post("/sign-in", (req, res) => { req.session = sessions.signIn({ uid: 1 }); res.send("ok"); });
 * ```
 * @packageDocumentation
 */
import type { SealError, Session, SessionManager } from "./sessions.js";
import type { CrossOrigin, CsrfTokens, OriginHeaders, PreSessionTokens } from "./csrf.js";
import type { RateLimiter } from "./rate-limit.js";

/** The shape of an Express middleware, without depending on Express's types. */
export type Middleware = (req: any, res: any, next: (err?: unknown) => void) => void;

declare global {
  namespace Express {
    interface Request {
      /** The session (cookie-seal/express), or null; assign to sign in, null to sign out. */
      session: Session<any> | null;
      /** Why the request's session cookie was refused, or null. */
      sessionError: SealError | null;
    }
  }
}

/** Sets `req.session` and `req.sessionError`; adds the cookies due just before the headers are sent. */
export function session(sessions: SessionManager, options?: { onError?: (err: unknown, req: any) => void }): Middleware;
/** The cross-origin check's headers from an Express request. */
export function originHeadersOf(req: any): OriginHeaders;
/** 403 `CROSS_ORIGIN` / `CSRF` for a refused state-changing request; token from `x-csrf-token` or `req.body.csrf_token`. */
export function protect(options?: { crossOrigin?: CrossOrigin; tokens?: CsrfTokens }): Middleware;
/** For sign-in routes: 403 `CROSS_ORIGIN` / `CSRF` unless the pre-session token (`x-csrf-token` or `req.body.csrf_token`) matches the pre-session cookie. */
export function protectSignIn(options: { crossOrigin?: CrossOrigin; preSession: PreSessionTokens }): Middleware;
/** The sign-in form's pre-session token; its cookie is appended to `res`. */
export function preSessionToken(req: any, res: any, preSession: PreSessionTokens): string;
/** 429 `RATE_LIMITED` with `Retry-After`; key defaults to the client address (IPv6 by /64). */
export function rateLimit(limiter: RateLimiter, options?: { key?: (req: any) => string | Promise<string> }): Middleware;
