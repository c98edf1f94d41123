// `cookie-seal/csrf`: cross-site request forgery defences, free of any framework, with the
// rules of the Rust crate's CrossOrigin. A token is the session id as a JSON string, sealed
// by this package's Sealer under the cookie name and the purpose "csrf-token": a Rust
// Sealer with that name and purpose opens it with `open_at::<String>`.
//
// Two defences, because each covers the other's gap: the header check stops every
// cross-site form post and fetch from a browser of the last years with no change to the
// pages, but a browser that sends neither Sec-Fetch-Site nor Origin gives it nothing to
// judge; the session-bound token covers that, and same-site pages the header check trusts.
// A form posted before there is a session (sign-in: a forged one signs the victim into the
// attacker's account) has a pre-session token instead, bound to a random value in a
// cookie, as the Rust crate's PreSessionTokens: the same cookie, purpose and payload.
import { Sealer, SealError } from "cookie-seal/sessions";
import { checkOptionNames } from "./core.js";
import { cookieValues, randomText } from "./store-core.js";
import { PRE_SESSION_COOKIE, isSafeMethod } from "./web-core.js";

// A scheme, a host name of at most 253 bytes and a port.
const MAX_ORIGIN_LEN = 300;
export const MAX_TRUSTED_ORIGINS = 64;
// Bound into every token, so a token never opens as a session cookie or another sealed
// value, nor the reverse. The Rust crate uses the same purpose.
const TOKEN_PURPOSE = "csrf-token";
// Longest token text looked at; a real one is 90 (session-bound) to 130 characters.
const MAX_TOKEN_LEN = 512;
// The default absolute lifetime of an ordinary session: a page left open stays usable for
// as long as its session can.
export const DEFAULT_CSRF_TTL = 12 * 3600;
// The pre-session token's cookie, lifetime (one hour: a sign-in form, not a visit; at most
// a day) and purpose, the Rust crate's.
export const DEFAULT_PRE_SESSION_COOKIE = "__Host-csrf";
export const DEFAULT_PRE_SESSION_TTL = 3600;
const MAX_PRE_SESSION_TTL = 86400;
const PRE_SESSION_PURPOSE = "csrf-pre-session";
// 32 random bytes as base64url without padding.
const PRE_SESSION_VALUE = /^[A-Za-z0-9_-]{43}$/;
/** The form field that carries the token. */
export const CSRF_FIELD = "csrf_token";
/** The header scripts send the token in. */
export const CSRF_HEADER = "x-csrf-token";

function invalid(message) {
  return new SealError("INVALID_OPTION", `invalid option: ${message}`);
}

function crossOrigin(why) {
  return new SealError("CROSS_ORIGIN", `cross-origin request refused: ${why}`);
}

function csrf(why) {
  return new SealError("CSRF", `anti-forgery token ${why}`);
}

function stripDefaultPort(scheme, authority) {
  const port = scheme === "https" ? ":443" : ":80";
  return authority.endsWith(port) ? authority.slice(0, -port.length) : authority;
}

// scheme://host[:port], lowercased, without the scheme's default port, as browsers write Origin.
function normaliseOrigin(origin) {
  const bad = () => invalid("an origin is http(s)://host or http(s)://host:port, with no path");
  if (typeof origin !== "string") throw bad();
  const text = origin.trim().replace(/\/+$/, "").toLowerCase();
  const at = text.indexOf("://");
  if (at < 0 || text.length > MAX_ORIGIN_LEN) throw bad();
  const scheme = text.slice(0, at);
  const authority = text.slice(at + 3);
  if ((scheme !== "http" && scheme !== "https") || !/^[a-z0-9\-.:[\]]+$/.test(authority)) throw bad();
  return `${scheme}://${stripDefaultPort(scheme, authority)}`;
}

// The scheme://authority part of an absolute URL, or undefined.
function originOfUrl(url) {
  const at = url.indexOf("://");
  if (at < 0) return undefined;
  const rest = url.slice(at + 3);
  const end = rest.search(/[/?#]/);
  return url.slice(0, at + 3 + (end < 0 ? rest.length : end));
}

/** What the check reads from a Fetch API Request (or anything with `method` and `headers.get`). */
export function originHeaders(request) {
  const h = request.headers;
  const get = (name) => h.get(name) ?? undefined;
  return {
    method: request.method,
    host: get("host") ?? hostOfUrl(request.url),
    origin: get("origin"),
    secFetchSite: get("sec-fetch-site"),
    referer: get("referer"),
  };
}

// Fetch runtimes (workerd, Deno) keep Host out of request.headers; the URL has it.
function hostOfUrl(url) {
  if (typeof url !== "string") return undefined;
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/**
 * Refuses state-changing requests (any method but GET, HEAD, OPTIONS) a browser sent from
 * another site, in this order: an Origin that is trusted passes; Sec-Fetch-Site
 * same-origin or none passes, anything else (same-site included: a sibling subdomain is
 * what SameSite does not guard against) is refused; without it, Origin must be the site's
 * (`null` is refused); without both, a Referer must be the site's; with none of the
 * three, the request passes and the CSRF token decides.
 */
export class CrossOrigin {
  #site;
  #trusted;

  /** `origin`: the site's origin; left out, the site is whatever the request's Host says. */
  constructor(options = {}) {
    if (typeof options !== "object" || options === null) throw invalid("new CrossOrigin() takes an options object");
    checkOptionNames(options, new Set(["origin", "trust"]), "CrossOrigin");
    const trust = options.trust ?? [];
    if (!Array.isArray(trust)) throw invalid("trust must be an array of origins");
    if (trust.length > MAX_TRUSTED_ORIGINS) throw invalid(`at most ${MAX_TRUSTED_ORIGINS} trusted origins`);
    this.#site = options.origin === undefined ? undefined : normaliseOrigin(options.origin);
    this.#trusted = trust.map(normaliseOrigin);
  }

  /** Throws SealError `CROSS_ORIGIN` when the request must be refused. */
  check(request) {
    this.checkHeaders(originHeaders(request));
  }

  /** {@link check} on the headers given one by one: `{ method, host, origin, secFetchSite, referer }`. */
  checkHeaders({ method, host, origin, secFetchSite, referer }) {
    if (isSafeMethod(method)) return;
    const from = typeof origin === "string" ? origin.trim() : undefined;
    if (from !== undefined && this.#trusted.includes(from.toLowerCase())) return;
    if (typeof secFetchSite === "string") {
      const site = secFetchSite.trim();
      if (site === "same-origin" || site === "none") return;
      if (site === "same-site") throw crossOrigin("sent from another origin of this site (Sec-Fetch-Site: same-site)");
      throw crossOrigin("sent from another site (Sec-Fetch-Site)");
    }
    if (from !== undefined) {
      if (this.#isSite(from, host)) return;
      throw crossOrigin("sent from another origin (Origin)");
    }
    if (typeof referer === "string") {
      const refererOrigin = originOfUrl(referer.trim());
      if (refererOrigin !== undefined && this.#isSite(refererOrigin, host)) return;
      throw crossOrigin("sent from another origin (Referer)");
    }
  }

  #isSite(origin, host) {
    if (origin.length > MAX_ORIGIN_LEN) return false;
    const lowered = origin.toLowerCase();
    if (this.#site !== undefined) return lowered === this.#site;
    const at = lowered.indexOf("://");
    if (typeof host !== "string" || at < 0) return false;
    const authority = lowered.slice(at + 3);
    const h = host.trim().toLowerCase();
    return h === authority || stripDefaultPort(lowered.slice(0, at), h) === authority;
  }
}

// Equal-length strings compared without an early exit.
function sameText(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function sessionId(session) {
  if (typeof session === "string") return session;
  if (typeof session === "object" && session !== null && typeof session.id === "string") return session.id;
  return undefined;
}

/**
 * Session-bound anti-forgery tokens: the session id sealed under the session keys with a
 * purpose of its own (XAES-256-GCM, like the cookie), so nothing is stored on the server
 * and no key is derived by hand. A token verifies only for the session it was made for,
 * stops verifying when the id changes (sign-in, regenerateId) and when it expires.
 */
export class CsrfTokens {
  #sealer;

  /** `keys` as the SessionManager's, `name` its cookie name, `ttl` in seconds (default 43200). */
  constructor(options) {
    if (typeof options !== "object" || options === null) throw invalid("new CsrfTokens() takes { keys, name, ttl? }");
    checkOptionNames(options, new Set(["keys", "name", "ttl"]), "CsrfTokens");
    const { keys, name, ttl = DEFAULT_CSRF_TTL } = options;
    this.#sealer = new Sealer({ keys, name, purpose: TOKEN_PURPOSE, ttl });
  }

  /** A token for `session` (a Session, or its id). Each call gives a different text; every one verifies. */
  token(session, options) {
    const id = sessionId(session);
    if (id === undefined) throw csrf("needs a session");
    return this.#sealer.seal(id, options);
  }

  /** Throws SealError `CSRF` unless `token` was made for `session` under a key of the ring and has not expired. */
  verify(token, session, options) {
    const id = sessionId(session);
    if (id === undefined) throw csrf("needs a session");
    const text = typeof token === "string" ? token.trim() : "";
    if (text === "") throw csrf("missing");
    openToken(this.#sealer, text, id, options, "not valid for this session");
  }

  /** Releases the keys' wasm memory now rather than at garbage collection. */
  free() {
    this.#sealer.free();
  }
}

// RFC 6265 token characters: visible ASCII without separators.
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// The first cookie `name` in a Cookie header that holds a pre-session value (quoted or not).
function preSessionValue(header, name) {
  for (let value of cookieValues(header, name)) {
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (PRE_SESSION_VALUE.test(value)) return value;
  }
  return undefined;
}

/**
 * Anti-forgery tokens for forms posted before there is a session (sign-in, sign-up): a
 * signed double-submit cookie. The page sets a cookie (`__Host-csrf`, HttpOnly, an hour)
 * holding 32 random bytes, and its form carries that value sealed under the site's keys
 * with a purpose of its own; a post verifies only when the token opens to the value its
 * cookie holds. Another site can make the browser send the cookie but not read it, nor
 * seal a token for it; a token from the attacker's own visit fits only the attacker's
 * cookie; `__Host-` keeps a sibling subdomain from planting one.
 */
export class PreSessionTokens {
  #sealer;
  #name;
  #attributes;
  #ttl;

  /**
   * `keys` as the SessionManager's; `name` the cookie (default `__Host-csrf`), `ttl` in
   * seconds (default 3600, at most 86400); `secure: false` drops Secure for a development
   * server on plain HTTP, and then needs a name without `__Host-` / `__Secure-`.
   */
  constructor(options) {
    if (typeof options !== "object" || options === null) throw invalid("new PreSessionTokens() takes { keys, name?, ttl?, secure? }");
    checkOptionNames(options, new Set(["keys", "name", "ttl", "secure"]), "PreSessionTokens");
    const { keys, name = DEFAULT_PRE_SESSION_COOKIE, ttl = DEFAULT_PRE_SESSION_TTL, secure = true } = options;
    if (typeof name !== "string" || !COOKIE_NAME.test(name) || name.length >= 4096) throw invalid("the cookie name must be an RFC 6265 token");
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_PRE_SESSION_TTL) throw invalid("a pre-session token lives from 1 second to 1 day");
    if (typeof secure !== "boolean") throw invalid("secure is true or false");
    const lower = name.toLowerCase();
    if (!secure && (lower.startsWith("__host-") || lower.startsWith("__secure-"))) {
      throw invalid("a __Host- or __Secure- cookie needs Secure; development mode needs another name");
    }
    this.#sealer = new Sealer({ keys, name, purpose: PRE_SESSION_PURPOSE, ttl });
    this.#name = name;
    this.#attributes = `; Path=/${secure ? "; Secure" : ""}; HttpOnly; SameSite=Lax`;
    this.#ttl = ttl;
  }

  /** The cookie's name. */
  get cookieName() {
    return this.#name;
  }

  /**
   * `{ token, setCookie }` for the form of a page answering a request with this Cookie
   * header: the request's own value is kept when it has one (forms in other tabs stay
   * valid), else a fresh random one is made. Send `setCookie` with the page either way.
   */
  issue(cookieHeader, options) {
    const { value, setCookie } = this[PRE_SESSION_COOKIE](cookieHeader);
    return { token: this.#sealer.seal(value, options), setCookie };
  }

  // issue() without the token, for next.js's proxy(): the cookie costs no seal.
  [PRE_SESSION_COOKIE](cookieHeader) {
    const value = preSessionValue(cookieHeader, this.#name) ?? randomText(32);
    return { value, setCookie: `${this.#name}=${value}; Max-Age=${this.#ttl}${this.#attributes}` };
  }

  /**
   * Throws SealError `CSRF` unless `token` was issued under a key of the ring for the
   * value of the pre-session cookie in `cookieHeader` and has not expired (the values are
   * compared without an early exit).
   */
  verify(token, cookieHeader, options) {
    const text = typeof token === "string" ? token.trim() : "";
    if (text === "") throw csrf("missing");
    const value = preSessionValue(cookieHeader, this.#name);
    if (value === undefined) throw csrf("has no cookie to match in this browser: reload the page");
    openToken(this.#sealer, text, value, options, "not valid for this browser");
  }

  /** The Set-Cookie that deletes the pre-session cookie. */
  clearCookie() {
    return `${this.#name}=; Max-Age=0${this.#attributes}`;
  }

  /** Releases the keys' wasm memory now rather than at garbage collection. */
  free() {
    this.#sealer.free();
  }
}

// Opens a token (trimmed, not empty) and compares the string it seals with `expected`;
// every failure but a bad option is SealError CSRF: expired, or `foreign`.
function openToken(sealer, text, expected, options, foreign) {
  if (text.length > MAX_TOKEN_LEN) throw csrf(foreign);
  let opened;
  try {
    opened = sealer.open(text, options);
  } catch (err) {
    if (err instanceof SealError && err.code === "INVALID_OPTION") throw err;
    if (err instanceof SealError && err.code === "EXPIRED") throw csrf("expired: reload the page");
    throw csrf(foreign);
  }
  if (typeof opened.data !== "string" || !sameText(opened.data, expected)) throw csrf(foreign);
}

/**
 * The token a request carries: the `x-csrf-token` header, else the `csrf_token` field of a
 * urlencoded or multipart form body (read from a clone, so the handler can still read it).
 */
export async function requestToken(request) {
  const header = request.headers.get(CSRF_HEADER);
  if (header) return header;
  const type = request.headers.get("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")) return "";
  try {
    const value = (await request.clone().formData()).get(CSRF_FIELD);
    return typeof value === "string" ? value : "";
  } catch {
    return "";
  }
}
