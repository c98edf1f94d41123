// `cookie-seal/csrf`: cross-site request forgery defences, free of any framework, with the
// rules of the Rust crate's CrossOrigin. A token is the session id as a JSON string, sealed
// by this package's Sealer under the cookie name and the purpose "csrf-token": a Rust
// Sealer with that name and purpose opens it with `open_at::<String>`.
//
// Two defences, because each covers the other's gap: the header check stops every
// cross-site form post and fetch from a browser of the last years with no change to the
// pages, but a browser that sends neither Sec-Fetch-Site nor Origin gives it nothing to
// judge; the session-bound token covers that, and same-site pages the header check trusts.
import { Sealer, SealError } from "cookie-seal/sessions";

// Methods that must not change state (RFC 9110 §9.2.1): the check lets them through.
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
// A scheme, a host name of at most 253 bytes and a port.
const MAX_ORIGIN_LEN = 300;
export const MAX_TRUSTED_ORIGINS = 64;
// Bound into every token, so a token never opens as a session cookie or another sealed
// value, nor the reverse. The Rust crate uses the same purpose.
const TOKEN_PURPOSE = "csrf-token";
// Longest token text looked at; a real one is about 90 characters.
const MAX_TOKEN_LEN = 512;
// The default absolute lifetime of an ordinary session: a page left open stays usable for
// as long as its session can.
export const DEFAULT_CSRF_TTL = 12 * 3600;
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
    for (const name of Object.keys(options)) {
      if (name !== "origin" && name !== "trust") throw invalid(`unknown CrossOrigin option "${name}"`);
    }
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
    if (SAFE_METHODS.has(method)) return;
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
    for (const name of Object.keys(options)) {
      if (name !== "keys" && name !== "name" && name !== "ttl") throw invalid(`unknown CsrfTokens option "${name}"`);
    }
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
    if (text.length > MAX_TOKEN_LEN) throw csrf("not valid for this session");
    let opened;
    try {
      opened = this.#sealer.open(text, options);
    } catch (err) {
      if (err instanceof SealError && err.code === "INVALID_OPTION") throw err;
      if (err instanceof SealError && err.code === "EXPIRED") throw csrf("expired: reload the page");
      throw csrf("not valid for this session");
    }
    if (typeof opened.data !== "string" || !sameText(opened.data, id)) throw csrf("not valid for this session");
  }

  /** Releases the keys' wasm memory now rather than at garbage collection. */
  free() {
    this.#sealer.free();
  }
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
