// The one site every framework app here serves, and that scenario.js drives: the session
// options, the keys (k2 the primary, k1 still opening: a cookie under k1 is a key rotation),
// and the rate limit on sign-in (3 per 2-second window, per x-client header).
export const KEY1 = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE"; // 32 bytes of 0x01
export const KEY2 = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI"; // 32 bytes of 0x02
export const NAME = "session";
export const SESSION_OPTIONS = {
  keys: `k2:${KEY2},k1:${KEY1}`,
  name: NAME,
  insecureDevModeForLocalhost: true, // plain HTTP on 127.0.0.1
  idleTimeout: 3600,
};
// The sign-in form's pre-session token: its cookie, without Secure on plain HTTP.
export const PRE_SESSION_OPTIONS = { keys: SESSION_OPTIONS.keys, name: "csrf", secure: false };
export const SIGN_IN_LIMIT = { limit: 3, window: 2 };
export const clientOf = (value) => value ?? "local";
