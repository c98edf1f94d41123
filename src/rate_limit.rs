//! Rate limits for session endpoints (sign-in, sign-up, password reset): a contract any
//! backend implements ([`RateLimit`]), the key to count a client under ([`client_key`]),
//! and, with the `rate-limit` feature, an in-memory limiter for one server
//! (`MemoryRateLimit`, on governor's GCRA).
//!
//! A fleet needs one budget shared by every server, which only a shared store gives; such
//! a store implements [`RateLimit`] (its check is asynchronous for that reason) and the
//! framework layers take it unchanged.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use crate::Error;

/// What [`RateLimit::check`] returns: a future, so a store-backed limiter can ask its
/// server without blocking the thread.
pub type RateLimitFuture<'a> = Pin<Box<dyn Future<Output = Result<(), Error>> + Send + 'a>>;

/// Counts requests per key and refuses those over budget with
/// [`Error::RateLimited`] (code `RATE_LIMITED`, with the seconds to wait). A limiter that
/// cannot decide (its store is down) returns that error, never `Ok`.
///
/// ```
/// use cookie_seal::{Error, RateLimit, rate_limit::RateLimitFuture};
///
/// /// Allows nothing: the shape of an implementation, e.g. on a shared store.
/// struct Closed;
/// impl RateLimit for Closed {
///     fn check<'a>(&'a self, _key: &'a str) -> RateLimitFuture<'a> {
///         Box::pin(async { Err(Error::RateLimited { retry_after: 60 }) })
///     }
/// }
/// let limiter: &dyn RateLimit = &Closed;
/// let _future = limiter.check("203.0.113.7");
/// ```
pub trait RateLimit: Send + Sync {
    /// Counts one request under `key`: `Ok` when it is within budget.
    fn check<'a>(&'a self, key: &'a str) -> RateLimitFuture<'a>;
}

/// The key to count a client under, from its address: an IPv4 address as it is, an IPv6
/// address by its /64 prefix, since one subscriber usually holds a whole /64 and could
/// otherwise take a fresh budget with every address in it. An IPv4-mapped IPv6 address
/// counts as its IPv4 address.
///
/// ```
/// use cookie_seal::rate_limit::client_key;
/// assert_eq!(client_key("203.0.113.7".parse().unwrap()), "203.0.113.7");
/// assert_eq!(client_key("2001:db8:1:2:aaaa::1".parse().unwrap()), "2001:db8:1:2::/64");
/// assert_eq!(client_key("2001:db8:1:2:bbbb::9".parse().unwrap()), "2001:db8:1:2::/64");
/// assert_eq!(client_key("::ffff:203.0.113.7".parse().unwrap()), "203.0.113.7");
/// ```
pub fn client_key(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let prefix = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{prefix}/64")
            }
        },
    }
}

#[cfg(feature = "rate-limit")]
pub use memory::MemoryRateLimit;

#[cfg(feature = "rate-limit")]
mod memory {
    use std::hash::{BuildHasher, RandomState};
    use std::num::NonZeroU32;
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    use governor::clock::{Clock, DefaultClock};
    use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

    use super::{RateLimit, RateLimitFuture};
    use crate::Error;

    /// A rate limiter in this process's memory: each key may make `burst` requests at once,
    /// then one more every `period` (GCRA, governor's algorithm: no timers, one timestamp
    /// per key).
    ///
    /// Keys are chosen by clients, so memory is bounded by construction: a key is hashed
    /// (SipHash with a key random per limiter, so nobody can aim at another client's slot)
    /// into one of `slots` counters, and at most `slots` counters ever exist. Past that
    /// many active clients, clients share counters, so a flood of keys can only make the
    /// limit stricter, never lift it; counters back at a full budget are dropped about
    /// once per `period`, giving the memory back.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cookie_seal::MemoryRateLimit;
    /// let limiter = MemoryRateLimit::new(2, Duration::from_secs(30), 10_000)?;
    /// assert!(limiter.check_key("203.0.113.7").is_ok());
    /// assert!(limiter.check_key("203.0.113.7").is_ok());
    /// let err = limiter.check_key("203.0.113.7").unwrap_err();
    /// assert_eq!(err.code(), "RATE_LIMITED");
    /// assert!(matches!(err, cookie_seal::Error::RateLimited { retry_after: 1..=30 }));
    /// assert!(limiter.check_key("198.51.100.1").is_ok()); // another client
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    #[derive(Debug)]
    pub struct MemoryRateLimit {
        limiter: DefaultKeyedRateLimiter<u64>,
        clock: DefaultClock,
        hasher: RandomState,
        slots: u64,
        period: Duration,
        last_prune: Mutex<Instant>,
    }

    impl MemoryRateLimit {
        /// `burst` requests at once (at least 1), one more every `period` (at least one
        /// millisecond), over at most `slots` counters (at least 1, at most 2^24: about
        /// 50 bytes each).
        ///
        /// ```
        /// use std::time::Duration;
        /// use cookie_seal::MemoryRateLimit;
        /// let minute = Duration::from_secs(60);
        /// assert!(MemoryRateLimit::new(5, minute, 100_000).is_ok());
        /// assert_eq!(MemoryRateLimit::new(0, minute, 1).unwrap_err().code(), "INVALID_OPTION");
        /// assert!(MemoryRateLimit::new(5, Duration::ZERO, 1).is_err());
        /// assert!(MemoryRateLimit::new(5, minute, 0).is_err());
        /// ```
        pub fn new(burst: u32, period: Duration, slots: usize) -> Result<Self, Error> {
            let invalid = |why: &str| Error::InvalidOption(why.into());
            let burst =
                NonZeroU32::new(burst).ok_or_else(|| invalid("burst must be at least 1"))?;
            if period < Duration::from_millis(1) {
                return Err(invalid("period must be at least one millisecond"));
            }
            if !(1..=1 << 24).contains(&slots) {
                return Err(invalid("slots must be 1 to 16777216"));
            }
            let quota = Quota::with_period(period)
                .ok_or_else(|| invalid("period must be at least one millisecond"))?
                .allow_burst(burst);
            Ok(MemoryRateLimit {
                limiter: RateLimiter::keyed(quota),
                clock: DefaultClock::default(),
                hasher: RandomState::new(),
                slots: slots as u64,
                period,
                last_prune: Mutex::new(Instant::now()),
            })
        }

        /// Counts one request under `key`, synchronously. [`RateLimit::check`] is this.
        ///
        /// ```
        /// use std::time::Duration;
        /// use cookie_seal::MemoryRateLimit;
        /// let limiter = MemoryRateLimit::new(1, Duration::from_millis(50), 16)?;
        /// assert!(limiter.check_key("a").is_ok());
        /// assert!(limiter.check_key("a").is_err());
        /// std::thread::sleep(Duration::from_millis(60));
        /// assert!(limiter.check_key("a").is_ok()); // the budget came back
        /// # Ok::<(), cookie_seal::Error>(())
        /// ```
        pub fn check_key(&self, key: &str) -> Result<(), Error> {
            self.prune_now_and_then();
            let slot = self.hasher.hash_one(key) % self.slots;
            self.limiter.check_key(&slot).map_err(|not_until| {
                let wait = not_until.wait_time_from(self.clock.now());
                // Whole seconds, rounded up, at least 1: what `Retry-After` can say.
                let retry_after = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                Error::RateLimited {
                    retry_after: retry_after.max(1),
                }
            })
        }

        /// Counters in memory now (at most `slots`).
        ///
        /// ```
        /// use std::time::Duration;
        /// use cookie_seal::MemoryRateLimit;
        /// let limiter = MemoryRateLimit::new(5, Duration::from_secs(1), 4)?;
        /// for client in 0..1_000 {
        ///     let _ = limiter.check_key(&client.to_string());
        /// }
        /// assert!(limiter.len() <= 4);
        /// # Ok::<(), cookie_seal::Error>(())
        /// ```
        pub fn len(&self) -> usize {
            self.limiter.len()
        }

        /// True when no counter is held.
        ///
        /// ```
        /// let limiter = cookie_seal::MemoryRateLimit::new(5, std::time::Duration::from_secs(1), 4)?;
        /// assert!(limiter.is_empty());
        /// # Ok::<(), cookie_seal::Error>(())
        /// ```
        pub fn is_empty(&self) -> bool {
            self.limiter.is_empty()
        }

        /// Drops counters back at a full budget, at most once per period: the scan is
        /// linear in the counters held, so it must not run on every request.
        fn prune_now_and_then(&self) {
            let Ok(mut last) = self.last_prune.try_lock() else {
                return; // another request is pruning
            };
            if last.elapsed() >= self.period {
                *last = Instant::now();
                self.limiter.retain_recent();
            }
        }
    }

    impl RateLimit for MemoryRateLimit {
        fn check<'a>(&'a self, key: &'a str) -> RateLimitFuture<'a> {
            let result = self.check_key(key);
            Box::pin(std::future::ready(result))
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn full_counters_are_dropped_again() {
            let limiter = MemoryRateLimit::new(1, Duration::from_millis(20), 1_000).unwrap();
            for client in 0..200 {
                let _ = limiter.check_key(&format!("client-{client}"));
            }
            assert!(limiter.len() > 100, "{}", limiter.len());
            std::thread::sleep(Duration::from_millis(60));
            // This request prunes first, then takes one counter of its own.
            limiter.check_key("late").unwrap();
            assert_eq!(limiter.len(), 1);
        }

        #[test]
        fn retry_after_counts_whole_seconds_up() {
            let limiter = MemoryRateLimit::new(1, Duration::from_millis(1_500), 8).unwrap();
            limiter.check_key("a").unwrap();
            assert_eq!(
                limiter.check_key("a"),
                Err(Error::RateLimited { retry_after: 2 })
            );
        }
    }
}
