//! Session stores: the state a stateless cookie cannot hold by itself, shared by every
//! server that reads the cookie.
//!
//! The cookie stays the session. A store keeps only what must be shared or taken back:
//! revoked session ids (each until the last second that session could open), per-subject
//! generations ("sign out everywhere"), each subject's list of sessions (for a "your
//! devices" page and "sign out other devices"), and optional server-side data that should
//! never travel in a cookie. [`StoredSessions`] puts a [`SessionManager`](crate::SessionManager)
//! and a store together; the stores are [`MemoryStore`] (always built) and, each behind its
//! own cargo feature, SQLite, Redis and Postgres.
//!
//! Every store fails closed: when it cannot answer in time, the call is
//! [`Error::StoreUnavailable`] and nothing that needed the store is accepted.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::{Error, SessionId, Subject};

#[cfg(any(
    feature = "store-sqlite",
    feature = "store-redis",
    feature = "store-postgres"
))]
mod backend;
mod expiring;
mod memory;
#[cfg(feature = "store-postgres")]
mod postgres;
mod rate_limits;
#[cfg(feature = "store-redis")]
mod redis;
#[cfg(feature = "store-redis")]
mod redis_scripts;
mod remember;
mod revocation;
mod single_use;
#[cfg(feature = "store-sqlite")]
mod sqlite;
mod stored;
mod stored_remember;

pub use memory::{DEFAULT_MEMORY_CAPACITY, MemoryStore};
#[cfg(feature = "store-postgres")]
pub use postgres::PostgresStore;
pub use rate_limits::MAX_RATE_KEY_LEN;
#[cfg(feature = "store-postgres")]
pub use rate_limits::PostgresRateLimit;
#[cfg(feature = "store-redis")]
pub use rate_limits::RedisRateLimit;
#[cfg(feature = "store-redis")]
pub use redis::RedisStore;
pub use remember::{
    DEFAULT_REMEMBER_GRACE, MAX_REMEMBER_GRACE, MAX_SERIES_PER_SUBJECT, REMEMBER_LINKS,
    RememberRecord, RememberStore, Rotation, token_hash,
};
pub use revocation::MemoryRevocation;
pub use single_use::CLAIM_LEEWAY;
#[cfg(feature = "store-sqlite")]
pub use sqlite::SqliteStore;
pub use stored::StoredSessions;
pub use stored_remember::{RememberToken, ResumeOutcome, Resumed};

/// What every store method returns: a boxed future, so that `dyn SessionStore` works and no
/// async-trait macro is needed.
///
/// ```ignore-wasm32
/// use cookie_seal::store::{MemoryStore, SessionStore, StoreFuture};
/// let store = MemoryStore::new();
/// let count: StoreFuture<'_, u64> = store.entry_count(1_000);
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// assert_eq!(rt.block_on(count)?, 0);
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

/// Longest client label (bytes of UTF-8) a session-list entry keeps: enough for "Firefox on
/// Linux", short enough that a hostile `User-Agent` cannot bloat the store.
///
/// ```
/// use cookie_seal::store::{MAX_LABEL_LEN, SessionEntry};
/// # let id = cookie_seal::SessionId::generate()?;
/// assert!(SessionEntry::new(id, 1_000, false, &"x".repeat(MAX_LABEL_LEN), 2_000).is_ok());
/// let err = SessionEntry::new(id, 1_000, false, &"x".repeat(MAX_LABEL_LEN + 1), 2_000);
/// assert_eq!(err.unwrap_err().code(), "INVALID_OPTION");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const MAX_LABEL_LEN: usize = 64;

/// Largest server-side data (bytes) one session may keep in a store.
///
/// ```ignore-wasm32
/// use cookie_seal::store::{MAX_DATA_LEN, MemoryStore, SessionStore};
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let store = MemoryStore::new();
/// let id = cookie_seal::SessionId::generate()?;
/// let err = rt.block_on(store.put_data(&id, None, &vec![0; MAX_DATA_LEN + 1], 2_000, 1_000));
/// assert_eq!(err.unwrap_err().code(), "PAYLOAD");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const MAX_DATA_LEN: usize = 64 * 1024;

/// Default cap on the sessions one subject keeps listed. When a subject signs in once more
/// at the cap, its least recently seen session is signed out (revoked, unlisted, its data
/// deleted), so the list always shows every session of the subject that can still open.
///
/// ```
/// assert_eq!(cookie_seal::store::DEFAULT_MAX_SESSIONS_PER_SUBJECT, 32);
/// ```
pub const DEFAULT_MAX_SESSIONS_PER_SUBJECT: usize = 32;

/// Default time a networked store gets to answer before the call fails with
/// `STORE_UNAVAILABLE`.
///
/// ```
/// assert_eq!(cookie_seal::store::DEFAULT_STORE_TIMEOUT.as_millis(), 1_000);
/// ```
pub const DEFAULT_STORE_TIMEOUT: Duration = Duration::from_secs(1);

/// One session of a subject's session list.
///
/// ```
/// use cookie_seal::{SessionId, store::SessionEntry};
/// let id = SessionId::generate()?;
/// let entry = SessionEntry::new(id, 1_000, true, "Firefox on Linux", 90_000)?;
/// assert_eq!((entry.last_seen, entry.label.as_str()), (1_000, "Firefox on Linux"));
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionEntry {
    /// The session id.
    pub id: SessionId,
    /// When the user signed in, seconds since the Unix epoch.
    pub signed_in_at: u64,
    /// The last time the session was written (sign-in, renewal, rotation).
    pub last_seen: u64,
    /// Whether it is a remember-me session.
    pub remember_me: bool,
    /// A short label the application chose, such as the browser's name.
    pub label: String,
    /// When the store drops the entry: the session's absolute deadline plus the leeway.
    pub keep_until: u64,
}

impl SessionEntry {
    /// A new entry, last seen at sign-in. The label must be at most [`MAX_LABEL_LEN`] bytes
    /// with no control characters.
    ///
    /// ```
    /// # use cookie_seal::{SessionId, store::SessionEntry};
    /// let id = SessionId::generate()?;
    /// assert_eq!(SessionEntry::new(id, 1, false, "a\nb", 2).unwrap_err().code(), "INVALID_OPTION");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn new(
        id: SessionId,
        signed_in_at: u64,
        remember_me: bool,
        label: &str,
        keep_until: u64,
    ) -> Result<SessionEntry, Error> {
        let entry = SessionEntry {
            id,
            signed_in_at,
            last_seen: signed_in_at,
            remember_me,
            label: label.to_owned(),
            keep_until,
        };
        entry.check()?;
        Ok(entry)
    }

    /// The fields are public, so every store checks again what [`SessionEntry::new`] did.
    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.label.len() > MAX_LABEL_LEN || self.label.chars().any(char::is_control) {
            return Err(Error::InvalidOption(format!(
                "a session label is at most {MAX_LABEL_LEN} bytes, without control characters"
            )));
        }
        Ok(())
    }
}

/// Orders a session list as every store returns it: newest sign-in first, ties by the id's
/// text (the form stores keep it in, so SQL `ORDER BY` agrees).
pub(crate) fn list_order(a: &SessionEntry, b: &SessionEntry) -> std::cmp::Ordering {
    b.signed_in_at
        .cmp(&a.signed_in_at)
        .then_with(|| a.id.to_string().cmp(&b.id.to_string()))
}

pub(crate) fn check_data(data: &[u8]) -> Result<(), Error> {
    if data.len() > MAX_DATA_LEN {
        return Err(Error::Payload(format!(
            "server-side data is {} bytes, more than the {MAX_DATA_LEN}-byte limit",
            data.len()
        )));
    }
    Ok(())
}

pub(crate) fn check_subject(subject: &str) -> Result<(), Error> {
    Subject::new(subject, 0).map(drop)
}

/// The contract every session store keeps. All times are seconds since the Unix epoch,
/// passed in by the caller (the manager's clock), so tests and servers agree on "now".
///
/// Each entry carries a `keep_until` and the store drops it by itself after that moment
/// (a TTL, or an indexed delete of a bounded batch during later calls); no caller ever has
/// to clean up. Revoking removes the session from its subject's list and deletes its data.
/// Methods answer [`Error::StoreUnavailable`] when the backend cannot be reached in time.
///
/// ```ignore-wasm32
/// use cookie_seal::{SessionId, Subject, store::{MemoryStore, SessionStore}};
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// # rt.block_on(async {
/// let store: Box<dyn SessionStore> = Box::new(MemoryStore::new());
/// let id = SessionId::generate()?;
/// let subject = Subject::new("user-42", 0)?;
/// assert!(!store.is_revoked(&id, Some(&subject), 1_000).await?);
/// store.revoke(&id, Some("user-42"), 5_000, 1_000).await?;
/// assert!(store.is_revoked(&id, Some(&subject), 1_001).await?);
/// # Ok::<(), cookie_seal::Error>(())
/// # })?;
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub trait SessionStore: Send + Sync {
    /// True when this session was revoked by id, or its subject generation is below the
    /// subject's current one. The one lookup a read makes.
    ///
    /// ```ignore-wasm32
    /// # use cookie_seal::{SessionId, Subject, store::{MemoryStore, SessionStore}};
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let store = MemoryStore::new();
    /// let id = SessionId::generate()?;
    /// assert!(!rt.block_on(store.is_revoked(&id, None, 1_000))?);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    fn is_revoked<'a>(
        &'a self,
        id: &'a SessionId,
        subject: Option<&'a Subject>,
        now: u64,
    ) -> StoreFuture<'a, bool>;

    /// Revokes one session until `keep_until`, unlists it and deletes its data. `subject`
    /// is the subject the session carries (stores may place its keys by subject).
    ///
    /// ```ignore-wasm32
    /// # use cookie_seal::{SessionId, store::{MemoryStore, SessionStore}};
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let store = MemoryStore::new();
    /// let id = SessionId::generate()?;
    /// rt.block_on(store.revoke(&id, None, 2_000, 1_000))?;
    /// assert!(rt.block_on(store.is_revoked(&id, None, 2_000))?);
    /// assert!(!rt.block_on(store.is_revoked(&id, None, 2_001))?); // it could not open anyway
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    fn revoke<'a>(
        &'a self,
        id: &'a SessionId,
        subject: Option<&'a str>,
        keep_until: u64,
        now: u64,
    ) -> StoreFuture<'a, ()>;

    /// The lowest generation of `subject` still accepted (0 until the first sign-out
    /// everywhere): new sessions of the subject are sealed with it.
    ///
    /// ```ignore-wasm32
    /// # use cookie_seal::store::{MemoryStore, SessionStore};
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let store = MemoryStore::new();
    /// assert_eq!(rt.block_on(store.generation("user-42", 1_000))?, 0);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    fn generation<'a>(&'a self, subject: &'a str, now: u64) -> StoreFuture<'a, u64>;

    /// Signs `subject` out everywhere: raises its generation by one (kept until
    /// `keep_until`, which must cover the last moment any older session could open), clears
    /// its session list and the data of every listed session. Returns the new generation.
    ///
    /// ```ignore-wasm32
    /// # use cookie_seal::{Subject, SessionId, store::{MemoryStore, SessionStore}};
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let store = MemoryStore::new();
    /// // The time of the sign-out, or one more than the last generation if that is later.
    /// assert_eq!(rt.block_on(store.sign_out_everywhere("user-42", 9_000, 1_000))?, 1_000);
    /// let old = Subject::new("user-42", 0)?;
    /// assert!(rt.block_on(store.is_revoked(&SessionId::generate()?, Some(&old), 1_000))?);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    fn sign_out_everywhere<'a>(
        &'a self,
        subject: &'a str,
        keep_until: u64,
        now: u64,
    ) -> StoreFuture<'a, u64>;

    /// Lists a new session of `subject`. At the store's cap on sessions per subject, the
    /// least recently seen other session is revoked to make room.
    ///
    /// ```ignore-wasm32
    /// # use cookie_seal::{SessionId, store::{MemoryStore, SessionEntry, SessionStore}};
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let store = MemoryStore::new();
    /// let entry = SessionEntry::new(SessionId::generate()?, 1_000, false, "curl", 9_000)?;
    /// rt.block_on(store.record_sign_in("user-42", &entry, 1_000))?;
    /// assert_eq!(rt.block_on(store.sessions("user-42", 1_000))?, [entry]);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    fn record_sign_in<'a>(
        &'a self,
        subject: &'a str,
        entry: &'a SessionEntry,
        now: u64,
    ) -> StoreFuture<'a, ()>;

    /// Sets a listed session's last-seen time to `now`; nothing happens when it is not
    /// listed (signed out, or expired).
    ///
    /// ```ignore-wasm32
    /// # use cookie_seal::{SessionId, store::{MemoryStore, SessionEntry, SessionStore}};
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// # let store = MemoryStore::new();
    /// let entry = SessionEntry::new(SessionId::generate()?, 1_000, false, "curl", 9_000)?;
    /// rt.block_on(store.record_sign_in("user-42", &entry, 1_000))?;
    /// rt.block_on(store.touch("user-42", &entry.id, 1_500))?;
    /// assert_eq!(rt.block_on(store.sessions("user-42", 1_500))?[0].last_seen, 1_500);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    fn touch<'a>(&'a self, subject: &'a str, id: &'a SessionId, now: u64) -> StoreFuture<'a, ()>;

    /// The subject's sessions that have not expired, newest sign-in first.
    ///
    /// ```ignore-wasm32
    /// # use cookie_seal::store::{MemoryStore, SessionStore};
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// assert!(rt.block_on(MemoryStore::new().sessions("nobody", 1_000))?.is_empty());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    fn sessions<'a>(&'a self, subject: &'a str, now: u64) -> StoreFuture<'a, Vec<SessionEntry>>;

    /// Keeps server-side data for a session (at most [`MAX_DATA_LEN`] bytes) until
    /// `keep_until`, replacing what it had. Revoking the session deletes it.
    ///
    /// ```ignore-wasm32
    /// # use cookie_seal::{SessionId, store::{MemoryStore, SessionStore}};
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// # let store = MemoryStore::new();
    /// let id = SessionId::generate()?;
    /// rt.block_on(store.put_data(&id, None, b"refresh-token", 2_000, 1_000))?;
    /// assert_eq!(rt.block_on(store.data(&id, None, 1_000))?.as_deref(), Some(&b"refresh-token"[..]));
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    fn put_data<'a>(
        &'a self,
        id: &'a SessionId,
        subject: Option<&'a str>,
        data: &'a [u8],
        keep_until: u64,
        now: u64,
    ) -> StoreFuture<'a, ()>;

    /// The session's server-side data, if it has some that has not expired.
    ///
    /// ```ignore-wasm32
    /// # use cookie_seal::{SessionId, store::{MemoryStore, SessionStore}};
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let id = SessionId::generate()?;
    /// assert_eq!(rt.block_on(MemoryStore::new().data(&id, None, 1_000))?, None);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    fn data<'a>(
        &'a self,
        id: &'a SessionId,
        subject: Option<&'a str>,
        now: u64,
    ) -> StoreFuture<'a, Option<Vec<u8>>>;

    /// Entries the store holds (revocations, generations, listed sessions, data, redeemed
    /// hand-off tokens), for monitoring and tests. May include entries past their time that
    /// the store has not dropped yet; on Redis it walks the store's keys, so call it rarely.
    ///
    /// ```ignore-wasm32
    /// # use cookie_seal::store::{MemoryStore, SessionStore};
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// assert_eq!(rt.block_on(MemoryStore::new().entry_count(1_000))?, 0);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    fn entry_count<'a>(&'a self, now: u64) -> StoreFuture<'a, u64>;
}

/// Runs a store call with a deadline, turning a timeout into `STORE_UNAVAILABLE`.
#[cfg(any(
    feature = "store-sqlite",
    feature = "store-redis",
    feature = "store-postgres"
))]
pub(crate) async fn timed<T>(
    what: &str,
    timeout: Duration,
    call: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    match tokio::time::timeout(timeout, call).await {
        Ok(result) => result,
        Err(_) => Err(Error::StoreUnavailable(format!(
            "{what}: no answer within {} ms",
            timeout.as_millis()
        ))),
    }
}
