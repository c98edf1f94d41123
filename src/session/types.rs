//! What the lifecycle hands the application: the session, the sign-in options and why a
//! session should be written again.

use serde::de::DeserializeOwned;

use super::id::{SessionId, Subject};
use super::revocation::SessionInfo;
use crate::Error;

/// Options for [`SessionManager::sign_in`](crate::SessionManager::sign_in).
///
/// ```
/// use cookie_seal::{SignIn, Subject};
/// let options = SignIn::default().remember_me(true).subject(Subject::new("user-42", 1)?);
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct SignIn {
    pub(super) remember_me: bool,
    pub(super) subject: Option<Subject>,
}

impl SignIn {
    /// A persistent cookie with the longer remember-me lifetimes, instead of a
    /// browser-session cookie.
    ///
    /// ```
    /// let _ = cookie_seal::SignIn::default().remember_me(true);
    /// ```
    pub fn remember_me(mut self, remember: bool) -> Self {
        self.remember_me = remember;
        self
    }

    /// The subject, for revocation by subject generation.
    ///
    /// ```
    /// let _ = cookie_seal::SignIn::default().subject(cookie_seal::Subject::new("u1", 0)?);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn subject(mut self, subject: Subject) -> Self {
        self.subject = Some(subject);
        self
    }
}

/// Why a session should be written again.
///
/// ```
/// use cookie_seal::ResealReason;
/// assert_eq!(ResealReason::KeyRotation.as_str(), "key-rotation");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResealReason {
    /// Sealed under a key that is no longer the primary.
    KeyRotation,
    /// Less than the renewal fraction of the idle window remains.
    Renewal,
    /// Cookies from an older, differently chunked write are still in the browser.
    StaleCookies,
    /// The session id was regenerated (sign-in or privilege change).
    NewId,
    /// A store's revalidation window has passed since the cookie was sealed: it was
    /// checked against the store just now, and writing it records that.
    Revalidation,
}

impl ResealReason {
    /// A short stable name, the same string as in JavaScript.
    ///
    /// ```
    /// assert_eq!(cookie_seal::ResealReason::Renewal.as_str(), "renewal");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ResealReason::KeyRotation => "key-rotation",
            ResealReason::Renewal => "renewal",
            ResealReason::Revalidation => "revalidation",
            ResealReason::StaleCookies => "stale-cookies",
            ResealReason::NewId => "new-id",
        }
    }
}

/// A session: the application's data and the claims the lifecycle keeps about it.
///
/// ```
/// use cookie_seal::{Key, Keyring, SessionManager, SignIn};
/// let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
/// let session = manager.sign_in(vec!["cart-item"], SignIn::default(), 1_000)?;
/// assert_eq!(session.signed_in_at, 1_000);
/// assert_eq!(session.absolute_expires_at, 1_000 + 12 * 3_600);
/// assert!(session.needs_reseal());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Session<T> {
    /// The application's data.
    pub data: T,
    /// The session id.
    pub id: SessionId,
    /// The subject, if the session has one.
    pub subject: Option<Subject>,
    /// Sign-in time; it travels across every re-seal.
    pub signed_in_at: u64,
    /// When the current cookie was sealed.
    pub issued_at: u64,
    /// When the current cookie stops opening unless renewed (the idle deadline).
    pub expires_at: u64,
    /// When the session ends whatever happens: sign-in time plus the absolute lifetime.
    pub absolute_expires_at: u64,
    /// Whether this is a remember-me session (persistent cookie, longer lifetimes).
    pub remember_me: bool,
    /// When a store last confirmed the session (its `validated_at` claim), or `None` if the
    /// cookie never carried one. [`StoredSessions`](crate::store::StoredSessions) with a
    /// revalidation window sets it after a lookup and trusts it until the window passes;
    /// every other write carries it unchanged. A write refuses (`INVALID_OPTION`) one later
    /// than the new cookie's issue time plus the leeway, the bound a reader checks.
    pub validated_at: Option<u64>,
    /// Key that opened it (empty for a session not yet written).
    pub key_id: String,
    /// Why it should be written again, if it should.
    pub reseal: Option<ResealReason>,
    /// Cookie names the request carried, so the next write deletes the ones it no longer uses.
    pub(crate) present: Vec<String>,
}

impl<T> Session<T> {
    /// True when the session should be written again (see [`Session::reseal`]).
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, SignIn};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let session = manager.sign_in((), SignIn::default(), 1_000)?;
    /// assert!(session.needs_reseal()); // never written yet
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn needs_reseal(&self) -> bool {
        self.reseal.is_some()
    }

    /// Gives the session a fresh id, as after a privilege change (session fixation
    /// defence); the next write carries it.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, SignIn};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let mut session = manager.sign_in((), SignIn::default(), 1_000)?;
    /// let before = session.id;
    /// session.regenerate_id()?;
    /// assert_ne!(session.id, before);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn regenerate_id(&mut self) -> Result<(), Error> {
        self.id = SessionId::generate()?;
        self.reseal = Some(ResealReason::NewId);
        Ok(())
    }

    /// What revocation decides on: the session's identity and deadlines, no payload.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, SignIn};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let session = manager.sign_in((), SignIn::default(), 1_000)?;
    /// let info = session.info();
    /// assert_eq!((*info.id, info.signed_in_at), (session.id, 1_000));
    /// assert_eq!(info.absolute_expires_at, session.absolute_expires_at);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn info(&self) -> SessionInfo<'_> {
        SessionInfo {
            id: &self.id,
            subject: self.subject.as_ref(),
            signed_in_at: self.signed_in_at,
            absolute_expires_at: self.absolute_expires_at,
        }
    }

    /// Cookie names the request carried, in the order the reader lists them.
    #[cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "js-sessions"))]
    pub(crate) fn present_cookies(&self) -> &[String] {
        &self.present
    }

    pub(crate) fn with_data<U>(self, data: U) -> Session<U> {
        Session {
            data,
            id: self.id,
            subject: self.subject,
            signed_in_at: self.signed_in_at,
            issued_at: self.issued_at,
            expires_at: self.expires_at,
            absolute_expires_at: self.absolute_expires_at,
            remember_me: self.remember_me,
            validated_at: self.validated_at,
            key_id: self.key_id,
            reseal: self.reseal,
            present: self.present,
        }
    }
}

impl<'a, T> From<&'a Session<T>> for SessionInfo<'a> {
    fn from(session: &'a Session<T>) -> Self {
        session.info()
    }
}

impl Session<Vec<u8>> {
    /// Parses the payload bytes as JSON into `T`, keeping every claim. A payload that is
    /// not JSON for `T` is [`Error::Payload`].
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, SignIn};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let bytes = manager.sign_in(br#"{"uid":7}"#.to_vec(), SignIn::default(), 1_000)?;
    /// let typed = bytes.clone().into_json::<serde_json::Value>()?;
    /// assert_eq!((typed.data["uid"].as_u64(), typed.id), (Some(7), bytes.id));
    /// assert_eq!(bytes.into_json::<String>().unwrap_err().code(), "PAYLOAD");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn into_json<T: DeserializeOwned>(self) -> Result<Session<T>, Error> {
        let data =
            serde_json::from_slice(&self.data).map_err(|err| Error::Payload(err.to_string()))?;
        Ok(self.with_data(data))
    }
}

/// The npm package keeps a session in JavaScript between the read and the next write, as
/// plain values; the wasm binding (`src/wasm/sessions.rs`) rebuilds the `Session` from them.
/// These two are all it needs that is not public: the cookie names the request carried (so
/// the write deletes stale chunks) and a way to put them back. Only that binding's build
/// (feature `js-sessions`) has them, or the Sealer-only wasm build warns of dead code.
#[cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "js-sessions"))]
impl Session<Vec<u8>> {
    /// A session holding exactly what [`SessionManager::set_cookies_bytes_at`](crate::SessionManager::set_cookies_bytes_at) reads: the
    /// payload, id, subject, sign-in time, remember-me flag, key id (empty: never written,
    /// as after sign-in) and the cookies the request carried. A write computes `issued_at`
    /// and both deadlines itself from the sign-in time, the lifetimes and `now`, so they are
    /// not inputs; they are set to the sign-in time here, and `reseal` to none. The
    /// validation time is the one the cookie carried, so a JavaScript write keeps it.
    #[allow(clippy::too_many_arguments)] // one per part a write uses
    pub(crate) fn for_write(
        data: Vec<u8>,
        id: SessionId,
        subject: Option<Subject>,
        signed_in_at: u64,
        remember_me: bool,
        validated_at: Option<u64>,
        key_id: String,
        present: Vec<String>,
    ) -> Self {
        Session {
            data,
            id,
            subject,
            signed_in_at,
            issued_at: signed_in_at,
            expires_at: signed_in_at,
            absolute_expires_at: signed_in_at,
            remember_me,
            validated_at,
            key_id,
            reseal: None,
            present,
        }
    }
}
