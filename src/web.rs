//! What the framework integrations share, free of any framework: the manager and CSRF
//! tokens a site uses ([`Sessions`]), one request's session state, and the typed handle a
//! handler changes the session through ([`SessionHandle`], in `handle.rs`). The axum and
//! actix-web modules only move headers in and out and implement their extractor traits on
//! top; `read.rs` is the one read of a request, `stored.rs` the store's part, `csrf.rs` the
//! anti-forgery tokens and the form both extractors check, `http.rs` the statuses, bodies
//! and headers every integration answers with.
//!
//! A request's cookie is read once, when the request comes in. Every change the handler
//! makes through its handle seals the session at once, so a cookie that would not fit
//! fails in the handler (where it can answer), and the integration writes the resulting
//! `Set-Cookie` headers on the way out, whatever the response's status. Nothing is written
//! when nothing is due.

use std::sync::{Arc, Mutex, PoisonError, RwLock};

use crate::store::{SessionStore, StoredSessions};
use crate::{CsrfTokens, Error, Keyring, PreSessionTokens, Session, SessionManager};

mod csrf;
mod handle;
mod http;
mod read;
mod stored;

pub(crate) use csrf::{FormRefusal, checked_form, verify_csrf, verify_pre_session};
pub use handle::{FreshSession, SessionHandle};
pub(crate) use http::{
    UNKNOWN_CLIENT, cookie_header, error_body, origin_headers, refused_status, set_cookie_values,
};

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
    pub(crate) pre_session: PreSessionTokens,
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
        let csrf = CsrfTokens::new(keyring.clone(), manager.cookie_name())?;
        // The sign-in form's cookie follows the session cookie: `__Host-` and Secure, or,
        // for a manager in development mode (plain HTTP on localhost), neither, since the
        // browser would drop a Secure cookie there.
        let pre_session = if manager.is_secure() {
            PreSessionTokens::new(keyring)?
        } else {
            PreSessionTokens::with_options(
                keyring,
                "csrf",
                crate::csrf::DEFAULT_PRE_SESSION_TTL,
                false,
            )?
        };
        Ok(Current {
            manager: Arc::new(manager),
            csrf,
            pre_session,
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
    /// The request's `Cookie` header, for the pre-session token (bounded by the reader's
    /// header limit: a longer one is refused before it gets here).
    cookie_header: String,
    /// The pre-session cookie a sign-in page issued, if it did.
    pre_session_write: Option<String>,
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

    /// Seals `session` as the write this response carries; on `Err` nothing changes.
    fn write_session<T: serde::Serialize>(&mut self, session: &Session<T>) -> Result<(), Error> {
        self.write = Some(self.current.manager.set_cookies_at(session, self.now)?);
        Ok(())
    }

    /// The `Set-Cookie` values due so far.
    pub(crate) fn writes_due(&self) -> Vec<String> {
        let mut writes = self.write.clone().unwrap_or_default();
        writes.extend(self.pre_session_write.clone());
        writes
    }

    /// The `Set-Cookie` values due, taken once.
    pub(crate) fn take_writes(&mut self) -> Vec<String> {
        let mut writes = self.write.take().unwrap_or_default();
        writes.extend(self.pre_session_write.take());
        writes
    }
}

/// Locks a request's state. Poisoned only if a handler panicked while holding it; the
/// state is then still whole (every change is one assignment).
pub(crate) fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, RequestState> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Key;

    /// The sign-in form's cookie is Secure and `__Host-` exactly when the session's is.
    #[test]
    fn pre_session_cookie_follows_the_manager() {
        let ring = Keyring::new("k1", Key::from_bytes(&[7; 32]).unwrap()).unwrap();
        let secure = SessionManager::builder(ring.clone(), "__Host-s")
            .build()
            .unwrap();
        let dev = SessionManager::builder(ring.clone(), "s")
            .insecure_dev_mode_for_localhost()
            .build()
            .unwrap();
        assert!(secure.is_secure() && !dev.is_secure());
        let current = Current::new(secure, ring.clone()).unwrap();
        assert_eq!(current.pre_session.cookie_name(), "__Host-csrf");
        assert!(current.pre_session.clear_cookie().contains("; Secure"));
        let current = Current::new(dev, ring).unwrap();
        assert_eq!(current.pre_session.cookie_name(), "csrf");
        assert!(!current.pre_session.clear_cookie().contains("Secure"));
    }
}
