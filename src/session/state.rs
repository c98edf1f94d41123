//! What a built [`SessionManager`] holds. Its methods are in `mod.rs`; the builder makes it
//! and the reader shares it, and this file depends on neither.

use std::fmt;
use std::sync::Arc;

use super::lifetimes::Lifetimes;
use super::revocation::Revocation;
use crate::codec::Codec;
use crate::cookie::CookieAttributes;

/// Sessions in cookies: reads the `Cookie` header, decides expiry and renewal, writes the
/// `Set-Cookie` headers. Build once and share; it is `Send + Sync`.
///
/// ```
/// use cookie_seal::{Key, Keyring, SessionManager, SignIn};
/// use serde_json::json;
///
/// let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-session").build()?;
/// let now = 1_700_000_000;
///
/// // Sign-in: a fresh session id, then the Set-Cookie header(s).
/// let session = manager.sign_in(json!({ "uid": 42 }), SignIn::default(), now)?;
/// let set_cookie = manager.set_cookies_at(&session, now)?;
/// assert!(set_cookie[0].ends_with("; Path=/; Secure; HttpOnly; SameSite=Lax"));
///
/// // The next request: read it from the Cookie header.
/// let cookie_header = format!("theme=dark; {}", set_cookie[0].split(';').next().unwrap());
/// let read = manager.read_at::<serde_json::Value>(&cookie_header, now + 60)?.expect("signed in");
/// assert_eq!(read.data["uid"], 42);
/// assert!(!read.needs_reseal());
///
/// // Sign-out clears the cookie.
/// assert!(manager.clear_cookies()[0].contains("Max-Age=0"));
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Clone)]
pub struct SessionManager {
    /// Shared, so a [`SessionReader`](crate::SessionReader) owns its manager for the price of
    /// a reference count.
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub codec: Codec,
    pub cookie: CookieAttributes,
    pub lifetimes: Lifetimes,
    pub max_chunks: usize,
    /// Sessions signed in before this are refused (`REVOKED`).
    pub signed_in_after: u64,
    pub revocation: Option<Arc<dyn Revocation>>,
    /// The application's event hook (refused cookies).
    pub hook: Option<crate::event::EventHook>,
}

impl fmt::Debug for SessionManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("SessionManager")
            .field("codec", &inner.codec)
            .field("cookie", &inner.cookie)
            .field("lifetimes", &inner.lifetimes)
            .field("max_chunks", &inner.max_chunks)
            .finish_non_exhaustive()
    }
}
