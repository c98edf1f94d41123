//! What the server and file stores (SQLite, Redis, Postgres) share, each piece compiled
//! with the features that use it, so that every store feature still builds alone.

use super::StoreFuture;
use crate::Error;

/// SQLite and Postgres integers are signed: times and generations past `i64::MAX` are
/// kept as that (a moment so far off it never comes, so nothing expires early).
#[cfg(any(feature = "store-sqlite", feature = "store-postgres"))]
pub(crate) fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A store call refused before it reaches the backend (an argument failed its check).
pub(crate) fn ready_err<'a, T: Send + 'a>(err: Error) -> StoreFuture<'a, T> {
    Box::pin(std::future::ready(Err(err)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(any(feature = "store-sqlite", feature = "store-postgres"))]
    #[test]
    fn int_saturates() {
        assert_eq!(int(0), 0);
        assert_eq!(int(i64::MAX as u64), i64::MAX);
        assert_eq!(int(u64::MAX), i64::MAX);
    }

    #[test]
    fn ready_err_answers_at_once() {
        let mut future = ready_err::<u8>(Error::Revoked);
        let waker = std::task::Waker::noop();
        let polled = future
            .as_mut()
            .poll(&mut std::task::Context::from_waker(waker));
        assert!(matches!(
            polled,
            std::task::Poll::Ready(Err(Error::Revoked))
        ));
    }
}
