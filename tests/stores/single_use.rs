//! The hand-off's single-use record on every store: a token redeems once, through any of
//! two handles on one backend (two servers), also when both try at the same moment; a
//! claim ends CLAIM_LEEWAY after its token; a full memory store and a store that is down
//! refuse the token (typed), and neither forgets a live claim.

use std::sync::Arc;
use std::time::Duration;

use cookie_seal::handoff::{Handoff, SingleUse};
use cookie_seal::store::{CLAIM_LEEWAY, MemoryStore};
use cookie_seal::{Key, Keyring, SessionId};

use super::{now, run};

const TARGET: &str = "https://accounts.example.net";

/// Two handles on one backend, as two servers of the target hold them.
type Pair = (Arc<dyn SingleUse>, Arc<dyn SingleUse>);

fn handoff() -> Handoff {
    let ring = Keyring::new("h1", Key::from_bytes(&[9; 32]).unwrap()).unwrap();
    Handoff::with_ttl(ring, Duration::from_secs(60)).unwrap()
}

async fn redeem(handoff: &Handoff, token: &str, used: &dyn SingleUse, at: u64) -> &'static str {
    match handoff.redeem_at::<String>(token, TARGET, used, at).await {
        Ok(user) => {
            assert_eq!(user, "user-42");
            "OK"
        }
        Err(err) => err.code(),
    }
}

async fn memory() -> Pair {
    let store = Arc::new(MemoryStore::new());
    (store.clone(), store)
}

#[cfg(feature = "store-sqlite")]
async fn sqlite() -> Pair {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(super::unique("handoff-"));
    std::fs::create_dir_all(&dir).unwrap();
    let open = || cookie_seal::store::SqliteStore::open(dir.join("s.db"));
    (
        Arc::new(open().await.unwrap()),
        Arc::new(open().await.unwrap()),
    )
}

#[cfg(feature = "store-redis")]
async fn redis() -> Pair {
    let prefix = super::unique("h");
    let connect = || {
        cookie_seal::store::RedisStore::builder(&super::redis_url())
            .prefix(&prefix)
            .connect()
    };
    (
        Arc::new(connect().await.unwrap()),
        Arc::new(connect().await.unwrap()),
    )
}

#[cfg(feature = "store-postgres")]
async fn postgres() -> Pair {
    let schema = super::unique("h");
    let connect = || {
        cookie_seal::store::PostgresStore::builder(&super::postgres_url())
            .schema(&schema)
            .connect()
    };
    (
        Arc::new(connect().await.unwrap()),
        Arc::new(connect().await.unwrap()),
    )
}

/// Once on one server, refused on it and on the other; a second token is its own; a token
/// for another site claims nothing.
async fn once_across_servers((one, two): Pair) {
    let handoff = handoff();
    let t = now();
    let token = handoff.issue_at(TARGET, &"user-42", t).unwrap();
    assert_eq!(redeem(&handoff, &token, &*one, t).await, "OK");
    assert_eq!(redeem(&handoff, &token, &*one, t + 1).await, "REVOKED");
    assert_eq!(redeem(&handoff, &token, &*two, t + 1).await, "REVOKED");
    let other = handoff.issue_at(TARGET, &"user-42", t).unwrap();
    assert_eq!(redeem(&handoff, &other, &*two, t + 1).await, "OK");
    assert_eq!(redeem(&handoff, &other, &*one, t + 2).await, "REVOKED");
    // Made for another origin: BAD_SEAL before any claim, so it stays redeemable there.
    let elsewhere = handoff
        .issue_at("https://other.example", &"user-42", t)
        .unwrap();
    let refused = handoff
        .redeem_at::<String>(&elsewhere, TARGET, &*one, t)
        .await;
    assert_eq!(refused.unwrap_err().code(), "BAD_SEAL");
    let there = handoff.redeem_at::<String>(&elsewhere, "https://other.example", &*two, t);
    assert_eq!(there.await.unwrap(), "user-42");
}

/// Sixteen redemptions of one token at once, half on each server: exactly one succeeds.
async fn one_winner_under_a_race((one, two): Pair) {
    let handoff = Arc::new(handoff());
    let t = now();
    let token = Arc::new(handoff.issue_at(TARGET, &"user-42", t).unwrap());
    let mut tasks = Vec::new();
    for i in 0..16 {
        let used = Arc::clone(if i % 2 == 0 { &one } else { &two });
        let (handoff, token) = (Arc::clone(&handoff), Arc::clone(&token));
        tasks.push(tokio::spawn(async move {
            redeem(&handoff, &token, &*used, t).await
        }));
    }
    let mut codes = Vec::new();
    for task in tasks {
        codes.push(task.await.unwrap());
    }
    assert_eq!(codes.iter().filter(|c| **c == "OK").count(), 1, "{codes:?}");
    assert!(
        codes.iter().all(|c| *c == "OK" || *c == "REVOKED"),
        "{codes:?}"
    );
}

/// On the wall clock (Redis expires by the time left, the others by the caller's `now`):
/// a claim whose token ends now is still refused some seconds on, and taken again once
/// CLAIM_LEEWAY has passed.
async fn claims_expire((one, two): Pair) {
    let id = SessionId::generate().unwrap();
    let t = now();
    one.claim(&id, t, t).await.unwrap();
    while now() < t + CLAIM_LEEWAY - 1 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let late = two.claim(&id, t, now()).await.unwrap_err();
    assert_eq!(late.code(), "REVOKED", "refused {}s on", now() - t);
    // One second more than the leeway, for a claim call that took a while to reach Redis.
    while now() <= t + CLAIM_LEEWAY + 1 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    two.claim(&id, now() + 30, now()).await.unwrap();
    assert_eq!(
        one.claim(&id, now() + 30, now()).await.unwrap_err().code(),
        "REVOKED"
    );
}

macro_rules! single_use_suite {
    ($backend:ident) => {
        mod $backend {
            #[test]
            fn handoff_once_across_servers() {
                super::run(super::$backend, super::once_across_servers)
            }
            #[test]
            fn handoff_one_winner_under_a_race() {
                super::run(super::$backend, super::one_winner_under_a_race)
            }
            #[test]
            fn handoff_claims_expire() {
                super::run(super::$backend, super::claims_expire)
            }
        }
    };
}

single_use_suite!(memory);
#[cfg(feature = "store-sqlite")]
single_use_suite!(sqlite);
#[cfg(feature = "store-redis")]
single_use_suite!(redis);
#[cfg(feature = "store-postgres")]
single_use_suite!(postgres);

/// The stores that take the caller's `now` keep a claim exactly until `until` plus
/// CLAIM_LEEWAY, and an ended claim that was not pruned yet is taken over.
#[test]
fn claim_lifetime_on_the_callers_clock() {
    async fn check(used: &dyn SingleUse) {
        let id = SessionId::generate().unwrap();
        let t = 1_700_000_000;
        used.claim(&id, t + 60, t).await.unwrap();
        let last = t + 60 + CLAIM_LEEWAY;
        assert_eq!(
            used.claim(&id, t + 90, last).await.unwrap_err().code(),
            "REVOKED"
        );
        used.claim(&id, t + 90, last + 1).await.unwrap();
        assert_eq!(
            used.claim(&id, t + 90, last + 2).await.unwrap_err().code(),
            "REVOKED"
        );
    }
    run(memory, |_| async {
        check(&MemoryStore::new()).await;
        #[cfg(feature = "store-sqlite")]
        check(&*sqlite().await.0).await;
        #[cfg(feature = "store-postgres")]
        check(&*postgres().await.0).await;
    });
}

/// Full of live claims, the memory store refuses the next token (STORE_UNAVAILABLE, the
/// user is not signed in) and still refuses every token it holds; once claims end, it has
/// room again. Ended claims leave the index in bounded batches.
#[test]
fn a_full_memory_store_fails_closed() {
    run(memory, |_| async {
        let store = MemoryStore::with_capacity(2);
        let handoff = handoff();
        let t = 1_700_000_000;
        let tokens: Vec<String> = (0..3)
            .map(|_| handoff.issue_at(TARGET, &"user-42", t).unwrap())
            .collect();
        assert_eq!(redeem(&handoff, &tokens[0], &store, t).await, "OK");
        assert_eq!(redeem(&handoff, &tokens[1], &store, t).await, "OK");
        assert_eq!(
            redeem(&handoff, &tokens[2], &store, t + 1).await,
            "STORE_UNAVAILABLE"
        );
        assert_eq!(redeem(&handoff, &tokens[0], &store, t + 2).await, "REVOKED");
        assert_eq!(redeem(&handoff, &tokens[1], &store, t + 2).await, "REVOKED");
        assert_eq!(store.len(), 2);
        // The first two end at t + 60 (token) + 5 (open leeway) + CLAIM_LEEWAY.
        let ended = t + 65 + CLAIM_LEEWAY + 1;
        store
            .claim_now(&SessionId::generate().unwrap(), ended + 10, ended)
            .unwrap();
        assert_eq!(store.len(), 1);

        let many = MemoryStore::new();
        for _ in 0..10_000 {
            many.claim_now(&SessionId::generate().unwrap(), t + 60, t)
                .unwrap();
        }
        assert_eq!(many.len(), 10_000);
        // Each later claim drops at most one batch (64) of ended ones and adds itself.
        for i in 0..200u64 {
            many.claim_now(&SessionId::generate().unwrap(), t + 1_000, t + 100)
                .unwrap();
            let left = 10_000usize.saturating_sub(64 * (i as usize + 1));
            assert_eq!(many.len(), left + i as usize + 1);
        }
    });
}

/// The store is stopped with a token in hand: redeeming it is STORE_UNAVAILABLE in bounded
/// time and the user is not signed in. Back up, the same client redeems it once.
#[cfg(any(feature = "store-redis", feature = "store-postgres"))]
async fn store_down(used: Arc<dyn SingleUse>, stop: &'static str, start: &'static str) {
    let handoff = handoff();
    let t = now();
    let redeemed = handoff.issue_at(TARGET, &"user-42", t).unwrap();
    assert_eq!(redeem(&handoff, &redeemed, &*used, t).await, "OK");
    let token = handoff.issue_at(TARGET, &"user-42", t).unwrap();
    super::control(stop).await;
    let started = std::time::Instant::now();
    assert_eq!(
        redeem(&handoff, &token, &*used, now()).await,
        "STORE_UNAVAILABLE"
    );
    assert_eq!(
        redeem(&handoff, &redeemed, &*used, now()).await,
        "STORE_UNAVAILABLE"
    );
    let took = started.elapsed();
    assert!(
        took < super::FAULT_TIMEOUT * 2 + Duration::from_secs(2),
        "{took:?}"
    );
    super::control(start).await;
    let mut answer = "STORE_UNAVAILABLE";
    for _ in 0..100 {
        answer = redeem(&handoff, &token, &*used, now()).await;
        if answer != "STORE_UNAVAILABLE" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(answer, "OK", "the store did not come back");
    assert_eq!(redeem(&handoff, &token, &*used, now()).await, "REVOKED");
    // The claim made before the outage survived it.
    assert_eq!(redeem(&handoff, &redeemed, &*used, now()).await, "REVOKED");
}

#[cfg(feature = "store-redis")]
#[test]
#[ignore = "stops and restarts redis-server: run by scripts/test-stores.sh"]
fn redis_handoff_store_down() {
    run(
        || async {
            let store = cookie_seal::store::RedisStore::builder(&super::redis_url())
                .prefix(&super::unique("hf"))
                .timeout(super::FAULT_TIMEOUT)
                .connect()
                .await
                .unwrap();
            let store: Arc<dyn SingleUse> = Arc::new(store);
            (store.clone(), store)
        },
        |(store, _)| store_down(store, "redis-stop", "redis-start"),
    );
}

#[cfg(feature = "store-postgres")]
#[test]
#[ignore = "stops and restarts Postgres: run by scripts/test-stores.sh"]
fn postgres_handoff_store_down() {
    run(
        || async {
            let store = cookie_seal::store::PostgresStore::builder(&super::postgres_url())
                .schema(&super::unique("hf"))
                .timeout(super::FAULT_TIMEOUT)
                .connect()
                .await
                .unwrap();
            let store: Arc<dyn SingleUse> = Arc::new(store);
            (store.clone(), store)
        },
        |(store, _)| store_down(store, "pg-stop", "pg-start"),
    );
}
