//! [`StoredSessions`]' event hook and remember-me tokens: remember, resume, forget, with
//! the npm package's rule and cookie (`rememberAsync`, `resumeAsync`,
//! `forgetRememberAsync`).

use std::sync::Arc;
use std::time::Duration;

use super::remember::{SECRET_LEN, SERIES_LEN, check_series, parse_token, random_text};
use super::stored::keep_until;
use super::{
    DEFAULT_REMEMBER_GRACE, MAX_REMEMBER_GRACE, RememberRecord, RememberStore, Rotation,
    StoredSessions, token_hash,
};
use crate::cookie::cookie_pairs;
use crate::event::{SessionEvent, emit};
use crate::{Error, Session};

/// The remember-me token's options for [`StoredSessions::remember_tokens`]: its cookie
/// name (default: the session cookie's name followed by `-remember`), its lifetime
/// (default 30 days, from 60 s to 400 days; each use starts it again) and the grace window
/// (default [`DEFAULT_REMEMBER_GRACE`], at most [`MAX_REMEMBER_GRACE`]).
///
/// ```
/// use std::time::Duration;
/// let token = cookie_seal::store::RememberToken::new()
///     .name("__Host-remember")
///     .lifetime(Duration::from_secs(14 * 86_400))
///     .grace(Duration::from_secs(5));
/// # let _ = token;
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct RememberToken {
    name: Option<String>,
    lifetime: Duration,
    grace: Duration,
}

impl Default for RememberToken {
    fn default() -> Self {
        RememberToken::new()
    }
}

impl RememberToken {
    /// The defaults.
    ///
    /// ```
    /// let _ = cookie_seal::store::RememberToken::new();
    /// ```
    pub fn new() -> RememberToken {
        RememberToken {
            name: None,
            lifetime: Duration::from_secs(30 * 86_400),
            grace: DEFAULT_REMEMBER_GRACE,
        }
    }

    /// The token cookie's name (not the session cookie's).
    ///
    /// ```
    /// let _ = cookie_seal::store::RememberToken::new().name("__Host-remember");
    /// ```
    pub fn name(mut self, name: &str) -> RememberToken {
        self.name = Some(name.to_owned());
        self
    }

    /// How long a token lives unused (whole seconds, 60 s to 400 days).
    ///
    /// ```
    /// let _ = cookie_seal::store::RememberToken::new().lifetime(std::time::Duration::from_secs(86_400));
    /// ```
    pub fn lifetime(mut self, lifetime: Duration) -> RememberToken {
        self.lifetime = lifetime;
        self
    }

    /// How long the token just replaced still resumes (two tabs refreshing at once).
    ///
    /// ```
    /// let _ = cookie_seal::store::RememberToken::new().grace(std::time::Duration::ZERO);
    /// ```
    pub fn grace(mut self, grace: Duration) -> RememberToken {
        self.grace = grace;
        self
    }
}

/// Remember-me as set up: the store of series and the checked options.
#[derive(Clone)]
pub(super) struct Remember {
    store: Arc<dyn RememberStore>,
    name: String,
    lifetime: u64,
    grace: u64,
}

/// What [`StoredSessions::resume`] did with a remember-me token.
///
/// ```
/// use cookie_seal::store::ResumeOutcome;
/// assert_eq!(ResumeOutcome::Grace.as_str(), "grace");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResumeOutcome {
    /// The current token: a new session, and the token was replaced.
    Rotated,
    /// The token just replaced, inside the grace window: a new session, no new token (the
    /// browser has, or is about to get, the newer one).
    Grace,
    /// Another token of a live series: the series and its sessions were revoked.
    Theft,
    /// Malformed, unknown, forgotten or expired: the token cookie is cleared.
    Unknown,
}

impl ResumeOutcome {
    /// The npm package's name of the outcome.
    ///
    /// ```
    /// assert_eq!(cookie_seal::store::ResumeOutcome::Theft.as_str(), "theft");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ResumeOutcome::Rotated => "rotated",
            ResumeOutcome::Grace => "grace",
            ResumeOutcome::Theft => "theft",
            ResumeOutcome::Unknown => "unknown",
        }
    }
}

/// The answer of [`StoredSessions::resume`]: the outcome, the new session (when it
/// resumed) and the `Set-Cookie` values to send (the new token, the cleared token, or none).
///
/// ```ignore-wasm32
/// # use std::sync::Arc;
/// # use cookie_seal::{Key, Keyring, SessionManager, store::*};
/// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let store = Arc::new(MemoryStore::new());
/// let sessions = StoredSessions::new(manager, store.clone()).remember_tokens(store, RememberToken::new())?;
/// let r = rt.block_on(sessions.resume("__Host-s-remember=junk", (), "", 1_000))?.unwrap();
/// assert_eq!((r.outcome, r.session.is_none()), (ResumeOutcome::Unknown, true));
/// assert!(r.set_cookies[0].starts_with("__Host-s-remember=; Max-Age=0"));
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Resumed<T> {
    /// What happened.
    pub outcome: ResumeOutcome,
    /// The new short session (signed in and listed), on `Rotated` and `Grace`.
    pub session: Option<Session<T>>,
    /// `Set-Cookie` values for the token cookie; the session's own come from
    /// [`set_cookies_at`](StoredSessions::set_cookies_at).
    pub set_cookies: Vec<String>,
}

/// The first cookie called `name` in a `Cookie` header, by the parser the session reads
/// use, so the token and the session cookie are read from one header the same way:
/// `TOO_LARGE` past [`MAX_COOKIE_HEADER_LEN`](crate::limits::MAX_COOKIE_HEADER_LEN), and a
/// pair it skips (malformed, or past [`MAX_COOKIE_PAIRS`](crate::limits::MAX_COOKIE_PAIRS))
/// is no token.
fn cookie_value<'h>(header: &'h str, name: &str) -> Result<Option<&'h str>, Error> {
    let pairs = cookie_pairs(header)?;
    Ok(pairs
        .into_iter()
        .find_map(|(n, v)| (n == name).then_some(v)))
}

impl StoredSessions {
    /// Tells `hook` of each refused cookie, each stolen remember-me token and each store
    /// failure ([`SessionEvent`]), in place of the manager's hook
    /// ([`on_event`](crate::SessionManagerBuilder::on_event)) if it had one; the library
    /// itself logs nothing. The hook is called with
    /// no lock held, after the store call it reports on; a panic in it is caught and dropped
    /// (the request goes on as if there were no hook), so it cannot poison any state. With
    /// `panic = "abort"` a panic still aborts: keep the hook simple and non-blocking.
    ///
    /// ```ignore-wasm32
    /// # use std::sync::{Arc, Mutex};
    /// # use cookie_seal::{Key, Keyring, SessionEvent, SessionManager, store::{MemoryStore, StoredSessions}};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let heard = Arc::new(Mutex::new(Vec::new()));
    /// let log = Arc::clone(&heard);
    /// let sessions = StoredSessions::new(manager, Arc::new(MemoryStore::new()))
    ///     .on_event(move |event| log.lock().unwrap().push(event.clone()));
    /// assert!(rt.block_on(sessions.read_at::<u32>("__Host-s=%%", 1_000)).is_err());
    /// assert!(matches!(heard.lock().unwrap()[0], SessionEvent::Refused { code: "MALFORMED", .. }));
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    #[must_use]
    pub fn on_event(
        mut self,
        hook: impl Fn(&SessionEvent) + Send + Sync + 'static,
    ) -> StoredSessions {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// Passes a store call's result on, telling the hook of a store failure.
    pub(super) fn seen<T>(
        &self,
        operation: &'static str,
        result: Result<T, Error>,
    ) -> Result<T, Error> {
        if let Err(err @ Error::StoreUnavailable(_)) = &result {
            emit(self.hook.as_ref(), || SessionEvent::StoreError {
                code: err.code(),
                operation,
                message: err.to_string(),
            });
        }
        result
    }

    /// Passes a read's result on, telling the hook when a cookie was refused.
    pub(super) fn refused<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
        match &result {
            Err(Error::StoreUnavailable(_)) | Ok(_) => {}
            Err(err) => emit(self.hook.as_ref(), || SessionEvent::Refused {
                code: err.code(),
                message: err.to_string(),
            }),
        }
        result
    }

    /// Turns on remember-me tokens, their series kept in `store` (normally the same store
    /// as the sessions'). `INVALID_OPTION` for a bad name (the session cookie's, or one its
    /// attributes do not allow), lifetime or grace window.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, SessionManager, store::{MemoryStore, RememberToken, StoredSessions}};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let store = Arc::new(MemoryStore::new());
    /// let sessions = StoredSessions::new(manager, store.clone());
    /// let err = sessions.remember_tokens(store, RememberToken::new().grace(std::time::Duration::from_secs(61)));
    /// assert_eq!(err.unwrap_err().code(), "INVALID_OPTION");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn remember_tokens(
        mut self,
        store: Arc<dyn RememberStore>,
        token: RememberToken,
    ) -> Result<StoredSessions, Error> {
        let session_name = self.manager.cookie_name();
        let name = token
            .name
            .unwrap_or_else(|| format!("{session_name}-remember"));
        let bad = |why: &str| Err(Error::InvalidOption(format!("remember-me token: {why}")));
        if name == session_name || name.len() > 128 {
            return bad("its cookie name must differ from the session's, at most 128 bytes");
        }
        self.manager.check_companion_name(&name)?;
        let lifetime = token.lifetime.as_secs();
        if !(60..=400 * 86_400).contains(&lifetime) || token.lifetime.subsec_nanos() != 0 {
            return bad("the lifetime is whole seconds from 60 to 34560000 (400 days)");
        }
        if token.grace > MAX_REMEMBER_GRACE || token.grace.subsec_nanos() != 0 {
            return bad("the grace window is whole seconds from 0 to 60");
        }
        self.remember = Some(Remember {
            store,
            name,
            lifetime,
            grace: token.grace.as_secs(),
        });
        Ok(self)
    }

    fn remembering(&self, what: &str) -> Result<&Remember, Error> {
        self.remember.as_ref().ok_or_else(|| {
            Error::InvalidOption(format!("{what} needs remember_tokens() set up first"))
        })
    }

    fn token_cookie(&self, r: &Remember, value: &str, max_age: u64) -> String {
        self.manager.companion_cookie(&r.name, value, max_age)
    }

    /// Starts a remember-me series for this signed-in session (it needs a subject) and
    /// returns the `Set-Cookie` value of its token.
    ///
    /// ```ignore-wasm32
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, SessionManager, store::{MemoryStore, RememberToken, StoredSessions}};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// # let store = Arc::new(MemoryStore::new());
    /// # let sessions = StoredSessions::new(manager, store.clone()).remember_tokens(store, RememberToken::new())?;
    /// let s = rt.block_on(sessions.sign_in((), "user-7", false, "Firefox", 1_000))?;
    /// let set_cookie = rt.block_on(sessions.remember(&s, 1_000))?;
    /// assert!(set_cookie[0].starts_with("__Host-s-remember="));
    /// assert!(set_cookie[0].contains("; Max-Age=2592000; Path=/; Secure; HttpOnly"));
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub async fn remember<T: Sync>(
        &self,
        session: &Session<T>,
        now: u64,
    ) -> Result<Vec<String>, Error> {
        let r = self.remembering("remember")?;
        let Some(subject) = &session.subject else {
            return Err(Error::InvalidOption(
                "a remember-me token needs a session with a subject".into(),
            ));
        };
        let series = random_text(16)?;
        let secret = random_text(32)?;
        debug_assert_eq!((series.len(), secret.len()), (SERIES_LEN, SECRET_LEN));
        let record = RememberRecord::new(
            &subject.id,
            &token_hash(&secret),
            now,
            session.id,
            keep_until(session),
        )?;
        let until = now.saturating_add(r.lifetime);
        let started = r.store.remember_start(&series, &record, until, now).await;
        self.seen("remember_start", started)?;
        Ok(vec![self.token_cookie(
            r,
            &format!("{series}.{secret}"),
            r.lifetime,
        )])
    }

    /// Signs in again from the remember-me token in `cookie_header`, if there is one
    /// (`Ok(None)` when there is none). The current token rotates; the one just before it
    /// passes inside the grace window without rotating; any other token of a live series is
    /// theft: the series and every session it started are revoked, the hook hears
    /// [`SessionEvent::Theft`], and the outcome is [`ResumeOutcome::Theft`]. A resumed
    /// session is a short one (`remember_me` false) listed as remembered, with `data` and
    /// `label`; send its cookies with [`set_cookies_at`](Self::set_cookies_at) along with
    /// [`Resumed::set_cookies`].
    ///
    /// The header is read as [`read_at`](Self::read_at) reads it: over
    /// [`MAX_COOKIE_HEADER_LEN`](crate::limits::MAX_COOKIE_HEADER_LEN) it fails with
    /// `TOO_LARGE`; a malformed pair, or one past
    /// [`MAX_COOKIE_PAIRS`](crate::limits::MAX_COOKIE_PAIRS), is skipped, so a token only
    /// there is no token (`Ok(None)`).
    ///
    /// ```ignore-wasm32
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, SessionManager, store::*};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// # let store = Arc::new(MemoryStore::new());
    /// # let sessions = StoredSessions::new(manager, store.clone()).remember_tokens(store, RememberToken::new())?;
    /// let s = rt.block_on(sessions.sign_in((), "user-7", false, "", 1_000))?;
    /// let token = rt.block_on(sessions.remember(&s, 1_000))?[0].split(';').next().unwrap().to_owned();
    /// let r = rt.block_on(sessions.resume(&token, 42, "Firefox", 5_000))?.unwrap();
    /// assert_eq!(r.outcome, ResumeOutcome::Rotated);
    /// assert_eq!(r.session.unwrap().subject.unwrap().id, "user-7");
    /// // Long after, the replaced token again: a copy is in other hands.
    /// let r = rt.block_on(sessions.resume(&token, 42, "", 6_000))?.unwrap();
    /// assert_eq!(r.outcome, ResumeOutcome::Theft);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub async fn resume<T>(
        &self,
        cookie_header: &str,
        data: T,
        label: &str,
        now: u64,
    ) -> Result<Option<Resumed<T>>, Error> {
        let r = self.remembering("resume")?;
        let Some(value) = cookie_value(cookie_header, &r.name)? else {
            return Ok(None);
        };
        // The token cookie is cleared only when the token is refused; most resumes rotate.
        let cleared = || vec![self.token_cookie(r, "", 0)];
        let unknown = |code: &'static str, message: &'static str| {
            emit(self.hook.as_ref(), || SessionEvent::Refused {
                code,
                message: message.into(),
            });
            Some(Resumed {
                outcome: ResumeOutcome::Unknown,
                session: None,
                set_cookies: cleared(),
            })
        };
        let Some((series, secret)) = parse_token(value) else {
            return Ok(unknown("MALFORMED", "malformed remember-me token"));
        };
        let next_secret = random_text(32)?;
        let (presented, next) = (token_hash(secret), token_hash(&next_secret));
        let until = now.saturating_add(r.lifetime);
        let rotated = r
            .store
            .remember_rotate(series, &presented, &next, now, r.grace, until)
            .await;
        let (outcome, subject) = match self.seen("remember_rotate", rotated)? {
            Rotation::Rotated { subject } => (ResumeOutcome::Rotated, subject),
            Rotation::Grace { subject } => (ResumeOutcome::Grace, subject),
            Rotation::Theft { subject, sessions } => {
                self.revoke_stolen(series, &subject, &sessions, now).await?;
                return Ok(Some(Resumed {
                    outcome: ResumeOutcome::Theft,
                    session: None,
                    set_cookies: cleared(),
                }));
            }
            _ => return Ok(unknown("REVOKED", "unknown or expired remember-me token")),
        };
        let session = self
            .sign_in_listed(data, &subject, false, true, label, now)
            .await?;
        let linked = r
            .store
            .remember_link(series, &session.id, keep_until(&session), now)
            .await;
        self.seen("remember_link", linked)?;
        // In the grace window the browser already has (or is about to get) the newer token
        // from the request that rotated it: nothing is set, so that one is not overwritten.
        let set_cookies = match outcome {
            ResumeOutcome::Rotated => {
                vec![self.token_cookie(r, &format!("{series}.{next_secret}"), r.lifetime)]
            }
            _ => Vec::new(),
        };
        Ok(Some(Resumed {
            outcome,
            session: Some(session),
            set_cookies,
        }))
    }

    /// Revokes every session a stolen series started that could still open, tells the
    /// hook, then reports the first revocation that failed, if any.
    async fn revoke_stolen(
        &self,
        series: &str,
        subject: &str,
        sessions: &[(crate::SessionId, u64)],
        now: u64,
    ) -> Result<(), Error> {
        let (mut revoked, mut failed) = (0, None);
        for (id, keep) in sessions.iter().filter(|(_, keep)| *keep >= now) {
            match self.seen(
                "revoke",
                self.store.revoke(id, Some(subject), *keep, now).await,
            ) {
                Ok(()) => revoked += 1,
                Err(err) => {
                    failed.get_or_insert(err);
                }
            }
        }
        emit(self.hook.as_ref(), || SessionEvent::Theft {
            subject: subject.to_owned(),
            series: series.to_owned(),
            revoked_sessions: revoked,
        });
        failed.map_or(Ok(()), Err)
    }

    /// Deletes the series of the token in `cookie_header` (signing out on this browser) and
    /// returns the `Set-Cookie` value that clears the token cookie. The header is read as
    /// [`resume`](Self::resume) reads it: over
    /// [`MAX_COOKIE_HEADER_LEN`](crate::limits::MAX_COOKIE_HEADER_LEN) it fails with
    /// `TOO_LARGE` and nothing is forgotten.
    ///
    /// ```ignore-wasm32
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, SessionManager, store::*};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// # let store = Arc::new(MemoryStore::new());
    /// # let sessions = StoredSessions::new(manager, store.clone()).remember_tokens(store, RememberToken::new())?;
    /// let s = rt.block_on(sessions.sign_in((), "user-7", false, "", 1_000))?;
    /// let token = rt.block_on(sessions.remember(&s, 1_000))?[0].split(';').next().unwrap().to_owned();
    /// assert!(rt.block_on(sessions.forget_remembered(&token, 1_001))?[0].contains("Max-Age=0"));
    /// let r = rt.block_on(sessions.resume(&token, (), "", 1_002))?.unwrap();
    /// assert_eq!(r.outcome, ResumeOutcome::Unknown);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub async fn forget_remembered(
        &self,
        cookie_header: &str,
        now: u64,
    ) -> Result<Vec<String>, Error> {
        let r = self.remembering("forget_remembered")?;
        let token = cookie_value(cookie_header, &r.name)?.and_then(parse_token);
        if let Some((series, _)) = token.filter(|(s, _)| check_series(s).is_ok()) {
            let forgot = r.store.remember_forget(series, now).await;
            self.seen("remember_forget", forgot)?;
        }
        Ok(vec![self.token_cookie(r, "", 0)])
    }
}
