/**
 * `cookie-seal/next`: the session in a Next.js App Router app through `cookies()`, and in
 * proxy (middleware). Add `serverExternalPackages: ["cookie-seal"]` to next.config.
 *
 * @example
 * ```ts
 * import { cookies } from "next/headers";
 * export const auth = new NextSessions(sessions, { cookies });
 * const session = await auth.get();         // a server component
 * await auth.signIn({ uid: 1 });            // a server action
 * ```
 * @packageDocumentation
 */
import type { Session, SessionManager, SignInOptions } from "./sessions.js";
import type { CrossOrigin, CsrfTokens, PreSessionTokens } from "./csrf.js";

/** What next/headers' `cookies()` resolves to, as far as this module uses it. */
export interface CookieJar {
  getAll(): { name: string; value: string }[];
  set(cookie: { name: string; value: string; [attribute: string]: unknown }): unknown;
}

/** next/server's NextResponse, as far as {@link NextSessions.proxy} uses it. */
export interface NextResponseLike {
  next(init?: { request?: { headers?: Headers } }): Response;
}

export class NextSessions {
  constructor(
    sessions: SessionManager,
    options: { cookies: () => Promise<CookieJar> | CookieJar; tokens?: CsrfTokens; preSession?: PreSessionTokens; crossOrigin?: CrossOrigin },
  );
  /** The request's session, or null (also when its cookie was refused). */
  get<T = unknown>(): Promise<Session<T> | null>;
  /** Writes `session` when due; null signs out. Server actions and route handlers only. */
  save(session: Session<unknown> | null): Promise<void>;
  /** A fresh session, saved. */
  signIn<T>(data: T, options?: SignInOptions): Promise<Session<T>>;
  /** Deletes the session cookies. */
  signOut(): Promise<void>;
  /** A CSRF token for the current session. */
  csrfToken(): Promise<string>;
  /** @throws {SealError} `CSRF` unless `token` belongs to the current session. */
  verifyCsrf(token: unknown): Promise<void>;
  /** The sign-in form's pre-session token (proxy() sets its cookie for signed-out browsers). */
  preSessionToken(): Promise<string>;
  /** @throws {SealError} `CSRF` unless `token` matches this browser's pre-session cookie. */
  verifyPreSession(token: unknown): Promise<void>;
  /** Sign-in route handlers: null when the request may go on, else a 403 Response (`CROSS_ORIGIN`/`CSRF`). */
  protectSignIn(request: Request): Promise<Response | null>;
  /** Route handlers: null when the request may go on, else a 403 Response (`CROSS_ORIGIN`/`CSRF`). */
  protect(request: Request): Promise<Response | null>;
  /** proxy.js: renews a session due for it, clears a refused cookie, sets a signed-out browser's pre-session cookie, and forwards the cookies as they now are. */
  proxy(request: Request & { cookies: { getAll(): { name: string; value: string }[] } }, NextResponse: NextResponseLike): Promise<Response>;
}
