//! Anti-forgery tokens for the forms posted before there is a session (sign-in, sign-up,
//! a password-reset request): a signed double-submit cookie.
//!
//! A forged sign-in signs the victim into the attacker's account (login CSRF), and what
//! the victim then types lands there. The session-bound token cannot help: there is no
//! session yet. So the form's page sets a cookie holding a random value, and its token
//! is that value sealed with the keyring (XAES-256-GCM, under a purpose and a cookie name
//! of its own): a post must carry both, and the token must open to the very value the
//! cookie holds. Another site can make the browser send the cookie but cannot read it,
//! and cannot make a token for it without the key; a token taken from the attacker's own
//! visit fits only the attacker's cookie. The cookie is `__Host-` by default, so no
//! sibling subdomain can plant a value of its choosing, HttpOnly, and short-lived, like
//! its tokens.

use std::time::Duration;

use super::{json_string, open_token};
use crate::cookie::{CookieAttributes, cookie_pairs};
use crate::{Error, Keyring, Sealer};

/// The cookie that holds the pre-session value, unless another name is given. `__Host-`:
/// only this host, over HTTPS, can set it.
///
/// ```
/// assert_eq!(cookie_seal::csrf::DEFAULT_PRE_SESSION_COOKIE, "__Host-csrf");
/// ```
pub const DEFAULT_PRE_SESSION_COOKIE: &str = "__Host-csrf";
/// How long a sign-in form stays usable, and its cookie lives: one hour. Long enough to
/// type a password and look for it; a page left open longer is reloaded.
///
/// ```
/// assert_eq!(cookie_seal::csrf::DEFAULT_PRE_SESSION_TTL.as_secs(), 3_600);
/// ```
pub const DEFAULT_PRE_SESSION_TTL: Duration = Duration::from_secs(3_600);
/// The longest lifetime accepted: these tokens guard one form, not a visit.
const MAX_TTL: Duration = Duration::from_secs(86_400);
/// Bound into every token: a pre-session token never opens as a session-bound token, a
/// session cookie or any other sealed value, nor the reverse.
const PURPOSE: &str = "csrf-pre-session";
/// Random bytes in the cookie: 256 bits, as base64url without padding (43 characters).
const VALUE_BYTES: usize = 32;
const VALUE_LEN: usize = 43;

/// A pre-session token and the `Set-Cookie` value the same response must carry.
///
/// ```
/// use cookie_seal::{Key, Keyring, PreSessionTokens};
/// let tokens = PreSessionTokens::new(Keyring::new("k1", Key::generate()?)?)?;
/// let issued = tokens.issue_at("", 1_000)?;
/// assert!(issued.set_cookie.starts_with("__Host-csrf="));
/// assert!(!issued.token.is_empty());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreSessionToken {
    /// For the form's hidden `csrf_token` field (or the `X-CSRF-Token` header).
    pub token: String,
    /// The cookie the token is bound to; write it with the page.
    pub set_cookie: String,
}

/// Issues and checks pre-session tokens (see the module docs for the design).
///
/// ```
/// use cookie_seal::{Key, Keyring, PreSessionTokens};
/// let tokens = PreSessionTokens::new(Keyring::new("k1", Key::generate()?)?)?;
/// // The sign-in page: a token, and the cookie it is bound to.
/// let page = tokens.issue_at("", 1_000)?;
/// let cookie = page.set_cookie.split(';').next().unwrap();
/// // The post carries both.
/// assert!(tokens.verify_at(&page.token, cookie, 1_060).is_ok());
/// // Another browser's cookie (the token moved), no cookie, no token: refused.
/// let other = tokens.issue_at("", 1_000)?;
/// let other_cookie = other.set_cookie.split(';').next().unwrap();
/// assert_eq!(tokens.verify_at(&page.token, other_cookie, 1_060).unwrap_err().code(), "CSRF");
/// assert_eq!(tokens.verify_at(&page.token, "", 1_060).unwrap_err().code(), "CSRF");
/// assert_eq!(tokens.verify_at("", cookie, 1_060).unwrap_err().code(), "CSRF");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct PreSessionTokens {
    sealer: Sealer,
    attributes: CookieAttributes,
    ttl: u64,
}

impl PreSessionTokens {
    /// Tokens under `keyring` (a site's session keyring: rotating it rotates them), with
    /// the cookie [`DEFAULT_PRE_SESSION_COOKIE`] and [`DEFAULT_PRE_SESSION_TTL`].
    ///
    /// ```
    /// use cookie_seal::{Key, Keyring, PreSessionTokens};
    /// let tokens = PreSessionTokens::new(Keyring::new("k1", Key::generate()?)?)?;
    /// assert_eq!(tokens.cookie_name(), "__Host-csrf");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn new(keyring: Keyring) -> Result<PreSessionTokens, Error> {
        PreSessionTokens::with_options(
            keyring,
            DEFAULT_PRE_SESSION_COOKIE,
            DEFAULT_PRE_SESSION_TTL,
            true,
        )
    }

    /// Tokens with another cookie name and lifetime (1 second to 1 day). `secure: false`
    /// drops the cookie's `Secure` attribute, for a development server on plain HTTP only;
    /// a `__Host-` or `__Secure-` name then fails with `INVALID_OPTION`, as browsers would
    /// drop the cookie.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cookie_seal::{Key, Keyring, PreSessionTokens};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// let dev = PreSessionTokens::with_options(ring.clone(), "dev-csrf", Duration::from_secs(600), false)?;
    /// assert!(!dev.issue_at("", 1_000)?.set_cookie.contains("Secure"));
    /// let err = PreSessionTokens::with_options(ring.clone(), "__Host-csrf", Duration::from_secs(600), false);
    /// assert_eq!(err.unwrap_err().code(), "INVALID_OPTION");
    /// let err = PreSessionTokens::with_options(ring, "csrf", Duration::from_secs(7 * 86_400), true);
    /// assert_eq!(err.unwrap_err().code(), "INVALID_OPTION");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn with_options(
        keyring: Keyring,
        cookie_name: &str,
        ttl: Duration,
        secure: bool,
    ) -> Result<PreSessionTokens, Error> {
        if ttl.as_secs() == 0 || ttl > MAX_TTL {
            return Err(Error::InvalidOption(
                "a pre-session token lives from 1 second to 1 day".into(),
            ));
        }
        let attributes = CookieAttributes {
            secure,
            ..CookieAttributes::default()
        };
        attributes.check(cookie_name)?;
        let sealer = Sealer::builder(keyring, cookie_name)
            .purpose(PURPOSE)
            .ttl(ttl)
            .build()?;
        Ok(PreSessionTokens {
            sealer,
            attributes,
            ttl: ttl.as_secs(),
        })
    }

    /// The name of the cookie the tokens are bound to.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use cookie_seal::{Key, Keyring, PreSessionTokens};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// let tokens = PreSessionTokens::with_options(ring, "__Host-signin", Duration::from_secs(900), true)?;
    /// assert_eq!(tokens.cookie_name(), "__Host-signin");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn cookie_name(&self) -> &str {
        self.sealer.cookie_name()
    }

    /// A token for the form of a page answering a request whose `Cookie` header is
    /// `cookie_header`, as of `now` (seconds since the Unix epoch). The request's own
    /// pre-session value is kept when it has one, so forms open in several tabs all stay
    /// valid; otherwise a fresh random one is made. The `Set-Cookie` is due either way (it
    /// renews the cookie's lifetime).
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, PreSessionTokens};
    /// # let tokens = PreSessionTokens::new(Keyring::new("k1", Key::generate()?)?)?;
    /// let first = tokens.issue_at("", 1_000)?;
    /// let cookie = first.set_cookie.split(';').next().unwrap();
    /// let second = tokens.issue_at(cookie, 1_010)?;
    /// assert!(second.set_cookie.starts_with(cookie)); // the same value, renewed
    /// assert!(tokens.verify_at(&first.token, cookie, 1_020).is_ok());
    /// assert!(tokens.verify_at(&second.token, cookie, 1_020).is_ok());
    /// assert!(first.set_cookie.contains("Max-Age=3600; Path=/; Secure; HttpOnly; SameSite=Lax"));
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn issue_at(&self, cookie_header: &str, now: u64) -> Result<PreSessionToken, Error> {
        let value = match self.value_in(cookie_header) {
            Some(value) => value.to_owned(),
            None => {
                let mut bytes = [0u8; VALUE_BYTES];
                getrandom::fill(&mut bytes).map_err(|_| Error::RandomFailed)?;
                crate::b64::encode(&bytes)
            }
        };
        let token = self.sealer.seal_bytes_at(&json_string(&value), now)?;
        let set_cookie = self
            .attributes
            .set_cookie(self.cookie_name(), &value, Some(self.ttl));
        Ok(PreSessionToken { token, set_cookie })
    }

    /// `Ok` when `token` was issued under a key of the ring for the pre-session value in
    /// `cookie_header` and has not expired; otherwise [`Error::Csrf`]: the token missing,
    /// the cookie missing (the page was not loaded in this browser, or over an hour ago),
    /// the token expired, or made for another value (moved from another browser). The
    /// values are compared in constant time.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, PreSessionTokens};
    /// # let tokens = PreSessionTokens::new(Keyring::new("k1", Key::generate()?)?)?;
    /// let page = tokens.issue_at("", 1_000)?;
    /// let cookie = page.set_cookie.split(';').next().unwrap();
    /// // An hour, and the 60 s every sealed value allows for clock skew between servers.
    /// let err = tokens.verify_at(&page.token, cookie, 1_000 + 3_600 + 61).unwrap_err();
    /// assert_eq!(err.to_string(), "anti-forgery token expired: reload the page");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn verify_at(&self, token: &str, cookie_header: &str, now: u64) -> Result<(), Error> {
        let token = token.trim();
        if token.is_empty() {
            return Err(Error::Csrf("missing"));
        }
        let Some(value) = self.value_in(cookie_header) else {
            return Err(Error::Csrf(
                "has no cookie to match in this browser: reload the page",
            ));
        };
        let expected = json_string(value);
        open_token(
            &self.sealer,
            token,
            &expected,
            now,
            "not valid for this browser",
        )
    }

    /// The `Set-Cookie` that deletes the pre-session cookie (after sign-in, for tidiness:
    /// left alone it expires within its lifetime and is worth nothing without the key).
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, PreSessionTokens};
    /// # let tokens = PreSessionTokens::new(Keyring::new("k1", Key::generate()?)?)?;
    /// assert!(tokens.clear_cookie().starts_with("__Host-csrf=; Max-Age=0"));
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn clear_cookie(&self) -> String {
        self.attributes.expire(self.cookie_name())
    }

    /// The request's pre-session value: the first cookie of that name that has the shape
    /// this type writes. Anything else (a value planted by hand, a header too large to
    /// read) counts as none.
    fn value_in<'a>(&self, cookie_header: &'a str) -> Option<&'a str> {
        let pairs = cookie_pairs(cookie_header).ok()?;
        pairs
            .into_iter()
            .filter(|(name, _)| *name == self.cookie_name())
            .map(|(_, value)| value)
            .find(|value| {
                value.len() == VALUE_LEN
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
    }
}
