//! The session lifecycle on top of [`Sealer`]: sign-in, reading the `Cookie` header,
//! sliding and absolute expiry, remember-me, chunking, revocation, and the `Set-Cookie`
//! headers for each step.
//!
//! A chunked session is sealed once, with the chunk count in the associated data, and the
//! value is cut into pieces: `name.0` holds `"<count>."` and the first piece, `name.1`… the
//! rest. Sealing once (rather than each piece) means pieces of two different sessions can
//! never be spliced together: any missing, reordered or foreign piece fails authentication.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use crate::clock::now;
use crate::cookie::{CookieAttributes, MAX_SAME_NAME, SameSite, cookie_pairs};
use crate::format::{
    BROWSER_COOKIE_LIMIT, ChunkPosition, Claims, SESSION_ID_LEN, SUBJECT_MAX_LEN, capacity_for,
};
use crate::revocation::{Revocation, SessionInfo};
use crate::{Error, Keyring, Sealer};

/// Most cookies one session may be split across.
///
/// ```
/// use cookie_seal::{Key, Keyring, MAX_CHUNKS_LIMIT, SessionManager};
/// let ring = Keyring::new("k1", Key::generate()?)?;
/// assert!(SessionManager::builder(ring.clone(), "__Host-s").max_chunks(MAX_CHUNKS_LIMIT).build().is_ok());
/// assert!(SessionManager::builder(ring, "__Host-s").max_chunks(MAX_CHUNKS_LIMIT + 1).build().is_err());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const MAX_CHUNKS_LIMIT: usize = 10;
/// Default idle timeout: 2 hours without a request ends an ordinary session.
///
/// ```
/// use cookie_seal::{DEFAULT_IDLE_TIMEOUT, Key, Keyring, SessionManager, SignIn};
/// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
/// let s = m.sign_in((), SignIn::default(), 1_000)?;
/// assert_eq!(s.expires_at, 1_000 + DEFAULT_IDLE_TIMEOUT.as_secs());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(2 * 3_600);
/// Default absolute lifetime of an ordinary session: 12 hours after sign-in, renewals or not.
///
/// ```
/// use cookie_seal::{DEFAULT_ABSOLUTE_LIFETIME, Key, Keyring, SessionManager, SignIn};
/// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
/// let s = m.sign_in((), SignIn::default(), 1_000)?;
/// assert_eq!(s.absolute_expires_at, 1_000 + DEFAULT_ABSOLUTE_LIFETIME.as_secs());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const DEFAULT_ABSOLUTE_LIFETIME: Duration = Duration::from_secs(12 * 3_600);
/// Default idle timeout of a remember-me session: 14 days.
///
/// ```
/// use cookie_seal::{DEFAULT_REMEMBER_IDLE, Key, Keyring, SessionManager, SignIn};
/// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
/// let s = m.sign_in((), SignIn::default().remember_me(true), 1_000)?;
/// assert_eq!(s.expires_at, 1_000 + DEFAULT_REMEMBER_IDLE.as_secs());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const DEFAULT_REMEMBER_IDLE: Duration = Duration::from_secs(14 * 86_400);
/// Default absolute lifetime of a remember-me session: 30 days.
///
/// ```
/// use cookie_seal::{DEFAULT_REMEMBER_ABSOLUTE, Key, Keyring, SessionManager, SignIn};
/// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
/// let s = m.sign_in((), SignIn::default().remember_me(true), 1_000)?;
/// assert_eq!(s.absolute_expires_at, 1_000 + DEFAULT_REMEMBER_ABSOLUTE.as_secs());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const DEFAULT_REMEMBER_ABSOLUTE: Duration = Duration::from_secs(30 * 86_400);

/// A random 128-bit session id: fresh at sign-in and at every privilege change, kept
/// across ordinary renewals. Shown as 22 characters of base64url.
///
/// ```
/// use cookie_seal::SessionId;
/// let id = SessionId::generate()?;
/// assert_eq!(id.to_string().len(), 22);
/// assert_eq!(id.to_string().parse::<SessionId>()?, id);
/// assert_ne!(SessionId::generate()?, id);
/// assert_eq!("short".parse::<SessionId>().unwrap_err().code(), "MALFORMED");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionId([u8; SESSION_ID_LEN]);

impl SessionId {
    /// A new random id.
    ///
    /// ```
    /// assert!(cookie_seal::SessionId::generate().is_ok());
    /// ```
    pub fn generate() -> Result<SessionId, Error> {
        let mut bytes = [0u8; SESSION_ID_LEN];
        getrandom::fill(&mut bytes).map_err(|_| Error::RandomFailed)?;
        Ok(SessionId(bytes))
    }

    /// The 16 bytes.
    ///
    /// ```
    /// assert_eq!(cookie_seal::SessionId::generate()?.as_bytes().len(), 16);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8; SESSION_ID_LEN] {
        &self.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&URL_SAFE_NO_PAD.encode(self.0))
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({self})")
    }
}

impl std::str::FromStr for SessionId {
    type Err = Error;
    fn from_str(text: &str) -> Result<SessionId, Error> {
        if text.len() != 22 {
            return Err(Error::Malformed("a session id is 22 base64url characters"));
        }
        let bytes = crate::format::decode(text)?;
        bytes
            .try_into()
            .map(SessionId)
            .map_err(|_| Error::Malformed("session id length"))
    }
}

/// Who a session belongs to, for revocation: an application id (1 to 128 bytes) and a
/// generation the application bumps to sign that subject out everywhere.
///
/// ```
/// let s = cookie_seal::Subject::new("user-42", 3)?;
/// assert_eq!((s.id.as_str(), s.generation), ("user-42", 3));
/// assert_eq!(cookie_seal::Subject::new("", 0).unwrap_err().code(), "INVALID_OPTION");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The application's id for the user (or device, or API client).
    pub id: String,
    /// Sessions sealed with a lower generation than the revoked one are refused.
    pub generation: u64,
}

impl Subject {
    /// Checks the id's length.
    ///
    /// ```
    /// assert!(cookie_seal::Subject::new(&"x".repeat(129), 0).is_err());
    /// ```
    pub fn new(id: &str, generation: u64) -> Result<Subject, Error> {
        if id.is_empty() || id.len() > SUBJECT_MAX_LEN {
            return Err(Error::InvalidOption(format!(
                "subject id must be 1 to {SUBJECT_MAX_LEN} bytes"
            )));
        }
        Ok(Subject {
            id: id.to_owned(),
            generation,
        })
    }
}

/// Options for [`SessionManager::sign_in`].
///
/// ```
/// use cookie_seal::{SignIn, Subject};
/// let options = SignIn::default().remember_me(true).subject(Subject::new("user-42", 1)?);
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct SignIn {
    remember_me: bool,
    subject: Option<Subject>,
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
    /// Key that opened it (empty for a session not yet written).
    pub key_id: String,
    /// Why it should be written again, if it should.
    pub reseal: Option<ResealReason>,
    /// Cookie names the request carried, so the next write deletes the ones it no longer uses.
    present: Vec<String>,
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
            key_id: self.key_id,
            reseal: self.reseal,
            present: self.present,
        }
    }
}

/// The npm package keeps a session in JavaScript between the read and the next write, as
/// plain values; the wasm binding (`src/wasm/sessions.rs`) rebuilds the `Session` from them.
/// These two are all it needs that is not public: the cookie names the request carried (so
/// the write deletes stale chunks) and a way to put them back. Only that binding's build
/// (feature `js-sessions`) has them, or the Sealer-only wasm build warns of dead code.
#[cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "js-sessions"))]
impl Session<Vec<u8>> {
    /// Cookie names the request carried, in the order the reader lists them.
    pub(crate) fn present_cookies(&self) -> &[String] {
        &self.present
    }

    /// A session holding exactly what [`SessionManager::set_cookies_bytes_at`] reads: the
    /// payload, id, subject, sign-in time, remember-me flag, key id (empty: never written,
    /// as after sign-in) and the cookies the request carried. A write computes `issued_at`
    /// and both deadlines itself from the sign-in time, the lifetimes and `now`, so they are
    /// not inputs; they are set to the sign-in time here, and `reseal` to none.
    pub(crate) fn for_write(
        data: Vec<u8>,
        id: SessionId,
        subject: Option<Subject>,
        signed_in_at: u64,
        remember_me: bool,
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
            key_id,
            reseal: None,
            present,
        }
    }
}

/// Sessions in cookies: reads the `Cookie` header, decides expiry and renewal, writes the
/// `Set-Cookie` headers. Build once and share; it is `Send + Sync`.
///
/// ```
/// use cookie_seal::{Key, Keyring, SessionManager, SignIn};
/// use serde_json::json;
///
/// let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-session").build()?;
/// let now = 1_700_000_000;
///
/// // Sign-in: a fresh session id, then the Set-Cookie header(s).
/// let session = manager.sign_in(json!({ "uid": 42 }), SignIn::default(), now)?;
/// let set_cookie = manager.set_cookies_at(&session, now)?;
/// assert!(set_cookie[0].ends_with("; Path=/; Secure; HttpOnly; SameSite=Lax"));
///
/// // The next request: read it from the Cookie header.
/// let cookie_header = format!("theme=dark; {}", set_cookie[0].split(';').next().unwrap());
/// let read = manager.read_at::<serde_json::Value>(&cookie_header, now + 60)?.expect("signed in");
/// assert_eq!(read.data["uid"], 42);
/// assert!(!read.needs_reseal());
///
/// // Sign-out clears the cookie.
/// assert!(manager.clear_cookies()[0].contains("Max-Age=0"));
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Clone)]
pub struct SessionManager {
    sealer: Sealer,
    cookie: CookieAttributes,
    idle: u64,
    absolute: u64,
    remember_idle: u64,
    remember_absolute: u64,
    renew_fraction: f64,
    max_chunks: usize,
    not_before: u64,
    revocation: Option<Arc<dyn Revocation>>,
}

impl fmt::Debug for SessionManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionManager")
            .field("sealer", &self.sealer)
            .field("cookie", &self.cookie)
            .field("idle", &self.idle)
            .field("absolute", &self.absolute)
            .field("max_chunks", &self.max_chunks)
            .finish_non_exhaustive()
    }
}

/// Options for a [`SessionManager`]; every one has a secure default.
///
/// ```
/// use std::time::Duration;
/// use cookie_seal::{Key, Keyring, SameSite, SessionManager};
/// let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-app")
///     .idle_timeout(Duration::from_secs(30 * 60))
///     .absolute_lifetime(Duration::from_secs(8 * 3_600))
///     .remember_me(Duration::from_secs(7 * 86_400), Duration::from_secs(30 * 86_400))
///     .same_site(SameSite::Strict)
///     .max_chunks(2)
///     .build()?;
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Clone)]
#[must_use = "a builder does nothing until .build() is called"]
pub struct SessionManagerBuilder {
    keyring: Keyring,
    name: String,
    purpose: String,
    leeway: Duration,
    cookie: CookieAttributes,
    idle: Duration,
    absolute: Duration,
    remember_idle: Duration,
    remember_absolute: Duration,
    renew_fraction: f64,
    max_chunks: usize,
    not_before: u64,
    revocation: Option<Arc<dyn Revocation>>,
}

impl SessionManager {
    /// Starts a manager for the cookie `cookie_name` (use a `__Host-` name in production).
    ///
    /// ```
    /// use cookie_seal::{Key, Keyring, SessionManager};
    /// let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// assert_eq!(manager.cookie_name(), "__Host-s");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn builder(keyring: Keyring, cookie_name: &str) -> SessionManagerBuilder {
        SessionManagerBuilder {
            keyring,
            name: cookie_name.to_owned(),
            purpose: crate::DEFAULT_PURPOSE.to_owned(),
            leeway: crate::DEFAULT_LEEWAY,
            cookie: CookieAttributes::default(),
            idle: DEFAULT_IDLE_TIMEOUT,
            absolute: DEFAULT_ABSOLUTE_LIFETIME,
            remember_idle: DEFAULT_REMEMBER_IDLE,
            remember_absolute: DEFAULT_REMEMBER_ABSOLUTE,
            renew_fraction: 0.5,
            max_chunks: 1,
            not_before: 0,
            revocation: None,
        }
    }

    /// The session cookie's name (chunks are `name.0`, `name.1`, …).
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// assert_eq!(m.cookie_name(), "__Host-s");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn cookie_name(&self) -> &str {
        self.sealer.cookie_name()
    }

    /// The longest a session can live after sign-in (the larger absolute lifetime), for
    /// sizing revocation storage.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// assert_eq!(m.longest_session().as_secs(), 30 * 86_400);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn longest_session(&self) -> Duration {
        Duration::from_secs(self.absolute.max(self.remember_absolute))
    }

    /// The largest payload (bytes of JSON) one cookie holds for a session with no subject.
    /// With chunking, about `max_chunks` times as much fits.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-session").build()?;
    /// assert_eq!(m.capacity(), 2_975);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn capacity(&self) -> usize {
        let session_claims = SESSION_ID_LEN + 8; // id and sign-in time
        let budget = self.value_budget(self.cookie_name().len());
        capacity_for(budget, self.sealer.keyring().primary_id().len())
            .map_or(0, |cap| cap.saturating_sub(session_claims))
    }

    /// Starts a session at sign-in: a fresh random id, the sign-in time, remember-me and
    /// subject from `options`. Nothing is sealed until [`set_cookies_at`](Self::set_cookies_at).
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, SignIn};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let s = m.sign_in("ada", SignIn::default().remember_me(true), 1_000)?;
    /// assert!(s.remember_me);
    /// assert_eq!(s.absolute_expires_at, 1_000 + 30 * 86_400);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn sign_in<T>(&self, data: T, options: SignIn, now: u64) -> Result<Session<T>, Error> {
        let (idle, absolute) = self.lifetimes(options.remember_me);
        let absolute_expires_at = now.saturating_add(absolute);
        Ok(Session {
            data,
            id: SessionId::generate()?,
            subject: options.subject,
            signed_in_at: now,
            issued_at: now,
            expires_at: now.saturating_add(idle).min(absolute_expires_at),
            absolute_expires_at,
            remember_me: options.remember_me,
            key_id: String::new(),
            reseal: Some(ResealReason::NewId),
            present: Vec::new(),
        })
    }

    /// [`read_at`](Self::read_at) with the system clock.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// assert!(m.read::<u32>("other=1")?.is_none());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn read<T: DeserializeOwned>(
        &self,
        cookie_header: &str,
    ) -> Result<Option<Session<T>>, Error> {
        self.read_at(cookie_header, now()?)
    }

    /// Finds the session in a `Cookie` request header and opens it. `Ok(None)` when the
    /// header has no session cookie; an error when one is there but does not open (treat
    /// the user as signed out, and send [`clear_cookies`](Self::clear_cookies)).
    ///
    /// Several cookies of the session's name (cookie tossing) are tried in order, at most
    /// three; names are case-sensitive.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// assert!(m.read_at::<u32>("", 1_000)?.is_none());
    /// assert!(m.read_at::<u32>("__host-s=abc", 1_000)?.is_none()); // another name
    /// assert_eq!(m.read_at::<u32>("__Host-s=%%", 1_000).unwrap_err().code(), "MALFORMED");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn read_at<T: DeserializeOwned>(
        &self,
        cookie_header: &str,
        now: u64,
    ) -> Result<Option<Session<T>>, Error> {
        let Some(session) = self.read_bytes_at(cookie_header, now)? else {
            return Ok(None);
        };
        let data =
            serde_json::from_slice(&session.data).map_err(|err| Error::Payload(err.to_string()))?;
        Ok(Some(session.with_data(data)))
    }

    /// [`read_at`](Self::read_at) without JSON: the payload as bytes.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, SignIn};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let s = m.sign_in(b"{}".to_vec(), SignIn::default(), 1_000)?;
    /// let cookie = m.set_cookies_bytes_at(&s, 1_000)?[0].split(';').next().unwrap().to_owned();
    /// assert_eq!(m.read_bytes_at(&cookie, 1_000)?.unwrap().data, b"{}");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn read_bytes_at(
        &self,
        cookie_header: &str,
        now: u64,
    ) -> Result<Option<Session<Vec<u8>>>, Error> {
        self.read_bytes_at_with(cookie_header, now, |_| false)
    }

    /// [`read_bytes_at`](Self::read_bytes_at) with one more revocation check for this call:
    /// `is_revoked` sees each candidate that passed every other check (authentication,
    /// expiry, the not-before cutoff, the manager's [`Revocation`] hook), in header order,
    /// and a `true` refuses that candidate with `REVOKED` exactly as the hook would, so the
    /// next same-name cookie is still tried. Unlike the hook it need not be `Send + Sync` or
    /// `'static`: it may borrow request-local state, such as revocations looked up for this
    /// request. The JavaScript package runs its `isRevoked` callback through this.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, SignIn};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let s = m.sign_in(b"{}".to_vec(), SignIn::default(), 1_000)?;
    /// let cookie = m.set_cookies_bytes_at(&s, 1_000)?[0].split(';').next().unwrap().to_owned();
    /// let revoked_here = [s.id]; // e.g. fetched for this request
    /// let err = m.read_bytes_at_with(&cookie, 1_000, |info| revoked_here.contains(info.id));
    /// assert_eq!(err.unwrap_err().code(), "REVOKED");
    /// assert!(m.read_bytes_at_with(&cookie, 1_000, |_| false)?.is_some());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn read_bytes_at_with(
        &self,
        cookie_header: &str,
        now: u64,
        mut is_revoked: impl FnMut(&SessionInfo<'_>) -> bool,
    ) -> Result<Option<Session<Vec<u8>>>, Error> {
        let pairs = cookie_pairs(cookie_header)?;
        let name = self.cookie_name();
        let chunk_names: Vec<String> = (0..MAX_CHUNKS_LIMIT)
            .map(|i| format!("{name}.{i}"))
            .collect();
        let present: Vec<String> = std::iter::once(name)
            .chain(chunk_names.iter().map(String::as_str))
            .filter(|n| pairs.iter().any(|(p, _)| p == n))
            .map(str::to_owned)
            .collect();
        if present.is_empty() {
            return Ok(None);
        }

        // Every candidate gets the full check, lifecycle rules included, so an old or
        // planted cookie that authenticates but is expired or revoked cannot hide the real one.
        let mut first_error = None;
        let whole = pairs.iter().filter(|(n, _)| *n == name).take(MAX_SAME_NAME);
        for (_, value) in whole {
            let result = self
                .open_value(value, ChunkPosition::default(), now)
                .and_then(|opened| self.finish(opened, &present, 1, now, &mut is_revoked));
            match result {
                Ok(session) => return Ok(Some(session)),
                Err(err) => {
                    first_error.get_or_insert(err);
                }
            }
        }
        if present.contains(&chunk_names[0]) {
            let first = |n: &str| pairs.iter().find(|(p, _)| *p == n).map(|(_, v)| *v);
            let result = self
                .join_chunks(&chunk_names, first)
                .and_then(|(value, count)| {
                    let opened = self.open_value(&value, ChunkPosition { index: 0, count }, now)?;
                    self.finish(opened, &present, count as usize, now, &mut is_revoked)
                });
            match result {
                Ok(session) => return Ok(Some(session)),
                Err(err) => {
                    first_error.get_or_insert(err);
                }
            }
        }
        Err(first_error.unwrap_or(Error::Malformed("no session cookie")))
    }

    /// [`set_cookies_at`](Self::set_cookies_at) with the system clock.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, SignIn};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    /// let s = m.sign_in(1, SignIn::default(), now)?;
    /// assert_eq!(m.set_cookies(&s)?.len(), 1);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn set_cookies<T: Serialize>(&self, session: &Session<T>) -> Result<Vec<String>, Error> {
        self.set_cookies_at(session, now()?)
    }

    /// Seals the session as of `now` and returns the `Set-Cookie` header values: one per
    /// cookie written, plus deletions of cookies the request had that this write no longer
    /// uses. The idle deadline moves to `now + idle timeout`, never past the absolute one.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, SignIn};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let s = m.sign_in(serde_json::json!({"uid": 1}), SignIn::default().remember_me(true), 1_000)?;
    /// let headers = m.set_cookies_at(&s, 1_000)?;
    /// assert!(headers[0].starts_with("__Host-s="));
    /// assert!(headers[0].contains("; Max-Age=1209600;")); // 14 days: a persistent cookie
    ///
    /// // Past the absolute lifetime there is nothing left to write.
    /// let err = m.set_cookies_at(&s, 1_000 + 31 * 86_400).unwrap_err();
    /// assert_eq!(err.code(), "EXPIRED");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn set_cookies_at<T: Serialize>(
        &self,
        session: &Session<T>,
        now: u64,
    ) -> Result<Vec<String>, Error> {
        let json = Zeroizing::new(
            serde_json::to_vec(&session.data).map_err(|err| Error::Payload(err.to_string()))?,
        );
        self.write(session, &json, now)
    }

    /// [`set_cookies_at`](Self::set_cookies_at) for a payload that is already JSON bytes.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, SignIn};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let s = m.sign_in(br#"{"a":1}"#.to_vec(), SignIn::default(), 1_000)?;
    /// assert_eq!(m.set_cookies_bytes_at(&s, 1_000)?.len(), 1);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn set_cookies_bytes_at(
        &self,
        session: &Session<Vec<u8>>,
        now: u64,
    ) -> Result<Vec<String>, Error> {
        self.write(session, &session.data, now)
    }

    /// `Set-Cookie` values that delete the session: the cookie and every possible chunk.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").max_chunks(3).build()?;
    /// let headers = m.clear_cookies();
    /// assert_eq!(headers.len(), 4);
    /// assert_eq!(headers[3], "__Host-s.2=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn clear_cookies(&self) -> Vec<String> {
        self.cookie_names()
            .iter()
            .map(|n| self.cookie.expire(n))
            .collect()
    }

    /// Every cookie name a session may use: the name, and its chunks when chunking is on.
    fn cookie_names(&self) -> Vec<String> {
        let name = self.cookie_name();
        let chunks = if self.max_chunks > 1 {
            self.max_chunks
        } else {
            0
        };
        std::iter::once(name.to_owned())
            .chain((0..chunks).map(|i| format!("{name}.{i}")))
            .collect()
    }

    fn lifetimes(&self, remember_me: bool) -> (u64, u64) {
        if remember_me {
            (self.remember_idle, self.remember_absolute)
        } else {
            (self.idle, self.absolute)
        }
    }

    fn open_value(
        &self,
        value: &str,
        chunk: ChunkPosition,
        now: u64,
    ) -> Result<(Claims, Zeroizing<Vec<u8>>, String), Error> {
        let budget = if chunk.count == 0 {
            self.value_budget(self.cookie_name().len())
        } else {
            usize::MAX
        };
        if value.len() > budget {
            return Err(Error::TooLarge {
                actual: self.cookie_name().len() + 1 + value.len(),
                limit: self.sealer.max_len(),
            });
        }
        self.sealer.open_claims(value, now, chunk)
    }

    /// Joins `name.0` (`"<count>.<piece>"`) and `name.1`… into one value, checking every
    /// piece's size and that the count is in range.
    fn join_chunks<'a>(
        &self,
        chunk_names: &[String],
        first: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<(String, u8), Error> {
        let head = first(&chunk_names[0]).ok_or(Error::Malformed("missing chunk 0"))?;
        let (count, piece) = head
            .split_once('.')
            .ok_or(Error::Malformed("chunk 0 has no count"))?;
        // Strictly [1-9][0-9]?: one spelling per count, as every writer produces it.
        let canonical = matches!(count.len(), 1 | 2)
            && count.bytes().all(|b| b.is_ascii_digit())
            && !count.starts_with('0');
        let count: usize = match count.parse() {
            Ok(n) if canonical => n,
            _ => return Err(Error::Malformed("chunk count")),
        };
        if !(2..=self.max_chunks).contains(&count) {
            return Err(Error::Malformed("chunk count out of range"));
        }
        let mut value = String::new();
        for (i, chunk_name) in chunk_names.iter().enumerate().take(count) {
            let piece = if i == 0 {
                piece
            } else {
                first(chunk_name).ok_or(Error::Malformed("missing chunk"))?
            };
            let limit = self.sealer.max_len();
            let actual = chunk_name.len() + 1 + if i == 0 { head.len() } else { piece.len() };
            if actual > limit {
                return Err(Error::TooLarge { actual, limit });
            }
            value.push_str(piece);
        }
        Ok((value, count as u8))
    }

    /// Applies the lifecycle rules to an authentic value and builds the session.
    fn finish(
        &self,
        (claims, payload, key_id): (Claims, Zeroizing<Vec<u8>>, String),
        present: &[String],
        cookies_used: usize,
        now: u64,
        is_revoked: &mut dyn FnMut(&SessionInfo<'_>) -> bool,
    ) -> Result<Session<Vec<u8>>, Error> {
        let (Some(sid), Some(signed_in_at)) = (claims.session_id, claims.signed_in_at) else {
            // Authentic, but sealed by a plain Sealer for this name and purpose.
            return Err(Error::Malformed(
                "not a session value (no session id or sign-in time)",
            ));
        };
        let (idle, absolute) = self.lifetimes(claims.remember_me);
        let absolute_expires_at = signed_in_at.saturating_add(absolute);
        if now > absolute_expires_at.saturating_add(self.sealer.leeway()) {
            return Err(Error::Expired {
                expires_at: absolute_expires_at,
            });
        }
        let subject = claims
            .subject
            .map(|(id, generation)| Subject { id, generation });
        let id = SessionId(sid);
        if signed_in_at < self.not_before {
            return Err(Error::Revoked);
        }
        let info = SessionInfo {
            id: &id,
            subject: subject.as_ref(),
            signed_in_at,
            absolute_expires_at,
        };
        let hook = self.revocation.as_ref();
        if hook.is_some_and(|r| r.is_revoked(&info, now)) || is_revoked(&info) {
            return Err(Error::Revoked);
        }

        let remaining = claims.expires_at.saturating_sub(now);
        let renewed_deadline = now.saturating_add(idle).min(absolute_expires_at);
        let renewal_due = (remaining as f64) < (idle as f64) * self.renew_fraction
            && renewed_deadline > claims.expires_at;
        let stale = present.len() > cookies_used;
        let reseal = if key_id != self.sealer.keyring().primary_id() {
            Some(ResealReason::KeyRotation)
        } else if stale {
            Some(ResealReason::StaleCookies)
        } else if renewal_due {
            Some(ResealReason::Renewal)
        } else {
            None
        };
        Ok(Session {
            data: payload.to_vec(),
            id,
            subject,
            signed_in_at,
            issued_at: claims.issued_at,
            expires_at: claims.expires_at,
            absolute_expires_at,
            remember_me: claims.remember_me,
            key_id,
            reseal,
            present: present.to_vec(),
        })
    }

    fn value_budget(&self, name_len: usize) -> usize {
        self.sealer.max_len().saturating_sub(name_len + 1)
    }

    fn write<T>(
        &self,
        session: &Session<T>,
        payload: &[u8],
        now: u64,
    ) -> Result<Vec<String>, Error> {
        let (idle, absolute) = self.lifetimes(session.remember_me);
        let absolute_expires_at = session.signed_in_at.saturating_add(absolute);
        if now >= absolute_expires_at {
            return Err(Error::Expired {
                expires_at: absolute_expires_at,
            });
        }
        if let Some(subject) = &session.subject {
            // Subject's fields are public: re-check what Subject::new checked.
            Subject::new(&subject.id, subject.generation)?;
        }
        let expires_at = now.saturating_add(idle).min(absolute_expires_at);
        let claims = Claims {
            issued_at: now,
            expires_at,
            not_before: None,
            session_id: Some(session.id.0),
            signed_in_at: Some(session.signed_in_at),
            remember_me: session.remember_me,
            subject: session
                .subject
                .as_ref()
                .map(|s| (s.id.clone(), s.generation)),
        };
        let max_age = session.remember_me.then(|| expires_at - now);
        let name = self.cookie_name();
        let value_len = self.sealer.value_len_for(payload.len(), &claims);

        let mut written: Vec<(String, String)> = Vec::new();
        if value_len <= self.value_budget(name.len()) {
            let value = self
                .sealer
                .seal_claims(payload, &claims, ChunkPosition::default())?;
            written.push((name.to_owned(), value));
        } else {
            let count = self.chunks_needed(value_len);
            if self.max_chunks <= 1 {
                return Err(Error::TooLarge {
                    actual: name.len() + 1 + value_len,
                    limit: self.sealer.max_len(),
                });
            }
            if count > self.max_chunks {
                return Err(Error::TooManyChunks {
                    needed: count,
                    max: self.max_chunks,
                });
            }
            let position = ChunkPosition {
                index: 0,
                count: count as u8,
            };
            let value = self.sealer.seal_claims(payload, &claims, position)?;
            let mut rest = value.as_str();
            for i in 0..count {
                let chunk_name = format!("{name}.{i}");
                let prefix = if i == 0 {
                    format!("{count}.")
                } else {
                    String::new()
                };
                let room = self.chunk_room(i, count);
                let (piece, tail) = rest.split_at(room.min(rest.len()));
                written.push((chunk_name, prefix + piece));
                rest = tail;
            }
        }

        let mut headers: Vec<String> = written
            .iter()
            .map(|(n, v)| self.cookie.set_cookie(n, v, max_age))
            .collect();
        // A session that never came from a request (fresh from sign_in) cannot know what
        // the browser holds, so with chunking on it deletes every name it did not write.
        let possible = if session.key_id.is_empty() && self.max_chunks > 1 {
            self.cookie_names()
        } else {
            session.present.clone()
        };
        for stale in possible
            .iter()
            .filter(|p| !written.iter().any(|(n, _)| n == *p))
        {
            headers.push(self.cookie.expire(stale));
        }
        Ok(headers)
    }

    /// Characters of value cookie `name.{index}` holds when the session has `count` chunks:
    /// the budget less the name, and in the first cookie less the `"<count>."` prefix.
    fn chunk_room(&self, index: usize, count: usize) -> usize {
        let room = self.value_budget(self.cookie_name().len() + 1 + digits(index));
        let prefix = if index == 0 { digits(count) + 1 } else { 0 };
        room.saturating_sub(prefix)
    }

    /// Cookies needed for a value of `value_len` characters (at least 2 when chunked).
    /// Linear in the answer, which the caller compares with `max_chunks` (at most 10).
    fn chunks_needed(&self, value_len: usize) -> usize {
        let mut later_rooms = 0usize; // chunks 1.., whose room does not depend on the count
        let mut count = 1;
        loop {
            count += 1;
            later_rooms = later_rooms.saturating_add(self.chunk_room(count - 1, count).max(1));
            let room = later_rooms.saturating_add(self.chunk_room(0, count));
            // Each chunk adds at least one character, so this ends by count = value_len.
            if room >= value_len || count >= value_len {
                return count;
            }
        }
    }
}

fn digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

impl SessionManagerBuilder {
    /// The purpose bound into the cookie. Default `"session"`.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-a").purpose("admin").build()?;
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn purpose(mut self, purpose: &str) -> Self {
        purpose.clone_into(&mut self.purpose);
        self
    }

    /// Clock-skew allowance. Default 60 s, at most one hour.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-a")
    ///     .leeway(std::time::Duration::from_secs(5)).build()?;
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// How long an ordinary session survives without a request. Default 2 hours.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-a")
    ///     .idle_timeout(std::time::Duration::from_secs(900)).build()?;
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.idle = idle;
        self
    }

    /// How long an ordinary session lasts after sign-in, however active. Default 12 hours.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// let err = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-a")
    ///     .absolute_lifetime(std::time::Duration::from_secs(60)).build().unwrap_err();
    /// assert_eq!(err.code(), "INVALID_OPTION"); // shorter than the idle timeout
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn absolute_lifetime(mut self, absolute: Duration) -> Self {
        self.absolute = absolute;
        self
    }

    /// Idle timeout and absolute lifetime of remember-me sessions. Default 14 and 30 days.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// use std::time::Duration;
    /// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-a")
    ///     .remember_me(Duration::from_secs(86_400), Duration::from_secs(7 * 86_400)).build()?;
    /// assert_eq!(m.longest_session(), Duration::from_secs(7 * 86_400));
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn remember_me(mut self, idle: Duration, absolute: Duration) -> Self {
        self.remember_idle = idle;
        self.remember_absolute = absolute;
        self
    }

    /// Re-seal (slide the idle deadline) once less than this fraction of the idle window
    /// remains. Default 0.5: an active user's cookie is rewritten about once per half
    /// window, not on every request. Between 0 (exclusive) and 1.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// assert!(SessionManager::builder(ring.clone(), "__Host-a").renew_when_remaining(0.25).build().is_ok());
    /// assert!(SessionManager::builder(ring, "__Host-a").renew_when_remaining(1.5).build().is_err());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn renew_when_remaining(mut self, fraction: f64) -> Self {
        self.renew_fraction = fraction;
        self
    }

    /// The `SameSite` attribute. Default `Lax`.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SameSite, SessionManager};
    /// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-a")
    ///     .same_site(SameSite::Strict).build()?;
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn same_site(mut self, same_site: SameSite) -> Self {
        self.cookie.same_site = same_site;
        self
    }

    /// A `Domain` attribute (shares the cookie with subdomains). Refused with a `__Host-`
    /// name, which exists to forbid exactly that.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// assert!(SessionManager::builder(ring.clone(), "__Secure-s").domain("example.com").build().is_ok());
    /// assert!(SessionManager::builder(ring, "__Host-s").domain("example.com").build().is_err());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn domain(mut self, domain: &str) -> Self {
        self.cookie.domain = Some(domain.to_owned());
        self
    }

    /// A `Path` attribute other than `/`. Refused with a `__Host-` name.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// assert!(SessionManager::builder(ring.clone(), "s").path("/app").build().is_ok());
    /// assert!(SessionManager::builder(ring, "__Host-s").path("/app").build().is_err());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn path(mut self, path: &str) -> Self {
        path.clone_into(&mut self.cookie.path);
        self
    }

    /// Development over plain `http://localhost`: drops `Secure`, which browsers require
    /// for `__Host-`/`__Secure-` names and `SameSite=None`, so those are refused. Never
    /// enable this where real users connect.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// let dev = SessionManager::builder(ring.clone(), "dev-session").insecure_dev_mode_for_localhost().build()?;
    /// assert!(!dev.clear_cookies()[0].contains("Secure"));
    /// assert!(SessionManager::builder(ring, "__Host-s").insecure_dev_mode_for_localhost().build().is_err());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn insecure_dev_mode_for_localhost(mut self) -> Self {
        self.cookie.secure = false;
        self
    }

    /// Lets a session that outgrows one cookie be split across up to `max_chunks`
    /// cookies (`name.0`, `name.1`, …), at most 10. Default 1 (no chunking).
    ///
    /// Mind the whole `Cookie` header: every cookie of your site travels in it, and nginx
    /// refuses request header lines over 8 KB by default (`large_client_header_buffers`),
    /// so more than 2 chunks of 4 KB needs server configuration.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// assert!(SessionManager::builder(ring.clone(), "__Host-s").max_chunks(2).build().is_ok());
    /// assert!(SessionManager::builder(ring, "__Host-s").max_chunks(11).build().is_err());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn max_chunks(mut self, max_chunks: usize) -> Self {
        self.max_chunks = max_chunks;
        self
    }

    /// Refuses every session signed in before `cutoff` (seconds since the Unix epoch):
    /// signs everybody out without changing keys.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-a")
    ///     .not_before(1_700_000_000).build()?;
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn not_before(mut self, cutoff: u64) -> Self {
        self.not_before = cutoff;
        self
    }

    /// A revocation check consulted on every read, after authentication and expiry.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, MemoryRevocation, SessionManager};
    /// let revoked = Arc::new(MemoryRevocation::new(std::time::Duration::from_secs(30 * 86_400)));
    /// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-a")
    ///     .revocation(revoked).build()?;
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn revocation(mut self, revocation: Arc<dyn Revocation>) -> Self {
        self.revocation = Some(revocation);
        self
    }

    /// Checks every option and builds the manager.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SameSite, SessionManager};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// let refused = [
    ///     SessionManager::builder(ring.clone(), "a b").build(),
    ///     SessionManager::builder(ring.clone(), "s").same_site(SameSite::None).insecure_dev_mode_for_localhost().build(),
    ///     SessionManager::builder(ring.clone(), "__Host-s").domain("example.com").build(),
    /// ];
    /// assert!(refused.iter().all(|r| r.as_ref().unwrap_err().code() == "INVALID_OPTION"));
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn build(self) -> Result<SessionManager, Error> {
        let invalid = |why: String| Err(Error::InvalidOption(why));
        self.cookie.check(&self.name)?;
        if !(1..=MAX_CHUNKS_LIMIT).contains(&self.max_chunks) {
            return invalid(format!("max_chunks must be 1 to {MAX_CHUNKS_LIMIT}"));
        }
        if self.max_chunks > 1 {
            self.cookie
                .check(&format!("{}.{}", self.name, self.max_chunks - 1))?;
        }
        for (idle, absolute, what) in [
            (self.idle, self.absolute, "session"),
            (
                self.remember_idle,
                self.remember_absolute,
                "remember-me session",
            ),
        ] {
            if idle.as_secs() == 0 {
                return invalid(format!("{what} idle timeout must be at least one second"));
            }
            if absolute < idle {
                return invalid(format!(
                    "{what} absolute lifetime is shorter than its idle timeout"
                ));
            }
        }
        if !(self.renew_fraction > 0.0 && self.renew_fraction <= 1.0) {
            return invalid("renew_when_remaining must be in (0, 1]".into());
        }
        let sealer = Sealer::builder(self.keyring, &self.name)
            .purpose(&self.purpose)
            .leeway(self.leeway)
            .ttl(self.idle)
            .max_len(BROWSER_COOKIE_LIMIT)
            .build()?;
        let manager = SessionManager {
            sealer,
            cookie: self.cookie,
            idle: self.idle.as_secs(),
            absolute: self.absolute.as_secs(),
            remember_idle: self.remember_idle.as_secs(),
            remember_absolute: self.remember_absolute.as_secs(),
            renew_fraction: self.renew_fraction,
            max_chunks: self.max_chunks,
            not_before: self.not_before,
            revocation: self.revocation,
        };
        if manager.capacity() == 0 {
            return invalid("cookie name too long to leave room for a session".into());
        }
        Ok(manager)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Key;

    fn manager() -> SessionManager {
        let ring = Keyring::new("k1", Key::from_bytes(&[1; 32]).unwrap()).unwrap();
        SessionManager::builder(ring, "s").build().unwrap()
    }

    fn cookie(m: &SessionManager, data: &[u8], now: u64) -> (SessionId, String) {
        let s = m.sign_in(data.to_vec(), SignIn::default(), now).unwrap();
        let header = m.set_cookies_bytes_at(&s, now).unwrap();
        let pair = header[0].split(';').next().unwrap().to_owned();
        (s.id, pair)
    }

    /// The per-call check runs on each candidate in header order, only after every other
    /// check passed, and a revoked candidate does not hide the next one (cookie tossing).
    #[test]
    fn read_bytes_at_with_checks_each_candidate_in_order() {
        let m = manager();
        let now = 1_700_000_000;
        let (first, a) = cookie(&m, b"1", now);
        let (second, b) = cookie(&m, b"2", now);
        let (_, expired) = cookie(&m, b"0", now - 3 * 86_400);
        let header = format!("{expired}; {a}; {b}");

        let mut seen = Vec::new();
        let s = m
            .read_bytes_at_with(&header, now, |info| {
                seen.push(*info.id);
                *info.id == first
            })
            .unwrap()
            .unwrap();
        assert_eq!(s.data, b"2");
        // The expired cookie never reached the check; the revoked one did, then the next.
        assert_eq!(seen, [first, second]);

        // Every candidate revoked: the first error in header order (EXPIRED) is reported.
        let err = m.read_bytes_at_with(&header, now, |_| true).unwrap_err();
        assert_eq!(err.code(), "EXPIRED");
        let err = m.read_bytes_at_with(&format!("{a}; {b}"), now, |_| true);
        assert_eq!(err.unwrap_err(), Error::Revoked);
        // With nothing revoked it is read_bytes_at.
        assert_eq!(
            m.read_bytes_at_with(&header, now, |_| false).unwrap(),
            m.read_bytes_at(&header, now).unwrap()
        );
        assert!(m.read_bytes_at_with("", now, |_| true).unwrap().is_none());
    }

    /// The manager's hook refuses first; the per-call check adds to it, never overrides it.
    #[test]
    fn read_bytes_at_with_adds_to_the_hook() {
        let revoked = Arc::new(crate::MemoryRevocation::new(Duration::from_secs(86_400)));
        let ring = Keyring::new("k1", Key::from_bytes(&[1; 32]).unwrap()).unwrap();
        let m = SessionManager::builder(ring, "s")
            .revocation(revoked.clone())
            .build()
            .unwrap();
        let now = 1_700_000_000;
        let s = m.sign_in(b"1".to_vec(), SignIn::default(), now).unwrap();
        let header = m.set_cookies_bytes_at(&s, now).unwrap()[0]
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        revoked.revoke(&s, now);
        let mut called = false;
        let err = m.read_bytes_at_with(&header, now, |_| {
            called = true;
            false
        });
        assert_eq!(err.unwrap_err(), Error::Revoked);
        assert!(!called, "the hook already refused it");
    }
}
