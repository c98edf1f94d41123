//! The synchronous in-memory revocation set, for a manager's [`Revocation`] hook: a thin
//! face over [`MemoryStore`].

use std::time::Duration;

use super::{DEFAULT_MEMORY_CAPACITY, MemoryStore};
use crate::limits::MAX_LEEWAY;
use crate::{Error, Revocation, SessionId, SessionInfo};

/// Revoked session ids and subject generations, kept in memory: the synchronous face of
/// [`MemoryStore`](crate::store::MemoryStore), which does the work. Every entry is dropped
/// once the sessions it revokes could no longer open, in bounded batches during later calls,
/// and each call costs O(log n). It holds at most
/// [`DEFAULT_MEMORY_CAPACITY`](crate::store::DEFAULT_MEMORY_CAPACITY) entries; at that bound a
/// revocation is refused with `STORE_UNAVAILABLE` rather than an older one forgotten.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use cookie_seal::{Key, Keyring, MemoryRevocation, SessionManager, SignIn};
///
/// let revoked = Arc::new(MemoryRevocation::new(Duration::from_secs(30 * 86_400)));
/// let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s")
///     .revocation(revoked.clone())
///     .build()?;
/// let now = 1_700_000_000;
/// let session = manager.sign_in(serde_json::json!({ "uid": 1 }), SignIn::default(), now)?;
/// let header = manager.set_cookies_at(&session, now)?[0].split(';').next().unwrap().to_owned();
///
/// assert!(manager.read_at::<serde_json::Value>(&header, now)?.is_some());
/// revoked.revoke(&session, now)?;
/// assert_eq!(manager.read_at::<serde_json::Value>(&header, now).unwrap_err().code(), "REVOKED");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug)]
pub struct MemoryRevocation {
    longest_session: u64,
    store: MemoryStore,
}

impl MemoryRevocation {
    /// An empty set. `longest_session` is the longest a session can live after sign-in
    /// (the manager's [`longest_session`](crate::SessionManager::longest_session)); subject
    /// entries are kept that long, plus the most leeway a manager allows.
    ///
    /// ```
    /// let set = cookie_seal::MemoryRevocation::new(std::time::Duration::from_secs(86_400));
    /// assert_eq!(set.len(), 0);
    /// ```
    pub fn new(longest_session: Duration) -> Self {
        MemoryRevocation::with_capacity(longest_session, DEFAULT_MEMORY_CAPACITY)
    }

    /// [`new`](Self::new) holding at most `capacity` entries.
    ///
    /// ```
    /// # use cookie_seal::{MemoryRevocation, SessionId};
    /// let set = MemoryRevocation::with_capacity(std::time::Duration::from_secs(60), 1);
    /// set.revoke_id(SessionId::generate()?, 2_000, 1_000)?;
    /// let full = set.revoke_id(SessionId::generate()?, 2_000, 1_000);
    /// assert_eq!(full.unwrap_err().code(), "STORE_UNAVAILABLE");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn with_capacity(longest_session: Duration, capacity: usize) -> Self {
        MemoryRevocation {
            longest_session: longest_session.as_secs(),
            store: MemoryStore::with_capacity(capacity),
        }
    }

    /// Revokes one session (sign-out on all devices that share this cookie, a stolen
    /// cookie). Kept until the session could no longer open on its own.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use cookie_seal::{Key, Keyring, MemoryRevocation, SessionManager, SignIn};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let set = MemoryRevocation::new(manager.longest_session());
    /// let session = manager.sign_in((), SignIn::default(), 1_000)?;
    /// set.revoke(&session, 1_000)?; // or a reader candidate's `info()`
    /// assert_eq!(set.len(), 1);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn revoke<'a>(&self, session: impl Into<SessionInfo<'a>>, now: u64) -> Result<(), Error> {
        let session = session.into();
        // The leeway allowance keeps the entry a little past the last moment it could open.
        let until = session
            .absolute_expires_at
            .saturating_add(MAX_LEEWAY.as_secs());
        self.revoke_id(*session.id, until, now)
    }

    /// Revokes a session by id until `until` (seconds since the Unix epoch).
    ///
    /// ```
    /// # use cookie_seal::{MemoryRevocation, SessionId};
    /// let set = MemoryRevocation::new(std::time::Duration::from_secs(3_600));
    /// let id = SessionId::generate()?;
    /// set.revoke_id(id, 2_000, 1_000)?;
    /// set.revoke_id(SessionId::generate()?, 5_000, 2_001)?; // prunes the first
    /// assert_eq!(set.len(), 1);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn revoke_id(&self, id: SessionId, until: u64, now: u64) -> Result<(), Error> {
        self.store.revoke_now(&id, None, until, now)
    }

    /// Revokes every session of `subject` whose generation is below `generation`: after a
    /// password change or "sign out everywhere", bump the user's generation and seal new
    /// sessions with it. Kept until the last moment such a session could open.
    ///
    /// ```
    /// # use cookie_seal::MemoryRevocation;
    /// let set = MemoryRevocation::new(std::time::Duration::from_secs(3_600));
    /// set.revoke_subject_below("user-42", 3, 1_000)?;
    /// assert_eq!(set.len(), 1);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn revoke_subject_below(
        &self,
        subject: &str,
        generation: u64,
        now: u64,
    ) -> Result<(), Error> {
        let until = now
            .saturating_add(self.longest_session)
            .saturating_add(MAX_LEEWAY.as_secs());
        self.store.raise_generation(subject, generation, until, now)
    }

    /// Entries held (revoked ids plus subjects), including expired ones not dropped yet.
    ///
    /// ```
    /// assert_eq!(cookie_seal::MemoryRevocation::new(std::time::Duration::ZERO).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// True when nothing is revoked.
    ///
    /// ```
    /// assert!(cookie_seal::MemoryRevocation::new(std::time::Duration::ZERO).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Revocation for MemoryRevocation {
    fn is_revoked(&self, session: &SessionInfo<'_>, now: u64) -> bool {
        self.store.is_revoked_now(session.id, session.subject, now)
    }
}
