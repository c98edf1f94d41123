//! The one error type of the crate.

use core::fmt;

/// Everything that can go wrong while building a sealer, sealing or opening.
///
/// Errors are precise wherever precision cannot help an attacker: a malformed value, a size
/// over budget or a bad key string says exactly what is wrong. Failed authentication is the
/// exception: a wrong key, a flipped bit, a value moved to another cookie name or purpose all
/// give [`Error::BadSeal`] with no further detail, because any distinction between those
/// cases would be an oracle for someone probing with forged cookies.
///
/// [`Error::code`] gives a stable string that the JavaScript package uses too.
///
/// ```
/// use cookie_seal::{Error, Key, Keyring, Sealer};
///
/// let sealer = Sealer::builder(Keyring::new("k1", Key::generate()?)?, "session").build()?;
/// let err = sealer.open_bytes_at("not a cookie", 1_700_000_000).unwrap_err();
/// assert_eq!(err.code(), "MALFORMED");
/// assert!(matches!(err, Error::Malformed(_)));
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The value is not a cookie-seal value: bad base64url, wrong length, bad key id field.
    /// The reason describes the public structure only.
    Malformed(&'static str),
    /// The cookie (`name=value`) would be, or is, longer than the limit.
    TooLarge {
        /// Bytes the cookie takes (or would take), name and `=` included.
        actual: usize,
        /// Bytes allowed.
        limit: usize,
    },
    /// The value was written by a format version this build does not read.
    UnsupportedVersion(u8),
    /// The value is authentic but carries claims (flag bits) added by a newer cookie-seal.
    /// Its code is `UNSUPPORTED_VERSION` too.
    UnsupportedClaims(u8),
    /// The key id in the value is not in the keyring (the key was retired, or never existed).
    UnknownKey(String),
    /// Authentication failed. Deliberately says nothing more.
    BadSeal,
    /// The value was authentic but its expiry (plus leeway) has passed.
    Expired {
        /// The expiry claim, seconds since the Unix epoch.
        expires_at: u64,
    },
    /// The value was authentic but is not valid yet (issued in the future, beyond the leeway).
    NotYetValid {
        /// The earliest time it would be accepted, before leeway, seconds since the Unix epoch.
        valid_from: u64,
    },
    /// The payload could not be serialised or deserialised, or is not UTF-8.
    Payload(String),
    /// A key or keyring string is not acceptable. Never contains key material.
    InvalidKey(String),
    /// A sealer option or argument is not acceptable.
    InvalidOption(String),
    /// The operating system's random number generator failed; nothing was sealed.
    RandomFailed,
    /// A chunked session needs more cookies than allowed. Its code is `TOO_LARGE`.
    TooManyChunks {
        /// Cookies the session would need.
        needed: usize,
        /// Cookies allowed (`max_chunks`).
        max: usize,
    },
    /// The session is authentic but was revoked: by id, by subject generation, or by the
    /// manager's sign-in cutoff.
    Revoked,
    /// The value is authentic (right key, name and purpose) but is not a session: it was
    /// sealed by a plain [`Sealer`](crate::Sealer), without a session id or sign-in time.
    /// Its code is `MALFORMED`, as for any other value that is not what the reader expects.
    NotASession,
    /// A time cannot be represented: `now` plus a lifetime passes 2^64 - 1 seconds. Nothing
    /// was sealed. Its code is `INVALID_OPTION`: the `now` given is out of range.
    TimeOverflow {
        /// The `now` that was given, seconds since the Unix epoch.
        now: u64,
    },
    /// The platform clock cannot be read as seconds since the Unix epoch (it is set before
    /// 1970, or the JavaScript host returned no usable time). Code `CLOCK`.
    Clock,
    /// The payload is longer than AES-GCM can encrypt under one nonce (2^36 - 32 bytes).
    /// Its code is `TOO_LARGE`.
    AeadLimit,
    /// A session store could not answer (down, slow past its timeout, full, or refusing),
    /// so nothing that needed it was accepted or changed. The message names the store and
    /// the cause, never a password or a session's data.
    StoreUnavailable(String),
    /// A state-changing request that a browser sent from another origin or site (the
    /// `Sec-Fetch-Site`, `Origin` or `Referer` check of [`CrossOrigin`](crate::CrossOrigin)).
    CrossOrigin(&'static str),
    /// A missing, expired or foreign anti-forgery token (see [`CsrfTokens`](crate::CsrfTokens)).
    Csrf(&'static str),
    /// Too many requests from one client; try again after `retry_after` seconds.
    RateLimited {
        /// Seconds until the next request would be allowed (at least 1).
        retry_after: u64,
    },
}

impl Error {
    /// Every code [`Error::code`] can return, in the order of the README's error table.
    /// The first nine say that a session cookie is there but does not open: the JavaScript
    /// `fromRequest` reads those as "signed out".
    ///
    /// ```
    /// use cookie_seal::Error;
    /// assert!(Error::CODES.contains(&Error::BadSeal.code()));
    /// assert_eq!(Error::CODES[Error::COOKIE_CODES - 1], "REVOKED");
    /// ```
    pub const CODES: &'static [&'static str] = &[
        "MALFORMED",
        "TOO_LARGE",
        "UNSUPPORTED_VERSION",
        "UNKNOWN_KEY",
        "BAD_SEAL",
        "EXPIRED",
        "NOT_YET_VALID",
        "PAYLOAD",
        "REVOKED",
        "INVALID_KEY",
        "INVALID_OPTION",
        "RANDOM_FAILED",
        "CLOCK",
        "STORE_UNAVAILABLE",
        "CROSS_ORIGIN",
        "CSRF",
        "RATE_LIMITED",
    ];

    /// How many of [`CODES`](Self::CODES), from the start, are about the cookie itself.
    ///
    /// ```
    /// assert_eq!(cookie_seal::Error::COOKIE_CODES, 9);
    /// ```
    pub const COOKIE_CODES: usize = 9;

    /// The stable code for this error, the same string the JavaScript `SealError.code` has.
    ///
    /// ```
    /// use cookie_seal::Error;
    /// assert_eq!(Error::BadSeal.code(), "BAD_SEAL");
    /// assert_eq!(Error::TooLarge { actual: 5000, limit: 4096 }.code(), "TOO_LARGE");
    /// assert_eq!(Error::StoreUnavailable("redis: timed out".into()).code(), "STORE_UNAVAILABLE");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Error::Malformed(_) | Error::NotASession => "MALFORMED",
            Error::TooLarge { .. } | Error::TooManyChunks { .. } | Error::AeadLimit => "TOO_LARGE",
            Error::UnsupportedVersion(_) | Error::UnsupportedClaims(_) => "UNSUPPORTED_VERSION",
            Error::UnknownKey(_) => "UNKNOWN_KEY",
            Error::BadSeal => "BAD_SEAL",
            Error::Expired { .. } => "EXPIRED",
            Error::NotYetValid { .. } => "NOT_YET_VALID",
            Error::Payload(_) => "PAYLOAD",
            Error::InvalidKey(_) => "INVALID_KEY",
            Error::InvalidOption(_) | Error::TimeOverflow { .. } => "INVALID_OPTION",
            Error::Clock => "CLOCK",
            Error::RandomFailed => "RANDOM_FAILED",
            Error::Revoked => "REVOKED",
            Error::StoreUnavailable(_) => "STORE_UNAVAILABLE",
            Error::CrossOrigin(_) => "CROSS_ORIGIN",
            Error::Csrf(_) => "CSRF",
            Error::RateLimited { .. } => "RATE_LIMITED",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Malformed(why) => write!(f, "malformed cookie value: {why}"),
            Error::TooLarge { actual, limit } => {
                write!(
                    f,
                    "cookie is {actual} bytes, more than the {limit}-byte limit"
                )
            }
            Error::UnsupportedVersion(v) => write!(f, "unsupported cookie format version {v}"),
            Error::UnsupportedClaims(flags) => {
                write!(f, "claims from a newer cookie-seal (flags {flags:#04x})")
            }
            // Quoted by hand, not with `{id:?}`: key ids are only ever [A-Za-z0-9_-] (checked
            // before any error names one), so Debug's escaping never applies, and in the wasm
            // module it pulls in about 4 KB gzipped of escaping and Unicode tables.
            Error::UnknownKey(id) => write!(f, "no key with id \"{id}\" in the keyring"),
            Error::BadSeal => f.write_str("cookie failed authentication"),
            Error::Expired { expires_at } => write!(f, "cookie expired at {expires_at}"),
            Error::NotYetValid { valid_from } => write!(f, "cookie not valid before {valid_from}"),
            Error::Payload(why) => write!(f, "payload: {why}"),
            Error::InvalidKey(why) => write!(f, "invalid key: {why}"),
            Error::InvalidOption(why) => write!(f, "invalid option: {why}"),
            Error::RandomFailed => f.write_str("the system random number generator failed"),
            Error::TooManyChunks { needed, max } => {
                write!(
                    f,
                    "session needs {needed} cookies, more than the {max} allowed"
                )
            }
            Error::Revoked => f.write_str("session was revoked"),
            Error::NotASession => f.write_str(
                "malformed cookie value: not a session value (no session id or sign-in time)",
            ),
            Error::TimeOverflow { now } => {
                write!(
                    f,
                    "invalid option: now ({now}) plus the lifetime overflows a 64-bit timestamp"
                )
            }
            Error::Clock => f.write_str("the platform clock is before 1970 or unreadable"),
            Error::AeadLimit => f.write_str("payload too long for AES-GCM"),
            Error::StoreUnavailable(why) => write!(f, "session store unavailable: {why}"),
            Error::CrossOrigin(why) => write!(f, "cross-origin request refused: {why}"),
            Error::Csrf(why) => write!(f, "anti-forgery token {why}"),
            Error::RateLimited { retry_after } => {
                write!(f, "too many requests: try again in {retry_after} s")
            }
        }
    }
}

impl std::error::Error for Error {}
