// The app's one session setup, shared by the page, the server actions, the route handlers
// and proxy.js. Kept on globalThis so every bundle Next builds shares one rate limiter.
import { cookies } from "next/headers";
import { SessionManager } from "cookie-seal/sessions";
import { CrossOrigin, CsrfTokens, PreSessionTokens } from "cookie-seal/csrf";
import { RateLimiter } from "cookie-seal/rate-limit";
import { NextSessions } from "cookie-seal/next";
import { KEYS, OPTIONS, PRE_SESSION_COOKIE } from "./site.js";

function build() {
  const sessions = new SessionManager(OPTIONS);
  const tokens = new CsrfTokens({ keys: KEYS, name: OPTIONS.name });
  // The sign-in form's token; its cookie without Secure, as the session's, on plain HTTP.
  const preSession = new PreSessionTokens({ keys: KEYS, name: PRE_SESSION_COOKIE, secure: false });
  return {
    sessions,
    auth: new NextSessions(sessions, { cookies, tokens, preSession, crossOrigin: new CrossOrigin() }),
    signInLimit: new RateLimiter({ limit: 3, window: 5 }),
  };
}

const site = (globalThis.cookieSealTestSite ??= build());
export const { sessions, auth, signInLimit } = site;
