//! What the library tells the application instead of logging: each refused session cookie,
//! each stolen remember-me token it detects, each store failure. The application decides
//! what to log, count or alert on.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

/// One thing that happened while serving a request, handed to the hook set with
/// [`StoredSessions::on_event`](crate::store::StoredSessions::on_event). The same events,
/// with the same codes, as the npm package's `onEvent` option.
///
/// ```
/// use cookie_seal::SessionEvent;
/// let event = SessionEvent::Refused { code: "BAD_SEAL", message: "bad seal".into() };
/// match &event {
///     SessionEvent::Refused { code, .. } => assert_eq!(*code, "BAD_SEAL"),
///     SessionEvent::Theft { subject, .. } => eprintln!("remember-me token of {subject} stolen"),
///     SessionEvent::StoreError { operation, .. } => eprintln!("store failed in {operation}"),
///     _ => {}
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionEvent {
    /// A cookie was refused: the read (or remember-me resume) answered with this error code
    /// (`REVOKED`, `EXPIRED`, `BAD_SEAL`, `MALFORMED`, ...). A missing cookie is no event.
    Refused {
        /// The [`Error::code`](crate::Error::code) of the refusal.
        code: &'static str,
        /// The error's text (never a key, a cookie value or a store URL).
        message: String,
    },
    /// A remember-me token of a live series was presented that is neither its current one
    /// nor the one just before it inside the grace window: two parties held the series.
    /// The series and every session it started are revoked.
    Theft {
        /// The subject the series belonged to.
        subject: String,
        /// The series id (the public half of the token; not a secret).
        series: String,
        /// How many sessions started by the series were revoked (those that could still open).
        revoked_sessions: usize,
    },
    /// The store did not answer (`STORE_UNAVAILABLE`); the call was refused.
    StoreError {
        /// Always `STORE_UNAVAILABLE` today.
        code: &'static str,
        /// The store operation that failed, such as `is_revoked` or `remember_rotate`.
        operation: &'static str,
        /// The error's text (the backend and its cause, never a URL or a password).
        message: String,
    },
}

/// The application's hook, shared by every clone of the value that holds it.
pub(crate) type EventHook = Arc<dyn Fn(&SessionEvent) + Send + Sync>;

/// Calls the hook, if any, with the event `event` builds: built only when there is a hook,
/// so that with none a refused cookie or a failing store formats no message. Callers hold
/// no lock, and a panic in the hook is caught here and dropped: the hook belongs to the
/// application, and its failure must neither change what the request gets nor leave any
/// state of the library half-updated.
pub(crate) fn emit(hook: Option<&EventHook>, event: impl FnOnce() -> SessionEvent) {
    if let Some(hook) = hook {
        let event = event();
        let _ = catch_unwind(AssertUnwindSafe(|| hook(&event)));
    }
}
