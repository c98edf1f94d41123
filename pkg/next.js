// `cookie-seal/next`: the session in a Next.js App Router app, through next/headers'
// cookies() (server components, server actions, route handlers) and in proxy (middleware).
// Next's own functions are passed in (`{ cookies }`, and NextResponse to proxy()), so this
// module imports nothing from Next and works with the app's own copy of it. Put
// "cookie-seal" in next.config's serverExternalPackages, so Node loads its wasm itself.
import { SealError } from "cookie-seal/sessions";
import { PRE_SESSION_COOKIE, checkManager, checkPreSession, isRefusal, isSafeMethod, readSlot, refusal, writesDue } from "./web-core.js";
import { requestToken } from "./csrf.js";

// A Set-Cookie value as the options cookies().set takes.
function parseSetCookie(value) {
  const [pair, ...attributes] = value.split(";");
  const at = pair.indexOf("=");
  const cookie = { name: pair.slice(0, at).trim(), value: pair.slice(at + 1).trim() };
  for (const attribute of attributes) {
    const [key, ...rest] = attribute.trim().split("=");
    const v = rest.join("=");
    switch (key.toLowerCase()) {
      case "max-age": cookie.maxAge = Number(v); break;
      case "expires": cookie.expires = new Date(v); break;
      case "path": cookie.path = v; break;
      case "domain": cookie.domain = v; break;
      case "secure": cookie.secure = true; break;
      case "httponly": cookie.httpOnly = true; break;
      case "samesite": cookie.sameSite = v.toLowerCase(); break;
      case "partitioned": cookie.partitioned = true; break;
      case "priority": cookie.priority = v.toLowerCase(); break;
    }
  }
  return cookie;
}

function cookieHeaderOf(all) {
  return all.map(({ name, value }) => `${name}=${value}`).join("; ");
}

// A deletion is Max-Age=0 (or an Expires in the past).
function deletes(cookie) {
  return cookie.maxAge === 0 || (cookie.expires !== undefined && cookie.expires.getTime() <= Date.now());
}

/**
 * The session of one Next.js app: `sessions` a SessionManager, `cookies` next/headers'
 * cookies, `tokens` an optional CsrfTokens, `preSession` an optional PreSessionTokens (the
 * sign-in form's token), `crossOrigin` an optional CrossOrigin.
 */
export class NextSessions {
  #sessions;
  #cookies;
  #tokens;
  #preSession;
  #crossOrigin;

  constructor(sessions, { cookies, tokens, preSession, crossOrigin } = {}) {
    checkManager(sessions);
    if (typeof cookies !== "function") {
      throw new SealError("INVALID_OPTION", "invalid option: new NextSessions(sessions, { cookies }) needs next/headers' cookies");
    }
    if (preSession !== undefined) checkPreSession(preSession, "new NextSessions(sessions, { preSession })");
    this.#sessions = sessions;
    this.#cookies = cookies;
    this.#tokens = tokens;
    this.#preSession = preSession;
    this.#crossOrigin = crossOrigin;
  }

  /** The request's session, or null (also when its cookie was refused). Anywhere on the server. */
  async get() {
    return (await this.#slot()).session;
  }

  /** Writes `session` when it needs writing; null signs out. Server actions and route handlers only. */
  async save(session) {
    const jar = await this.#cookies();
    const values = session === null ? this.#sessions.clearCookies() : writesDue(this.#sessions, { session, initial: null, refused: null });
    for (const value of values) jar.set(parseSetCookie(value));
  }

  /** signIn and save: a fresh session (and id). */
  async signIn(data, options) {
    const session = this.#sessions.signIn(data, options);
    await this.save(session);
    return session;
  }

  /** Deletes the session cookies. */
  async signOut() {
    await this.save(null);
  }

  /** A CSRF token for the current session (for a hidden `csrf_token` field). */
  async csrfToken() {
    return this.#tokens.token((await this.get()) ?? undefined);
  }

  /** Throws SealError `CSRF` unless `token` belongs to the current session. */
  async verifyCsrf(token) {
    this.#tokens.verify(typeof token === "string" ? token : "", (await this.get()) ?? undefined);
  }

  /**
   * The sign-in form's pre-session token (for a hidden `csrf_token` field), bound to the
   * browser's pre-session cookie. proxy() sets that cookie for signed-out requests, so a
   * server component finds it; where it is missing, the cookie is set here, which Next
   * allows in server actions and route handlers only.
   */
  async preSessionToken() {
    const preSession = this.#needPreSession("preSessionToken()");
    const jar = await this.#cookies();
    const { token, setCookie } = preSession.issue(cookieHeaderOf(jar.getAll()));
    const cookie = parseSetCookie(setCookie);
    if (jar.getAll().find((c) => c.name === cookie.name)?.value !== cookie.value) jar.set(cookie);
    return token;
  }

  /** Throws SealError `CSRF` unless `token` is a pre-session token of this browser's pre-session cookie. */
  async verifyPreSession(token) {
    const preSession = this.#needPreSession("verifyPreSession()");
    const jar = await this.#cookies();
    preSession.verify(typeof token === "string" ? token : "", cookieHeaderOf(jar.getAll()));
  }

  /**
   * For route handlers: null when a state-changing `request` may go on, else the 403
   * Response (cross-origin, or missing/wrong CSRF token from `x-csrf-token` or the form).
   */
  async protect(request) {
    return this.#guard(request, async () => {
      if (this.#tokens === undefined) return;
      const slot = await readSlot(this.#sessions, request.headers.get("cookie"));
      this.#tokens.verify(await requestToken(request), slot.session ?? undefined);
    });
  }

  /**
   * For a sign-in route handler: null when `request` may go on, else the 403 Response
   * (cross-origin, or a pre-session token missing, expired or made for another browser).
   */
  async protectSignIn(request) {
    const preSession = this.#needPreSession("protectSignIn()");
    return this.#guard(request, async () => preSession.verify(await requestToken(request), request.headers.get("cookie") ?? ""));
  }

  async #guard(request, verify) {
    if (isSafeMethod(request.method)) return null;
    try {
      this.#crossOrigin?.check(request);
      await verify();
      return null;
    } catch (err) {
      if (isRefusal(err)) return refusal(err);
      throw err;
    }
  }

  #needPreSession(where) {
    checkPreSession(this.#preSession, `NextSessions ${where} (give new NextSessions a preSession)`);
    return this.#preSession;
  }

  /**
   * For proxy.js (middleware): renews (re-seals) a session due for it, clears a refused
   * cookie, gives a signed-out browser its pre-session cookie (with a preSession), and
   * passes the request on with the cookies as they now are, so the server components of
   * this very request see them. `NextResponse` is next/server's.
   */
  async proxy(request, NextResponse) {
    const header = request.headers.get("cookie") ?? "";
    const slot = await readSlot(this.#sessions, header);
    const values = slot.session === null || slot.session.needsReseal || slot.refused ? writesDue(this.#sessions, slot) : [];
    if (this.#preSession !== undefined && slot.session === null) {
      // The cookie alone when preSession is this package's PreSessionTokens; anything else
      // that checkPreSession lets in is asked for a whole token, as before.
      const preSession = this.#preSession;
      const { setCookie } = preSession[PRE_SESSION_COOKIE]?.(header) ?? preSession.issue(header);
      const cookie = parseSetCookie(setCookie);
      if (request.cookies.getAll().find((c) => c.name === cookie.name)?.value !== cookie.value) values.push(setCookie);
    }
    if (values.length === 0) return NextResponse.next();
    const jar = new Map(request.cookies.getAll().map((c) => [c.name, c.value]));
    const changes = values.map(parseSetCookie);
    for (const c of changes) {
      if (deletes(c)) jar.delete(c.name);
      else jar.set(c.name, c.value);
    }
    const headers = new Headers(request.headers);
    headers.set("cookie", cookieHeaderOf([...jar].map(([name, value]) => ({ name, value }))));
    const response = NextResponse.next({ request: { headers } });
    for (const value of values) response.headers.append("set-cookie", value);
    return response;
  }

  async #slot() {
    const jar = await this.#cookies();
    return readSlot(this.#sessions, cookieHeaderOf(jar.getAll()));
  }
}

