//! The one place that turns a session's sign-in time and remember-me flag into its idle and
//! absolute deadlines, and decides why a session just read should be written again.

use std::time::Duration;

use super::types::ResealReason;
use crate::Error;

/// The idle and absolute lifetimes of both kinds of session, in seconds, and the renewal
/// threshold. Checked once, when the manager is built.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lifetimes {
    idle: u64,
    absolute: u64,
    remember_idle: u64,
    remember_absolute: u64,
    renew_fraction: f64,
}

/// What a read knows about a candidate besides its times, for [`Lifetimes::reseal_reason`].
pub(crate) struct ReadState {
    /// Opened under a key other than the primary.
    pub old_key: bool,
    /// The request carried cookies of the session's names that this value did not use.
    pub stale_cookies: bool,
}

impl Lifetimes {
    pub(crate) fn new(
        (idle, absolute): (Duration, Duration),
        (remember_idle, remember_absolute): (Duration, Duration),
        renew_fraction: f64,
    ) -> Result<Lifetimes, Error> {
        let invalid = |why: String| Err(Error::InvalidOption(why));
        for (idle, absolute, what) in [
            (idle, absolute, "session"),
            (remember_idle, remember_absolute, "remember-me session"),
        ] {
            if idle.as_secs() == 0 {
                return invalid(format!("{what} idle timeout must be at least one second"));
            }
            if absolute < idle {
                return invalid(format!(
                    "{what} absolute lifetime is shorter than its idle timeout"
                ));
            }
        }
        if !(renew_fraction > 0.0 && renew_fraction <= 1.0) {
            return invalid("renew_when_remaining must be in (0, 1]".into());
        }
        Ok(Lifetimes {
            idle: idle.as_secs(),
            absolute: absolute.as_secs(),
            remember_idle: remember_idle.as_secs(),
            remember_absolute: remember_absolute.as_secs(),
            renew_fraction,
        })
    }

    /// The larger absolute lifetime, in seconds.
    pub(crate) fn longest(&self) -> u64 {
        self.absolute.max(self.remember_absolute)
    }

    fn of(&self, remember_me: bool) -> (u64, u64) {
        if remember_me {
            (self.remember_idle, self.remember_absolute)
        } else {
            (self.idle, self.absolute)
        }
    }

    /// When the session ends whatever happens: sign-in time plus the absolute lifetime.
    pub(crate) fn absolute_deadline(&self, signed_in_at: u64, remember_me: bool) -> u64 {
        signed_in_at.saturating_add(self.of(remember_me).1)
    }

    /// The idle deadline of a cookie sealed at `now`: `now` plus the idle timeout, never past
    /// the absolute deadline.
    pub(crate) fn idle_deadline(&self, now: u64, signed_in_at: u64, remember_me: bool) -> u64 {
        let idle = self.of(remember_me).0;
        now.saturating_add(idle)
            .min(self.absolute_deadline(signed_in_at, remember_me))
    }

    /// Why a session read at `now`, whose cookie says `expires_at`, should be written again:
    /// a key rotation first, then stale cookies, then renewal once less than the renewal
    /// fraction of the idle window remains and renewing would move the deadline.
    pub(crate) fn reseal_reason(
        &self,
        state: ReadState,
        now: u64,
        expires_at: u64,
        signed_in_at: u64,
        remember_me: bool,
    ) -> Option<ResealReason> {
        let idle = self.of(remember_me).0;
        let remaining = expires_at.saturating_sub(now);
        let renewal_due = (remaining as f64) < (idle as f64) * self.renew_fraction
            && self.idle_deadline(now, signed_in_at, remember_me) > expires_at;
        if state.old_key {
            Some(ResealReason::KeyRotation)
        } else if state.stale_cookies {
            Some(ResealReason::StaleCookies)
        } else if renewal_due {
            Some(ResealReason::Renewal)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    // In wasm these run under wasm-bindgen-test, which sees only its own attribute.
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const HOUR: Duration = Duration::from_secs(3_600);

    fn lifetimes() -> Lifetimes {
        Lifetimes::new((2 * HOUR, 12 * HOUR), (24 * HOUR, 48 * HOUR), 0.5).unwrap()
    }

    #[test]
    fn deadlines_by_kind_and_capped_by_the_absolute_one() {
        let l = lifetimes();
        assert_eq!(l.absolute_deadline(1_000, false), 1_000 + 12 * 3_600);
        assert_eq!(l.absolute_deadline(1_000, true), 1_000 + 48 * 3_600);
        assert_eq!(l.idle_deadline(1_000, 1_000, false), 1_000 + 2 * 3_600);
        // Eleven hours in, the idle window is cut at the absolute deadline.
        let late = 1_000 + 11 * 3_600;
        assert_eq!(l.idle_deadline(late, 1_000, false), 1_000 + 12 * 3_600);
        assert_eq!(l.idle_deadline(u64::MAX, 0, true), 48 * 3_600);
        assert_eq!(l.longest(), 48 * 3_600);
    }

    #[test]
    fn reseal_reasons_in_order() {
        let l = lifetimes();
        let state = |old_key, stale_cookies| ReadState {
            old_key,
            stale_cookies,
        };
        let fresh = 1_000 + 2 * 3_600;
        assert_eq!(
            l.reseal_reason(state(false, false), 1_000, fresh, 1_000, false),
            None
        );
        // Less than half the idle window left: renew.
        let later = 1_000 + 3_601;
        let renewal = Some(ResealReason::Renewal);
        assert_eq!(
            l.reseal_reason(state(false, false), later, fresh, 1_000, false),
            renewal
        );
        assert_eq!(
            l.reseal_reason(state(false, true), later, fresh, 1_000, false),
            Some(ResealReason::StaleCookies)
        );
        assert_eq!(
            l.reseal_reason(state(true, true), later, fresh, 1_000, false),
            Some(ResealReason::KeyRotation)
        );
        // At the absolute deadline renewing moves nothing: no renewal.
        let end = 1_000 + 12 * 3_600;
        assert_eq!(
            l.reseal_reason(state(false, false), end - 10, end, 1_000, false),
            None
        );
    }

    #[test]
    fn bad_lifetimes_are_refused() {
        let zero = Duration::ZERO;
        assert!(Lifetimes::new((zero, HOUR), (HOUR, HOUR), 0.5).is_err());
        assert!(Lifetimes::new((HOUR, HOUR), (2 * HOUR, HOUR), 0.5).is_err());
        for fraction in [0.0, 1.01, f64::NAN] {
            assert!(Lifetimes::new((HOUR, HOUR), (HOUR, HOUR), fraction).is_err());
        }
    }
}
