//! Session-bound anti-forgery tokens.

use std::time::Duration;

use super::{json_string, open_token};
use crate::{Error, Keyring, Sealer, SessionId};

/// The purpose bound into every token, so a token never opens as a session cookie or as
/// any other sealed value, nor the reverse.
const TOKEN_PURPOSE: &str = "csrf-token";
/// Default token lifetime: the default absolute lifetime of an ordinary session, so a
/// page left open stays usable for as long as its session can.
pub const DEFAULT_CSRF_TTL: Duration = Duration::from_secs(12 * 3_600);

/// Session-bound anti-forgery tokens: a token is the session id sealed with the keyring
/// under a purpose of its own (XAES-256-GCM, as the cookie itself), so no key material is
/// derived by hand. It verifies only for the session it was made for, so a token taken
/// from the attacker's own session is useless in the victim's; it stops verifying when
/// the session id changes (sign-in, [`Session::regenerate_id`](crate::Session::regenerate_id))
/// and when it expires. The server stores nothing. The id comparison is constant-time.
///
/// ```
/// use cookie_seal::{CsrfTokens, Key, Keyring, SessionId};
/// let tokens = CsrfTokens::new(Keyring::new("k1", Key::generate()?)?, "__Host-session")?;
/// let (mine, theirs) = (SessionId::generate()?, SessionId::generate()?);
/// let token = tokens.token_at(&mine, 1_000)?;
/// assert!(tokens.verify_at(&token, &mine, 1_060).is_ok());
/// assert_eq!(tokens.verify_at(&token, &theirs, 1_060).unwrap_err().code(), "CSRF");
/// assert_eq!(tokens.verify_at("", &mine, 1_060).unwrap_err().code(), "CSRF");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CsrfTokens {
    sealer: Sealer,
}

impl CsrfTokens {
    /// Tokens under `keyring` (the session manager's: rotating it rotates them, and tokens
    /// made under a key still in the ring keep verifying) for the session cookie
    /// `cookie_name`, living [`DEFAULT_CSRF_TTL`].
    ///
    /// ```
    /// use cookie_seal::{CsrfTokens, Key, Keyring};
    /// assert!(CsrfTokens::new(Keyring::new("k1", Key::generate()?)?, "a b").is_err());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn new(keyring: Keyring, cookie_name: &str) -> Result<CsrfTokens, Error> {
        CsrfTokens::with_ttl(keyring, cookie_name, DEFAULT_CSRF_TTL)
    }

    /// [`new`](Self::new) with another token lifetime.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cookie_seal::{CsrfTokens, Key, Keyring, SessionId};
    /// let tokens = CsrfTokens::with_ttl(Keyring::new("k1", Key::generate()?)?, "s", Duration::from_secs(600))?;
    /// let id = SessionId::generate()?;
    /// let token = tokens.token_at(&id, 1_000)?;
    /// assert_eq!(tokens.verify_at(&token, &id, 1_000 + 3_600).unwrap_err().code(), "CSRF");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn with_ttl(
        keyring: Keyring,
        cookie_name: &str,
        ttl: Duration,
    ) -> Result<CsrfTokens, Error> {
        let sealer = Sealer::builder(keyring, cookie_name)
            .purpose(TOKEN_PURPOSE)
            .ttl(ttl)
            .build()?;
        Ok(CsrfTokens { sealer })
    }

    /// A token for the session `id`, as of `now` (seconds since the Unix epoch). Each call
    /// gives a different text (a fresh nonce); every one verifies.
    ///
    /// ```
    /// # use cookie_seal::{CsrfTokens, Key, Keyring, SessionId};
    /// # let tokens = CsrfTokens::new(Keyring::new("k1", Key::generate()?)?, "s")?;
    /// let id = SessionId::generate()?;
    /// let (a, b) = (tokens.token_at(&id, 1_000)?, tokens.token_at(&id, 1_000)?);
    /// assert_ne!(a, b);
    /// assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.'));
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn token_at(&self, id: &SessionId, now: u64) -> Result<String, Error> {
        self.sealer
            .seal_bytes_at(&json_string(&id.to_string()), now)
    }

    /// `Ok` when `token` was made by [`token_at`](Self::token_at) for the session `id`,
    /// under a key of the ring, and has not expired; otherwise [`Error::Csrf`].
    ///
    /// ```
    /// # use cookie_seal::{CsrfTokens, Key, Keyring, SessionId};
    /// # let tokens = CsrfTokens::new(Keyring::new("k1", Key::generate()?)?, "s")?;
    /// let id = SessionId::generate()?;
    /// let mut token = tokens.token_at(&id, 1_000)?;
    /// token.pop();
    /// assert_eq!(tokens.verify_at(&token, &id, 1_000).unwrap_err().code(), "CSRF");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn verify_at(&self, token: &str, id: &SessionId, now: u64) -> Result<(), Error> {
        let token = token.trim();
        if token.is_empty() {
            return Err(Error::Csrf("missing"));
        }
        let expected = json_string(&id.to_string());
        open_token(
            &self.sealer,
            token,
            &expected,
            now,
            "not valid for this session",
        )
    }
}
