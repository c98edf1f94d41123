//! The options of a [`SessionManager`], checked once by [`SessionManagerBuilder::build`].

use std::sync::Arc;
use std::time::Duration;

use super::chunks::chunk_name;
use super::lifetimes::Lifetimes;
use super::revocation::Revocation;
use super::state::{Inner, SessionManager};
use crate::codec::{CodecOptions, codec_setters};
use crate::cookie::{CookieAttributes, Priority, SameSite};
use crate::defaults::{
    DEFAULT_ABSOLUTE_LIFETIME, DEFAULT_IDLE_TIMEOUT, DEFAULT_REMEMBER_ABSOLUTE,
    DEFAULT_REMEMBER_IDLE, DEFAULT_RENEW_WHEN_REMAINING,
};
use crate::event::{EventHook, SessionEvent};
use crate::format::BROWSER_COOKIE_LIMIT;
use crate::limits::MAX_CHUNKS_LIMIT;
use crate::{Error, Keyring};

/// Options for a [`SessionManager`]; every one has a secure default.
///
/// ```
/// use std::time::Duration;
/// use cookie_seal::{Key, Keyring, SameSite, SessionManager};
/// let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-app")
///     .idle_timeout(Duration::from_secs(30 * 60))
///     .absolute_lifetime(Duration::from_secs(8 * 3_600))
///     .remember_me(Duration::from_secs(7 * 86_400), Duration::from_secs(30 * 86_400))
///     .same_site(SameSite::Strict)
///     .max_chunks(2)
///     .build()?;
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Clone)]
#[must_use = "a builder does nothing until .build() is called"]
pub struct SessionManagerBuilder {
    codec: CodecOptions,
    cookie: CookieAttributes,
    /// Idle timeout and absolute lifetime of ordinary sessions.
    lifetimes: (Duration, Duration),
    /// The same for remember-me sessions.
    remember_me: (Duration, Duration),
    renew_fraction: f64,
    max_chunks: usize,
    signed_in_after: u64,
    revocation: Option<Arc<dyn Revocation>>,
    hook: Option<EventHook>,
}

impl SessionManagerBuilder {
    pub(super) fn new(keyring: Keyring, cookie_name: &str) -> Self {
        let mut codec = CodecOptions::new(keyring, cookie_name);
        // A session's cookies are always up to what browsers keep.
        codec.max_len = BROWSER_COOKIE_LIMIT;
        SessionManagerBuilder {
            codec,
            cookie: CookieAttributes::default(),
            lifetimes: (DEFAULT_IDLE_TIMEOUT, DEFAULT_ABSOLUTE_LIFETIME),
            remember_me: (DEFAULT_REMEMBER_IDLE, DEFAULT_REMEMBER_ABSOLUTE),
            renew_fraction: DEFAULT_RENEW_WHEN_REMAINING,
            max_chunks: 1,
            signed_in_after: 0,
            revocation: None,
            hook: None,
        }
    }

    codec_setters!();

    /// How long an ordinary session survives without a request. Default 2 hours.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-a")
    ///     .idle_timeout(std::time::Duration::from_secs(900)).build()?;
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.lifetimes.0 = idle;
        self
    }

    /// How long an ordinary session lasts after sign-in, however active. Default 12 hours.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// let err = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-a")
    ///     .absolute_lifetime(std::time::Duration::from_secs(60)).build().unwrap_err();
    /// assert_eq!(err.code(), "INVALID_OPTION"); // shorter than the idle timeout
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn absolute_lifetime(mut self, absolute: Duration) -> Self {
        self.lifetimes.1 = absolute;
        self
    }

    /// Idle timeout and absolute lifetime of remember-me sessions. Default 14 and 30 days.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// use std::time::Duration;
    /// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-a")
    ///     .remember_me(Duration::from_secs(86_400), Duration::from_secs(7 * 86_400)).build()?;
    /// assert_eq!(m.longest_session(), Duration::from_secs(7 * 86_400));
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn remember_me(mut self, idle: Duration, absolute: Duration) -> Self {
        self.remember_me = (idle, absolute);
        self
    }

    /// Re-seal (slide the idle deadline) once less than this fraction of the idle window
    /// remains. Default 0.5: an active user's cookie is rewritten about once per half
    /// window, not on every request. Between 0 (exclusive) and 1.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// assert!(SessionManager::builder(ring.clone(), "__Host-a").renew_when_remaining(0.25).build().is_ok());
    /// assert!(SessionManager::builder(ring, "__Host-a").renew_when_remaining(1.5).build().is_err());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn renew_when_remaining(mut self, fraction: f64) -> Self {
        self.renew_fraction = fraction;
        self
    }

    /// The `SameSite` attribute. Default `Lax`.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SameSite, SessionManager};
    /// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-a")
    ///     .same_site(SameSite::Strict).build()?;
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn same_site(mut self, same_site: SameSite) -> Self {
        self.cookie.same_site = same_site;
        self
    }

    /// A `Domain` attribute (shares the cookie with subdomains). Refused with a `__Host-`
    /// name, which exists to forbid exactly that.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// assert!(SessionManager::builder(ring.clone(), "__Secure-s").domain("example.com").build().is_ok());
    /// assert!(SessionManager::builder(ring, "__Host-s").domain("example.com").build().is_err());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn domain(mut self, domain: &str) -> Self {
        self.cookie.domain = Some(domain.to_owned());
        self
    }

    /// A `Path` attribute other than `/`. Refused with a `__Host-` name.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// assert!(SessionManager::builder(ring.clone(), "s").path("/app").build().is_ok());
    /// assert!(SessionManager::builder(ring, "__Host-s").path("/app").build().is_err());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn path(mut self, path: &str) -> Self {
        path.clone_into(&mut self.cookie.path);
        self
    }

    /// The `Partitioned` attribute (CHIPS): in a third-party context (the site embedded in
    /// another site's frame) the browser keeps one cookie per top-level site instead of a
    /// shared third-party cookie it may block. Needs `Secure`, so it is refused in
    /// development mode; usually paired with `SameSite=None`.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SameSite, SessionManager, SignIn};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// let m = SessionManager::builder(ring.clone(), "__Host-s").same_site(SameSite::None).partitioned().build()?;
    /// let session = m.sign_in((), SignIn::default(), 1_000)?;
    /// assert!(m.set_cookies_at(&session, 1_000)?[0].ends_with("; Secure; HttpOnly; SameSite=None; Partitioned"));
    /// // The deletion is partitioned too, or it would miss the partitioned cookie.
    /// assert!(m.clear_cookies()[0].ends_with("; SameSite=None; Partitioned"));
    /// let err = SessionManager::builder(ring, "s").partitioned().insecure_dev_mode_for_localhost().build();
    /// assert_eq!(err.unwrap_err().code(), "INVALID_OPTION");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn partitioned(mut self) -> Self {
        self.cookie.partitioned = true;
        self
    }

    /// The `Priority` attribute (Chromium's eviction order). Not written by default.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, Priority, SessionManager};
    /// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s")
    ///     .priority(Priority::High).build()?;
    /// assert!(m.clear_cookies()[0].ends_with("; SameSite=Lax; Priority=High"));
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn priority(mut self, priority: Priority) -> Self {
        self.cookie.priority = Some(priority);
        self
    }

    /// Development over plain `http://localhost`: drops `Secure`, which browsers require
    /// for `__Host-`/`__Secure-` names and `SameSite=None`, so those are refused. Never
    /// enable this where real users connect.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// let dev = SessionManager::builder(ring.clone(), "dev-session").insecure_dev_mode_for_localhost().build()?;
    /// assert!(!dev.clear_cookies()[0].contains("Secure"));
    /// assert!(SessionManager::builder(ring, "__Host-s").insecure_dev_mode_for_localhost().build().is_err());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn insecure_dev_mode_for_localhost(mut self) -> Self {
        self.cookie.secure = false;
        self
    }

    /// Lets a session that outgrows one cookie be split across up to `max_chunks`
    /// cookies (`name.0`, `name.1`, …), at most 10. Default 1 (no chunking).
    ///
    /// Mind the whole `Cookie` header: every cookie of your site travels in it, and nginx
    /// refuses request header lines over 8 KB by default (`large_client_header_buffers`),
    /// so more than 2 chunks of 4 KB needs server configuration.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// assert!(SessionManager::builder(ring.clone(), "__Host-s").max_chunks(2).build().is_ok());
    /// assert!(SessionManager::builder(ring, "__Host-s").max_chunks(11).build().is_err());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn max_chunks(mut self, max_chunks: usize) -> Self {
        self.max_chunks = max_chunks;
        self
    }

    /// Revokes every session signed in before `cutoff` (seconds since the Unix epoch):
    /// signs everybody out without changing keys. Such a session reads as `REVOKED`. Not to
    /// be confused with a value's own not-before claim, which the sealer checks.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, SignIn};
    /// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-a")
    ///     .revoke_signed_in_before(1_700_000_000).build()?;
    /// let s = m.sign_in((), SignIn::default(), 1_699_999_999)?;
    /// let cookie = m.set_cookies_at(&s, 1_700_000_000)?[0].split(';').next().unwrap().to_owned();
    /// assert_eq!(m.read_at::<()>(&cookie, 1_700_000_000).unwrap_err().code(), "REVOKED");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn revoke_signed_in_before(mut self, cutoff: u64) -> Self {
        self.signed_in_after = cutoff;
        self
    }

    /// A revocation check consulted on every read, after authentication and expiry.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use cookie_seal::{Key, Keyring, MemoryRevocation, SessionManager};
    /// let revoked = Arc::new(MemoryRevocation::new(std::time::Duration::from_secs(30 * 86_400)));
    /// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-a")
    ///     .revocation(revoked).build()?;
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn revocation(mut self, revocation: Arc<dyn Revocation>) -> Self {
        self.revocation = Some(revocation);
        self
    }

    /// Tells `hook` of each cookie a read refuses ([`SessionEvent::Refused`] with its error
    /// code), instead of the library logging anything; a missing cookie is no event. The
    /// hook runs after the read, with no lock held; a panic in it is caught and dropped.
    /// [`StoredSessions`](crate::store::StoredSessions) built on this manager starts with
    /// the same hook.
    ///
    /// ```
    /// # use std::sync::{Arc, atomic::{AtomicUsize, Ordering}};
    /// # use cookie_seal::{Key, Keyring, SessionEvent, SessionManager};
    /// let refused = Arc::new(AtomicUsize::new(0));
    /// let count = Arc::clone(&refused);
    /// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-a")
    ///     .on_event(move |e| if let SessionEvent::Refused { .. } = e { count.fetch_add(1, Ordering::Relaxed); })
    ///     .build()?;
    /// assert!(m.read_at::<u32>("__Host-a=%%", 1_000).is_err());
    /// assert!(m.read_at::<u32>("theme=dark", 1_000)?.is_none());
    /// assert_eq!(refused.load(Ordering::Relaxed), 1);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn on_event(mut self, hook: impl Fn(&SessionEvent) + Send + Sync + 'static) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// Checks every option and builds the manager.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SameSite, SessionManager};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// let refused = [
    ///     SessionManager::builder(ring.clone(), "a b").build(),
    ///     SessionManager::builder(ring.clone(), "s").same_site(SameSite::None).insecure_dev_mode_for_localhost().build(),
    ///     SessionManager::builder(ring.clone(), "__Host-s").domain("example.com").build(),
    /// ];
    /// assert!(refused.iter().all(|r| r.as_ref().unwrap_err().code() == "INVALID_OPTION"));
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn build(self) -> Result<SessionManager, Error> {
        self.cookie.check(&self.codec.name)?;
        if !(1..=MAX_CHUNKS_LIMIT).contains(&self.max_chunks) {
            return Err(Error::InvalidOption(format!(
                "max_chunks must be 1 to {MAX_CHUNKS_LIMIT}"
            )));
        }
        if self.max_chunks > 1 {
            let last = chunk_name(&self.codec.name, self.max_chunks - 1);
            self.cookie.check(&last)?;
        }
        let lifetimes = Lifetimes::new(self.lifetimes, self.remember_me, self.renew_fraction)?;
        let manager = SessionManager {
            inner: Arc::new(Inner {
                codec: self.codec.build()?,
                cookie: self.cookie,
                lifetimes,
                max_chunks: self.max_chunks,
                signed_in_after: self.signed_in_after,
                revocation: self.revocation,
                hook: self.hook,
            }),
        };
        if manager.capacity() == 0 {
            return Err(Error::InvalidOption(
                "cookie name too long to leave room for a session".into(),
            ));
        }
        Ok(manager)
    }
}
