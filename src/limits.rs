//! The bounds the crate enforces, for sizing what sits around it (proxies, stores, tests).
//! Each one bounds the time or memory a hostile input can cost.

use std::time::Duration;

pub use crate::key::MAX_KEYS;

/// Largest leeway a sealer accepts; more than this hides broken clocks and stretches expiry.
///
/// ```
/// use cookie_seal::{Key, Keyring, Sealer, limits::MAX_LEEWAY};
/// let ring = Keyring::new("k1", Key::generate()?)?;
/// assert!(Sealer::builder(ring.clone(), "s").leeway(MAX_LEEWAY).build().is_ok());
/// assert!(Sealer::builder(ring, "s").leeway(MAX_LEEWAY * 2).build().is_err());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const MAX_LEEWAY: Duration = Duration::from_secs(3_600);
/// Most cookies one session may be split across.
///
/// ```
/// use cookie_seal::{Key, Keyring, SessionManager, limits::MAX_CHUNKS_LIMIT};
/// let ring = Keyring::new("k1", Key::generate()?)?;
/// assert!(SessionManager::builder(ring.clone(), "__Host-s").max_chunks(MAX_CHUNKS_LIMIT).build().is_ok());
/// assert!(SessionManager::builder(ring, "__Host-s").max_chunks(MAX_CHUNKS_LIMIT + 1).build().is_err());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const MAX_CHUNKS_LIMIT: usize = 10;
/// Longest `Cookie` header read. Browsers send at most a few dozen 4 KB cookies; anything
/// longer is refused before it is scanned, so parsing work stays linear and small.
///
/// ```
/// use cookie_seal::{Key, Keyring, SessionManager, limits::MAX_COOKIE_HEADER_LEN};
/// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "s").build()?;
/// assert!(m.read_at::<u8>(&"a".repeat(MAX_COOKIE_HEADER_LEN), 0)?.is_none());
/// let err = m.read_at::<u8>(&"a".repeat(MAX_COOKIE_HEADER_LEN + 1), 0).unwrap_err();
/// assert_eq!(err.code(), "TOO_LARGE");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const MAX_COOKIE_HEADER_LEN: usize = 64 * 1024;
/// Cookie pairs scanned per header; later pairs are ignored.
///
/// ```
/// use cookie_seal::{Key, Keyring, SessionManager, limits::MAX_COOKIE_PAIRS};
/// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "s").build()?;
/// // The session cookie comes after the first 256 pairs: it is never looked at.
/// let header = format!("{}s=not-even-a-value", "a=1; ".repeat(MAX_COOKIE_PAIRS));
/// assert!(m.read_at::<u8>(&header, 0)?.is_none());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const MAX_COOKIE_PAIRS: usize = 256;
/// Cookies of the same name tried in order when several arrive (cookie tossing from a
/// sibling subdomain puts an attacker's cookie beside the real one).
///
/// ```
/// assert_eq!(cookie_seal::limits::MAX_SAME_NAME, 3);
/// ```
pub const MAX_SAME_NAME: usize = 3;
/// Browsers cap `Max-Age` at 400 days (RFC 6265bis §5.6.2); so do we.
///
/// ```
/// assert_eq!(cookie_seal::limits::MAX_AGE_CAP, 34_560_000); // 400 days in seconds
/// ```
pub const MAX_AGE_CAP: u64 = 400 * 86_400;
