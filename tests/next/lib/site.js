// The session options, shared by the app and its test (which forges cookies with them).
// The same keys as tests/frameworks/site.js: k2 the primary, k1 retired but still opening.
export const KEYS = "k2:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI,k1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE";
export const PRE_SESSION_COOKIE = "csrf";
export const OPTIONS = { keys: KEYS, name: "session", insecureDevModeForLocalhost: true, idleTimeout: 3600 };
