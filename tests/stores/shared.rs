//! What the store suites share (`tests/stores.rs`, `tests/remember.rs`): the clock, unique
//! names on the shared servers, one manager, and the scripts' server control. Each suite
//! uses part of it.
#![allow(dead_code)]

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cookie_seal::store::StoredSessions;
use cookie_seal::{Key, Keyring, SessionManager};

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A name no other test (or earlier run against the same server) uses.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}{}_{}_{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn manager() -> SessionManager {
    let ring = Keyring::new("k1", Key::from_bytes(&[7; 32]).unwrap()).unwrap();
    SessionManager::builder(ring, "__Host-s").build().unwrap()
}

/// The `name=value` of the first `Set-Cookie`.
pub fn cookie(set_cookie: &[String]) -> String {
    set_cookie[0].split(';').next().unwrap().to_owned()
}

/// What a read of `header` gives: `OK`, `NONE` or the error code.
pub async fn code(s: &StoredSessions, header: &str, at: u64) -> &'static str {
    match s.read_at::<u32>(header, at).await {
        Ok(Some(_)) => "OK",
        Ok(None) => "NONE",
        Err(err) => err.code(),
    }
}

/// Runs `scripts/test-stores.sh <what>` (redis-stop, redis-start, pg-stop, pg-start).
pub async fn control(what: &'static str) {
    let script = std::env::var("COOKIE_SEAL_STORE_CONTROL")
        .expect("COOKIE_SEAL_STORE_CONTROL: run the fault tests through scripts/test-stores.sh");
    let status = tokio::task::spawn_blocking(move || {
        std::process::Command::new(script)
            .arg(what)
            .status()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(status.success(), "{what} failed");
}

/// Runs `test` on what `make` builds (a store, or the stores a suite needs) on a two-thread
/// runtime, as the servers' clients need; a deadlock fails the test instead of hanging it.
pub fn run<S, M, MF, T, TF>(make: M, test: T)
where
    M: FnOnce() -> MF,
    MF: Future<Output = S>,
    T: FnOnce(S) -> TF,
    TF: Future<Output = ()>,
{
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let made = make().await;
        tokio::time::timeout(Duration::from_secs(120), test(made))
            .await
            .expect("the test finished within two minutes");
    });
}

/// The Redis `scripts/test-stores.sh` started.
pub fn redis_url() -> String {
    std::env::var("COOKIE_SEAL_REDIS_URL")
        .expect("COOKIE_SEAL_REDIS_URL: run scripts/test-stores.sh, which starts redis-server")
}

/// The Postgres `scripts/test-stores.sh` started.
pub fn postgres_url() -> String {
    std::env::var("COOKIE_SEAL_POSTGRES_URL")
        .expect("COOKIE_SEAL_POSTGRES_URL: run scripts/test-stores.sh, which starts Postgres")
}
