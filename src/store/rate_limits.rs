//! Rate limits on a shared store, so that every server of a fleet counts against one budget
//! per client: [`RedisRateLimit`] and [`PostgresRateLimit`], each a fixed window of
//! `limit` requests, counted in one atomic step on the server (a Lua script on one key,
//! one SQL statement). A store that cannot answer refuses with `STORE_UNAVAILABLE`: the
//! limiter never lets a request through unchecked.
//!
//! Client keys are chosen by clients, so each is cut to [`MAX_RATE_KEY_LEN`] bytes (two
//! keys alike that far share a budget, which only makes the limit stricter) and each
//! counter is dropped by the store once its window is over: what an attacker can make the
//! store hold is bounded by the requests it can send in one window.

#[cfg(any(feature = "store-redis", feature = "store-postgres"))]
use std::time::Duration;

#[cfg(any(feature = "store-redis", feature = "store-postgres"))]
use crate::Error;
#[cfg(any(feature = "store-redis", feature = "store-postgres"))]
use crate::rate_limit::{RateLimit, RateLimitFuture};

/// Longest client key (bytes) a store-backed limiter counts under; longer keys are cut.
///
/// ```
/// assert_eq!(cookie_seal::store::MAX_RATE_KEY_LEN, 128);
/// ```
pub const MAX_RATE_KEY_LEN: usize = 128;

#[cfg(any(feature = "store-redis", feature = "store-postgres"))]
fn cut(key: &str) -> &[u8] {
    &key.as_bytes()[..key.len().min(MAX_RATE_KEY_LEN)]
}

#[cfg(any(feature = "store-redis", feature = "store-postgres"))]
fn check_options(limit: u32, window: Duration, least: Duration) -> Result<(), Error> {
    if limit == 0 || window < least {
        return Err(Error::InvalidOption(format!(
            "a rate limit needs a limit of at least 1 and a window of at least {} ms",
            least.as_millis()
        )));
    }
    Ok(())
}

#[cfg(any(feature = "store-redis", feature = "store-postgres"))]
/// The error for a request over budget, `wait_ms` before the window ends.
fn limited(wait_ms: u64) -> Error {
    Error::RateLimited {
        retry_after: wait_ms.div_ceil(1_000).max(1),
    }
}

#[cfg(feature = "store-redis")]
pub use redis_limit::RedisRateLimit;

#[cfg(feature = "store-redis")]
mod redis_limit {
    use std::sync::LazyLock;
    use std::time::Duration;

    use redis::Script;

    use super::{RateLimit, RateLimitFuture, check_options, cut, limited};
    use crate::Error;
    use crate::store::RedisStore;

    /// One key per client: counts, and starts the window's expiry on the first request,
    /// in one step. Returns the count and the milliseconds left in the window.
    static COUNT: LazyLock<Script> = LazyLock::new(|| {
        Script::new(
            "local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}",
        )
    });

    /// A fleet-wide rate limit on a [`RedisStore`]: at most `limit` requests per client in
    /// each `window`, counted on the key `<prefix>:{rl:<client key as base64url>}` (one
    /// hash slot, so it works on Redis Cluster), which Redis drops when the window ends.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use cookie_seal::{RateLimit, store::{RedisRateLimit, RedisStore}};
    /// # async fn f() -> Result<(), cookie_seal::Error> {
    /// let store = RedisStore::builder("redis://127.0.0.1:6379").connect().await?;
    /// let limiter = RedisRateLimit::new(store, 5, Duration::from_secs(60))?;
    /// assert!(limiter.check("203.0.113.7").await.is_ok());
    /// # Ok(()) }
    /// ```
    #[derive(Debug, Clone)]
    pub struct RedisRateLimit {
        store: RedisStore,
        limit: u32,
        window_ms: u64,
    }

    impl RedisRateLimit {
        /// `limit` requests (at least 1) per `window` (at least 1 ms) on `store`.
        ///
        /// ```no_run
        /// # use std::time::Duration;
        /// # use cookie_seal::store::{RedisRateLimit, RedisStore};
        /// # async fn f() -> Result<(), cookie_seal::Error> {
        /// let store = RedisStore::builder("redis://127.0.0.1:6379").connect().await?;
        /// let err = RedisRateLimit::new(store, 0, Duration::from_secs(1)).unwrap_err();
        /// assert_eq!(err.code(), "INVALID_OPTION");
        /// # Ok(()) }
        /// ```
        pub fn new(store: RedisStore, limit: u32, window: Duration) -> Result<Self, Error> {
            check_options(limit, window, Duration::from_millis(1))?;
            let window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX);
            Ok(RedisRateLimit {
                store,
                limit,
                window_ms,
            })
        }
    }

    impl RateLimit for RedisRateLimit {
        fn check<'a>(&'a self, key: &'a str) -> RateLimitFuture<'a> {
            let redis_key = format!(
                "{}:{{rl:{}}}",
                self.store.prefix,
                crate::b64::encode(cut(key))
            );
            let mut conn = self.store.conn.clone();
            let window_ms = self.window_ms;
            let counted = self.store.run(async move {
                COUNT
                    .key(&redis_key)
                    .arg(window_ms)
                    .invoke_async::<(u64, i64)>(&mut conn)
                    .await
            });
            Box::pin(async move {
                let (count, left_ms) = counted.await?;
                if count > u64::from(self.limit) {
                    return Err(limited(u64::try_from(left_ms).unwrap_or(window_ms)));
                }
                Ok(())
            })
        }
    }
}

#[cfg(feature = "store-postgres")]
pub use postgres_limit::PostgresRateLimit;

#[cfg(feature = "store-postgres")]
mod postgres_limit {
    use std::time::Duration;

    use super::{RateLimit, RateLimitFuture, check_options, cut, limited};
    use crate::Error;
    use crate::store::PostgresStore;
    use crate::store::backend::{int, ready_err};

    /// A fleet-wide rate limit on a [`PostgresStore`]: at most `limit` requests per client
    /// in each fixed `window` (whole seconds, aligned to the Unix epoch), counted by one
    /// upsert on the table `cookie_seal_rate`; the store's pruning drops rows whose window
    /// is over.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use cookie_seal::{RateLimit, store::{PostgresRateLimit, PostgresStore}};
    /// # async fn f() -> Result<(), cookie_seal::Error> {
    /// let store = PostgresStore::builder("postgres://app@127.0.0.1/app").connect().await?;
    /// let limiter = PostgresRateLimit::new(store, 5, Duration::from_secs(60))?;
    /// assert!(limiter.check("203.0.113.7").await.is_ok());
    /// # Ok(()) }
    /// ```
    #[derive(Debug, Clone)]
    pub struct PostgresRateLimit {
        store: PostgresStore,
        limit: u32,
        window: u64,
    }

    impl PostgresRateLimit {
        /// `limit` requests (at least 1) per `window` (at least 1 s) on `store`.
        ///
        /// ```no_run
        /// # use std::time::Duration;
        /// # use cookie_seal::store::{PostgresRateLimit, PostgresStore};
        /// # async fn f() -> Result<(), cookie_seal::Error> {
        /// let store = PostgresStore::builder("postgres://app@127.0.0.1/app").connect().await?;
        /// let err = PostgresRateLimit::new(store, 5, Duration::from_millis(10)).unwrap_err();
        /// assert_eq!(err.code(), "INVALID_OPTION");
        /// # Ok(()) }
        /// ```
        pub fn new(store: PostgresStore, limit: u32, window: Duration) -> Result<Self, Error> {
            check_options(limit, window, Duration::from_secs(1))?;
            Ok(PostgresRateLimit {
                store,
                limit,
                window: window.as_secs(),
            })
        }
    }

    impl RateLimit for PostgresRateLimit {
        fn check<'a>(&'a self, key: &'a str) -> RateLimitFuture<'a> {
            let now = match crate::clock::now() {
                Ok(now) => now,
                Err(err) => return ready_err(err),
            };
            let start = now - now % self.window;
            let end = start.saturating_add(self.window);
            let key = String::from_utf8_lossy(cut(key)).into_owned();
            let (start_i, end_i, now_i) = (int(start), int(end), int(now));
            let counted = self.store.run(move |c| async move {
                let row = c
                    .query_one(
                        "WITH pruned AS (SELECT cookie_seal_prune($4))
                         INSERT INTO cookie_seal_rate (key, window_start, count, keep_until)
                         SELECT $1, $2, 1, $3 FROM pruned
                         ON CONFLICT (key) DO UPDATE SET
                           count = CASE WHEN cookie_seal_rate.window_start = EXCLUDED.window_start
                                   THEN cookie_seal_rate.count + 1 ELSE 1 END,
                           window_start = EXCLUDED.window_start,
                           keep_until = EXCLUDED.keep_until
                         RETURNING count",
                        &[&key, &start_i, &end_i, &now_i],
                    )
                    .await?;
                Ok(row.get::<_, i64>(0))
            });
            Box::pin(async move {
                let count = counted.await?;
                if count > i64::from(self.limit) {
                    return Err(limited(end.saturating_sub(now).saturating_mul(1_000)));
                }
                Ok(())
            })
        }
    }
}
