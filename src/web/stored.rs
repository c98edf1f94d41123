//! The store side of the integrations: a site's [`Sessions`] with a [`SessionStore`], the
//! asynchronous read that asks it about each candidate, and the handle's sign-in and
//! sign-out that keep its session list current.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{SessionHandle, Sessions, lock};
use crate::store::{SessionStore, StoredSessions};
use crate::{Error, Session};

impl Sessions {
    /// These sessions with `store`: every request's read asks it whether the session was
    /// revoked (`REVOKED`, answered 401, the cookie deleted), and fails closed with
    /// `STORE_UNAVAILABLE` (503, the cookie kept) when it cannot answer.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use cookie_seal::{Key, Keyring, SessionManager, Sessions, store::MemoryStore};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?
    ///     .with_store(Arc::new(MemoryStore::new()));
    /// assert!(sessions.stored().is_some());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    #[must_use]
    pub fn with_store(mut self, store: Arc<dyn SessionStore>) -> Sessions {
        self.store = Some(store);
        self
    }

    /// The current manager and the store together, for what a page does with the store
    /// (list a user's sessions, sign out everywhere); `None` without a store.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, Sessions};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// assert!(sessions.stored().is_none());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn stored(&self) -> Option<StoredSessions> {
        let manager = (*self.current().manager).clone();
        self.store
            .as_ref()
            .map(|store| StoredSessions::new(manager, Arc::clone(store)))
    }
}

impl<T: Serialize + DeserializeOwned> SessionHandle<T> {
    /// Signs in like [`sign_in`](Self::sign_in), as `subject` (1 to 128 bytes, such as a
    /// user id) sealed with the subject's current generation, and lists the session in the
    /// store with `label` (at most 64 bytes, such as a browser's name). `INVALID_OPTION`
    /// without a store; `STORE_UNAVAILABLE` when it cannot answer (nothing is written).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions, SignIn};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// let mut handle = SessionHandle::<u32>::detached(&sessions, "")?;
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let err = rt.block_on(handle.sign_in_listed(7, "ada", false, "curl")).unwrap_err();
    /// assert_eq!(err.code(), "INVALID_OPTION"); // no store
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub async fn sign_in_listed(
        &mut self,
        data: T,
        subject: &str,
        remember_me: bool,
        label: &str,
    ) -> Result<&Session<T>, Error> {
        let (stored, now) = self.store_and_now()?;
        let session = stored
            .sign_in(data, subject, remember_me, label, now)
            .await?;
        let headers = stored.manager().set_cookies_at(&session, now)?;
        let mut state = lock(&self.shared);
        state.write = Some(headers);
        state.refused = None;
        drop(state);
        Ok(self.session.insert(session))
    }

    /// Signs out like [`sign_out`](Self::sign_out), and revokes the session in the store
    /// so that no server opens it again. `INVALID_OPTION` without a store; on
    /// `STORE_UNAVAILABLE` the session is left as it was.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// let mut handle = SessionHandle::<u32>::detached(&sessions, "")?;
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// assert_eq!(rt.block_on(handle.revoke()).unwrap_err().code(), "INVALID_OPTION");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub async fn revoke(&mut self) -> Result<(), Error> {
        let (stored, now) = self.store_and_now()?;
        // Copied out, so the future holds no borrow of the data (which need not be Sync).
        let target = self.session.as_ref().map(|session| {
            // Revoked until the last moment the session could open anyway.
            let keep_until = session
                .absolute_expires_at
                .saturating_add(crate::limits::MAX_LEEWAY.as_secs());
            let subject = session.subject.as_ref().map(|s| s.id.clone());
            (session.id, subject, keep_until)
        });
        if let Some((id, subject, keep_until)) = target {
            let store = stored.store();
            store
                .revoke(&id, subject.as_deref(), keep_until, now)
                .await?;
        }
        self.sign_out();
        Ok(())
    }

    /// The manager and store this request reads with, for the store's other calls (the
    /// session list, sign out other devices, sign out everywhere); `None` without a store.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// assert!(SessionHandle::<u32>::detached(&sessions, "")?.stored().is_none());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn stored(&self) -> Option<StoredSessions> {
        lock(&self.shared).stored.clone()
    }

    /// The time this request is read at, seconds since the Unix epoch: the `now` to give
    /// the store's calls.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// assert!(SessionHandle::<u32>::detached(&sessions, "")?.now() > 1_700_000_000);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn now(&self) -> u64 {
        lock(&self.shared).now
    }

    fn store_and_now(&self) -> Result<(StoredSessions, u64), Error> {
        let state = lock(&self.shared);
        match &state.stored {
            Some(stored) => Ok((stored.clone(), state.now)),
            None => Err(Error::InvalidOption(
                "no store: build the Sessions with with_store".into(),
            )),
        }
    }
}
