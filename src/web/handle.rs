//! The typed handle a handler reads and changes the request's session through.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Sessions, Shared, lock};
use crate::{Error, Session, SignIn};

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
    pub(super) shared: Shared,
    pub(super) session: Option<Session<T>>,
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
        lock(&self.shared).writes_due()
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
        let session = signed_in(&mut self.session)?;
        let old = std::mem::replace(&mut session.data, data);
        let written = lock(&self.shared).write_session(session);
        if written.is_err() {
            session.data = old;
        }
        written
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
        let session = signed_in(&mut self.session)?;
        let before = (session.id, session.reseal);
        session.regenerate_id()?;
        let written = lock(&self.shared).write_session(session);
        if written.is_err() {
            (session.id, session.reseal) = before;
        }
        written
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

/// The session to change, or `INVALID_OPTION` when there is none.
fn signed_in<T>(session: &mut Option<Session<T>>) -> Result<&mut Session<T>, Error> {
    session
        .as_mut()
        .ok_or_else(|| Error::InvalidOption("no session to change: sign in first".into()))
}

/// A [`SessionHandle`] that never rejects for the cookie: as an extractor (axum's and
/// actix-web's), a refused cookie reads as no session and is still deleted, so a sign-in
/// or sign-out route works for a browser holding a stale cookie. It derefs to the handle.
///
/// ```
/// use cookie_seal::{FreshSession, Key, Keyring, SessionHandle, SessionManager, Sessions, SignIn};
/// # let ring = Keyring::new("k1", Key::generate()?)?;
/// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
/// // What a handler does with it; the integrations' extractors build it.
/// let mut session = FreshSession(SessionHandle::<u32>::detached(&sessions, "")?);
/// session.sign_in(42, SignIn::default())?;
/// assert_eq!(session.get().unwrap().data, 42);
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug)]
pub struct FreshSession<T>(pub SessionHandle<T>);

impl<T> std::ops::Deref for FreshSession<T> {
    type Target = SessionHandle<T>;
    fn deref(&self) -> &SessionHandle<T> {
        &self.0
    }
}

impl<T> std::ops::DerefMut for FreshSession<T> {
    fn deref_mut(&mut self) -> &mut SessionHandle<T> {
        &mut self.0
    }
}
