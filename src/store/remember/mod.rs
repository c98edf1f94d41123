//! Remember-me tokens that catch a stolen copy: the store's half.
//!
//! A remember-me token is its own cookie, `<series>.<secret>` (16 and 32 random bytes,
//! unpadded base64url), separate from the short session cookie. The store keeps, per
//! series, the SHA-256 of the current secret and of the one just before it, when it last
//! rotated, its subject, and the sessions it started (at most [`REMEMBER_LINKS`]). Each use
//! rotates the secret. The previous secret still works inside a short grace window (two
//! tabs refreshing at once), without rotating again; any other secret of a live series
//! means two parties hold the series: the whole series goes, and so does every session it
//! started. The layout and the rule are the npm package's, so Rust and Node share series.

use std::time::Duration;

use sha2::{Digest, Sha256};

use super::StoreFuture;
use crate::{Error, SessionId};

mod memory;
#[cfg(feature = "store-postgres")]
mod postgres;
#[cfg(feature = "store-redis")]
mod redis;
#[cfg(feature = "store-sqlite")]
mod sqlite;
#[cfg(feature = "store-sqlite")]
pub(super) use sqlite::SCHEMA as SQLITE_SCHEMA;

pub(super) use memory::MemorySeries;

/// Default grace window in which the token just replaced still resumes.
///
/// Two tabs that refresh at once both send the same token before either answer's
/// `Set-Cookie` lands: one round trip plus the server's time, well under a second
/// normally. Ten seconds covers a slow mobile link and a loaded server; the longer the
/// window, the longer a thief who replays a copied token right after its owner goes
/// unnoticed (until the next use, which then reveals the theft).
///
/// ```
/// assert_eq!(cookie_seal::store::DEFAULT_REMEMBER_GRACE.as_secs(), 10);
/// ```
pub const DEFAULT_REMEMBER_GRACE: Duration = Duration::from_secs(10);

/// Longest grace window allowed: past a minute, "two tabs at once" no longer explains a
/// second use, and a replayed token would pass for too long.
///
/// ```
/// assert_eq!(cookie_seal::store::MAX_REMEMBER_GRACE.as_secs(), 60);
/// ```
pub const MAX_REMEMBER_GRACE: Duration = Duration::from_secs(60);

/// Sessions a series keeps, to revoke them when the series is stolen: the newest it
/// started that may still be open (each lives one ordinary session lifetime).
///
/// ```
/// assert_eq!(cookie_seal::store::REMEMBER_LINKS, 8);
/// ```
pub const REMEMBER_LINKS: usize = 8;

/// Live series one subject may have (one per browser where the user ticked "remember
/// me"). Starting one more drops the one that would expire first, so signing in again and
/// again cannot make the store grow.
///
/// ```
/// assert_eq!(cookie_seal::store::MAX_SERIES_PER_SUBJECT, 32);
/// ```
pub const MAX_SERIES_PER_SUBJECT: usize = 32;

/// A new series, as [`RememberStore::remember_start`] stores it.
///
/// ```
/// use cookie_seal::{SessionId, store::RememberRecord};
/// let hash = "A".repeat(43);
/// let record = RememberRecord::new("user-7", &hash, 1_000, SessionId::generate()?, 9_000)?;
/// assert_eq!(record.previous, "");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RememberRecord {
    /// Whom the series signs in.
    pub subject: String,
    /// Hash of the current secret ([`token_hash`]).
    pub current: String,
    /// Hash of the secret before it, empty until the first rotation.
    pub previous: String,
    /// When the current secret was issued.
    pub rotated_at: u64,
    /// Sessions the series started, with the moment each could last open.
    pub sessions: Vec<(SessionId, u64)>,
}

impl RememberRecord {
    /// A series just started by `session` (which can open until `session_keep_until`).
    ///
    /// ```
    /// # use cookie_seal::{SessionId, store::RememberRecord};
    /// let err = RememberRecord::new("user-7", "short", 1_000, SessionId::generate()?, 9_000);
    /// assert_eq!(err.unwrap_err().code(), "INVALID_OPTION");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn new(
        subject: &str,
        current: &str,
        now: u64,
        session: SessionId,
        session_keep_until: u64,
    ) -> Result<RememberRecord, Error> {
        let record = RememberRecord {
            subject: subject.to_owned(),
            current: current.to_owned(),
            previous: String::new(),
            rotated_at: now,
            sessions: vec![(session, session_keep_until)],
        };
        record.check()?;
        Ok(record)
    }

    /// The fields are public: every store checks again what [`RememberRecord::new`] did.
    pub(crate) fn check(&self) -> Result<(), Error> {
        super::check_subject(&self.subject)?;
        check_hash(&self.current)?;
        if !self.previous.is_empty() {
            check_hash(&self.previous)?;
        }
        if self.sessions.is_empty() || self.sessions.len() > REMEMBER_LINKS {
            return Err(invalid(
                "a new series lists 1 to 8 sessions (REMEMBER_LINKS)",
            ));
        }
        Ok(())
    }
}

/// What presenting a token did, as [`RememberStore::remember_rotate`] answers.
///
/// ```
/// use cookie_seal::store::Rotation;
/// let r = Rotation::Rotated { subject: "user-7".into() };
/// assert_eq!(r.subject(), Some("user-7"));
/// assert_eq!(Rotation::Missing.subject(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rotation {
    /// The current token: it was replaced by the next one.
    Rotated {
        /// The series' subject.
        subject: String,
    },
    /// The token just replaced, inside the grace window: accepted, nothing changed.
    Grace {
        /// The series' subject.
        subject: String,
    },
    /// Another token of a live series: the series is deleted; these sessions it started
    /// must be revoked (with the moment each could last open).
    Theft {
        /// The series' subject.
        subject: String,
        /// The sessions it started.
        sessions: Vec<(SessionId, u64)>,
    },
    /// No live series of that id (never started, forgotten, expired, or stolen before).
    Missing,
}

impl Rotation {
    /// The subject of the series, unless it was missing.
    ///
    /// ```
    /// # use cookie_seal::store::Rotation;
    /// assert_eq!(Rotation::Grace { subject: "u".into() }.subject(), Some("u"));
    /// ```
    pub fn subject(&self) -> Option<&str> {
        match self {
            Rotation::Rotated { subject }
            | Rotation::Grace { subject }
            | Rotation::Theft { subject, .. } => Some(subject),
            Rotation::Missing => None,
        }
    }
}

/// The stores that keep remember-me series, each applying [`Rotation`]'s rule atomically
/// (a Lua script on Redis, a locked row in SQLite and Postgres, a mutex in memory). Times
/// are seconds since the Unix epoch; `keep_until` is the series' last second.
///
/// ```ignore-wasm32
/// use cookie_seal::{SessionId, store::{MemoryStore, RememberRecord, RememberStore, Rotation, token_hash}};
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// # rt.block_on(async {
/// let store = MemoryStore::new();
/// let series = "A".repeat(22);
/// let (first, second) = (token_hash("first secret"), token_hash("second secret"));
/// let record = RememberRecord::new("user-7", &first, 1_000, SessionId::generate()?, 5_000)?;
/// store.remember_start(&series, &record, 90_000, 1_000).await?;
/// let r = store.remember_rotate(&series, &first, &second, 2_000, 10, 90_000).await?;
/// assert_eq!(r, Rotation::Rotated { subject: "user-7".into() });
/// // The old token again, long after: someone else has a copy.
/// let r = store.remember_rotate(&series, &first, &token_hash("x"), 3_000, 10, 90_000).await?;
/// assert!(matches!(r, Rotation::Theft { .. }));
/// # Ok::<(), cookie_seal::Error>(())
/// # })?;
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub trait RememberStore: Send + Sync {
    /// Stores a new series until `keep_until`. At [`MAX_SERIES_PER_SUBJECT`] live series
    /// of the subject, the one that would expire first is dropped.
    ///
    /// ```ignore-wasm32
    /// # use cookie_seal::{SessionId, store::{MemoryStore, RememberRecord, RememberStore, token_hash}};
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let record = RememberRecord::new("u", &token_hash("s"), 1_000, SessionId::generate()?, 5_000)?;
    /// let err = rt.block_on(MemoryStore::new().remember_start("not a series", &record, 9_000, 1_000));
    /// assert_eq!(err.unwrap_err().code(), "INVALID_OPTION");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    fn remember_start<'a>(
        &'a self,
        series: &'a str,
        record: &'a RememberRecord,
        keep_until: u64,
        now: u64,
    ) -> StoreFuture<'a, ()>;

    /// Applies the rule to the token whose secret hashes to `presented`: on
    /// [`Rotation::Rotated`] the current hash becomes `next` and the series lives on until
    /// `keep_until`; on [`Rotation::Theft`] the series is deleted.
    ///
    /// ```ignore-wasm32
    /// # use cookie_seal::store::{MemoryStore, RememberStore, Rotation, token_hash};
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let (series, a, b) = ("A".repeat(22), token_hash("a"), token_hash("b"));
    /// let r = rt.block_on(MemoryStore::new().remember_rotate(&series, &a, &b, 1_000, 10, 9_000))?;
    /// assert_eq!(r, Rotation::Missing);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    fn remember_rotate<'a>(
        &'a self,
        series: &'a str,
        presented: &'a str,
        next: &'a str,
        now: u64,
        grace: u64,
        keep_until: u64,
    ) -> StoreFuture<'a, Rotation>;

    /// Adds a session the series started (kept until `keep_until`), keeping the newest
    /// [`REMEMBER_LINKS`] that can still open. Nothing happens if the series is gone.
    ///
    /// ```ignore-wasm32
    /// # use cookie_seal::{SessionId, store::{MemoryStore, RememberStore}};
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let id = SessionId::generate()?;
    /// rt.block_on(MemoryStore::new().remember_link(&"A".repeat(22), &id, 5_000, 1_000))?;
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    fn remember_link<'a>(
        &'a self,
        series: &'a str,
        id: &'a SessionId,
        keep_until: u64,
        now: u64,
    ) -> StoreFuture<'a, ()>;

    /// Deletes a series (the user signed out on this browser).
    ///
    /// ```ignore-wasm32
    /// # use cookie_seal::store::{MemoryStore, RememberStore};
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(MemoryStore::new().remember_forget(&"A".repeat(22), 1_000))?;
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    fn remember_forget<'a>(&'a self, series: &'a str, now: u64) -> StoreFuture<'a, ()>;
}

/// The hash a store keeps of a token's secret: the unpadded base64url of the SHA-256 of
/// the secret's text (the npm package's, so both read each other's series).
///
/// ```
/// let hash = cookie_seal::store::token_hash("secret");
/// assert_eq!(hash.len(), 43);
/// assert_eq!(hash, "K7gNU3sdo-OL0wNhqoVWhr3g6s1xYv72ol_pe_Unols");
/// ```
pub fn token_hash(secret: &str) -> String {
    crate::b64::encode(&Sha256::digest(secret.as_bytes()))
}

fn invalid(why: &str) -> Error {
    Error::InvalidOption(why.into())
}

fn is_b64url(text: &str, len: usize) -> bool {
    text.len() == len
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub(crate) fn check_series(series: &str) -> Result<(), Error> {
    if is_b64url(series, SERIES_LEN) {
        Ok(())
    } else {
        Err(invalid(
            "a remember-me series id is 22 base64url characters",
        ))
    }
}

pub(crate) fn check_hash(hash: &str) -> Result<(), Error> {
    if is_b64url(hash, SECRET_LEN) {
        Ok(())
    } else {
        Err(invalid(
            "a remember-me token hash is 43 base64url characters",
        ))
    }
}

/// Length of a series id and of a secret (and of a hash) in the token's text.
pub(crate) const SERIES_LEN: usize = 22;
pub(crate) const SECRET_LEN: usize = 43;

/// A fresh random series id (16 bytes) or secret (32 bytes), as unpadded base64url.
pub(crate) fn random_text(bytes: usize) -> Result<String, Error> {
    let mut buf = [0u8; 32];
    let buf = &mut buf[..bytes.min(32)];
    getrandom::fill(buf).map_err(|_| Error::RandomFailed)?;
    Ok(crate::b64::encode(buf))
}

/// Splits `<series>.<secret>`; anything else (any other length included) is `None`.
pub(crate) fn parse_token(value: &str) -> Option<(&str, &str)> {
    let (series, secret) = value.split_once('.')?;
    (is_b64url(series, SERIES_LEN) && is_b64url(secret, SECRET_LEN)).then_some((series, secret))
}

/// One series as a store holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Series {
    pub subject: String,
    pub current: String,
    pub previous: String,
    pub rotated_at: u64,
    pub keep_until: u64,
    pub sessions: Vec<(SessionId, u64)>,
}

/// What the rule does to a stored series.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Keep this record (rotated).
    Rotate,
    /// Leave the record as it is.
    Grace,
    /// Delete the record.
    Theft,
    Missing,
}

/// The rule every store applies under its lock: the current token rotates, the previous
/// one passes inside the grace window, any other token of a live series is theft.
pub(crate) fn step(series: Option<&Series>, presented: &str, now: u64, grace: u64) -> Step {
    let Some(s) = series.filter(|s| s.keep_until >= now) else {
        return Step::Missing;
    };
    if presented == s.current {
        Step::Rotate
    } else if !s.previous.is_empty()
        && presented == s.previous
        && now <= s.rotated_at.saturating_add(grace)
    {
        Step::Grace
    } else {
        Step::Theft
    }
}

/// The sessions of a series after adding one: the newest [`REMEMBER_LINKS`] still open.
pub(crate) fn linked(
    mut sessions: Vec<(SessionId, u64)>,
    id: SessionId,
    keep_until: u64,
    now: u64,
) -> Vec<(SessionId, u64)> {
    sessions.retain(|&(s, k)| k >= now && s != id);
    sessions.push((id, keep_until));
    let extra = sessions.len().saturating_sub(REMEMBER_LINKS);
    sessions.drain(..extra);
    sessions
}

/// Checks what every `remember_*` call takes, before any store work.
pub(crate) fn check_rotate(series: &str, presented: &str, next: &str) -> Result<(), Error> {
    check_series(series)?;
    check_hash(presented)?;
    check_hash(next)
}
