/**
 * `cookie-seal/csrf`: cross-site request forgery defences, free of any framework, with the
 * same rules and tokens as the Rust crate's `CrossOrigin` and `CsrfTokens`.
 *
 * @example
 * ```ts
 * const check = new CrossOrigin({ origin: "https://shop.example" });
 * check.check(request); // throws SealError CROSS_ORIGIN for a cross-site POST
 * const tokens = new CsrfTokens({ keys: env.COOKIE_KEYS, name: "__Host-session" });
 * tokens.verify(await requestToken(request), session); // throws SealError CSRF
 * ```
 * @packageDocumentation
 */
import type { CallOptions, KeyEntry, Session } from "./sessions.js";

/** At most this many trusted origins. */
export const MAX_TRUSTED_ORIGINS: 64;
/** Default token lifetime in seconds (12 hours, a session's default absolute lifetime). */
export const DEFAULT_CSRF_TTL: 43200;
/** The pre-session token's cookie by default: `"__Host-csrf"`. */
export const DEFAULT_PRE_SESSION_COOKIE: "__Host-csrf";
/** The pre-session token's default lifetime in seconds (one hour; at most a day). */
export const DEFAULT_PRE_SESSION_TTL: 3600;
/** The form field that carries the token: `"csrf_token"`. */
export const CSRF_FIELD: "csrf_token";
/** The header scripts send the token in: `"x-csrf-token"`. */
export const CSRF_HEADER: "x-csrf-token";

/** The request headers the cross-origin check reads. */
export interface OriginHeaders {
  method: string;
  host?: string;
  origin?: string;
  secFetchSite?: string;
  referer?: string;
}

/** What the check reads from a Fetch API Request (Host falls back to the URL's). */
export function originHeaders(request: Request): OriginHeaders;

/**
 * Refuses state-changing requests (all methods but GET, HEAD, OPTIONS) a browser sent
 * from another origin: a trusted `Origin` passes; `Sec-Fetch-Site` `same-origin`/`none`
 * passes, any other value is refused (`same-site` too); without it `Origin` must be the
 * site's; without both a `Referer` must be; with none of the three the request passes
 * and the CSRF token decides.
 */
export class CrossOrigin {
  /**
   * @param options.origin the site's origin; left out, the request's `Host` is the site.
   * @param options.trust origins also allowed to post (at most 64).
   * @throws {SealError} `INVALID_OPTION` for an origin that is not `http(s)://host[:port]`.
   */
  constructor(options?: { origin?: string; trust?: readonly string[] });
  /** @throws {SealError} `CROSS_ORIGIN` when the request must be refused. */
  check(request: Request): void;
  /** {@link check} on headers given one by one. */
  checkHeaders(headers: OriginHeaders): void;
}

/**
 * Session-bound anti-forgery tokens: the session id sealed under the session's keys with
 * the purpose `csrf-token`. Valid only for that session id, until `ttl` runs out.
 */
export class CsrfTokens {
  /** `keys` as the SessionManager's (rotating them rotates the tokens), `name` its cookie name, `ttl` seconds. */
  constructor(options: { keys: string | readonly KeyEntry[]; name: string; ttl?: number });
  /** A token for the session (or its id). @throws {SealError} `CSRF` without a session. */
  token(session: Session<unknown> | string | null | undefined, options?: CallOptions): string;
  /** @throws {SealError} `CSRF` for a missing, expired or foreign token, or without a session. */
  verify(token: string | null | undefined, session: Session<unknown> | string | null | undefined, options?: CallOptions): void;
  /** Releases the keys' wasm memory now. */
  free(): void;
}

/** A pre-session token and the Set-Cookie its page must carry. */
export interface PreSessionToken {
  token: string;
  setCookie: string;
}

/**
 * Anti-forgery tokens for forms posted before there is a session (sign-in, sign-up): a
 * signed double-submit cookie, the Rust crate's `PreSessionTokens`. The page sets a
 * cookie of 32 random bytes (`__Host-csrf`, HttpOnly, an hour); its token is that value
 * sealed under the site's keys (purpose `csrf-pre-session`), valid only with that cookie.
 *
 * @example
 * ```ts
 * const preSession = new PreSessionTokens({ keys: env.COOKIE_KEYS });
 * const { token, setCookie } = preSession.issue(request.headers.get("cookie")); // the form's page
 * preSession.verify(await requestToken(request), request.headers.get("cookie")); // its post; throws CSRF
 * ```
 */
export class PreSessionTokens {
  /**
   * @param options.name the cookie (default `__Host-csrf`).
   * @param options.ttl seconds, 1 to 86400 (default 3600).
   * @param options.secure false drops Secure, for plain HTTP in development; then the name cannot be `__Host-`/`__Secure-`.
   * @throws {SealError} `INVALID_OPTION`.
   */
  constructor(options: { keys: string | readonly KeyEntry[]; name?: string; ttl?: number; secure?: boolean });
  /** The cookie's name. */
  readonly cookieName: string;
  /** A token for the form, keeping the request's pre-session value when it has one; send `setCookie` with the page. */
  issue(cookieHeader: string | null | undefined, options?: CallOptions): PreSessionToken;
  /** @throws {SealError} `CSRF` for a missing, expired or foreign token, or without the cookie. */
  verify(token: string | null | undefined, cookieHeader: string | null | undefined, options?: CallOptions): void;
  /** The Set-Cookie that deletes the pre-session cookie. */
  clearCookie(): string;
  /** Releases the keys' wasm memory now. */
  free(): void;
}

/** The token of a request: the `x-csrf-token` header, else the form's `csrf_token` field (read from a clone); `""` when absent. */
export function requestToken(request: Request): Promise<string>;
