//! A session manager and a store together: reads that consult the store, and the writes
//! that keep it current (sign-in, last seen, sign-out here, elsewhere or everywhere).

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{SessionEntry, SessionStore};
use crate::event::EventHook;
use crate::limits::MAX_LEEWAY;
use crate::{Error, ResealReason, Session, SessionManager, SignIn, Subject};

/// A [`SessionManager`] whose reads also ask a [`SessionStore`] whether the session was
/// revoked, and whose sign-in, writes and sign-outs keep the store's session list current.
///
/// A read costs one store lookup per authentic, unexpired candidate cookie (normally one),
/// none for a cookie validated less than a [revalidation window](Self::revalidation_window) ago.
/// If the store cannot answer, the read is `STORE_UNAVAILABLE` and no session is returned.
///
/// ```ignore-wasm32
/// use std::sync::Arc;
/// use cookie_seal::{Key, Keyring, SessionManager, store::{MemoryStore, StoredSessions}};
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// # rt.block_on(async {
/// let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
/// let sessions = StoredSessions::new(manager, Arc::new(MemoryStore::new()));
/// let now = 1_700_000_000;
///
/// let session = sessions.sign_in(serde_json::json!({"uid": 7}), "user-7", false, "Firefox", now).await?;
/// let header = sessions.set_cookies_at(&session, now).await?[0].split(';').next().unwrap().to_owned();
/// assert!(sessions.read_at::<serde_json::Value>(&header, now).await?.is_some());
///
/// sessions.sign_out(&session, now).await?;
/// let err = sessions.read_at::<serde_json::Value>(&header, now).await.unwrap_err();
/// assert_eq!(err.code(), "REVOKED");
/// # Ok::<(), cookie_seal::Error>(())
/// # })?;
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Clone)]
pub struct StoredSessions {
    pub(super) manager: SessionManager,
    pub(super) store: Arc<dyn SessionStore>,
    window: u64,
    /// The application's event hook (stored_remember.rs sets it).
    pub(super) hook: Option<EventHook>,
    /// Remember-me tokens, when set up (stored_remember.rs).
    pub(super) remember: Option<super::stored_remember::Remember>,
}

impl std::fmt::Debug for StoredSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredSessions")
            .field("manager", &self.manager)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

impl StoredSessions {
    /// Puts a manager and a store together.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, SessionManager, store::{MemoryStore, StoredSessions}};
    /// let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let sessions = StoredSessions::new(manager, Arc::new(MemoryStore::new()));
    /// assert_eq!(sessions.manager().cookie_name(), "__Host-s");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn new(manager: SessionManager, store: Arc<dyn SessionStore>) -> StoredSessions {
        // The manager's hook, if it has one, hears this one's events too.
        let hook = manager.event_hook().cloned();
        StoredSessions {
            manager,
            store,
            window: 0,
            hook,
            remember: None,
        }
    }

    /// Trusts a cookie whose `validated_at` claim is less than `window` old without asking
    /// the store. A cookie without the claim, or with an older one, is looked up, and once
    /// the store clears it the session gets `validated_at = now` and asks to be re-sealed
    /// ([`ResealReason::Revalidation`]), so the next write records the lookup. Writes that
    /// did not look up carry the claim unchanged, so renewing a trusted cookie never extends
    /// the trust. [`sign_in`](Self::sign_in) sets it too: the store was just asked.
    ///
    /// The staleness this buys is bounded: a session revoked on any server keeps opening for
    /// at most one window after its last lookup (plus the clock skew between servers, within
    /// the leeway). The claim costs 8 bytes of the cookie; with a zero window (the default,
    /// every read asks the store) it is neither written nor trusted, but carried if present.
    ///
    /// ```ignore-wasm32
    /// # use std::sync::Arc;
    /// # use std::time::Duration;
    /// # use cookie_seal::{Key, Keyring, SessionManager, store::{MemoryStore, StoredSessions}};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let sessions = StoredSessions::new(manager, Arc::new(MemoryStore::new()))
    ///     .revalidation_window(Duration::from_secs(30));
    /// let s = rt.block_on(sessions.sign_in(1, "user-7", false, "", 1_000))?;
    /// let header = rt.block_on(sessions.set_cookies_at(&s, 1_000))?[0].split(';').next().unwrap().to_owned();
    /// rt.block_on(sessions.sign_out(&s, 1_000))?;
    /// // Inside the window the cookie is trusted without a lookup; after it, it is refused.
    /// assert!(rt.block_on(sessions.read_at::<u32>(&header, 1_029))?.is_some());
    /// assert_eq!(rt.block_on(sessions.read_at::<u32>(&header, 1_030)).unwrap_err().code(), "REVOKED");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    #[must_use]
    pub fn revalidation_window(mut self, window: Duration) -> StoredSessions {
        self.window = window.as_secs();
        self
    }

    /// The manager, for everything that needs no store (clearing cookies, capacity).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, SessionManager, store::{MemoryStore, StoredSessions}};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let sessions = StoredSessions::new(manager, Arc::new(MemoryStore::new()));
    /// assert_eq!(sessions.manager().clear_cookies().len(), 1);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn manager(&self) -> &SessionManager {
        &self.manager
    }

    /// The store.
    ///
    /// ```ignore-wasm32
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, SessionManager, store::{MemoryStore, StoredSessions}};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let sessions = StoredSessions::new(manager, Arc::new(MemoryStore::new()));
    /// assert_eq!(rt.block_on(sessions.store().entry_count(1_000))?, 0);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn store(&self) -> &dyn SessionStore {
        &*self.store
    }

    /// [`SessionManager::read_at`] that also refuses (`REVOKED`) a session the store
    /// revoked, and fails with `STORE_UNAVAILABLE` when the store cannot answer.
    ///
    /// ```ignore-wasm32
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, SessionManager, store::{MemoryStore, StoredSessions}};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let sessions = StoredSessions::new(manager, Arc::new(MemoryStore::new()));
    /// assert!(rt.block_on(sessions.read_at::<u32>("theme=dark", 1_000))?.is_none());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub async fn read_at<T: DeserializeOwned>(
        &self,
        cookie_header: &str,
        now: u64,
    ) -> Result<Option<Session<T>>, Error> {
        match self.read_bytes_at(cookie_header, now).await? {
            Some(session) => session.into_json().map(Some),
            None => Ok(None),
        }
    }

    /// [`read_at`](Self::read_at) with the payload as bytes.
    ///
    /// ```ignore-wasm32
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, SessionManager, store::{MemoryStore, StoredSessions}};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let sessions = StoredSessions::new(manager, Arc::new(MemoryStore::new()));
    /// let err = rt.block_on(sessions.read_bytes_at("__Host-s=%%", 1_000)).unwrap_err();
    /// assert_eq!(err.code(), "MALFORMED");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub async fn read_bytes_at(
        &self,
        cookie_header: &str,
        now: u64,
    ) -> Result<Option<Session<Vec<u8>>>, Error> {
        let read = self.lookup(cookie_header, now).await;
        self.refused(read)
    }

    async fn lookup(
        &self,
        cookie_header: &str,
        now: u64,
    ) -> Result<Option<Session<Vec<u8>>>, Error> {
        // The manager's reader yields each authentic, unexpired candidate in header order;
        // the store is asked about each until one is not revoked. A store error ends the
        // read at once: nothing is accepted that the store did not clear.
        let mut reader = self.manager.reader(cookie_header, now)?;
        while let Some(candidate) = reader.next_candidate() {
            let recent = candidate
                .validated_at()
                .is_some_and(|v| now < v.saturating_add(self.window));
            if self.window > 0 && recent {
                return Ok(Some(candidate.accept()));
            }
            let info = candidate.info();
            let (id, subject) = (*info.id, info.subject.cloned());
            let revoked = self.store.is_revoked(&id, subject.as_ref(), now).await;
            if self.seen("is_revoked", revoked)? {
                reader.reject(candidate, Error::Revoked);
                continue;
            }
            let mut session = candidate.accept();
            if self.window > 0 {
                session.validated_at = Some(now);
                session.reseal.get_or_insert(ResealReason::Revalidation);
            }
            return Ok(Some(session));
        }
        reader.finish()
    }

    /// Starts a session for `subject` (1 to 128 bytes), sealed with the subject's current
    /// generation, and lists it with `label` (at most 64 bytes, such as a browser's name).
    ///
    /// ```ignore-wasm32
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, SessionManager, store::{MemoryStore, StoredSessions}};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let sessions = StoredSessions::new(manager, Arc::new(MemoryStore::new()));
    /// let s = rt.block_on(sessions.sign_in((), "user-7", true, "Safari", 1_000))?;
    /// assert_eq!(rt.block_on(sessions.sessions("user-7", 1_000))?[0].id, s.id);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub async fn sign_in<T>(
        &self,
        data: T,
        subject: &str,
        remember_me: bool,
        label: &str,
        now: u64,
    ) -> Result<Session<T>, Error> {
        self.sign_in_listed(data, subject, remember_me, remember_me, label, now)
            .await
    }

    /// [`sign_in`](Self::sign_in), listed as remember-me apart from the cookie's lifetimes
    /// (a short session a remember-me token started is listed as remembered).
    pub(super) async fn sign_in_listed<T>(
        &self,
        data: T,
        subject: &str,
        remember_me: bool,
        listed_remembered: bool,
        label: &str,
        now: u64,
    ) -> Result<Session<T>, Error> {
        Subject::new(subject, 0)?;
        let generation = self.seen("generation", self.store.generation(subject, now).await)?;
        let options = SignIn::default()
            .remember_me(remember_me)
            .subject(Subject::new(subject, generation)?);
        let mut session = self.manager.sign_in(data, options, now)?;
        if self.window > 0 {
            session.validated_at = Some(now);
        }
        let entry = SessionEntry::new(
            session.id,
            now,
            listed_remembered,
            label,
            keep_until(&session),
        )?;
        let recorded = self.store.record_sign_in(subject, &entry, now).await;
        self.seen("record_sign_in", recorded)?;
        Ok(session)
    }

    /// [`SessionManager::set_cookies_at`], and the session list's last-seen time moves to
    /// `now` for a session that came from a request.
    ///
    /// ```ignore-wasm32
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, SessionManager, store::{MemoryStore, StoredSessions}};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let sessions = StoredSessions::new(manager, Arc::new(MemoryStore::new()));
    /// let s = rt.block_on(sessions.sign_in(1, "user-7", false, "", 1_000))?;
    /// assert_eq!(rt.block_on(sessions.set_cookies_at(&s, 1_000))?.len(), 1);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub async fn set_cookies_at<T: Serialize + Sync>(
        &self,
        session: &Session<T>,
        now: u64,
    ) -> Result<Vec<String>, Error> {
        let from_request = !session.key_id.is_empty();
        let headers = self.manager.set_cookies_at(session, now)?;
        if let (Some(subject), true) = (&session.subject, from_request) {
            let touched = self.store.touch(&subject.id, &session.id, now).await;
            self.seen("touch", touched)?;
        }
        Ok(headers)
    }

    /// Signs this session out on every server: revokes its id until it could no longer
    /// open anyway, unlists it and deletes its data. Returns the `Set-Cookie` values that
    /// clear the cookie.
    ///
    /// ```ignore-wasm32
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, SessionManager, store::{MemoryStore, StoredSessions}};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let sessions = StoredSessions::new(manager, Arc::new(MemoryStore::new()));
    /// let s = rt.block_on(sessions.sign_in((), "user-7", false, "", 1_000))?;
    /// assert!(rt.block_on(sessions.sign_out(&s, 1_000))?[0].contains("Max-Age=0"));
    /// assert!(rt.block_on(sessions.sessions("user-7", 1_000))?.is_empty());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub async fn sign_out<T: Sync>(
        &self,
        session: &Session<T>,
        now: u64,
    ) -> Result<Vec<String>, Error> {
        let subject = session.subject.as_ref().map(|s| s.id.as_str());
        let revoked = self
            .store
            .revoke(&session.id, subject, keep_until(session), now)
            .await;
        self.seen("revoke", revoked)?;
        Ok(self.manager.clear_cookies())
    }

    /// Signs out every other listed session of this session's subject ("sign out other
    /// devices"); returns how many. A session with no subject has no others.
    ///
    /// ```ignore-wasm32
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, SessionManager, store::{MemoryStore, StoredSessions}};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let sessions = StoredSessions::new(manager, Arc::new(MemoryStore::new()));
    /// let phone = rt.block_on(sessions.sign_in((), "user-7", false, "phone", 1_000))?;
    /// let laptop = rt.block_on(sessions.sign_in((), "user-7", false, "laptop", 1_001))?;
    /// assert_eq!(rt.block_on(sessions.sign_out_others(&laptop, 1_002))?, 1);
    /// assert_eq!(rt.block_on(sessions.sessions("user-7", 1_002))?[0].id, laptop.id);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub async fn sign_out_others<T: Sync>(
        &self,
        session: &Session<T>,
        now: u64,
    ) -> Result<usize, Error> {
        let Some(subject) = &session.subject else {
            return Ok(0);
        };
        let mut count = 0;
        let listed = self.store.sessions(&subject.id, now).await;
        for entry in self.seen("sessions", listed)? {
            if entry.id != session.id {
                let revoked = self
                    .store
                    .revoke(&entry.id, Some(&subject.id), entry.keep_until, now)
                    .await;
                self.seen("revoke", revoked)?;
                count += 1;
            }
        }
        Ok(count)
    }

    /// Signs `subject` out on every device and server (after a password change, say):
    /// every session sealed before now is refused. Returns the new generation.
    ///
    /// ```ignore-wasm32
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, SessionManager, store::{MemoryStore, StoredSessions}};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let sessions = StoredSessions::new(manager, Arc::new(MemoryStore::new()));
    /// rt.block_on(sessions.sign_in((), "user-7", false, "", 1_000))?;
    /// assert!(rt.block_on(sessions.sign_out_everywhere("user-7", 1_001))? > 0);
    /// assert!(rt.block_on(sessions.sessions("user-7", 1_001))?.is_empty());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub async fn sign_out_everywhere(&self, subject: &str, now: u64) -> Result<u64, Error> {
        // Kept until the last moment a session sealed before now could open.
        let keep = now
            .saturating_add(self.manager.longest_session().as_secs())
            .saturating_add(MAX_LEEWAY.as_secs());
        let raised = self.store.sign_out_everywhere(subject, keep, now).await;
        self.seen("sign_out_everywhere", raised)
    }

    /// The subject's sessions, newest sign-in first (for a "your devices" page).
    ///
    /// ```ignore-wasm32
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, SessionManager, store::{MemoryStore, StoredSessions}};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let sessions = StoredSessions::new(manager, Arc::new(MemoryStore::new()));
    /// rt.block_on(sessions.sign_in((), "user-7", false, "Edge", 1_000))?;
    /// assert_eq!(rt.block_on(sessions.sessions("user-7", 1_000))?[0].label, "Edge");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub async fn sessions(&self, subject: &str, now: u64) -> Result<Vec<SessionEntry>, Error> {
        let listed = self.store.sessions(subject, now).await;
        self.seen("sessions", listed)
    }

    /// Keeps server-side data for this session, for as long as the session can live.
    ///
    /// ```ignore-wasm32
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, SessionManager, store::{MemoryStore, StoredSessions}};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let sessions = StoredSessions::new(manager, Arc::new(MemoryStore::new()));
    /// let s = rt.block_on(sessions.sign_in((), "user-7", false, "", 1_000))?;
    /// rt.block_on(sessions.put_data(&s, b"oauth tokens", 1_000))?;
    /// assert_eq!(rt.block_on(sessions.data(&s, 1_000))?.unwrap(), b"oauth tokens");
    /// rt.block_on(sessions.sign_out(&s, 1_000))?;
    /// assert_eq!(rt.block_on(sessions.data(&s, 1_000))?, None);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub async fn put_data<T: Sync>(
        &self,
        session: &Session<T>,
        data: &[u8],
        now: u64,
    ) -> Result<(), Error> {
        let subject = session.subject.as_ref().map(|s| s.id.as_str());
        let put = self
            .store
            .put_data(&session.id, subject, data, keep_until(session), now)
            .await;
        self.seen("put_data", put)
    }

    /// The session's server-side data, if any.
    ///
    /// ```ignore-wasm32
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, SessionManager, store::{MemoryStore, StoredSessions}};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let sessions = StoredSessions::new(manager, Arc::new(MemoryStore::new()));
    /// let s = rt.block_on(sessions.sign_in((), "user-7", false, "", 1_000))?;
    /// assert_eq!(rt.block_on(sessions.data(&s, 1_000))?, None);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub async fn data<T: Sync>(
        &self,
        session: &Session<T>,
        now: u64,
    ) -> Result<Option<Vec<u8>>, Error> {
        let subject = session.subject.as_ref().map(|s| s.id.as_str());
        let data = self.store.data(&session.id, subject, now).await;
        self.seen("data", data)
    }
}

/// The last moment the session could open: its absolute deadline plus the most leeway a
/// manager allows.
pub(super) fn keep_until<T>(session: &Session<T>) -> u64 {
    session
        .absolute_expires_at
        .saturating_add(MAX_LEEWAY.as_secs())
}
