//! Revocation: what a check sees of a session, the hook consulted when a session opens, and
//! an in-memory implementation. Depends on the session's identity (`id.rs`) only.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use super::id::{SessionId, Subject};
use crate::limits::MAX_LEEWAY;

/// What a revocation check sees of a session that has already passed authentication and
/// expiry. The payload is not included: revocation decides on identity alone.
///
/// ```
/// use cookie_seal::{Revocation, SessionInfo};
/// /// Revokes sessions signed in before a per-deployment cutoff kept elsewhere.
/// struct SignedInAfter(u64);
/// impl Revocation for SignedInAfter {
///     fn is_revoked(&self, session: &SessionInfo<'_>, _now: u64) -> bool {
///         session.signed_in_at < self.0
///     }
/// }
/// # let _ = SignedInAfter(0);
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct SessionInfo<'a> {
    /// The session id (fresh at sign-in and at privilege changes).
    pub id: &'a SessionId,
    /// The subject and its generation, when the session has one.
    pub subject: Option<&'a Subject>,
    /// When the user signed in, seconds since the Unix epoch.
    pub signed_in_at: u64,
    /// The latest time this session could ever open.
    pub absolute_expires_at: u64,
}

/// Decides whether an authentic, unexpired session has been revoked. Called on every
/// read, so it should answer from memory; an asynchronous lookup (a remote store) drives
/// [`SessionManager::reader`](crate::SessionManager::reader) instead.
///
/// ```
/// use cookie_seal::{Revocation, SessionInfo};
///
/// /// Everyone whose subject id is on a deny list is signed out.
/// struct Banned(Vec<String>);
/// impl Revocation for Banned {
///     fn is_revoked(&self, session: &SessionInfo<'_>, _now: u64) -> bool {
///         session.subject.is_some_and(|s| self.0.contains(&s.id))
///     }
/// }
/// # let _: Box<dyn Revocation> = Box::new(Banned(vec![]));
/// ```
pub trait Revocation: Send + Sync {
    /// True if this session must not be accepted.
    fn is_revoked(&self, session: &SessionInfo<'_>, now: u64) -> bool;
}

/// Revoked session ids and subject generations, kept in memory. Every entry is dropped
/// once the sessions it revokes would have expired anyway, so the set holds at most what
/// was revoked within one session lifetime and cannot grow without bound.
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
/// revoked.revoke(&session, now);
/// assert_eq!(manager.read_at::<serde_json::Value>(&header, now).unwrap_err().code(), "REVOKED");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug)]
pub struct MemoryRevocation {
    longest_session: u64,
    entries: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    /// Session id → when the entry may go.
    ids: HashMap<SessionId, u64>,
    /// Subject id → (lowest generation still valid, when the entry may go).
    subjects: HashMap<String, (u64, u64)>,
}

impl MemoryRevocation {
    /// An empty set. `longest_session` is the longest a session can live after sign-in
    /// (the manager's [`longest_session`](crate::SessionManager::longest_session)); subject
    /// entries are kept that long.
    ///
    /// ```
    /// let set = cookie_seal::MemoryRevocation::new(std::time::Duration::from_secs(86_400));
    /// assert_eq!(set.len(), 0);
    /// ```
    pub fn new(longest_session: Duration) -> Self {
        MemoryRevocation {
            longest_session: longest_session.as_secs(),
            entries: Mutex::default(),
        }
    }

    /// Revokes one session (sign-out on all devices that share this cookie, a stolen
    /// cookie). Kept until the session would have expired on its own.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use cookie_seal::{Key, Keyring, MemoryRevocation, SessionManager, SignIn};
    /// # let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let set = MemoryRevocation::new(manager.longest_session());
    /// let session = manager.sign_in((), SignIn::default(), 1_000)?;
    /// set.revoke(&session, 1_000); // or a reader candidate's `info()`
    /// assert_eq!(set.len(), 1);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn revoke<'a>(&self, session: impl Into<SessionInfo<'a>>, now: u64) {
        let session = session.into();
        // The leeway allowance keeps the entry a little past the last moment it could open.
        let until = session
            .absolute_expires_at
            .saturating_add(MAX_LEEWAY.as_secs());
        self.revoke_id(*session.id, until, now);
    }

    /// Revokes a session by id until `until` (seconds since the Unix epoch).
    ///
    /// ```
    /// # use cookie_seal::{MemoryRevocation, SessionId};
    /// let set = MemoryRevocation::new(std::time::Duration::from_secs(3_600));
    /// let id = SessionId::generate()?;
    /// set.revoke_id(id, 2_000, 1_000);
    /// set.revoke_id(SessionId::generate()?, 5_000, 2_001); // prunes the first
    /// assert_eq!(set.len(), 1);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn revoke_id(&self, id: SessionId, until: u64, now: u64) {
        let mut entries = self.pruned(now);
        entries.ids.insert(id, until);
    }

    /// Revokes every session of `subject` whose generation is below `generation`: after a
    /// password change or "sign out everywhere", bump the user's generation and seal new
    /// sessions with it.
    ///
    /// ```
    /// # use cookie_seal::MemoryRevocation;
    /// let set = MemoryRevocation::new(std::time::Duration::from_secs(3_600));
    /// set.revoke_subject_below("user-42", 3, 1_000);
    /// assert_eq!(set.len(), 1);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn revoke_subject_below(&self, subject: &str, generation: u64, now: u64) {
        let until = now.saturating_add(self.longest_session);
        let mut entries = self.pruned(now);
        let entry = entries
            .subjects
            .entry(subject.to_owned())
            .or_insert((generation, until));
        entry.0 = entry.0.max(generation);
        entry.1 = until;
    }

    /// Entries held (revoked ids plus subjects).
    ///
    /// ```
    /// assert_eq!(cookie_seal::MemoryRevocation::new(std::time::Duration::ZERO).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        let entries = self.entries();
        entries.ids.len() + entries.subjects.len()
    }

    /// True when nothing is revoked.
    ///
    /// ```
    /// assert!(cookie_seal::MemoryRevocation::new(std::time::Duration::ZERO).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn entries(&self) -> MutexGuard<'_, Entries> {
        // A panic elsewhere while holding the lock leaves the maps consistent (every
        // mutation is a single insert or remove), so a poisoned lock is still usable.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The entries, after dropping those that expired before `now`.
    fn pruned(&self, now: u64) -> MutexGuard<'_, Entries> {
        let mut entries = self.entries();
        entries.ids.retain(|_, until| *until >= now);
        entries.subjects.retain(|_, (_, until)| *until >= now);
        entries
    }
}

impl Revocation for MemoryRevocation {
    fn is_revoked(&self, session: &SessionInfo<'_>, _now: u64) -> bool {
        let entries = self.entries();
        entries.ids.contains_key(session.id)
            || session.subject.is_some_and(|s| {
                entries
                    .subjects
                    .get(&s.id)
                    .is_some_and(|(lowest, _)| s.generation < *lowest)
            })
    }
}
