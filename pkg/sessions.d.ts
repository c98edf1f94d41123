/**
 * `cookie-seal/sessions`: everything `cookie-seal` has (re-exported from index.d.ts) plus the
 * session lifecycle, {@link SessionManager}. A separate entry on its own, larger wasm module
 * (`cookie_seal_sessions_bg.wasm`), so an application that only seals values does not
 * download the session code. Its `init` loads that module; `SealError` is the same class as
 * the main entry's, and values sealed by either entry's `Sealer` open in the other.
 *
 * @example
 * ```ts
 * import { init, SessionManager } from "cookie-seal/sessions";
 * await init();
 * const sessions = new SessionManager({ keys: env.COOKIE_KEYS, name: "__Host-session" });
 * ```
 * @packageDocumentation
 */

// SealError, SealerOptions and init are imported for the {@link} references below.
import type { CallOptions, KeyEntry, SealError, SealerOptions, init } from "./index.js";

export * from "./index.js";

/** Who a session belongs to, for revocation ({@link SessionManagerOptions.isRevoked}). */
export interface Subject {
  /** The application's id for the user (or device, or API client): 1 to 128 bytes of UTF-8. */
  id: string;
  /**
   * A number the application bumps to sign this subject out everywhere (password change):
   * `isRevoked` refuses sessions whose generation is below the current one. A whole number
   * from 0 to `Number.MAX_SAFE_INTEGER`. (A Rust writer may seal larger ones; they read here
   * rounded, and are written back exactly as long as the subject is left unchanged.)
   */
  generation: number;
}

/** Why a session should be written again; the same strings as Rust's `ResealReason::as_str`. */
export type ResealReason =
  /** Sealed under a key that is no longer the primary (keys were rotated). */
  | "key-rotation"
  /** Less than `renewWhenRemaining` of the idle window remains: write it to slide the deadline. */
  | "renewal"
  /** Chunks left from an older, differently chunked write are in the browser: a write deletes them. */
  | "stale-cookies"
  /** A fresh id: after {@link SessionManager.signIn} or {@link SessionManager.regenerateId}. */
  | "new-id";

/**
 * A session: the application's data and the claims the lifecycle keeps about it. A plain
 * object; change `data` freely, then write it with {@link SessionManager.commit} or
 * {@link SessionManager.setCookies}. It also carries, under a symbol, which cookies the
 * request had (so the next write deletes stale chunks) and what its cookie carried (so
 * `commit` sees whether anything it carries changed); object spread keeps both.
 */
export interface Session<T = unknown> {
  /** The application's data, as `JSON.parse` gave it back (or as given to `signIn`). */
  data: T;
  /** The session id: 128 random bits as 22 characters of base64url. Fresh at sign-in and {@link SessionManager.regenerateId}, kept across renewals. */
  id: string;
  /** The subject given at sign-in, or null. */
  subject: Subject | null;
  /** Sign-in time, seconds since the Unix epoch; it travels unchanged across every re-seal. */
  signedInAt: number;
  /** When the current cookie was sealed (seconds). */
  issuedAt: number;
  /** The idle deadline: when the current cookie stops opening unless written again (seconds). */
  expiresAt: number;
  /** When the session ends whatever happens: `signedInAt` plus the absolute lifetime (seconds). */
  absoluteExpiresAt: number;
  /** A remember-me session: persistent cookie, the longer `rememberMe` lifetimes. */
  rememberMe: boolean;
  /**
   * When a store last confirmed the session (seconds), or null: the cookie's `validated_at`
   * claim. With a `revalidationWindow`, `signInAsync` and each store lookup set it to now;
   * every other write carries it unchanged.
   */
  readonly validatedAt: number | null;
  /** The key that opened it; `""` for a session not yet written. */
  keyId: string;
  /** True when the session should be written again; {@link Session.resealReason} says why. */
  needsReseal: boolean;
  /** Why it should be written again, or null. */
  resealReason: ResealReason | null;
}

/** What {@link SessionManagerOptions.isRevoked} sees: identity only, never the data. */
export interface SessionInfo {
  /** The session id (see {@link Session.id}). */
  readonly id: string;
  /** The subject, or null. */
  readonly subject: Subject | null;
  /** Sign-in time, seconds since the Unix epoch. */
  readonly signedInAt: number;
  /** The last second the session could ever open (before leeway): a TTL for revocation entries. */
  readonly absoluteExpiresAt: number;
}

/**
 * Options of {@link SessionManager}. Durations are whole seconds. Every one but `keys` and
 * `name` has a secure default, the same as the Rust crate's `SessionManager::builder`.
 */
export interface SessionManagerOptions {
  /** The keys, as for {@link SealerOptions.keys}: primary first, the others only open. */
  keys: string | readonly KeyEntry[];
  /** The cookie's name; chunks are `name.0`, `name.1`, … Use a `__Host-` name in production. */
  name: string;
  /** Bound into every cookie. Default `"session"`. */
  purpose?: string;
  /** Clock skew tolerated on every bound, at most 3600. Default 60. */
  leeway?: number;
  /** An ordinary session ends this long after its last write. Default 7200 (2 hours). */
  idleTimeout?: number;
  /** An ordinary session ends this long after sign-in, however active; at least `idleTimeout`. Default 43200 (12 hours). */
  absoluteLifetime?: number;
  /** Lifetimes of remember-me sessions. Defaults: idle 1209600 (14 days), absolute 2592000 (30 days). */
  rememberMe?: { idleTimeout?: number; absoluteLifetime?: number };
  /** Ask for a write (`"renewal"`) once less than this fraction of the idle window remains; in (0, 1]. Default 0.5. */
  renewWhenRemaining?: number;
  /** Default `"Lax"`. `"None"` needs `Secure` (so not with `insecureDevModeForLocalhost`). */
  sameSite?: "Strict" | "Lax" | "None";
  /** A `Domain` attribute: shares the cookie with subdomains. Refused with a `__Host-` name. */
  domain?: string;
  /** A `Path` attribute. Default `"/"`; another path is refused with a `__Host-` name. */
  path?: string;
  /** Plain-HTTP development on localhost: no `Secure`, so `__Host-`/`__Secure-` names are refused. Never in production. */
  insecureDevModeForLocalhost?: boolean;
  /**
   * Let a session span up to this many cookies (`name.0` …), 1 to 10. Default 1 (no
   * chunking). Mind the whole `Cookie` header: nginx refuses header lines over 8 KB by
   * default, and all the site's cookies share it, so more than 2 chunks needs server configuration.
   */
  maxChunks?: number;
  /** Refuse (`REVOKED`) every session signed in before this time (seconds): sign everybody out without changing keys. Default 0. */
  notBefore?: number;
  /**
   * Consulted for each session cookie that passed every other check, before it is returned:
   * `true` refuses it with `REVOKED` (and a later cookie of the same name is still tried).
   * {@link SessionManager.read} and {@link SessionManager.fromRequest} need a `boolean`;
   * {@link SessionManager.readAsync} and {@link SessionManager.fromRequestAsync} also take a
   * `Promise<boolean>`, for a lookup in an edge key-value store. Anything else is
   * `INVALID_OPTION` (revocation fails closed); what it throws is thrown.
   */
  isRevoked?: (session: SessionInfo, now: number) => boolean | Promise<boolean>;
  /**
   * A shared store (`cookie-seal/redis`, `cookie-seal/workers-kv`, `cookie-seal/durable-object`,
   * `cookie-seal/deno-kv`, or your own {@link SessionStore}): {@link SessionManager.readAsync}
   * and {@link SessionManager.fromRequestAsync} ask it whether each candidate was revoked,
   * and the `…Async` methods keep its session list and data. A store that cannot answer is
   * `STORE_UNAVAILABLE` and no session is returned. The synchronous `read`/`fromRequest`
   * refuse (`INVALID_OPTION`) a cookie that is due for a lookup. Not with `isRevoked`.
   */
  store?: SessionStore;
  /**
   * Seconds within which a cookie a store confirmed recently (its `validatedAt`, as in Rust)
   * is trusted without a lookup; a write does not restart the window, so a revoked session
   * may keep opening for at most this long after its last lookup. Default 0: every read asks
   * the store. A looked-up cookie comes back with `resealReason: "revalidation"`.
   */
  revalidationWindow?: number;
  /**
   * Told of each refused session cookie (`{ type: "refused", code, message }`), each
   * remember-me theft (`{ type: "theft", subject, series, revokedSessions }`) and each store
   * failure (`{ type: "store-error", code, operation, message }`). The library logs nothing
   * itself; what the hook throws is ignored.
   */
  onEvent?: (event: StoreEvent) => void;
  /**
   * Remember-me as a rotating token of its own (needs a store that rotates atomically: Redis,
   * a Durable Object or Deno KV). `name` defaults to the session cookie's name + `-remember`,
   * `lifetime` to 2592000 s (30 days), `grace` to 10 s (at most 60): how long the token just
   * replaced is still accepted, for two tabs refreshing at once.
   */
  rememberToken?: { name?: string; lifetime?: number; grace?: number };
}

/** One entry of a subject's session list; the same fields as the Rust `SessionEntry`. */
export interface SessionEntry {
  id: string;
  signedInAt: number;
  lastSeen: number;
  rememberMe: boolean;
  label: string;
  /** When the store drops it: the session's absolute deadline plus 3600 s. */
  keepUntil: number;
}

/** What {@link SessionManagerOptions.onEvent} hears. */
export type StoreEvent =
  | { type: "refused"; code: string; message: string }
  | { type: "theft"; subject: string; series: string; revokedSessions: number }
  | { type: "store-error"; code: "STORE_UNAVAILABLE"; operation: string; message: string };

/** What a remember-me series' stored record answers to a rotation (adapters only). */
export interface RememberAnswer {
  outcome: "rotated" | "grace" | "theft" | "missing";
  subject: string;
  sessions: [string, number][];
}

/**
 * The store contract, the same operations as the Rust `SessionStore` trait; times are
 * seconds since the epoch, passed by the manager. Methods reject with a `SealError`
 * `STORE_UNAVAILABLE` when the backend cannot answer in time. The `remember…` methods are
 * needed only for {@link SessionManagerOptions.rememberToken}.
 */
export interface SessionStore {
  isRevoked(id: string, subject: Subject | null, now: number): Promise<boolean>;
  revoke(id: string, subject: string | null, keepUntil: number, now: number): Promise<void>;
  generation(subject: string, now: number): Promise<number>;
  signOutEverywhere(subject: string, keepUntil: number, now: number): Promise<number>;
  recordSignIn(subject: string, entry: SessionEntry, now: number): Promise<void>;
  touch(subject: string, id: string, now: number): Promise<void>;
  sessions(subject: string, now: number): Promise<SessionEntry[]>;
  putData(id: string, subject: string | null, data: Uint8Array, keepUntil: number, now: number): Promise<void>;
  data(id: string, subject: string | null, now: number): Promise<Uint8Array | null>;
  rememberStart?(series: string, record: object, keepUntil: number, now: number): Promise<void>;
  rememberRotate?(series: string, presented: string, next: string, now: number, grace: number, keepUntil: number): Promise<RememberAnswer>;
  rememberLink?(series: string, id: string, keepUntil: number, now: number): Promise<void>;
  rememberForget?(series: string, now: number): Promise<void>;
}

/** Options of the store adapters. */
export interface StoreOptions {
  /** Prefix of every key (or object name). Default `"cookie-seal"`, the Rust stores' too. */
  prefix?: string;
  /** Milliseconds a call may take before it is `STORE_UNAVAILABLE`. Default 1000. */
  timeout?: number;
  /** Sessions one subject keeps listed; at the cap the least recently seen is signed out. Default 32. */
  maxSessionsPerSubject?: number;
}

/** What {@link SessionManager.resumeAsync} answers when the request had a remember-me token. */
export interface Resumed<T> {
  /** `rotated` (a new token is set), `grace` (accepted, nothing set), `theft`, `unknown`. */
  outcome: "rotated" | "grace" | "theft" | "unknown";
  /** The fresh session (write it with commitAsync), or null. */
  session: Session<T> | null;
  /** Set-Cookie values for the token: the rotated one, none, or its deletion. */
  setCookies: string[];
}

/** Options of {@link SessionManager.signIn}. */
export interface SignInOptions extends CallOptions {
  /** A persistent cookie with the longer remember-me lifetimes, instead of a browser-session cookie. Default false. */
  rememberMe?: boolean;
  /** The subject, for revocation by subject generation. */
  subject?: Subject | null;
}

/** Anything {@link SessionManager.commit} and {@link SessionManager.signOut} can add `Set-Cookie` headers to. */
export type SetCookieTarget = Response | Headers;

/**
 * The whole session lifecycle over Fetch API objects or raw header strings: sign-in, reading
 * the `Cookie` header, sliding and absolute expiry, remember-me, chunking, revocation, and
 * the `Set-Cookie` headers for each step. The Rust crate's `SessionManager`, compiled to
 * wasm: the same cookies, the same decisions. Build one per isolate and reuse it.
 *
 * @example
 * ```ts
 * // A Cloudflare worker: read, renew and write in three lines.
 * const session = sessions.fromRequest(request) ?? sessions.signIn({ visits: 0 });
 * session.data.visits += 1;
 * return sessions.commit(session, new Response(`visit ${session.data.visits}`));
 * ```
 */
export class SessionManager {
  /**
   * @throws {SealError} `INVALID_KEY` for a bad keyring; `INVALID_OPTION` for a bad or
   *   unknown option or a combination browsers would reject (a `__Host-` name with `domain`
   *   or a `path` other than `/`, `sameSite: "None"` without `Secure`, a name with
   *   separators); `NOT_INITIALIZED` before {@link init} in a browser.
   */
  constructor(options: SessionManagerOptions);

  /** The cookie's name. */
  readonly name: string;
  /** The largest payload (bytes of JSON) one cookie holds for a session without a subject. */
  readonly capacity: number;
  /** The longest a session can live after sign-in, in seconds: how long to keep revocation entries. */
  readonly longestSession: number;

  /**
   * Starts a session: a fresh random id, `signedInAt = now`, `needsReseal` with reason
   * `"new-id"`. Nothing is sealed until {@link commit} or {@link setCookies}.
   * @throws {SealError} `INVALID_OPTION` for a bad subject, option or `now`; `RANDOM_FAILED`.
   */
  signIn<T>(data: T, options?: SignInOptions): Session<T>;

  /**
   * Finds the session in a `Cookie` request header and opens it: null when the header (or
   * its absence) has no session cookie; a {@link SealError} when one is there but does not
   * open (treat the user as signed out, and {@link signOut}). Cookies of the same name
   * (cookie tossing) are tried in order, at most three; names are case-sensitive.
   *
   * @throws {SealError} `MALFORMED`, `TOO_LARGE`, `UNSUPPORTED_VERSION`, `UNKNOWN_KEY`,
   *   `BAD_SEAL`, `EXPIRED`, `NOT_YET_VALID`, `REVOKED`, `PAYLOAD`; `INVALID_OPTION` for a bad
   *   `now` or when `isRevoked` returns a Promise (use {@link readAsync}).
   */
  read<T = unknown>(cookieHeader: string | null | undefined, options?: CallOptions): Session<T> | null;

  /** {@link read}, awaiting an async `isRevoked` (a key-value store lookup). */
  readAsync<T = unknown>(cookieHeader: string | null | undefined, options?: CallOptions): Promise<Session<T> | null>;

  /**
   * {@link read} on `request.headers.get("cookie")`, but a session cookie that does not open
   * (expired, forged, revoked, from a retired key, …) also gives null: the user is signed
   * out. Use {@link read} to learn why. Other failures (`INVALID_OPTION`, what `isRevoked`
   * throws) are thrown.
   */
  fromRequest<T = unknown>(request: Request | { headers: Headers }, options?: CallOptions): Session<T> | null;

  /** {@link fromRequest}, awaiting an async `isRevoked`. */
  fromRequestAsync<T = unknown>(
    request: Request | { headers: Headers },
    options?: CallOptions,
  ): Promise<Session<T> | null>;

  /**
   * Seals the session as of `now` and returns the `Set-Cookie` header values: one per cookie
   * written (`name`, or `name.0` … when chunked), then deletions of cookies the request had
   * that this write no longer uses. The idle deadline moves to `now + idleTimeout`, never past
   * `absoluteExpiresAt`. An ordinary session is a browser-session cookie; a remember-me one
   * gets `Max-Age` (at most 400 days).
   *
   * @throws {SealError} `EXPIRED` past `absoluteExpiresAt` plus the leeway, when a read says
   *   `EXPIRED` too (nothing is written);
   *   `TOO_LARGE` with `actual`/`limit`, or with `chunksNeeded`/`maxChunks` when chunking is
   *   on (a payload over 40960 bytes is refused before sealing, with its size as `actual`);
   *   `PAYLOAD`; `INVALID_OPTION` for a changed `id`, a bad `subject` or `now`, a `signedInAt`
   *   later than `now` plus the leeway, or a string that is not well-formed; `RANDOM_FAILED`.
   */
  setCookies(session: Session<unknown>, options?: CallOptions): string[];

  /**
   * Writes the session into `target` when it needs writing: `needsReseal` (sign-in, renewal,
   * key rotation, stale chunks, new id) or anything the cookie carries (`data`, `subject`,
   * `rememberMe`, `signedInAt`, `id`) changed since it was read. Appends each
   * `Set-Cookie` with `headers.append`. Returns `target`, or, when `target` is a Response whose
   * headers are immutable (from `fetch()` or `Response.redirect()`), a new Response with the
   * same status, headers and body plus the cookies: always use the return value. A null
   * session writes nothing.
   *
   * @throws {SealError} as {@link setCookies}; `INVALID_OPTION` when `target` is neither a
   *   Response nor a Headers, or drops `Set-Cookie` (browsers and service workers do).
   */
  commit<R extends SetCookieTarget>(session: Session<unknown> | null | undefined, target: R, options?: CallOptions): R;

  /** Appends {@link clearCookies} to `target` (see {@link commit} for the return value). */
  signOut<R extends SetCookieTarget>(target: R): R;

  /** `Set-Cookie` values that delete the session: the cookie and, with chunking on, every chunk. */
  clearCookies(): string[];

  /**
   * Gives the session a fresh id, as after a privilege change (session-fixation defence):
   * `needsReseal` with reason `"new-id"`. Changes and returns `session`.
   * @throws {SealError} `RANDOM_FAILED`.
   */
  regenerateId<T>(session: Session<T>): Session<T>;

  /** Releases the keys' wasm memory now rather than at garbage collection. Also runs on `using`. */
  free(): void;

  // With a store (SessionManagerOptions.store); each rejects with STORE_UNAVAILABLE when it cannot answer.
  /** Signs in `subject`, with its current generation, and lists the session with `label` (at most 64 bytes). */
  signInAsync<T>(data: T, options: CallOptions & { subject: string; label?: string; rememberMe?: boolean }): Promise<Session<T>>;
  /** {@link setCookies}, checking the store first when a window is set, and moving the list's last-seen time. */
  setCookiesAsync(session: Session<unknown>, options?: CallOptions): Promise<string[]>;
  /** {@link commit} through {@link setCookiesAsync}. */
  commitAsync<R extends SetCookieTarget>(session: Session<unknown> | null | undefined, target: R, options?: CallOptions): Promise<R>;
  /** Revokes this session everywhere (until it could no longer open), unlists it, deletes its data, clears the cookie. */
  signOutAsync<R extends SetCookieTarget>(session: Session<unknown> | null | undefined, target: R, options?: CallOptions): Promise<R>;
  /** Signs out every other listed session of this session's subject; returns how many. */
  signOutOthers(session: Session<unknown>, options?: CallOptions): Promise<number>;
  /** Raises the subject's generation: every session sealed before now is refused. Returns it. */
  signOutEverywhere(subject: string, options?: CallOptions): Promise<number>;
  /** The subject's sessions, newest sign-in first. */
  listSessions(subject: string, options?: CallOptions): Promise<SessionEntry[]>;
  /** Keeps server-side data (at most 65536 bytes; a string as UTF-8) for the session's lifetime. */
  putData(session: Session<unknown>, data: Uint8Array | string, options?: CallOptions): Promise<void>;
  /** The session's server-side data, or null. */
  getData(session: Session<unknown>, options?: CallOptions): Promise<Uint8Array | null>;
  /** Starts a remember-me series for this session's subject: the token's Set-Cookie values. */
  rememberAsync(session: Session<unknown>, options?: CallOptions): Promise<string[]>;
  /** Uses (and rotates) the request's remember-me token: null without one. A Cookie header over the read limit (64 KiB) is `TOO_LARGE`, as for a read. */
  resumeAsync<T = unknown>(request: Request | { headers: Headers } | string, options?: CallOptions & { data?: T; label?: string }): Promise<Resumed<T> | null>;
  /** Ends the request's remember-me series; returns the Set-Cookie deleting the token. A Cookie header over the read limit is `TOO_LARGE`, and nothing is forgotten. */
  forgetRememberAsync(request: Request | { headers: Headers } | string, options?: CallOptions): Promise<string[]>;
}
