//! Cross-domain hand-off: carrying a signed-in user from one site to another that no cookie
//! can reach (`shop.example` to `accounts.example.net`), where the target starts a session
//! of its own.
//!
//! The flow: both sites hold a hand-off keyring (not their session keys). The source site
//! seals what the target needs (a user id, say) with [`Handoff::issue_at`], bound to the
//! target's origin, and sends the browser there with it, preferably in a form POST so the
//! token stays out of URLs, logs and `Referer`. The target opens it with
//! [`Handoff::redeem_at`] for its own origin, which also claims the token's id in a
//! [`SingleUse`] record (a store shared by the target's servers), and signs the user in.
//!
//! Why not a cookie with `Domain=example.com`: it only works under one registrable domain,
//! and it hands the session to every subdomain, each able to read it, overwrite it or
//! toss a cookie of its own in front of it. A hand-off token is one-way (only the target
//! can redeem it), lives at most a minute, works once, and leaves each site with a
//! `__Host-` cookie no other host can touch.

use std::collections::{BTreeSet, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::csrf::normalise_origin;
use crate::{Error, Keyring, Sealer, SessionId};

/// The cookie name bound into every token, so a token is never mistaken for a cookie.
const TOKEN_NAME: &str = "cookie-seal-handoff";
/// Default lifetime of a token: long enough for one redirect, short for a thief.
pub const DEFAULT_HANDOFF_TTL: Duration = Duration::from_secs(30);
/// Longest lifetime a token may be given.
pub const MAX_HANDOFF_TTL: Duration = Duration::from_secs(60);
/// Clock skew allowed between the two sites.
const LEEWAY: Duration = Duration::from_secs(5);

/// What [`SingleUse::claim`] returns: a future, so a shared store can answer.
pub type ClaimFuture<'a> = Pin<Box<dyn Future<Output = Result<(), Error>> + Send + 'a>>;

/// Records the hand-off tokens already redeemed. `claim` succeeds once per id and refuses
/// every later claim with `REVOKED`, at least until `until` (seconds since the Unix
/// epoch), after which the token no longer opens anyway; `now` is the redeeming call's
/// time, the one the token was checked against. A record that cannot decide
/// (its store is down) fails, never succeeds. Every session store in
/// [`store`](crate::store) is one, shared by the servers that share the store.
///
/// ```
/// use cookie_seal::handoff::{ClaimFuture, SingleUse};
/// use cookie_seal::{Error, SessionId};
/// /// Refuses everything: the shape of an implementation, e.g. Redis `SET id 1 NX EXAT until`.
/// struct Closed;
/// impl SingleUse for Closed {
///     fn claim<'a>(&'a self, _id: &'a SessionId, _until: u64, _now: u64) -> ClaimFuture<'a> {
///         Box::pin(async { Err(Error::Revoked) })
///     }
/// }
/// ```
pub trait SingleUse: Send + Sync {
    /// Claims `id`; `Ok` only the first time.
    fn claim<'a>(&'a self, id: &'a SessionId, until: u64, now: u64) -> ClaimFuture<'a>;
}

/// Redeemed ids in this process's memory, for a target served by one process (a fleet
/// needs a shared store). Each id is kept until its token's last valid second and then
/// dropped; at most `capacity` are held. When full, a new claim is refused with
/// `RATE_LIMITED` (and the seconds until the oldest entry goes) rather than forgetting an
/// id whose token still opens.
///
/// ```
/// use cookie_seal::handoff::MemorySingleUse;
/// use cookie_seal::SessionId;
/// let used = MemorySingleUse::new(2);
/// let (a, b, c) = (SessionId::generate()?, SessionId::generate()?, SessionId::generate()?);
/// assert!(used.claim_at(&a, 1_060, 1_000).is_ok());
/// assert_eq!(used.claim_at(&a, 1_060, 1_001).unwrap_err().code(), "REVOKED");
/// assert!(used.claim_at(&b, 1_060, 1_002).is_ok());
/// assert_eq!(used.claim_at(&c, 1_060, 1_003).unwrap_err().code(), "RATE_LIMITED");
/// assert!(used.claim_at(&c, 1_090, 1_061).is_ok()); // a and b expired
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug)]
pub struct MemorySingleUse {
    capacity: usize,
    ledger: Mutex<Ledger>,
}

#[derive(Debug, Default)]
struct Ledger {
    ids: HashSet<[u8; 16]>,
    by_expiry: BTreeSet<(u64, [u8; 16])>,
}

impl MemorySingleUse {
    /// A record holding at most `capacity` ids (at least 1).
    ///
    /// ```
    /// let _ = cookie_seal::handoff::MemorySingleUse::new(100_000);
    /// ```
    pub fn new(capacity: usize) -> MemorySingleUse {
        MemorySingleUse {
            capacity: capacity.max(1),
            ledger: Mutex::new(Ledger::default()),
        }
    }

    /// [`SingleUse::claim`] as of `now`, synchronously. Each call costs O(log n) plus the
    /// entries it drops.
    ///
    /// ```
    /// # use cookie_seal::{SessionId, handoff::MemorySingleUse};
    /// let used = MemorySingleUse::new(10);
    /// let id = SessionId::generate()?;
    /// assert!(used.claim_at(&id, 1_060, 1_000).is_ok());
    /// assert!(used.claim_at(&id, 1_060, 1_059).is_err());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn claim_at(&self, id: &SessionId, until: u64, now: u64) -> Result<(), Error> {
        let mut ledger = self.ledger.lock().unwrap_or_else(PoisonError::into_inner);
        while let Some(&(expiry, old)) = ledger.by_expiry.first() {
            if expiry >= now {
                break;
            }
            ledger.by_expiry.pop_first();
            ledger.ids.remove(&old);
        }
        if ledger.ids.contains(id.as_bytes()) {
            return Err(Error::Revoked);
        }
        if ledger.ids.len() >= self.capacity {
            let oldest = ledger.by_expiry.first().map_or(now, |&(expiry, _)| expiry);
            return Err(Error::RateLimited {
                retry_after: oldest.saturating_sub(now).max(1),
            });
        }
        ledger.ids.insert(*id.as_bytes());
        ledger.by_expiry.insert((until, *id.as_bytes()));
        Ok(())
    }

    /// Ids held now.
    ///
    /// ```
    /// assert_eq!(cookie_seal::handoff::MemorySingleUse::new(1).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.ledger
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .ids
            .len()
    }

    /// True when no id is held.
    ///
    /// ```
    /// assert!(cookie_seal::handoff::MemorySingleUse::new(1).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl SingleUse for MemorySingleUse {
    fn claim<'a>(&'a self, id: &'a SessionId, until: u64, now: u64) -> ClaimFuture<'a> {
        Box::pin(std::future::ready(self.claim_at(id, until, now)))
    }
}

#[derive(Serialize, Deserialize)]
struct Token<T> {
    /// The token's own id, claimed once at redemption.
    id: String,
    data: T,
}

/// Issues and redeems hand-off tokens under a keyring both sites hold. The target origin
/// is bound into the token's associated data (its purpose is `handoff <origin>`), so a
/// token made for one site fails authentication (`BAD_SEAL`) on any other.
///
/// ```
/// use std::{pin::pin, task::{Context, Poll, Waker}};
/// use cookie_seal::handoff::{Handoff, MemorySingleUse};
/// use cookie_seal::{Key, Keyring};
///
/// let ring = Keyring::new("h1", Key::generate()?)?; // shared by both sites
/// let handoff = Handoff::new(ring)?;
/// let token = handoff.issue_at("https://accounts.example.net", &"user-42", 1_000)?;
///
/// // On accounts.example.net (a store-backed SingleUse there would be awaited):
/// let used = MemorySingleUse::new(100_000);
/// let redeem = |now| {
///     let future = handoff.redeem_at::<String>(&token, "https://accounts.example.net", &used, now);
///     match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
///         Poll::Ready(result) => result,
///         Poll::Pending => unreachable!("the memory record answers at once"),
///     }
/// };
/// assert_eq!(redeem(1_010)?, "user-42");
/// assert_eq!(redeem(1_011).unwrap_err().code(), "REVOKED"); // once only
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Clone)]
pub struct Handoff {
    keyring: Keyring,
    ttl: Duration,
}

impl std::fmt::Debug for Handoff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handoff")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl Handoff {
    /// Tokens living [`DEFAULT_HANDOFF_TTL`].
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, handoff::Handoff};
    /// assert!(Handoff::new(Keyring::new("h1", Key::generate()?)?).is_ok());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn new(keyring: Keyring) -> Result<Handoff, Error> {
        Handoff::with_ttl(keyring, DEFAULT_HANDOFF_TTL)
    }

    /// Tokens living `ttl`: 1 s to [`MAX_HANDOFF_TTL`].
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use cookie_seal::{Key, Keyring, handoff::Handoff};
    /// let ring = Keyring::new("h1", Key::generate()?)?;
    /// assert!(Handoff::with_ttl(ring.clone(), Duration::from_secs(60)).is_ok());
    /// let err = Handoff::with_ttl(ring, Duration::from_secs(61)).unwrap_err();
    /// assert_eq!(err.code(), "INVALID_OPTION");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn with_ttl(keyring: Keyring, ttl: Duration) -> Result<Handoff, Error> {
        if ttl < Duration::from_secs(1) || ttl > MAX_HANDOFF_TTL {
            return Err(Error::InvalidOption(format!(
                "a hand-off token lives 1 to {} seconds",
                MAX_HANDOFF_TTL.as_secs()
            )));
        }
        Ok(Handoff { keyring, ttl })
    }

    fn sealer(&self, origin: &str) -> Result<Sealer, Error> {
        let origin = normalise_origin(origin)?;
        Sealer::builder(self.keyring.clone(), TOKEN_NAME)
            .purpose(&format!("handoff {origin}"))
            .ttl(self.ttl)
            .leeway(LEEWAY)
            .build()
    }

    /// A token carrying `data` (JSON) to `target_origin`, as of `now`.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, handoff::Handoff};
    /// let handoff = Handoff::new(Keyring::new("h1", Key::generate()?)?)?;
    /// assert!(handoff.issue_at("https://a.example", &42, 1_000).is_ok());
    /// assert_eq!(handoff.issue_at("a.example", &42, 1_000).unwrap_err().code(), "INVALID_OPTION");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn issue_at<T: Serialize>(
        &self,
        target_origin: &str,
        data: &T,
        now: u64,
    ) -> Result<String, Error> {
        let token = Token {
            id: SessionId::generate()?.to_string(),
            data,
        };
        self.sealer(target_origin)?.seal_at(&token, now)
    }

    /// Opens `token` for this site (`own_origin`), refuses it when it was made for another
    /// site (`BAD_SEAL`), has expired (`EXPIRED`) or was already redeemed (`REVOKED`,
    /// through `used`), and gives its data. Sign the user in with it.
    ///
    /// ```
    /// # use std::{pin::pin, task::{Context, Poll, Waker}};
    /// # use cookie_seal::{Key, Keyring, handoff::{Handoff, MemorySingleUse}};
    /// # let handoff = Handoff::new(Keyring::new("h1", Key::generate()?)?)?;
    /// let token = handoff.issue_at("https://a.example", &42, 1_000)?;
    /// let used = MemorySingleUse::new(10);
    /// let future = handoff.redeem_at::<u32>(&token, "https://b.example", &used, 1_001);
    /// let Poll::Ready(result) = pin!(future).poll(&mut Context::from_waker(Waker::noop())) else { panic!() };
    /// assert_eq!(result.unwrap_err().code(), "BAD_SEAL");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub async fn redeem_at<T: DeserializeOwned>(
        &self,
        token: &str,
        own_origin: &str,
        used: &dyn SingleUse,
        now: u64,
    ) -> Result<T, Error> {
        let opened = self.sealer(own_origin)?.open_at::<Token<T>>(token, now)?;
        let id: SessionId = opened.data.id.parse()?;
        let until = opened.expires_at.saturating_add(LEEWAY.as_secs());
        used.claim(&id, until, now).await?;
        Ok(opened.data.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Key;

    fn ready<T>(future: impl Future<Output = T>) -> T {
        use std::task::{Context, Poll, Waker};
        match std::pin::pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(value) => value,
            Poll::Pending => panic!("the memory record answers at once"),
        }
    }

    #[test]
    fn a_token_expires_within_a_minute_and_keys_rotate() {
        let old = Keyring::new("h1", Key::from_bytes(&[1; 32]).unwrap()).unwrap();
        let token = Handoff::new(old)
            .unwrap()
            .issue_at("https://b.example", &"u", 1_000)
            .unwrap();
        let rotated = Keyring::new("h2", Key::from_bytes(&[2; 32]).unwrap())
            .unwrap()
            .with_key("h1", Key::from_bytes(&[1; 32]).unwrap())
            .unwrap();
        let handoff = Handoff::new(rotated).unwrap();
        let used = MemorySingleUse::new(10);
        let late = ready(handoff.redeem_at::<String>(&token, "https://b.example", &used, 1_036));
        assert_eq!(late.unwrap_err().code(), "EXPIRED");
        assert!(used.is_empty(), "an expired token claims nothing");
        let ok = ready(handoff.redeem_at::<String>(&token, "HTTPS://B.example:443", &used, 1_030));
        assert_eq!(ok.unwrap(), "u");
        // The id is held until the token's last valid second, then dropped.
        assert_eq!(used.len(), 1);
        let other = SessionId::generate().unwrap();
        used.claim_at(&other, 2_000, 1_036).unwrap();
        assert_eq!(used.len(), 1);
    }

    #[test]
    fn a_session_cookie_is_not_a_token() {
        let ring = Keyring::new("h1", Key::from_bytes(&[1; 32]).unwrap()).unwrap();
        let sessions = crate::SessionManager::builder(ring.clone(), "s")
            .build()
            .unwrap();
        let s = sessions
            .sign_in("u", crate::SignIn::default(), 1_000)
            .unwrap();
        let cookie = sessions.set_cookies_at(&s, 1_000).unwrap()[0].clone();
        let value = cookie.split(';').next().unwrap().trim_start_matches("s=");
        let used = MemorySingleUse::new(10);
        let handoff = Handoff::new(ring).unwrap();
        let refused = ready(handoff.redeem_at::<String>(value, "https://b.example", &used, 1_000));
        assert_eq!(refused.unwrap_err().code(), "BAD_SEAL");
    }
}
