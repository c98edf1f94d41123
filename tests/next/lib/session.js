// The app's one session setup, shared by the page, the server actions, the route handlers
// and proxy.js. Kept on globalThis so every bundle Next builds shares one rate limiter.
import { cookies } from "next/headers";
import { SessionManager } from "cookie-seal/sessions";
import { CrossOrigin, CsrfTokens } from "cookie-seal/csrf";
import { RateLimiter } from "cookie-seal/rate-limit";
import { NextSessions } from "cookie-seal/next";
import { KEYS, OPTIONS } from "./site.js";

function build() {
  const sessions = new SessionManager(OPTIONS);
  const tokens = new CsrfTokens({ keys: KEYS, name: OPTIONS.name });
  return {
    sessions,
    auth: new NextSessions(sessions, { cookies, tokens, crossOrigin: new CrossOrigin() }),
    signInLimit: new RateLimiter({ limit: 3, window: 5 }),
  };
}

const site = (globalThis.cookieSealTestSite ??= build());
export const { sessions, auth, signInLimit } = site;
