//! The embedded store: one SQLite file, no server to run, survives restarts. Calls run on
//! tokio's blocking pool, one at a time on one connection (SQLite writes one at a time
//! anyway), each within the store's timeout.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::backend::{int, ready_err};
use super::{
    DEFAULT_MAX_SESSIONS_PER_SUBJECT, DEFAULT_STORE_TIMEOUT, SessionEntry, SessionStore,
    StoreFuture, check_data, check_subject, timed,
};
use crate::{Error, SessionId, Subject};

/// The schema version this build writes; a file with a newer one is refused, never changed.
const SCHEMA_VERSION: i64 = 1;
/// Expired rows each write deletes at most, per table, through the `keep_until` index.
const PRUNE_BATCH: i64 = 64;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS cookie_seal_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS cookie_seal_revoked (
  id TEXT PRIMARY KEY, keep_until INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cookie_seal_revoked_until ON cookie_seal_revoked (keep_until);
CREATE TABLE IF NOT EXISTS cookie_seal_generations (
  subject TEXT PRIMARY KEY, generation INTEGER NOT NULL, keep_until INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cookie_seal_generations_until ON cookie_seal_generations (keep_until);
CREATE TABLE IF NOT EXISTS cookie_seal_sessions (
  subject TEXT NOT NULL, id TEXT NOT NULL, signed_in_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL, remember_me INTEGER NOT NULL, label TEXT NOT NULL,
  keep_until INTEGER NOT NULL, PRIMARY KEY (subject, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cookie_seal_sessions_until ON cookie_seal_sessions (keep_until);
CREATE TABLE IF NOT EXISTS cookie_seal_data (
  id TEXT PRIMARY KEY, data BLOB NOT NULL, keep_until INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cookie_seal_data_until ON cookie_seal_data (keep_until);
CREATE TABLE IF NOT EXISTS cookie_seal_handoff (
  id TEXT PRIMARY KEY, keep_until INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cookie_seal_handoff_until ON cookie_seal_handoff (keep_until);
";

/// Sessions state in a SQLite file (feature `store-sqlite`). The tables (all named
/// `cookie_seal_*`) are created on first use; `docs/STORES.md` describes them.
///
/// ```ignore-wasm32
/// use cookie_seal::{SessionId, store::{SessionStore, SqliteStore}};
/// # let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
/// # rt.block_on(async {
/// let dir = std::env::temp_dir().join(format!("cookie-seal-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let store = SqliteStore::open(dir.join("sessions.db")).await?;
/// let id = SessionId::generate()?;
/// store.revoke(&id, None, 2_000, 1_000).await?;
/// assert!(store.is_revoked(&id, None, 1_500).await?);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), cookie_seal::Error>(())
/// # })?;
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    timeout: Duration,
    max_per_subject: i64,
}

fn unavailable(err: impl std::fmt::Display) -> Error {
    Error::StoreUnavailable(format!("sqlite: {err}"))
}

fn id_of(text: &str) -> Result<SessionId, Error> {
    text.parse()
        .map_err(|_| unavailable("a stored session id is not 22 base64url characters"))
}

impl SqliteStore {
    /// Opens (or creates) the database file and its tables.
    ///
    /// ```ignore-wasm32
    /// # let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    /// let err = rt.block_on(cookie_seal::store::SqliteStore::open("/nonexistent/dir/s.db")).unwrap_err();
    /// assert_eq!(err.code(), "STORE_UNAVAILABLE");
    /// ```
    pub async fn open(path: impl AsRef<Path>) -> Result<SqliteStore, Error> {
        let path = path.as_ref().to_owned();
        let conn = tokio::task::spawn_blocking(move || -> Result<Connection, Error> {
            let conn = Connection::open(&path).map_err(unavailable)?;
            conn.busy_timeout(Duration::from_secs(5))
                .map_err(unavailable)?;
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(unavailable)?;
            conn.pragma_update(None, "synchronous", "NORMAL")
                .map_err(unavailable)?;
            conn.execute_batch(SCHEMA).map_err(unavailable)?;
            conn.execute_batch(super::remember::SQLITE_SCHEMA)
                .map_err(unavailable)?;
            let version: Option<i64> = conn
                .query_row(
                    "SELECT value FROM cookie_seal_meta WHERE key = 'schema_version'",
                    [],
                    |r| r.get(0),
                )
                .optional()
                .map_err(unavailable)?;
            match version {
                Some(v) if v > SCHEMA_VERSION => Err(Error::InvalidOption(format!(
                    "sqlite: the store's schema version {v} is newer than this cookie-seal's {SCHEMA_VERSION}"
                ))),
                Some(_) => Ok(conn),
                None => {
                    conn.execute(
                        "INSERT INTO cookie_seal_meta (key, value) VALUES ('schema_version', ?1)",
                        [SCHEMA_VERSION],
                    )
                    .map_err(unavailable)?;
                    Ok(conn)
                }
            }
        })
        .await
        .map_err(unavailable)??;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            timeout: DEFAULT_STORE_TIMEOUT,
            max_per_subject: DEFAULT_MAX_SESSIONS_PER_SUBJECT as i64,
        })
    }

    /// How long a call may take before it fails with `STORE_UNAVAILABLE`. Default 1 s.
    ///
    /// ```ignore-wasm32
    /// # let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    /// let store = rt.block_on(cookie_seal::store::SqliteStore::open(":memory:"))?
    ///     .timeout(std::time::Duration::from_millis(200));
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> SqliteStore {
        self.timeout = timeout;
        self
    }

    /// How many sessions one subject keeps listed (at least 1); default 32.
    ///
    /// ```ignore-wasm32
    /// # let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    /// let store = rt.block_on(cookie_seal::store::SqliteStore::open(":memory:"))?
    ///     .max_sessions_per_subject(5);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    #[must_use]
    pub fn max_sessions_per_subject(mut self, max: usize) -> SqliteStore {
        self.max_per_subject = max.clamp(1, 1 << 20) as i64;
        self
    }

    /// Runs `f` on the connection on the blocking pool, within the timeout.
    pub(super) fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection, i64) -> rusqlite::Result<T> + Send + 'static,
    ) -> StoreFuture<'static, T> {
        let conn = Arc::clone(&self.conn);
        let max = self.max_per_subject;
        let timeout = self.timeout;
        Box::pin(timed("sqlite", timeout, async move {
            tokio::task::spawn_blocking(move || {
                let mut conn = conn.lock().unwrap_or_else(|p| p.into_inner());
                f(&mut conn, max).map_err(unavailable)
            })
            .await
            .map_err(unavailable)?
        }))
    }
}

fn prune(tx: &Connection, now: i64) -> rusqlite::Result<()> {
    for (table, key) in [
        ("cookie_seal_revoked", "id"),
        ("cookie_seal_generations", "subject"),
        ("cookie_seal_sessions", "subject, id"),
        ("cookie_seal_data", "id"),
    ] {
        tx.execute(
            &format!(
                "DELETE FROM {table} WHERE ({key}) IN \
                 (SELECT {key} FROM {table} WHERE keep_until < ?1 LIMIT {PRUNE_BATCH})"
            ),
            [now],
        )?;
    }
    Ok(())
}

fn revoke_in(
    tx: &Connection,
    id: &str,
    subject: Option<&str>,
    keep_until: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO cookie_seal_revoked (id, keep_until) VALUES (?1, ?2)
         ON CONFLICT (id) DO UPDATE SET keep_until = max(keep_until, excluded.keep_until)",
        params![id, keep_until],
    )?;
    if let Some(subject) = subject {
        tx.execute(
            "DELETE FROM cookie_seal_sessions WHERE subject = ?1 AND id = ?2",
            params![subject, id],
        )?;
    }
    tx.execute("DELETE FROM cookie_seal_data WHERE id = ?1", [id])?;
    Ok(())
}

impl SessionStore for SqliteStore {
    fn is_revoked<'a>(
        &'a self,
        id: &'a SessionId,
        subject: Option<&'a Subject>,
        now: u64,
    ) -> StoreFuture<'a, bool> {
        let id = id.to_string();
        let subject = subject.map(|s| (s.id.clone(), int(s.generation)));
        self.call(move |conn, _| {
            let (name, generation) = subject.unzip();
            conn.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM cookie_seal_revoked WHERE id = ?1 AND keep_until >= ?2)
                     OR EXISTS (SELECT 1 FROM cookie_seal_generations
                                WHERE subject = ?3 AND keep_until >= ?2 AND generation > ?4)",
            )?
            .query_row(params![id, int(now), name, generation], |r| r.get(0))
        })
    }

    fn revoke<'a>(
        &'a self,
        id: &'a SessionId,
        subject: Option<&'a str>,
        keep_until: u64,
        now: u64,
    ) -> StoreFuture<'a, ()> {
        let id = id.to_string();
        let subject = subject.map(str::to_owned);
        self.call(move |conn, _| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            prune(&tx, int(now))?;
            revoke_in(&tx, &id, subject.as_deref(), int(keep_until))?;
            tx.commit()
        })
    }

    fn generation<'a>(&'a self, subject: &'a str, now: u64) -> StoreFuture<'a, u64> {
        let subject = subject.to_owned();
        self.call(move |conn, _| {
            let g: Option<i64> = conn
                .prepare_cached(
                    "SELECT generation FROM cookie_seal_generations
                     WHERE subject = ?1 AND keep_until >= ?2",
                )?
                .query_row(params![subject, int(now)], |r| r.get(0))
                .optional()?;
            Ok(g.map_or(0, |g| g.max(0) as u64))
        })
    }

    fn sign_out_everywhere<'a>(
        &'a self,
        subject: &'a str,
        keep_until: u64,
        now: u64,
    ) -> StoreFuture<'a, u64> {
        if let Err(err) = check_subject(subject) {
            return ready_err(err);
        }
        let subject = subject.to_owned();
        self.call(move |conn, _| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            prune(&tx, int(now))?;
            let current: Option<i64> = tx
                .query_row(
                    "SELECT generation FROM cookie_seal_generations
                     WHERE subject = ?1 AND keep_until >= ?2",
                    params![subject, int(now)],
                    |r| r.get(0),
                )
                .optional()?;
            // The time of the sign-out (or one more than the last): below it are all the
            // generations handed out before, even those whose entry has since expired.
            let next = current.unwrap_or(0).saturating_add(1).max(int(now));
            tx.execute(
                "INSERT INTO cookie_seal_generations (subject, generation, keep_until)
                 VALUES (?1, ?2, ?3) ON CONFLICT (subject) DO UPDATE
                 SET generation = excluded.generation,
                     keep_until = max(keep_until, excluded.keep_until)",
                params![subject, next, int(keep_until)],
            )?;
            tx.execute(
                "DELETE FROM cookie_seal_data WHERE id IN
                 (SELECT id FROM cookie_seal_sessions WHERE subject = ?1)",
                [&subject],
            )?;
            tx.execute(
                "DELETE FROM cookie_seal_sessions WHERE subject = ?1",
                [&subject],
            )?;
            tx.commit()?;
            Ok(next as u64)
        })
    }

    fn record_sign_in<'a>(
        &'a self,
        subject: &'a str,
        entry: &'a SessionEntry,
        now: u64,
    ) -> StoreFuture<'a, ()> {
        if let Err(err) = check_subject(subject).and_then(|()| entry.check()) {
            return ready_err(err);
        }
        let subject = subject.to_owned();
        let entry = entry.clone();
        self.call(move |conn, max| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let now = int(now);
            prune(&tx, now)?;
            let id = entry.id.to_string();
            let listed: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM cookie_seal_sessions WHERE subject = ?1 AND id = ?2)",
                params![subject, id],
                |r| r.get(0),
            )?;
            let count: i64 = tx.query_row(
                "SELECT count(*) FROM cookie_seal_sessions WHERE subject = ?1 AND keep_until >= ?2",
                params![subject, now],
                |r| r.get(0),
            )?;
            if !listed && count >= max {
                // Sign the least recently seen session out, so the list stays complete.
                let oldest: Option<(String, i64)> = tx
                    .query_row(
                        "SELECT id, keep_until FROM cookie_seal_sessions WHERE subject = ?1
                         ORDER BY last_seen, signed_in_at LIMIT 1",
                        [&subject],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                if let Some((old, until)) = oldest {
                    revoke_in(&tx, &old, Some(&subject), until)?;
                }
            }
            tx.execute(
                "INSERT OR REPLACE INTO cookie_seal_sessions
                 (subject, id, signed_in_at, last_seen, remember_me, label, keep_until)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    subject,
                    id,
                    int(entry.signed_in_at),
                    int(entry.last_seen),
                    entry.remember_me,
                    entry.label,
                    int(entry.keep_until)
                ],
            )?;
            tx.commit()
        })
    }

    fn touch<'a>(&'a self, subject: &'a str, id: &'a SessionId, now: u64) -> StoreFuture<'a, ()> {
        let subject = subject.to_owned();
        let id = id.to_string();
        self.call(move |conn, _| {
            conn.prepare_cached(
                "UPDATE cookie_seal_sessions SET last_seen = max(last_seen, ?3)
                 WHERE subject = ?1 AND id = ?2",
            )?
            .execute(params![subject, id, int(now)])?;
            Ok(())
        })
    }

    fn sessions<'a>(&'a self, subject: &'a str, now: u64) -> StoreFuture<'a, Vec<SessionEntry>> {
        let subject = subject.to_owned();
        Box::pin(async move {
            let rows = self
                .call(move |conn, _| {
                    let mut stmt = conn.prepare_cached(
                        "SELECT id, signed_in_at, last_seen, remember_me, label, keep_until
                         FROM cookie_seal_sessions WHERE subject = ?1 AND keep_until >= ?2
                         ORDER BY signed_in_at DESC, id",
                    )?;
                    let rows = stmt.query_map(params![subject, int(now)], |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, i64>(2)?,
                            r.get::<_, bool>(3)?,
                            r.get::<_, String>(4)?,
                            r.get::<_, i64>(5)?,
                        ))
                    })?;
                    rows.collect::<rusqlite::Result<Vec<_>>>()
                })
                .await?;
            rows.into_iter()
                .map(
                    |(id, signed_in_at, last_seen, remember_me, label, keep_until)| {
                        Ok(SessionEntry {
                            id: id_of(&id)?,
                            signed_in_at: signed_in_at.max(0) as u64,
                            last_seen: last_seen.max(0) as u64,
                            remember_me,
                            label,
                            keep_until: keep_until.max(0) as u64,
                        })
                    },
                )
                .collect()
        })
    }

    fn put_data<'a>(
        &'a self,
        id: &'a SessionId,
        _subject: Option<&'a str>,
        data: &'a [u8],
        keep_until: u64,
        now: u64,
    ) -> StoreFuture<'a, ()> {
        if let Err(err) = check_data(data) {
            return ready_err(err);
        }
        let id = id.to_string();
        let data = data.to_vec();
        self.call(move |conn, _| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            prune(&tx, int(now))?;
            tx.execute(
                "INSERT OR REPLACE INTO cookie_seal_data (id, data, keep_until) VALUES (?1, ?2, ?3)",
                params![id, data, int(keep_until)],
            )?;
            tx.commit()
        })
    }

    fn data<'a>(
        &'a self,
        id: &'a SessionId,
        _subject: Option<&'a str>,
        now: u64,
    ) -> StoreFuture<'a, Option<Vec<u8>>> {
        let id = id.to_string();
        self.call(move |conn, _| {
            conn.prepare_cached(
                "SELECT data FROM cookie_seal_data WHERE id = ?1 AND keep_until >= ?2",
            )?
            .query_row(params![id, int(now)], |r| r.get(0))
            .optional()
        })
    }

    fn entry_count<'a>(&'a self, now: u64) -> StoreFuture<'a, u64> {
        self.call(move |conn, _| {
            let mut total = 0i64;
            for table in [
                "cookie_seal_revoked",
                "cookie_seal_generations",
                "cookie_seal_sessions",
                "cookie_seal_data",
                "cookie_seal_handoff",
            ] {
                conn.execute(
                    &format!("DELETE FROM {table} WHERE keep_until < ?1"),
                    [int(now)],
                )?;
                let n: i64 =
                    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
                total += n;
            }
            Ok(total as u64)
        })
    }
}
