//! The Postgres store, for teams whose source of truth is their database. Each write is one
//! call of a function the store installs, so it is atomic even on the one multiplexed
//! connection every request shares; writes for one subject take a transaction-scoped
//! advisory lock, so the per-subject cap holds under concurrent sign-ins.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio_postgres::{Client, Config, NoTls};

use super::backend::{int, ready_err};
use super::{
    DEFAULT_MAX_SESSIONS_PER_SUBJECT, DEFAULT_STORE_TIMEOUT, SessionEntry, SessionStore,
    StoreFuture, check_data, check_subject, timed,
};
use crate::{Error, SessionId, Subject};

/// The schema version this build writes; a database with a newer one is refused.
const SCHEMA_VERSION: i64 = 1;

/// Tables and functions, created on first use in the store's schema (`docs/STORES.md`).
const SCHEMA: &str = include_str!("postgres.sql");
/// The remember-me series' tables and functions (src/store/remember/postgres.rs).
const REMEMBER_SCHEMA: &str = include_str!("remember/postgres.sql");

/// Sessions state in Postgres (feature `store-postgres`), over one connection that is
/// opened again on the first call after it broke.
///
/// ```no_run
/// use cookie_seal::store::{PostgresStore, SessionStore};
/// # async fn f() -> Result<(), cookie_seal::Error> {
/// let store = PostgresStore::builder("postgres://app@127.0.0.1/app").connect().await?;
/// assert_eq!(store.generation("user-42", 1_700_000_000).await?, 0);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PostgresStore {
    config: Config,
    client: Arc<Mutex<Option<Arc<Client>>>>,
    timeout: Duration,
    max_per_subject: i64,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The config holds the password: never printed.
        f.debug_struct("PostgresStore")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Options for [`PostgresStore`]; [`connect`](Self::connect) opens it.
///
/// ```
/// let _ = cookie_seal::store::PostgresStore::builder("postgres://app@127.0.0.1/app")
///     .schema("sessions")
///     .timeout(std::time::Duration::from_millis(500))
///     .max_sessions_per_subject(10);
/// ```
#[derive(Clone)]
#[must_use = "a builder does nothing until .connect() is called"]
pub struct PostgresStoreBuilder {
    url: String,
    schema: String,
    timeout: Duration,
    max_per_subject: i64,
}

impl std::fmt::Debug for PostgresStoreBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStoreBuilder")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

fn unavailable(err: impl std::fmt::Display) -> Error {
    Error::StoreUnavailable(format!("postgres: {err}"))
}

impl PostgresStore {
    /// Starts the options for the database at `url` (`postgres://user:pass@host:port/db`).
    ///
    /// ```ignore-wasm32
    /// let _ = cookie_seal::store::PostgresStore::builder("postgres://127.0.0.1/app");
    /// ```
    pub fn builder(url: &str) -> PostgresStoreBuilder {
        PostgresStoreBuilder {
            url: url.to_owned(),
            schema: "public".to_owned(),
            timeout: DEFAULT_STORE_TIMEOUT,
            max_per_subject: DEFAULT_MAX_SESSIONS_PER_SUBJECT as i64,
        }
    }

    /// The shared connection, opened again if it broke.
    async fn client(&self) -> Result<Arc<Client>, Error> {
        let mut slot = self.client.lock().await;
        if let Some(client) = slot.as_ref().filter(|c| !c.is_closed()) {
            return Ok(Arc::clone(client));
        }
        *slot = None;
        let (client, connection) = self.config.connect(NoTls).await.map_err(unavailable)?;
        // The connection task ends when the server goes away; the next call reconnects.
        tokio::spawn(connection);
        let client = Arc::new(client);
        *slot = Some(Arc::clone(&client));
        Ok(client)
    }

    pub(super) fn run<'a, T: Send + 'a, F>(
        &'a self,
        call: impl FnOnce(Arc<Client>) -> F + Send + 'a,
    ) -> StoreFuture<'a, T>
    where
        F: Future<Output = Result<T, tokio_postgres::Error>> + Send + 'a,
    {
        Box::pin(timed("postgres", self.timeout, async move {
            let client = self.client().await?;
            call(client).await.map_err(unavailable)
        }))
    }
}

impl PostgresStoreBuilder {
    /// The schema that holds the tables, created if missing. Default `public`. ASCII
    /// letters, digits and `_`, at most 48 bytes.
    ///
    /// ```
    /// let _ = cookie_seal::store::PostgresStore::builder("postgres://127.0.0.1/app").schema("auth");
    /// ```
    pub fn schema(mut self, schema: &str) -> Self {
        schema.clone_into(&mut self.schema);
        self
    }

    /// How long a call may take before it fails with `STORE_UNAVAILABLE`. Default 1 s.
    ///
    /// ```
    /// let _ = cookie_seal::store::PostgresStore::builder("postgres://127.0.0.1/app")
    ///     .timeout(std::time::Duration::from_millis(300));
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many sessions one subject keeps listed (at least 1); default 32.
    ///
    /// ```
    /// let _ = cookie_seal::store::PostgresStore::builder("postgres://127.0.0.1/app").max_sessions_per_subject(8);
    /// ```
    pub fn max_sessions_per_subject(mut self, max: usize) -> Self {
        self.max_per_subject = max.clamp(1, 1 << 20) as i64;
        self
    }

    /// Connects (within the timeout), creates the schema, tables and functions if they are
    /// missing, and returns the store.
    ///
    /// ```
    /// # let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    /// let builder = cookie_seal::store::PostgresStore::builder("postgres://127.0.0.1/app").schema("a-b");
    /// assert_eq!(rt.block_on(builder.connect()).unwrap_err().code(), "INVALID_OPTION");
    /// ```
    pub async fn connect(self) -> Result<PostgresStore, Error> {
        let ok = |c: char| c.is_ascii_alphanumeric() || c == '_';
        if self.schema.is_empty() || self.schema.len() > 48 || !self.schema.chars().all(ok) {
            return Err(Error::InvalidOption(
                "a Postgres schema name is 1 to 48 ASCII letters, digits or _".into(),
            ));
        }
        // The URL may hold a password: its parse error is reported without it.
        let mut config: Config = self
            .url
            .parse()
            .map_err(|_| Error::InvalidOption("not a postgres:// URL".into()))?;
        config
            .connect_timeout(self.timeout)
            .options(format!("-c search_path={}", self.schema));
        let store = PostgresStore {
            config,
            client: Arc::default(),
            timeout: self.timeout,
            max_per_subject: self.max_per_subject,
        };
        let schema = self.schema;
        // Migrations can take longer than one call; ten timeouts bound them.
        timed("postgres", self.timeout * 10, async {
            let client = store.client().await?;
            let migrate = format!(
                "SELECT pg_advisory_lock(hashtext('cookie_seal_schema'));
                 CREATE SCHEMA IF NOT EXISTS {schema};
                 {SCHEMA}
                 {REMEMBER_SCHEMA}
                 SELECT pg_advisory_unlock(hashtext('cookie_seal_schema'));"
            );
            client.batch_execute(&migrate).await.map_err(unavailable)?;
            let version: Option<i64> = client
                .query_opt(
                    "SELECT value FROM cookie_seal_meta WHERE key = 'schema_version'",
                    &[],
                )
                .await
                .map_err(unavailable)?
                .map(|row| row.get(0));
            match version {
                Some(v) if v > SCHEMA_VERSION => Err(Error::InvalidOption(format!(
                    "postgres: the store's schema version {v} is newer than this cookie-seal's {SCHEMA_VERSION}"
                ))),
                Some(_) => Ok(()),
                None => client
                    .execute(
                        "INSERT INTO cookie_seal_meta (key, value) VALUES ('schema_version', $1)
                         ON CONFLICT (key) DO NOTHING",
                        &[&SCHEMA_VERSION],
                    )
                    .await
                    .map(drop)
                    .map_err(unavailable),
            }
        })
        .await?;
        Ok(store)
    }
}

impl SessionStore for PostgresStore {
    fn is_revoked<'a>(
        &'a self,
        id: &'a SessionId,
        subject: Option<&'a Subject>,
        now: u64,
    ) -> StoreFuture<'a, bool> {
        let id = id.to_string();
        let (name, generation) = subject.map(|s| (s.id.as_str(), int(s.generation))).unzip();
        self.run(move |c| async move {
            let row = c
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM cookie_seal_revoked
                                    WHERE id = $1 AND keep_until >= $2)
                         OR EXISTS (SELECT 1 FROM cookie_seal_generations
                                    WHERE subject = $3 AND keep_until >= $2 AND generation > $4)",
                    &[&id, &int(now), &name, &generation],
                )
                .await?;
            Ok(row.get::<_, Option<bool>>(0).unwrap_or(false))
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
        self.run(move |c| async move {
            c.execute(
                "SELECT cookie_seal_revoke($1, $2, $3, $4)",
                &[&id, &subject, &int(keep_until), &int(now)],
            )
            .await
            .map(drop)
        })
    }

    fn generation<'a>(&'a self, subject: &'a str, now: u64) -> StoreFuture<'a, u64> {
        self.run(move |c| async move {
            let row = c
                .query_opt(
                    "SELECT generation FROM cookie_seal_generations
                     WHERE subject = $1 AND keep_until >= $2",
                    &[&subject, &int(now)],
                )
                .await?;
            Ok(row.map_or(0, |r| r.get::<_, i64>(0).max(0) as u64))
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
        self.run(move |c| async move {
            let row = c
                .query_one(
                    "SELECT cookie_seal_everywhere($1, $2, $3)",
                    &[&subject, &int(keep_until), &int(now)],
                )
                .await?;
            Ok(row.get::<_, i64>(0).max(0) as u64)
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
        let id = entry.id.to_string();
        let max = self.max_per_subject;
        self.run(move |c| async move {
            c.execute(
                "SELECT cookie_seal_record($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    &subject,
                    &id,
                    &int(entry.signed_in_at),
                    &int(entry.last_seen),
                    &entry.remember_me,
                    &entry.label,
                    &int(entry.keep_until),
                    &int(now),
                    &max,
                ],
            )
            .await
            .map(drop)
        })
    }

    fn touch<'a>(&'a self, subject: &'a str, id: &'a SessionId, now: u64) -> StoreFuture<'a, ()> {
        let id = id.to_string();
        self.run(move |c| async move {
            c.execute(
                "UPDATE cookie_seal_sessions SET last_seen = GREATEST(last_seen, $3)
                 WHERE subject = $1 AND id = $2",
                &[&subject, &id, &int(now)],
            )
            .await
            .map(drop)
        })
    }

    fn sessions<'a>(&'a self, subject: &'a str, now: u64) -> StoreFuture<'a, Vec<SessionEntry>> {
        Box::pin(async move {
            let rows = self
                .run(move |c| async move {
                    c.query(
                        r#"SELECT id, signed_in_at, last_seen, remember_me, label, keep_until
                           FROM cookie_seal_sessions WHERE subject = $1 AND keep_until >= $2
                           ORDER BY signed_in_at DESC, id COLLATE "C""#,
                        &[&subject, &int(now)],
                    )
                    .await
                })
                .await?;
            rows.iter()
                .map(|r| {
                    let id: SessionId = r.get::<_, &str>(0).parse().map_err(|_| {
                        unavailable("a listed session id is not 22 base64url characters")
                    })?;
                    Ok(SessionEntry {
                        id,
                        signed_in_at: r.get::<_, i64>(1).max(0) as u64,
                        last_seen: r.get::<_, i64>(2).max(0) as u64,
                        remember_me: r.get(3),
                        label: r.get(4),
                        keep_until: r.get::<_, i64>(5).max(0) as u64,
                    })
                })
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
        self.run(move |c| async move {
            c.execute(
                "WITH pruned AS (SELECT cookie_seal_prune($4))
                 INSERT INTO cookie_seal_data (id, data, keep_until)
                 SELECT $1, $2, $3 FROM pruned
                 ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, keep_until = EXCLUDED.keep_until",
                &[&id, &data, &int(keep_until), &int(now)],
            )
            .await
            .map(drop)
        })
    }

    fn data<'a>(
        &'a self,
        id: &'a SessionId,
        _subject: Option<&'a str>,
        now: u64,
    ) -> StoreFuture<'a, Option<Vec<u8>>> {
        let id = id.to_string();
        self.run(move |c| async move {
            let row = c
                .query_opt(
                    "SELECT data FROM cookie_seal_data WHERE id = $1 AND keep_until >= $2",
                    &[&id, &int(now)],
                )
                .await?;
            Ok(row.map(|r| r.get(0)))
        })
    }

    fn entry_count<'a>(&'a self, now: u64) -> StoreFuture<'a, u64> {
        self.run(move |c| async move {
            c.batch_execute(&format!(
                "DELETE FROM cookie_seal_revoked WHERE keep_until < {n};
                 DELETE FROM cookie_seal_generations WHERE keep_until < {n};
                 DELETE FROM cookie_seal_sessions WHERE keep_until < {n};
                 DELETE FROM cookie_seal_data WHERE keep_until < {n};
                 DELETE FROM cookie_seal_handoff WHERE keep_until < {n};",
                n = int(now)
            ))
            .await?;
            let row = c
                .query_one(
                    "SELECT (SELECT count(*) FROM cookie_seal_revoked)
                          + (SELECT count(*) FROM cookie_seal_generations)
                          + (SELECT count(*) FROM cookie_seal_sessions)
                          + (SELECT count(*) FROM cookie_seal_data)
                          + (SELECT count(*) FROM cookie_seal_handoff)",
                    &[],
                )
                .await?;
            Ok(row.get::<_, i64>(0).max(0) as u64)
        })
    }
}
