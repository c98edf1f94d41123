//! The Redis store: TTL-native, shared by every server (and, through the same key layout,
//! by the JavaScript package). `docs/STORES.md` gives the layout byte for byte.
//!
//! Every key of a subject carries the hash tag `{u:<subject as base64url>}` and every key
//! of a session without a subject `{i:<session id>}`, so each call, script or `MGET`
//! touches one hash slot and the layout works unchanged on Redis Cluster. Keys expire
//! one second after their `keep_until` (Redis drops them by itself); scripts keep the
//! longer of an old and a new expiry, so nothing is dropped early.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Value};

use super::backend::ready_err;
use super::redis_scripts::{EVERYWHERE, LIST, RECORD, REVOKE, TOUCH};
use crate::b64;

use super::{
    DEFAULT_MAX_SESSIONS_PER_SUBJECT, DEFAULT_STORE_TIMEOUT, SessionEntry, SessionStore,
    StoreFuture, check_data, check_subject, list_order, timed,
};
use crate::{Error, SessionId, Subject};

/// Sessions state in Redis (feature `store-redis`), over one multiplexed connection that
/// reconnects by itself after the server comes back.
///
/// ```no_run
/// use cookie_seal::store::{RedisStore, SessionStore};
/// # async fn f() -> Result<(), cookie_seal::Error> {
/// let store = RedisStore::builder("redis://127.0.0.1:6379").prefix("myapp").connect().await?;
/// assert_eq!(store.generation("user-42", 1_700_000_000).await?, 0);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    pub(super) conn: ConnectionManager,
    pub(super) prefix: String,
    timeout: Duration,
    max_per_subject: usize,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Options for [`RedisStore`]; [`connect`](Self::connect) opens it.
///
/// ```
/// let builder = cookie_seal::store::RedisStore::builder("redis://127.0.0.1:6379")
///     .prefix("myapp")
///     .timeout(std::time::Duration::from_millis(250))
///     .max_sessions_per_subject(10);
/// # let _ = builder;
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until .connect() is called"]
pub struct RedisStoreBuilder {
    url: String,
    prefix: String,
    timeout: Duration,
    max_per_subject: usize,
}

fn unavailable(err: impl std::fmt::Display) -> Error {
    Error::StoreUnavailable(format!("redis: {err}"))
}

impl RedisStore {
    /// Starts the options for the server at `url` (`redis://host:port/db`).
    ///
    /// ```
    /// let _ = cookie_seal::store::RedisStore::builder("redis://127.0.0.1:6379");
    /// ```
    pub fn builder(url: &str) -> RedisStoreBuilder {
        RedisStoreBuilder {
            url: url.to_owned(),
            prefix: "cookie-seal".to_owned(),
            timeout: DEFAULT_STORE_TIMEOUT,
            max_per_subject: DEFAULT_MAX_SESSIONS_PER_SUBJECT,
        }
    }

    fn subject_base(&self, subject: &str) -> String {
        format!("{}:{{u:{}}}:", self.prefix, b64::encode(subject.as_bytes()))
    }

    /// The hash-tagged base of a session's keys: its subject's, or its own.
    fn session_base(&self, id: &SessionId, subject: Option<&str>) -> (String, String) {
        match subject {
            Some(s) => {
                let base = self.subject_base(s);
                (format!("{base}rev:{id}"), format!("{base}d:{id}"))
            }
            None => {
                let base = format!("{}:{{i:{id}}}:", self.prefix);
                (format!("{base}rev"), format!("{base}d"))
            }
        }
    }

    pub(super) fn run<'a, T: Send + 'a>(
        &'a self,
        call: impl Future<Output = redis::RedisResult<T>> + Send + 'a,
    ) -> StoreFuture<'a, T> {
        Box::pin(timed("redis", self.timeout, async move {
            call.await.map_err(unavailable)
        }))
    }
}

impl RedisStoreBuilder {
    /// Prefix of every key, so several applications can share one Redis. Default
    /// `cookie-seal`; no `{`, `}` or control characters.
    ///
    /// ```
    /// let _ = cookie_seal::store::RedisStore::builder("redis://127.0.0.1").prefix("shop");
    /// ```
    pub fn prefix(mut self, prefix: &str) -> Self {
        prefix.clone_into(&mut self.prefix);
        self
    }

    /// How long a call may take before it fails with `STORE_UNAVAILABLE`. Default 1 s.
    ///
    /// ```
    /// let _ = cookie_seal::store::RedisStore::builder("redis://127.0.0.1")
    ///     .timeout(std::time::Duration::from_millis(300));
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many sessions one subject keeps listed (at least 1); default 32.
    ///
    /// ```
    /// let _ = cookie_seal::store::RedisStore::builder("redis://127.0.0.1").max_sessions_per_subject(8);
    /// ```
    pub fn max_sessions_per_subject(mut self, max: usize) -> Self {
        self.max_per_subject = max.clamp(1, 1 << 20);
        self
    }

    /// Connects (within the timeout) and returns the store.
    ///
    /// ```
    /// # let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    /// let builder = cookie_seal::store::RedisStore::builder("not a url");
    /// assert_eq!(rt.block_on(builder.connect()).unwrap_err().code(), "INVALID_OPTION");
    /// ```
    pub async fn connect(self) -> Result<RedisStore, Error> {
        let bad = |c: char| c == '{' || c == '}' || c.is_control();
        if self.prefix.is_empty() || self.prefix.len() > 64 || self.prefix.chars().any(bad) {
            return Err(Error::InvalidOption(
                "a Redis key prefix is 1 to 64 bytes, without braces or control characters".into(),
            ));
        }
        // The URL may hold a password: its parse error is reported without it.
        let client = redis::Client::open(self.url.as_str())
            .map_err(|_| Error::InvalidOption("not a redis:// URL".into()))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let conn = timed("redis", self.timeout, async {
            ConnectionManager::new_with_config(client, config)
                .await
                .map_err(unavailable)
        })
        .await?;
        Ok(RedisStore {
            conn,
            prefix: self.prefix,
            timeout: self.timeout,
            max_per_subject: self.max_per_subject,
        })
    }
}

fn number(value: &Value) -> u64 {
    match value {
        Value::BulkString(bytes) => std::str::from_utf8(bytes)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        Value::Int(n) => (*n).max(0) as u64,
        _ => 0,
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::BulkString(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        _ => String::new(),
    }
}

impl SessionStore for RedisStore {
    fn is_revoked<'a>(
        &'a self,
        id: &'a SessionId,
        subject: Option<&'a Subject>,
        _now: u64,
    ) -> StoreFuture<'a, bool> {
        let (revoked, _) = self.session_base(id, subject.map(|s| s.id.as_str()));
        let mut conn = self.conn.clone();
        self.run(async move {
            let Some(subject) = subject else {
                let found: Option<String> = conn.get(&revoked).await?;
                return Ok(found.is_some());
            };
            let generation = format!("{}gen", self.subject_base(&subject.id));
            let (found, lowest): (Option<String>, Option<u64>) = redis::cmd("MGET")
                .arg(&revoked)
                .arg(&generation)
                .query_async(&mut conn)
                .await?;
            Ok(found.is_some() || lowest.is_some_and(|g| subject.generation < g))
        })
    }

    fn revoke<'a>(
        &'a self,
        id: &'a SessionId,
        subject: Option<&'a str>,
        keep_until: u64,
        _now: u64,
    ) -> StoreFuture<'a, ()> {
        let (revoked, data) = self.session_base(id, subject);
        let mut conn = self.conn.clone();
        self.run(async move {
            let mut call = REVOKE.key(&revoked);
            call.key(&data);
            if let Some(subject) = subject {
                let base = self.subject_base(subject);
                call.key(format!("{base}list")).key(format!("{base}s:{id}"));
            }
            call.arg(keep_until.saturating_add(1)).arg(id.to_string());
            call.invoke_async::<i64>(&mut conn).await.map(drop)
        })
    }

    fn generation<'a>(&'a self, subject: &'a str, _now: u64) -> StoreFuture<'a, u64> {
        let key = format!("{}gen", self.subject_base(subject));
        let mut conn = self.conn.clone();
        self.run(async move {
            let g: Option<u64> = conn.get(&key).await?;
            Ok(g.unwrap_or(0))
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
        let base = self.subject_base(subject);
        let mut conn = self.conn.clone();
        self.run(async move {
            EVERYWHERE
                .key(format!("{base}gen"))
                .key(format!("{base}list"))
                .arg(&base)
                .arg(now)
                .arg(keep_until.saturating_add(1))
                .invoke_async(&mut conn)
                .await
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
        let base = self.subject_base(subject);
        let mut conn = self.conn.clone();
        self.run(async move {
            RECORD
                .key(format!("{base}list"))
                .arg(&base)
                .arg(entry.id.to_string())
                .arg(entry.signed_in_at)
                .arg(entry.last_seen)
                .arg(u8::from(entry.remember_me))
                .arg(&entry.label)
                .arg(entry.keep_until)
                .arg(now)
                .arg(self.max_per_subject)
                .invoke_async::<i64>(&mut conn)
                .await
                .map(drop)
        })
    }

    fn touch<'a>(&'a self, subject: &'a str, id: &'a SessionId, now: u64) -> StoreFuture<'a, ()> {
        let key = format!("{}s:{id}", self.subject_base(subject));
        let mut conn = self.conn.clone();
        self.run(async move {
            TOUCH
                .key(&key)
                .arg(now)
                .invoke_async::<i64>(&mut conn)
                .await
                .map(drop)
        })
    }

    fn sessions<'a>(&'a self, subject: &'a str, now: u64) -> StoreFuture<'a, Vec<SessionEntry>> {
        let base = self.subject_base(subject);
        let mut conn = self.conn.clone();
        Box::pin(async move {
            let rows: Vec<Vec<Value>> = self
                .run(async move {
                    LIST.key(format!("{base}list"))
                        .arg(&base)
                        .arg(now)
                        .invoke_async(&mut conn)
                        .await
                })
                .await?;
            let mut list = Vec::with_capacity(rows.len());
            for row in rows {
                let [id, signed, seen, remember, label, until] = row.as_slice() else {
                    return Err(unavailable("a session list row has the wrong shape"));
                };
                let id: SessionId = text(id).parse().map_err(|_| {
                    unavailable("a listed session id is not 22 base64url characters")
                })?;
                list.push(SessionEntry {
                    id,
                    signed_in_at: number(signed),
                    last_seen: number(seen),
                    remember_me: number(remember) == 1,
                    label: text(label),
                    keep_until: number(until),
                });
            }
            list.sort_by(list_order);
            Ok(list)
        })
    }

    fn put_data<'a>(
        &'a self,
        id: &'a SessionId,
        subject: Option<&'a str>,
        data: &'a [u8],
        keep_until: u64,
        _now: u64,
    ) -> StoreFuture<'a, ()> {
        if let Err(err) = check_data(data) {
            return ready_err(err);
        }
        let (_, key) = self.session_base(id, subject);
        let mut conn = self.conn.clone();
        self.run(async move {
            redis::cmd("SET")
                .arg(&key)
                .arg(data)
                .arg("EXAT")
                .arg(keep_until.saturating_add(1))
                .query_async(&mut conn)
                .await
        })
    }

    fn data<'a>(
        &'a self,
        id: &'a SessionId,
        subject: Option<&'a str>,
        _now: u64,
    ) -> StoreFuture<'a, Option<Vec<u8>>> {
        let (_, key) = self.session_base(id, subject);
        let mut conn = self.conn.clone();
        self.run(async move { conn.get(&key).await })
    }

    fn entry_count<'a>(&'a self, _now: u64) -> StoreFuture<'a, u64> {
        let mut pattern = String::new();
        for c in self.prefix.chars() {
            if matches!(c, '*' | '?' | '[' | ']' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push_str(":*");
        let mut conn = self.conn.clone();
        self.run(async move {
            let mut cursor = 0u64;
            let mut count = 0u64;
            loop {
                let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(1_000)
                    .query_async(&mut conn)
                    .await?;
                for key in &keys {
                    // A list counts as the sessions it holds, as in the other stores.
                    if key.ends_with(":list") {
                        continue;
                    }
                    count += 1;
                }
                if next == 0 {
                    return Ok(count);
                }
                cursor = next;
            }
        })
    }
}
