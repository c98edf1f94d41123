//! What the framework integrations share, free of any framework: the manager and CSRF
//! tokens a site uses ([`Sessions`]), one request's session state, and the typed handle a
//! handler changes the session through ([`SessionHandle`]). The axum and actix-web modules
//! only move headers in and out and implement their extractor traits on top.
//!
//! A request's cookie is read once, when the request comes in. Every change the handler
//! makes through its handle seals the session at once, so a cookie that would not fit
//! fails in the handler (where it can answer), and the integration writes the resulting
//! `Set-Cookie` headers on the way out, whatever the response's status. Nothing is written
//! when nothing is due.

use std::sync::{Arc, Mutex, PoisonError, RwLock};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::store::{SessionStore, StoredSessions};
use crate::{CsrfTokens, Error, Keyring, Session, SessionManager, SignIn};

mod read;
mod stored;

/// The session manager and the CSRF tokens of a site, cheap to clone and share between
/// routers and threads. [`replace`](Self::replace) swaps both at once, for key rotation
/// without a restart; a request keeps the pair it started with.
///
/// ```
/// use cookie_seal::{Key, Keyring, SessionManager, Sessions};
/// let ring = Keyring::new("k1", Key::generate()?)?;
/// let sessions = Sessions::new(SessionManager::builder(ring.clone(), "__Host-s").build()?, ring)?;
/// assert_eq!(sessions.manager().cookie_name(), "__Host-s");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Clone)]
pub struct Sessions {
    current: Arc<RwLock<Arc<Current>>>,
    /// When set, every read asks it whether the session was revoked.
    store: Option<Arc<dyn SessionStore>>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("manager", &self.manager())
            .finish_non_exhaustive()
    }
}

/// One generation of keys: the manager and the tokens made from the same keyring.
pub(crate) struct Current {
    pub(crate) manager: Arc<SessionManager>,
    pub(crate) csrf: CsrfTokens,
}

impl Sessions {
    /// Sessions from `manager`, with CSRF tokens under `keyring`, which must be the
    /// keyring the manager was built from (a manager does not hand its keys back out).
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, Sessions};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// let manager = SessionManager::builder(ring.clone(), "__Host-s").build()?;
    /// let sessions = Sessions::new(manager, ring)?;
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn new(manager: SessionManager, keyring: Keyring) -> Result<Sessions, Error> {
        let current = Current::new(manager, keyring)?;
        Ok(Sessions {
            current: Arc::new(RwLock::new(Arc::new(current))),
            store: None,
        })
    }

    /// Puts a new manager (and its keyring) in place for every request that starts from
    /// now on: key rotation. Put the previous primary key in the new ring, so cookies and
    /// tokens sealed under it still open and are re-sealed.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, Sessions};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// let rotated = Keyring::new("k2", Key::generate()?)?;
    /// sessions.replace(SessionManager::builder(rotated.clone(), "s").build()?, rotated)?;
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn replace(&self, manager: SessionManager, keyring: Keyring) -> Result<(), Error> {
        let next = Arc::new(Current::new(manager, keyring)?);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = next;
        Ok(())
    }

    /// The manager requests use now.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, Sessions};
    /// # let ring = Keyring::new("k1", Key::generate()?)?;
    /// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// assert_eq!(sessions.manager().cookie_name(), "s");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn manager(&self) -> Arc<SessionManager> {
        Arc::clone(&self.current().manager)
    }

    pub(crate) fn current(&self) -> Arc<Current> {
        // Poisoned only if a thread panicked while swapping in a whole new Arc: the value
        // inside is still one complete generation.
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Current {
    fn new(manager: SessionManager, keyring: Keyring) -> Result<Current, Error> {
        let csrf = CsrfTokens::new(keyring, manager.cookie_name())?;
        Ok(Current {
            manager: Arc::new(manager),
            csrf,
        })
    }
}

/// One request's session state, shared between the integration and the handles.
pub(crate) type Shared = Arc<Mutex<RequestState>>;

pub(crate) struct RequestState {
    current: Arc<Current>,
    /// The manager and the store together, when the site has a store.
    stored: Option<StoredSessions>,
    now: u64,
    /// The session the request's cookie opened to, its payload as JSON bytes.
    session: Option<Session<Vec<u8>>>,
    /// Why the request's cookie did not open, if it did not.
    refused: Option<Error>,
    /// The `Set-Cookie` values this response must carry, if any.
    write: Option<Vec<String>>,
}

impl RequestState {
    fn refuse(&mut self, err: Error) {
        self.session = None;
        // A store that cannot answer says nothing about the cookie: keep it, so the
        // session works again once the store is back.
        if !matches!(err, Error::StoreUnavailable(_)) {
            self.write = Some(self.current.manager.clear_cookies());
        }
        self.refused = Some(err);
    }

    /// Why the request's cookie was refused, if it was.
    pub(crate) fn refused(&self) -> Option<&Error> {
        self.refused.as_ref()
    }

    /// The `Set-Cookie` values due, taken once.
    pub(crate) fn take_writes(&mut self) -> Vec<String> {
        self.write.take().unwrap_or_default()
    }
}

/// Locks a request's state. Poisoned only if a handler panicked while holding it; the
/// state is then still whole (every change is one assignment).
pub(crate) fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, RequestState> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The handler's view of the request's session, typed: read it, change it, sign in, sign
/// out, regenerate its id, make and check CSRF tokens. Every change seals at once and is
/// written on the way out by the integration layer (axum's `SessionLayer`, actix-web's
/// `SessionMiddleware`), which also gives the handler this handle as an extractor.
///
/// ```
/// use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions, SignIn};
/// let ring = Keyring::new("k1", Key::generate()?)?;
/// let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
///
/// // What a layer does for each request, shown without a framework:
/// let mut handle = SessionHandle::<String>::detached(&sessions, "")?;
/// assert!(handle.get().is_none());
/// handle.sign_in("ada".to_owned(), SignIn::default())?;
/// let token = handle.csrf_token()?;
/// assert!(handle.verify_csrf(&token).is_ok());
/// let set_cookie = handle.take_writes();
/// assert!(set_cookie[0].starts_with("s="));
///
/// // The next request carries the cookie.
/// let cookie = set_cookie[0].split(';').next().unwrap();
/// let mut next = SessionHandle::<String>::detached(&sessions, cookie)?;
/// assert_eq!(next.get().unwrap().data, "ada");
/// assert!(next.verify_csrf(&token).is_ok());
/// next.sign_out();
/// assert!(next.take_writes()[0].starts_with("s=; Max-Age=0"));
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub struct SessionHandle<T> {
    shared: Shared,
    session: Option<Session<T>>,
}

impl<T> std::fmt::Debug for SessionHandle<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionHandle")
            .field("signed_in", &self.session.is_some())
            .finish_non_exhaustive()
    }
}

impl<T: Serialize + DeserializeOwned> SessionHandle<T> {
    /// The handle over the request's state: reads the typed session. A cookie that opens
    /// but whose data is not a `T` is refused (`PAYLOAD`) and deleted like any other.
    pub(crate) fn from_shared(shared: Shared) -> Result<SessionHandle<T>, Error> {
        let session = {
            let mut state = lock(&shared);
            if let Some(err) = state.refused() {
                return Err(err.clone());
            }
            match state.session.clone().map(Session::into_json).transpose() {
                Ok(session) => session,
                Err(err) => {
                    state.refuse(err.clone());
                    return Err(err);
                }
            }
        };
        Ok(SessionHandle { shared, session })
    }

    /// The handle over the request's state, a refused cookie reading as no session (its
    /// deletion stays due).
    pub(crate) fn lenient(shared: Shared) -> SessionHandle<T> {
        match SessionHandle::from_shared(Arc::clone(&shared)) {
            Ok(handle) => handle,
            Err(_) => SessionHandle {
                shared,
                session: None,
            },
        }
    }

    /// A handle for one `Cookie` header outside any framework, for tests and for
    /// integrations not built in: read with [`take_writes`](Self::take_writes) what the
    /// response must carry. Refused cookies give the error.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions};
    /// # let ring = Keyring::new("k1", Key::generate()?)?;
    /// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// let err = SessionHandle::<u32>::detached(&sessions, "s=forged").unwrap_err();
    /// assert_eq!(err.code(), "MALFORMED");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn detached(sessions: &Sessions, cookie_header: &str) -> Result<Self, Error> {
        SessionHandle::from_shared(sessions.begin_sync(cookie_header))
    }

    /// Why the request's cookie was refused, when it was (a lenient handle, such as the
    /// integrations' `FreshSession`, reads such a request as signed out; this says why, for a page that
    /// wants to tell the user).
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions};
    /// # let ring = Keyring::new("k1", Key::generate()?)?;
    /// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// assert!(SessionHandle::<u32>::detached(&sessions, "")?.refused().is_none());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn refused(&self) -> Option<Error> {
        lock(&self.shared).refused().cloned()
    }

    /// The `Set-Cookie` values this response will carry so far, without taking them (to
    /// show what the browser will hold).
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions, SignIn};
    /// # let ring = Keyring::new("k1", Key::generate()?)?;
    /// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// let mut handle = SessionHandle::<u32>::detached(&sessions, "")?;
    /// assert!(handle.writes_due().is_empty());
    /// handle.sign_in(1, SignIn::default())?;
    /// assert_eq!(handle.writes_due(), handle.take_writes());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn writes_due(&self) -> Vec<String> {
        lock(&self.shared).write.clone().unwrap_or_default()
    }

    /// The session, or `None` when the request carried none (or it was signed out).
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions};
    /// # let ring = Keyring::new("k1", Key::generate()?)?;
    /// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// assert!(SessionHandle::<u32>::detached(&sessions, "other=1")?.get().is_none());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn get(&self) -> Option<&Session<T>> {
        self.session.as_ref()
    }

    /// Replaces the session's data; the cookie is written on the way out. Fails with
    /// `INVALID_OPTION` when there is no session (sign in first), `TOO_LARGE` when it would
    /// not fit (the session is then unchanged).
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions, SignIn};
    /// # let ring = Keyring::new("k1", Key::generate()?)?;
    /// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// let mut handle = SessionHandle::<String>::detached(&sessions, "")?;
    /// assert_eq!(handle.set("x".into()).unwrap_err().code(), "INVALID_OPTION");
    /// handle.sign_in("a".into(), SignIn::default())?;
    /// assert_eq!(handle.set("x".repeat(5_000)).unwrap_err().code(), "TOO_LARGE");
    /// handle.set("b".into())?;
    /// assert_eq!(handle.get().unwrap().data, "b");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn set(&mut self, data: T) -> Result<(), Error> {
        let Some(session) = self.session.as_mut() else {
            return Err(Error::InvalidOption(
                "no session to change: sign in first".into(),
            ));
        };
        let old = std::mem::replace(&mut session.data, data);
        let mut state = lock(&self.shared);
        match state.current.manager.set_cookies_at(session, state.now) {
            Ok(headers) => {
                state.write = Some(headers);
                Ok(())
            }
            Err(err) => {
                session.data = old;
                Err(err)
            }
        }
    }

    /// Starts a new session (a fresh id) with `data`, replacing whatever the request had.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions, SignIn};
    /// # let ring = Keyring::new("k1", Key::generate()?)?;
    /// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// let mut handle = SessionHandle::<u32>::detached(&sessions, "")?;
    /// let id = handle.sign_in(7, SignIn::default().remember_me(true))?.id;
    /// assert!(handle.get().unwrap().remember_me);
    /// assert_eq!(handle.get().unwrap().id, id);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn sign_in(&mut self, data: T, options: SignIn) -> Result<&Session<T>, Error> {
        let mut state = lock(&self.shared);
        let manager = Arc::clone(&state.current.manager);
        let session = manager.sign_in(data, options, state.now)?;
        state.write = Some(manager.set_cookies_at(&session, state.now)?);
        state.refused = None;
        drop(state);
        Ok(self.session.insert(session))
    }

    /// Ends the session: every cookie it may use is deleted on the way out.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions, SignIn};
    /// # let ring = Keyring::new("k1", Key::generate()?)?;
    /// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// let mut handle = SessionHandle::<u32>::detached(&sessions, "")?;
    /// handle.sign_in(1, SignIn::default())?;
    /// handle.sign_out();
    /// assert!(handle.get().is_none());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn sign_out(&mut self) {
        self.session = None;
        let mut state = lock(&self.shared);
        state.write = Some(state.current.manager.clear_cookies());
    }

    /// Gives the session a fresh id (after a privilege change): tokens made for the old id
    /// stop verifying.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions, SignIn};
    /// # let ring = Keyring::new("k1", Key::generate()?)?;
    /// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// let mut handle = SessionHandle::<u32>::detached(&sessions, "")?;
    /// handle.sign_in(1, SignIn::default())?;
    /// let token = handle.csrf_token()?;
    /// handle.regenerate_id()?;
    /// assert_eq!(handle.verify_csrf(&token).unwrap_err().code(), "CSRF");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn regenerate_id(&mut self) -> Result<(), Error> {
        let Some(session) = self.session.as_mut() else {
            return Err(Error::InvalidOption(
                "no session to change: sign in first".into(),
            ));
        };
        let before = (session.id, session.reseal);
        session.regenerate_id()?;
        let mut state = lock(&self.shared);
        match state.current.manager.set_cookies_at(session, state.now) {
            Ok(headers) => {
                state.write = Some(headers);
                Ok(())
            }
            Err(err) => {
                (session.id, session.reseal) = before;
                Err(err)
            }
        }
    }

    /// A CSRF token for this session, to put in every form (and in an `X-CSRF-Token`
    /// header from scripts). `CSRF` when there is no session.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions};
    /// # let ring = Keyring::new("k1", Key::generate()?)?;
    /// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// let handle = SessionHandle::<u32>::detached(&sessions, "")?;
    /// assert_eq!(handle.csrf_token().unwrap_err().code(), "CSRF");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn csrf_token(&self) -> Result<String, Error> {
        let session = self
            .session
            .as_ref()
            .ok_or(Error::Csrf("needs a session"))?;
        let state = lock(&self.shared);
        state.current.csrf.token_at(&session.id, state.now)
    }

    /// `Ok` when `token` was made for this session (see [`CsrfTokens`]); `CSRF` otherwise,
    /// and when there is no session.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions, SignIn};
    /// # let ring = Keyring::new("k1", Key::generate()?)?;
    /// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// let mut mine = SessionHandle::<u32>::detached(&sessions, "")?;
    /// let mut theirs = SessionHandle::<u32>::detached(&sessions, "")?;
    /// mine.sign_in(1, SignIn::default())?;
    /// theirs.sign_in(2, SignIn::default())?;
    /// assert_eq!(mine.verify_csrf(&theirs.csrf_token()?).unwrap_err().code(), "CSRF");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn verify_csrf(&self, token: &str) -> Result<(), Error> {
        let session = self
            .session
            .as_ref()
            .ok_or(Error::Csrf("needs a session"))?;
        let state = lock(&self.shared);
        state.current.csrf.verify_at(token, &session.id, state.now)
    }

    /// The `Set-Cookie` values due so far, taken (the integrations do this on the way out;
    /// only a [`detached`](Self::detached) handle needs it).
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions};
    /// # let ring = Keyring::new("k1", Key::generate()?)?;
    /// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// assert!(SessionHandle::<u32>::detached(&sessions, "")?.take_writes().is_empty());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn take_writes(&mut self) -> Vec<String> {
        lock(&self.shared).take_writes()
    }
}

/// Checks `token` against the request's session without typing its data: what a CSRF
/// extractor needs before the handler runs.
pub(crate) fn verify_csrf(shared: &Shared, token: &str) -> Result<(), Error> {
    let state = lock(shared);
    if let Some(err) = state.refused() {
        return Err(err.clone());
    }
    let session = state
        .session
        .as_ref()
        .ok_or(Error::Csrf("needs a session"))?;
    state.current.csrf.verify_at(token, &session.id, state.now)
}

/// The HTTP status for a refused session: 431 when the cookie is too large (the request
/// header is what is too large), 500 for the server's own failures, 503 when the store
/// cannot answer, 401 otherwise.
pub(crate) fn refused_status(err: &Error) -> u16 {
    match err.code() {
        "TOO_LARGE" => 431,
        "RANDOM_FAILED" | "INVALID_OPTION" | "CLOCK" => 500,
        "STORE_UNAVAILABLE" => 503,
        "CROSS_ORIGIN" | "CSRF" => 403,
        "RATE_LIMITED" => 429,
        _ => 401,
    }
}

/// `{"code": "...", "message": "..."}`, the body every refusal of the integrations has.
pub(crate) fn error_body(err: &Error) -> String {
    serde_json::json!({ "code": err.code(), "message": err.to_string() }).to_string()
}
