//! The default of every option, defined once: the Rust builders, the wasm binding's options
//! and therefore the JavaScript package all start from these.

use std::time::Duration;

/// Default idle lifetime of a sealed value: 7 days.
///
/// ```
/// use cookie_seal::{defaults::DEFAULT_TTL, Key, Keyring, Sealer};
/// let sealer = Sealer::builder(Keyring::new("k1", Key::generate()?)?, "s").build()?;
/// let value = sealer.seal_bytes_at(b"{}", 0)?;
/// assert_eq!(sealer.open_bytes_at(&value, 0)?.expires_at, DEFAULT_TTL.as_secs());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const DEFAULT_TTL: Duration = Duration::from_secs(7 * 86_400);
/// Default allowance for clock skew between the machine that seals and the one that opens.
///
/// ```
/// assert_eq!(cookie_seal::defaults::DEFAULT_LEEWAY.as_secs(), 60);
/// ```
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);
/// Default purpose string.
///
/// ```
/// use cookie_seal::{defaults::DEFAULT_PURPOSE, Key, Keyring, Sealer};
/// let sealer = Sealer::builder(Keyring::new("k1", Key::generate()?)?, "s").build()?;
/// assert_eq!(sealer.purpose(), DEFAULT_PURPOSE);
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const DEFAULT_PURPOSE: &str = "session";

/// Default idle timeout: 2 hours without a request ends an ordinary session.
///
/// ```
/// use cookie_seal::{defaults::DEFAULT_IDLE_TIMEOUT, Key, Keyring, SessionManager, SignIn};
/// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
/// let s = m.sign_in((), SignIn::default(), 1_000)?;
/// assert_eq!(s.expires_at, 1_000 + DEFAULT_IDLE_TIMEOUT.as_secs());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(2 * 3_600);
/// Default absolute lifetime of an ordinary session: 12 hours after sign-in, renewals or not.
///
/// ```
/// use cookie_seal::{defaults::DEFAULT_ABSOLUTE_LIFETIME, Key, Keyring, SessionManager, SignIn};
/// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
/// let s = m.sign_in((), SignIn::default(), 1_000)?;
/// assert_eq!(s.absolute_expires_at, 1_000 + DEFAULT_ABSOLUTE_LIFETIME.as_secs());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const DEFAULT_ABSOLUTE_LIFETIME: Duration = Duration::from_secs(12 * 3_600);
/// Default idle timeout of a remember-me session: 14 days.
///
/// ```
/// use cookie_seal::{defaults::DEFAULT_REMEMBER_IDLE, Key, Keyring, SessionManager, SignIn};
/// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
/// let s = m.sign_in((), SignIn::default().remember_me(true), 1_000)?;
/// assert_eq!(s.expires_at, 1_000 + DEFAULT_REMEMBER_IDLE.as_secs());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const DEFAULT_REMEMBER_IDLE: Duration = Duration::from_secs(14 * 86_400);
/// Default absolute lifetime of a remember-me session: 30 days.
///
/// ```
/// use cookie_seal::{defaults::DEFAULT_REMEMBER_ABSOLUTE, Key, Keyring, SessionManager, SignIn};
/// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
/// let s = m.sign_in((), SignIn::default().remember_me(true), 1_000)?;
/// assert_eq!(s.absolute_expires_at, 1_000 + DEFAULT_REMEMBER_ABSOLUTE.as_secs());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const DEFAULT_REMEMBER_ABSOLUTE: Duration = Duration::from_secs(30 * 86_400);

/// Default renewal threshold: a session is re-sealed once less than half its idle window
/// remains, so an active user's cookie is rewritten about once per half window.
///
/// ```
/// assert_eq!(cookie_seal::defaults::DEFAULT_RENEW_WHEN_REMAINING, 0.5);
/// ```
pub const DEFAULT_RENEW_WHEN_REMAINING: f64 = 0.5;
