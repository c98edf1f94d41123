/**
 * `cookie-seal/hono`: Hono middleware on a {@link SessionManager}.
 *
 * @example
 * ```ts
 * app.use(session(sessions));
 * app.get("/", (c) => c.text(c.get("session") ? "signed in" : "signed out"));
 * app.post("/sign-in", (c) => { c.set("session", sessions.signIn({ uid: 1 })); return c.text("ok"); });
 * ```
 * @packageDocumentation
 */
import type { SessionManager } from "./sessions.js";
import type { CrossOrigin, CsrfTokens, PreSessionTokens } from "./csrf.js";
import type { RateLimiter } from "./rate-limit.js";

/** The shape of a Hono middleware, without depending on Hono's types. */
export type Middleware = (c: any, next: () => Promise<void>) => Promise<Response | void>;

/** Sets `c.get("session")` (Session or null) and `c.get("sessionError")`; writes the cookies due on the way out. */
export function session(sessions: SessionManager): Middleware;
/** 403 `CROSS_ORIGIN` / `CSRF` for a refused state-changing request; after {@link session}. */
export function protect(options?: { crossOrigin?: CrossOrigin; tokens?: CsrfTokens }): Middleware;
/** For sign-in routes: 403 `CROSS_ORIGIN` / `CSRF` unless the pre-session token matches the request's pre-session cookie. */
export function protectSignIn(options: { crossOrigin?: CrossOrigin; preSession: PreSessionTokens }): Middleware;
/** The sign-in form's pre-session token; its cookie is appended to the response. */
export function preSessionToken(c: any, preSession: PreSessionTokens): string;
/** 429 `RATE_LIMITED` with `Retry-After` once `key(c)` is over budget. */
export function rateLimit(limiter: RateLimiter, options: { key: (c: any) => string | Promise<string> }): Middleware;
