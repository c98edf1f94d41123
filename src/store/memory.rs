//! The in-process store: for tests and single-server sites.
//!
//! Every entry sits in its map and once in an expiry index ordered by `keep_until`, so
//! adding, replacing or dropping one costs O(log n), and each call drops at most
//! [`PRUNE_BATCH`] expired entries from the front of the index: no call ever walks the
//! whole set while holding the lock a read needs.

use std::future::ready;
use std::sync::{Mutex, MutexGuard};

use super::expiring::{Inner, Key, PRUNE_BATCH};
use super::{
    DEFAULT_MAX_SESSIONS_PER_SUBJECT, SessionEntry, SessionStore, StoreFuture, check_data,
    check_subject, list_order,
};
use crate::{Error, Revocation, SessionId, SessionInfo, Subject};

/// Default number of entries a [`MemoryStore`] holds at most (about 100 bytes each plus
/// the data and labels they carry).
///
/// ```
/// use cookie_seal::store::{DEFAULT_MEMORY_CAPACITY, MemoryStore};
/// assert_eq!(MemoryStore::new().capacity(), DEFAULT_MEMORY_CAPACITY);
/// ```
pub const DEFAULT_MEMORY_CAPACITY: usize = 1_000_000;

/// Revocations, generations, session lists and server-side data in this process's memory.
/// Nothing is shared with other servers and nothing survives a restart: use it for tests
/// and single-process sites, and SQLite, Redis or Postgres otherwise.
///
/// It holds at most [`capacity`](Self::capacity) entries. When it is full of entries that
/// are all still needed, adding one more fails with `STORE_UNAVAILABLE` (the sign-out or
/// sign-in is refused and says so); it never drops a revocation early to make room.
///
/// ```ignore-wasm32
/// use cookie_seal::{SessionId, store::{MemoryStore, SessionStore}};
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let store = MemoryStore::with_capacity(1);
/// rt.block_on(store.revoke(&SessionId::generate()?, None, 2_000, 1_000))?;
/// let full = rt.block_on(store.revoke(&SessionId::generate()?, None, 2_000, 1_000));
/// assert_eq!(full.unwrap_err().code(), "STORE_UNAVAILABLE");
/// // Once the first entry's time has passed, there is room again.
/// rt.block_on(store.revoke(&SessionId::generate()?, None, 3_000, 2_001))?;
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
    /// Remember-me series (src/store/remember/memory.rs), under a lock of their own; at
    /// most `capacity` of them, besides the other entries.
    pub(super) remember: Mutex<super::remember::MemorySeries>,
    capacity: usize,
    max_per_subject: usize,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

impl MemoryStore {
    /// An empty store holding at most [`DEFAULT_MEMORY_CAPACITY`] entries.
    ///
    /// ```
    /// assert_eq!(cookie_seal::store::MemoryStore::new().len(), 0);
    /// ```
    pub fn new() -> MemoryStore {
        MemoryStore::with_capacity(DEFAULT_MEMORY_CAPACITY)
    }

    /// An empty store holding at most `capacity` entries.
    ///
    /// ```
    /// assert_eq!(cookie_seal::store::MemoryStore::with_capacity(10).capacity(), 10);
    /// ```
    pub fn with_capacity(capacity: usize) -> MemoryStore {
        MemoryStore {
            inner: Mutex::default(),
            remember: Mutex::default(),
            capacity,
            max_per_subject: DEFAULT_MAX_SESSIONS_PER_SUBJECT,
        }
    }

    /// Sets how many sessions one subject keeps listed (at least 1).
    ///
    /// ```
    /// let store = cookie_seal::store::MemoryStore::new().max_sessions_per_subject(5);
    /// # let _ = store;
    /// ```
    #[must_use]
    pub fn max_sessions_per_subject(mut self, max: usize) -> MemoryStore {
        self.max_per_subject = max.max(1);
        self
    }

    /// The most entries it holds.
    ///
    /// ```
    /// assert!(cookie_seal::store::MemoryStore::new().capacity() > 0);
    /// ```
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Entries held now, including expired ones not dropped yet.
    ///
    /// ```
    /// use cookie_seal::{SessionId, store::MemoryStore};
    /// let store = MemoryStore::new();
    /// store.revoke_now(&SessionId::generate()?, None, 2_000, 1_000)?;
    /// assert_eq!(store.len(), 1);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.lock().expiry.len()
    }

    /// True when it holds nothing.
    ///
    /// ```
    /// assert!(cookie_seal::store::MemoryStore::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// [`SessionStore::revoke`] without a future, for synchronous code.
    ///
    /// ```
    /// use cookie_seal::{SessionId, store::MemoryStore};
    /// let store = MemoryStore::new();
    /// let id = SessionId::generate()?;
    /// store.revoke_now(&id, None, 2_000, 1_000)?;
    /// assert!(store.is_revoked_now(&id, None, 1_500));
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn revoke_now(
        &self,
        id: &SessionId,
        subject: Option<&str>,
        keep_until: u64,
        now: u64,
    ) -> Result<(), Error> {
        let mut inner = self.begin(now);
        let adds = !inner.revoked.contains_key(id.as_bytes());
        self.room_for(&mut inner, now, adds)?;
        inner.set_revoked(*id.as_bytes(), keep_until);
        if let Some(subject) = subject {
            inner.unlist(subject, id.as_bytes());
        }
        inner.drop_data(id.as_bytes());
        Ok(())
    }

    /// [`SessionStore::is_revoked`] without a future, for synchronous code.
    ///
    /// ```
    /// use cookie_seal::{SessionId, Subject, store::MemoryStore};
    /// let store = MemoryStore::new();
    /// store.raise_generation("user-42", 3, 9_000, 1_000)?;
    /// let id = SessionId::generate()?;
    /// assert!(store.is_revoked_now(&id, Some(&Subject::new("user-42", 2)?), 1_000));
    /// assert!(!store.is_revoked_now(&id, Some(&Subject::new("user-42", 3)?), 1_000));
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn is_revoked_now(&self, id: &SessionId, subject: Option<&Subject>, now: u64) -> bool {
        // No pruning here: a read takes the lock for two lookups and nothing else.
        let inner = self.lock();
        inner
            .revoked
            .get(id.as_bytes())
            .is_some_and(|until| *until >= now)
            || subject.is_some_and(|s| {
                inner
                    .generations
                    .get(&s.id)
                    .is_some_and(|(lowest, until)| *until >= now && s.generation < *lowest)
            })
    }

    /// Raises `subject`'s lowest accepted generation to at least `generation`, kept until at
    /// least `keep_until`; the list and data stay (sessions of the new generation keep them).
    ///
    /// ```
    /// use cookie_seal::store::MemoryStore;
    /// let store = MemoryStore::new();
    /// store.raise_generation("user-42", 3, 9_000, 1_000)?;
    /// store.raise_generation("user-42", 2, 9_000, 1_000)?; // never lowers it
    /// assert_eq!(store.generation_now("user-42", 1_000), 3);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn raise_generation(
        &self,
        subject: &str,
        generation: u64,
        keep_until: u64,
        now: u64,
    ) -> Result<(), Error> {
        check_subject(subject)?;
        let mut inner = self.begin(now);
        let current = inner.live_generation(subject, now);
        self.room_for(&mut inner, now, current.is_none())?;
        let (lowest, until) = current.unwrap_or((0, 0));
        inner.set_generation(subject, lowest.max(generation), until.max(keep_until));
        Ok(())
    }

    /// [`SessionStore::generation`] without a future.
    ///
    /// ```
    /// assert_eq!(cookie_seal::store::MemoryStore::new().generation_now("u", 1_000), 0);
    /// ```
    pub fn generation_now(&self, subject: &str, now: u64) -> u64 {
        self.lock()
            .live_generation(subject, now)
            .map_or(0, |(g, _)| g)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every change is a few inserts and removes that leave the maps consistent with the
        // index at each step that can fail, so a lock poisoned by a panic elsewhere is usable.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes the lock and drops one batch of expired entries.
    pub(super) fn begin(&self, now: u64) -> MutexGuard<'_, Inner> {
        let mut inner = self.lock();
        inner.prune(now, PRUNE_BATCH);
        inner
    }

    /// Refuses a new entry when the store is full of entries still needed.
    pub(super) fn room_for(&self, inner: &mut Inner, now: u64, adds: bool) -> Result<(), Error> {
        if adds && inner.expiry.len() >= self.capacity {
            inner.prune(now, PRUNE_BATCH);
            if inner.expiry.len() >= self.capacity {
                return Err(Error::StoreUnavailable(format!(
                    "memory store is full: {} entries, none expired yet",
                    self.capacity
                )));
            }
        }
        Ok(())
    }

    fn sign_out_everywhere_now(
        &self,
        subject: &str,
        keep_until: u64,
        now: u64,
    ) -> Result<u64, Error> {
        check_subject(subject)?;
        let mut inner = self.begin(now);
        let current = inner.live_generation(subject, now);
        self.room_for(&mut inner, now, current.is_none())?;
        let (lowest, until) = current.unwrap_or((0, 0));
        // The time of the sign-out, so that a session sealed with any generation this store
        // handed out before (even one whose entry has since expired) is below it.
        let next = lowest.saturating_add(1).max(now);
        inner.set_generation(subject, next, until.max(keep_until));
        for entry in inner.lists.remove(subject).unwrap_or_default() {
            let id = *entry.id.as_bytes();
            inner
                .expiry
                .remove(&(entry.keep_until, Key::Listed(subject.to_owned(), id)));
            inner.drop_data(&id);
        }
        Ok(next)
    }

    fn record_now(&self, subject: &str, entry: &SessionEntry, now: u64) -> Result<(), Error> {
        check_subject(subject)?;
        entry.check()?;
        let mut inner = self.begin(now);
        let id = *entry.id.as_bytes();
        let listed = inner.lists.get(subject).map(Vec::as_slice).unwrap_or(&[]);
        let replaces = listed.iter().any(|e| e.id == entry.id);
        let evict = (!replaces && listed.len() >= self.max_per_subject)
            .then(|| {
                listed
                    .iter()
                    .min_by_key(|e| (e.last_seen, e.signed_in_at))
                    .map(|e| (e.id, e.keep_until))
            })
            .flatten();
        if let Some((old, old_until)) = evict {
            // Signing the least recently seen session out keeps the list complete: every
            // session of the subject that can open is on it.
            let adds = !inner.revoked.contains_key(old.as_bytes());
            self.room_for(&mut inner, now, adds)?;
            inner.set_revoked(*old.as_bytes(), old_until);
            inner.unlist(subject, old.as_bytes());
            inner.drop_data(old.as_bytes());
        } else {
            self.room_for(&mut inner, now, !replaces)?;
        }
        inner.unlist(subject, &id);
        inner
            .expiry
            .insert((entry.keep_until, Key::Listed(subject.to_owned(), id)));
        inner
            .lists
            .entry(subject.to_owned())
            .or_default()
            .push(entry.clone());
        Ok(())
    }

    fn touch_now(&self, subject: &str, id: &SessionId, now: u64) {
        let mut inner = self.begin(now);
        if let Some(entry) = inner
            .lists
            .get_mut(subject)
            .and_then(|list| list.iter_mut().find(|e| e.id == *id))
        {
            entry.last_seen = entry.last_seen.max(now);
        }
    }

    fn sessions_now(&self, subject: &str, now: u64) -> Vec<SessionEntry> {
        let inner = self.begin(now);
        let mut list: Vec<SessionEntry> = inner
            .lists
            .get(subject)
            .map(|l| l.iter().filter(|e| e.keep_until >= now).cloned().collect())
            .unwrap_or_default();
        list.sort_by(list_order);
        list
    }

    fn put_data_now(
        &self,
        id: &SessionId,
        data: &[u8],
        keep_until: u64,
        now: u64,
    ) -> Result<(), Error> {
        check_data(data)?;
        let mut inner = self.begin(now);
        let key = *id.as_bytes();
        let adds = !inner.data.contains_key(&key);
        self.room_for(&mut inner, now, adds)?;
        inner.drop_data(&key);
        inner.expiry.insert((keep_until, Key::Data(key)));
        inner.data.insert(key, (data.to_vec(), keep_until));
        Ok(())
    }

    fn data_now(&self, id: &SessionId, now: u64) -> Option<Vec<u8>> {
        let inner = self.lock();
        inner
            .data
            .get(id.as_bytes())
            .filter(|(_, until)| *until >= now)
            .map(|(data, _)| data.clone())
    }

    fn count_now(&self, now: u64) -> u64 {
        // Batch by batch, letting go of the lock in between so reads interleave.
        loop {
            let mut inner = self.lock();
            if inner.prune(now, PRUNE_BATCH) < PRUNE_BATCH {
                return inner.expiry.len() as u64;
            }
        }
    }
}

impl Revocation for MemoryStore {
    fn is_revoked(&self, session: &SessionInfo<'_>, now: u64) -> bool {
        self.is_revoked_now(session.id, session.subject, now)
    }
}

impl SessionStore for MemoryStore {
    fn is_revoked<'a>(
        &'a self,
        id: &'a SessionId,
        subject: Option<&'a Subject>,
        now: u64,
    ) -> StoreFuture<'a, bool> {
        Box::pin(ready(Ok(self.is_revoked_now(id, subject, now))))
    }

    fn revoke<'a>(
        &'a self,
        id: &'a SessionId,
        subject: Option<&'a str>,
        keep_until: u64,
        now: u64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(ready(self.revoke_now(id, subject, keep_until, now)))
    }

    fn generation<'a>(&'a self, subject: &'a str, now: u64) -> StoreFuture<'a, u64> {
        Box::pin(ready(Ok(self.generation_now(subject, now))))
    }

    fn sign_out_everywhere<'a>(
        &'a self,
        subject: &'a str,
        keep_until: u64,
        now: u64,
    ) -> StoreFuture<'a, u64> {
        Box::pin(ready(
            self.sign_out_everywhere_now(subject, keep_until, now),
        ))
    }

    fn record_sign_in<'a>(
        &'a self,
        subject: &'a str,
        entry: &'a SessionEntry,
        now: u64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(ready(self.record_now(subject, entry, now)))
    }

    fn touch<'a>(&'a self, subject: &'a str, id: &'a SessionId, now: u64) -> StoreFuture<'a, ()> {
        self.touch_now(subject, id, now);
        Box::pin(ready(Ok(())))
    }

    fn sessions<'a>(&'a self, subject: &'a str, now: u64) -> StoreFuture<'a, Vec<SessionEntry>> {
        Box::pin(ready(Ok(self.sessions_now(subject, now))))
    }

    fn put_data<'a>(
        &'a self,
        id: &'a SessionId,
        _subject: Option<&'a str>,
        data: &'a [u8],
        keep_until: u64,
        now: u64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(ready(self.put_data_now(id, data, keep_until, now)))
    }

    fn data<'a>(
        &'a self,
        id: &'a SessionId,
        _subject: Option<&'a str>,
        now: u64,
    ) -> StoreFuture<'a, Option<Vec<u8>>> {
        Box::pin(ready(Ok(self.data_now(id, now))))
    }

    fn entry_count<'a>(&'a self, now: u64) -> StoreFuture<'a, u64> {
        Box::pin(ready(Ok(self.count_now(now))))
    }
}
