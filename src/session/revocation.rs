//! Revocation: what a check sees of a session, and the hook consulted when a session opens.
//! Depends on the session's identity (`id.rs`) only; the in-memory implementation lives
//! with the stores (`store/revocation.rs`).

use super::id::{SessionId, Subject};

/// What a revocation check sees of a session that has already passed authentication and
/// expiry. The payload is not included: revocation decides on identity alone.
///
/// ```
/// use cookie_seal::{Revocation, SessionInfo};
/// /// Revokes sessions signed in before a per-deployment cutoff kept elsewhere.
/// struct SignedInAfter(u64);
/// impl Revocation for SignedInAfter {
///     fn is_revoked(&self, session: &SessionInfo<'_>, _now: u64) -> bool {
///         session.signed_in_at < self.0
///     }
/// }
/// # let _ = SignedInAfter(0);
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct SessionInfo<'a> {
    /// The session id (fresh at sign-in and at privilege changes).
    pub id: &'a SessionId,
    /// The subject and its generation, when the session has one.
    pub subject: Option<&'a Subject>,
    /// When the user signed in, seconds since the Unix epoch.
    pub signed_in_at: u64,
    /// The latest time this session could ever open.
    pub absolute_expires_at: u64,
}

/// Decides whether an authentic, unexpired session has been revoked. Called on every
/// read, so it should answer from memory; an asynchronous lookup (a remote store) drives
/// [`SessionManager::reader`](crate::SessionManager::reader) instead.
///
/// ```
/// use cookie_seal::{Revocation, SessionInfo};
///
/// /// Everyone whose subject id is on a deny list is signed out.
/// struct Banned(Vec<String>);
/// impl Revocation for Banned {
///     fn is_revoked(&self, session: &SessionInfo<'_>, _now: u64) -> bool {
///         session.subject.is_some_and(|s| self.0.contains(&s.id))
///     }
/// }
/// # let _: Box<dyn Revocation> = Box::new(Banned(vec![]));
/// ```
pub trait Revocation: Send + Sync {
    /// True if this session must not be accepted.
    fn is_revoked(&self, session: &SessionInfo<'_>, now: u64) -> bool;
}
