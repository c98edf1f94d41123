/**
 * cookie-seal: encrypted, authenticated, size-bounded session cookies (XAES-256-GCM),
 * byte-for-byte compatible with the Rust crate of the same name.
 *
 * @example
 * ```ts
 * import { init, Sealer } from "cookie-seal";
 * await init();
 * const sealer = new Sealer({ keys: process.env.COOKIE_KEYS!, name: "__Host-session" });
 * const value = sealer.seal({ uid: 42 });
 * const { data } = sealer.open<{ uid: number }>(value);
 * ```
 * The session lifecycle (`SessionManager`) is in `cookie-seal/sessions` (sessions.d.ts), a
 * second entry on a larger wasm module, so sealing values alone does not download it.
 * @packageDocumentation
 */

/**
 * Loads and instantiates the WebAssembly module. Idempotent: call it as often as you like;
 * every call after the first resolves at once. On Node, Deno and Cloudflare workerd the
 * module is already instantiated at import and this is a no-op; in browsers and bundlers,
 * await it once before using anything else.
 *
 * @param input Where to load the `.wasm` from (browsers): a URL, a `Response`, its bytes or a
 *   compiled `WebAssembly.Module`. Default: `cookie_seal_bg.wasm` next to the package's JS
 *   (`cookie_seal_sessions_bg.wasm` for `cookie-seal/sessions`: each entry has its own
 *   module and its own `init`).
 * @throws {SealError} `NOT_INITIALIZED` if the module cannot be loaded; a later call retries.
 */
export function init(
  input?: URL | string | Request | Response | BufferSource | WebAssembly.Module,
): Promise<void>;

/**
 * A new random 256-bit key (32 bytes from the platform's secure random source), as 43
 * characters of unpadded base64url, ready for `keys`. Store it as a secret.
 *
 * @throws {SealError} `RANDOM_FAILED` if the platform has no working random source;
 *   `NOT_INITIALIZED` before {@link init} in a browser.
 */
export function generateKey(): string;

/** The codes a {@link SealError} carries; the same strings as the Rust crate's `Error::code`. */
export type SealErrorCode =
  /** The value is not a cookie-seal value (bad base64url, wrong length, not a string). */
  | "MALFORMED"
  /** The cookie (`name=value`) would be, or is, longer than `maxLen`; see `actual`/`limit`. */
  | "TOO_LARGE"
  /** The value was written by a format version this build does not read. */
  | "UNSUPPORTED_VERSION"
  /** The value's key id is not in the keyring (retired or never existed). */
  | "UNKNOWN_KEY"
  /** Authentication failed: wrong key, tampered value, other cookie name or purpose. Deliberately nothing more. */
  | "BAD_SEAL"
  /** Authentic but expired (past `expiresAt` plus leeway); see `expiresAt`. */
  | "EXPIRED"
  /** Authentic but issued in the future beyond the leeway; see `validFrom`. */
  | "NOT_YET_VALID"
  /** The payload cannot round-trip through JSON unchanged, or an opened payload is not JSON. */
  | "PAYLOAD"
  /** A key or keyring is not acceptable. Never contains key material. */
  | "INVALID_KEY"
  /** A Sealer or SessionManager option, a call option or a session part is not acceptable (or the object was freed). */
  | "INVALID_OPTION"
  /** The platform's random number generator failed; nothing was sealed. */
  | "RANDOM_FAILED"
  /** An authentic session that was revoked: by `notBefore`, or by `isRevoked`. */
  | "REVOKED"
  /** The platform clock (`Date.now()`) is before 1970 or not a number, and no `now` was given. */
  | "CLOCK"
  /** JavaScript only: used before {@link init} finished, or the wasm could not be loaded. */
  | "NOT_INITIALIZED";

/**
 * Every failure of this package. A real `Error` with a stable {@link SealError.code}.
 *
 * @example
 * ```ts
 * try {
 *   sealer.open(cookie);
 * } catch (e) {
 *   if (e instanceof SealError && (e.code === "EXPIRED" || e.code === "BAD_SEAL")) {
 *     // treat as logged out
 *   } else throw e;
 * }
 * ```
 */
export class SealError extends Error {
  /** Always `"SealError"`. */
  readonly name: "SealError";
  /** What went wrong, as a stable code. */
  readonly code: SealErrorCode;
  /** `TOO_LARGE` only: bytes the cookie (`name=value`) takes or would take. */
  readonly actual?: number;
  /** `TOO_LARGE` only: the bytes allowed (`maxLen`). */
  readonly limit?: number;
  /** `EXPIRED` only: the value's expiry, seconds since the Unix epoch. */
  readonly expiresAt?: number;
  /** `NOT_YET_VALID` only: the earliest time it is accepted (before leeway), in seconds. */
  readonly validFrom?: number;
  /** `TOO_LARGE` from `SessionManager.setCookies` (`cookie-seal/sessions`) only: the cookies the session needs. */
  readonly chunksNeeded?: number;
  /** `TOO_LARGE` from `SessionManager.setCookies` (`cookie-seal/sessions`) only: the cookies allowed (`maxChunks`). */
  readonly maxChunks?: number;
  private constructor();
}

/** One key of a keyring, for the array form of {@link SealerOptions.keys}. */
export interface KeyEntry {
  /** Public key id, 1–16 characters of `A-Z a-z 0-9 _ -`; travels in the clear in every cookie. */
  id: string;
  /** The key: 43 characters of unpadded base64url, as {@link generateKey} makes. */
  key: string;
}

/** Options of {@link Sealer}. */
export interface SealerOptions {
  /**
   * The keys, primary (sealing) key first; the others only open, so keys rotate without
   * logging anybody out. Either the text `"k2:BASE64URL,k1:BASE64URL"` (handy in an
   * environment variable) or `[{ id, key }, ...]`. At most 32 keys.
   */
  keys: string | readonly KeyEntry[];
  /** The cookie's name. Bound into every value: a value never opens under another name. */
  name: string;
  /** What the value is for (e.g. `"magic-link"`), bound into it. 1–255 bytes. Default `"session"`. */
  purpose?: string;
  /** Lifetime of a sealed value in whole seconds, at least 1. Default 7 days (604800). */
  ttl?: number;
  /** Clock skew tolerated, in whole seconds, at most 3600. Default 60. */
  leeway?: number;
  /** Most bytes the whole cookie (`name=value`) may take, at most and by default 4096. */
  maxLen?: number;
}

/** Options of {@link Sealer.seal} and {@link Sealer.open}. */
export interface CallOptions {
  /** The current time in whole seconds since the Unix epoch. Default: `Math.floor(Date.now() / 1000)`. */
  now?: number;
}

/** What {@link Sealer.open} returns. */
export interface Opened<T> {
  /** The payload, as `JSON.parse` gives it back. */
  data: T;
  /** When it was sealed, seconds since the Unix epoch. */
  issuedAt: number;
  /** When it stops opening (before leeway), seconds since the Unix epoch. */
  expiresAt: number;
  /** The id of the key that opened it. */
  keyId: string;
  /** True when sealed under a key that is no longer primary: seal it again and set the cookie. */
  needsReseal: boolean;
}

/**
 * Seals JSON-compatible data into cookie values for one cookie name and purpose, and opens
 * them again. Synchronous. Create one at start-up and reuse it.
 *
 * @example
 * ```ts
 * const sealer = new Sealer({ keys: "k1:BASE64URL", name: "__Host-session", ttl: 3600 });
 * const value = sealer.seal({ uid: 42 });
 * const { data, needsReseal } = sealer.open<{ uid: number }>(value);
 * ```
 */
export class Sealer {
  /**
   * @throws {SealError} `INVALID_KEY` for a bad keyring, `INVALID_OPTION` for any other bad
   *   or unknown option; `NOT_INITIALIZED` before {@link init} in a browser.
   */
  constructor(options: SealerOptions);

  /** The largest payload, in bytes of JSON (UTF-8), that fits `maxLen` once sealed. */
  readonly capacity: number;

  /**
   * Seals `data` (as `JSON.stringify` writes it) into a cookie value: base64url text to set
   * as the cookie `name`'s value.
   *
   * Values JSON cannot carry unchanged are refused with `PAYLOAD`, never silently altered:
   * `undefined`, functions, symbols, BigInt, NaN, ±Infinity, Date, Map, Set, class instances
   * and other non-plain objects, sparse arrays, arrays with named properties, cycles, more than
   * 100 levels of nesting, more than 4096 values. `-0` is accepted and opens as `0`;
   * symbol-keyed and non-enumerable properties are not data to JSON and are left out, as
   * `JSON.stringify` always does.
   *
   * @throws {SealError} `PAYLOAD`, `TOO_LARGE` (with `actual`/`limit`), `INVALID_OPTION` for a
   *   bad `now`, `RANDOM_FAILED`.
   */
  seal<T>(data: T, options?: CallOptions): string;

  /**
   * Opens a cookie value sealed for this name and purpose, checking its expiry at `now`.
   *
   * @throws {SealError} `MALFORMED`, `TOO_LARGE`, `UNSUPPORTED_VERSION`, `UNKNOWN_KEY`,
   *   `BAD_SEAL`, `EXPIRED`, `NOT_YET_VALID`, `PAYLOAD`, `INVALID_OPTION` for a bad `now`.
   */
  open<T = unknown>(value: string, options?: CallOptions): Opened<T>;

  /**
   * Releases the wasm memory holding the keys now rather than at garbage collection. The
   * Sealer cannot be used afterwards (`INVALID_OPTION`). Also runs on `using`.
   */
  free(): void;
}
