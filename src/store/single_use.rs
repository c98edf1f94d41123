//! The hand-off's single-use record ([`SingleUse`]) on the session stores, so that every
//! server of the target fleet refuses a token another one already redeemed.
//!
//! Each claim is one atomic step on the backend: `SET … NX` on Redis, one upsert on
//! SQLite and Postgres, one locked check-and-insert in memory. Two servers claiming the same
//! token at the same moment get one success and one `REVOKED`. A claim is kept until
//! [`CLAIM_LEEWAY`] after its token's last valid second and then dropped by the store
//! (Redis by itself; the others in bounded batches during later claims). Only tokens that
//! opened under the hand-off keyring are claimed, so what the record holds is bounded by
//! the tokens the sites issue, each for at most a little over a minute.
//!
//! A backend that cannot answer fails the claim with `STORE_UNAVAILABLE`, and
//! [`Handoff::redeem_at`](crate::handoff::Handoff::redeem_at) then refuses the token.

use crate::handoff::{ClaimFuture, SingleUse};
use crate::{Error, SessionId};

use super::MemoryStore;
#[cfg(any(feature = "store-sqlite", feature = "store-postgres"))]
use super::backend::int;
use super::expiring::Key;

/// Seconds a claim is kept past the `until` its token gives: the clock difference allowed
/// between the target's servers, so that one whose clock is behind (and so still opens the
/// token) finds the claim that one whose clock is ahead made, and a store pruned by a clock
/// ahead does not drop it early.
///
/// ```
/// assert_eq!(cookie_seal::store::CLAIM_LEEWAY, 5);
/// ```
pub const CLAIM_LEEWAY: u64 = 5;

/// The time a claim is kept until.
fn keep_until(until: u64) -> u64 {
    until.saturating_add(CLAIM_LEEWAY)
}

impl MemoryStore {
    /// [`SingleUse::claim`] without a future. The claim is one entry of the store, under
    /// its capacity: a store full of entries still needed refuses the claim with
    /// `STORE_UNAVAILABLE` (and so the token) rather than drop any live claim or revocation.
    ///
    /// ```
    /// use cookie_seal::{SessionId, store::MemoryStore};
    /// let store = MemoryStore::with_capacity(1);
    /// let (a, b) = (SessionId::generate()?, SessionId::generate()?);
    /// store.claim_now(&a, 1_060, 1_000)?;
    /// assert_eq!(store.claim_now(&a, 1_060, 1_030).unwrap_err().code(), "REVOKED");
    /// assert_eq!(store.claim_now(&b, 1_060, 1_030).unwrap_err().code(), "STORE_UNAVAILABLE");
    /// store.claim_now(&b, 1_090, 1_066)?; // a's claim ended at 1_060 + CLAIM_LEEWAY
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn claim_now(&self, id: &SessionId, until: u64, now: u64) -> Result<(), Error> {
        let mut inner = self.begin(now);
        let key = *id.as_bytes();
        if let Some(&kept) = inner.claimed.get(&key) {
            if kept >= now {
                return Err(Error::Revoked);
            }
            // Over, but not pruned yet: this claim takes its place.
            inner.claimed.remove(&key);
            inner.expiry.remove(&(kept, Key::Claimed(key)));
        }
        self.room_for(&mut inner, now, true)?;
        let keep = keep_until(until);
        inner.claimed.insert(key, keep);
        inner.expiry.insert((keep, Key::Claimed(key)));
        Ok(())
    }
}

/// Hand-off claims in the memory store, for a target served by one process.
///
/// ```ignore-wasm32
/// use cookie_seal::handoff::{Handoff, SingleUse};
/// use cookie_seal::{Key, Keyring, store::MemoryStore};
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// # rt.block_on(async {
/// let handoff = Handoff::new(Keyring::new("h1", Key::generate()?)?)?;
/// let token = handoff.issue_at("https://b.example", &"user-42", 1_000)?;
/// let store = MemoryStore::new();
/// let user: String = handoff.redeem_at(&token, "https://b.example", &store, 1_001).await?;
/// assert_eq!(user, "user-42");
/// let again = handoff.redeem_at::<String>(&token, "https://b.example", &store, 1_002).await;
/// assert_eq!(again.unwrap_err().code(), "REVOKED");
/// # Ok::<(), cookie_seal::Error>(())
/// # })?;
/// # Ok::<(), cookie_seal::Error>(())
/// ```
impl SingleUse for MemoryStore {
    fn claim<'a>(&'a self, id: &'a SessionId, until: u64, now: u64) -> ClaimFuture<'a> {
        Box::pin(std::future::ready(self.claim_now(id, until, now)))
    }
}

/// Hand-off claims on Redis: `SET <prefix>:{h:<token id>} 1 NX PX <ms>`, one key (one hash
/// slot) per token. The expiry is relative, the token's time left plus [`CLAIM_LEEWAY`],
/// so it does not depend on Redis's clock agreeing with the servers'.
///
/// ```no_run
/// use cookie_seal::handoff::Handoff;
/// use cookie_seal::{Key, Keyring, store::RedisStore};
/// # async fn f(token: &str, handoff: &Handoff, now: u64) -> Result<(), cookie_seal::Error> {
/// let store = RedisStore::builder("redis://127.0.0.1:6379").connect().await?;
/// let user: String = handoff.redeem_at(token, "https://accounts.example.net", &store, now).await?;
/// # Ok(()) }
/// ```
#[cfg(feature = "store-redis")]
impl SingleUse for super::RedisStore {
    fn claim<'a>(&'a self, id: &'a SessionId, until: u64, now: u64) -> ClaimFuture<'a> {
        let key = format!("{}:{{h:{id}}}", self.prefix);
        let ms = until
            .saturating_sub(now)
            .saturating_add(CLAIM_LEEWAY)
            .saturating_mul(1_000);
        let mut conn = self.conn.clone();
        let set = self.run(async move {
            redis::cmd("SET")
                .arg(&key)
                .arg(1)
                .arg("NX")
                .arg("PX")
                .arg(ms)
                .query_async::<redis::Value>(&mut conn)
                .await
        });
        Box::pin(async move {
            match set.await? {
                redis::Value::Nil => Err(Error::Revoked),
                _ => Ok(()),
            }
        })
    }
}

/// Hand-off claims in the SQLite file: one upsert on `cookie_seal_handoff` that takes the
/// id unless a claim of it is still kept, after dropping a bounded batch of ended claims.
///
/// ```ignore-wasm32
/// use cookie_seal::{SessionId, handoff::SingleUse, store::SqliteStore};
/// # let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
/// # rt.block_on(async {
/// let store = SqliteStore::open(":memory:").await?;
/// let id = SessionId::generate()?;
/// store.claim(&id, 1_060, 1_000).await?;
/// assert_eq!(store.claim(&id, 1_060, 1_001).await.unwrap_err().code(), "REVOKED");
/// # Ok::<(), cookie_seal::Error>(())
/// # })?;
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[cfg(feature = "store-sqlite")]
impl SingleUse for super::SqliteStore {
    fn claim<'a>(&'a self, id: &'a SessionId, until: u64, now: u64) -> ClaimFuture<'a> {
        let id = id.to_string();
        let (keep, now) = (int(keep_until(until)), int(now));
        let claimed = self.call(move |conn, _| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            tx.prepare_cached(
                "DELETE FROM cookie_seal_handoff WHERE id IN (SELECT id FROM cookie_seal_handoff
                 WHERE keep_until < ?1 AND id <> ?2 LIMIT 64)",
            )?
            .execute(rusqlite::params![now, id])?;
            let changed = tx
                .prepare_cached(
                    "INSERT INTO cookie_seal_handoff (id, keep_until) VALUES (?2, ?3)
                     ON CONFLICT (id) DO UPDATE SET keep_until = excluded.keep_until
                     WHERE cookie_seal_handoff.keep_until < ?1",
                )?
                .execute(rusqlite::params![now, id, keep])?;
            tx.commit()?;
            Ok(changed == 1)
        });
        Box::pin(async move {
            if claimed.await? {
                Ok(())
            } else {
                Err(Error::Revoked)
            }
        })
    }
}

/// Hand-off claims in Postgres: one statement on `cookie_seal_handoff`, an
/// `INSERT … ON CONFLICT` that takes the id unless a claim of it is still kept (so two
/// servers claiming at once get one row back between them), with a bounded batch of ended
/// claims deleted in the same statement.
///
/// ```no_run
/// use cookie_seal::handoff::Handoff;
/// use cookie_seal::{Key, Keyring, store::PostgresStore};
/// # async fn f(token: &str, handoff: &Handoff, now: u64) -> Result<(), cookie_seal::Error> {
/// let store = PostgresStore::builder("postgres://app@127.0.0.1/app").connect().await?;
/// let user: String = handoff.redeem_at(token, "https://accounts.example.net", &store, now).await?;
/// # Ok(()) }
/// ```
#[cfg(feature = "store-postgres")]
impl SingleUse for super::PostgresStore {
    fn claim<'a>(&'a self, id: &'a SessionId, until: u64, now: u64) -> ClaimFuture<'a> {
        let id = id.to_string();
        let (keep, now) = (int(keep_until(until)), int(now));
        let claimed = self.run(move |c| async move {
            let row = c
                .query_opt(
                    "WITH pruned AS (DELETE FROM cookie_seal_handoff WHERE id IN
                       (SELECT id FROM cookie_seal_handoff WHERE keep_until < $3 AND id <> $1
                        LIMIT 64))
                     INSERT INTO cookie_seal_handoff (id, keep_until) VALUES ($1, $2)
                     ON CONFLICT (id) DO UPDATE SET keep_until = EXCLUDED.keep_until
                       WHERE cookie_seal_handoff.keep_until < $3
                     RETURNING 1",
                    &[&id, &keep, &now],
                )
                .await?;
            Ok(row.is_some())
        });
        Box::pin(async move {
            if claimed.await? {
                Ok(())
            } else {
                Err(Error::Revoked)
            }
        })
    }
}
