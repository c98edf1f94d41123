//! Remember-me tokens that catch a stolen copy, against every store: memory always;
//! SQLite, Redis and Postgres with their features, Redis and Postgres being the real
//! servers `scripts/test-stores.sh` starts (`COOKIE_SEAL_REDIS_URL`,
//! `COOKIE_SEAL_POSTGRES_URL`; with a feature on and its variable missing, the test fails).
// Native only: the stores run on tokio's threaded runtime.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::{Arc, Mutex};
#[cfg(any(
    feature = "store-sqlite",
    feature = "store-redis",
    feature = "store-postgres"
))]
use std::time::Duration;

use cookie_seal::limits::{MAX_COOKIE_HEADER_LEN, MAX_COOKIE_PAIRS};
use cookie_seal::store::{
    MAX_SERIES_PER_SUBJECT, MemoryStore, REMEMBER_LINKS, RememberRecord, RememberStore,
    RememberToken, ResumeOutcome, Rotation, SessionStore, StoredSessions, token_hash,
};
use cookie_seal::{Key, Keyring, SessionEvent, SessionId, SessionManager};

#[path = "stores/shared.rs"]
mod shared;
use shared::cookie as first;
use shared::*;

type Stores = (Arc<dyn SessionStore>, Arc<dyn RememberStore>);

/// Sessions with remember-me tokens (10 s grace) and a hook that keeps every event.
fn sessions(stores: &Stores) -> (StoredSessions, Arc<Mutex<Vec<SessionEvent>>>) {
    let heard = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&heard);
    let s = StoredSessions::new(manager(), Arc::clone(&stores.0))
        .remember_tokens(Arc::clone(&stores.1), RememberToken::new())
        .unwrap()
        .on_event(move |e| log.lock().unwrap().push(e.clone()));
    (s, heard)
}

/// A signed-in session of `subject`, its cookie, and its remember-me token cookie.
async fn remembered(s: &StoredSessions, subject: &str, at: u64) -> (String, String) {
    let session = s
        .sign_in(1u32, subject, false, "browser", at)
        .await
        .unwrap();
    let cookie = first(&s.set_cookies_at(&session, at).await.unwrap());
    let token = first(&s.remember(&session, at).await.unwrap());
    (cookie, token)
}

pub async fn memory() -> Stores {
    let store = Arc::new(MemoryStore::new());
    (store.clone(), store)
}

#[cfg(feature = "store-sqlite")]
pub async fn sqlite() -> Stores {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(unique("remember-"));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Arc::new(
        cookie_seal::store::SqliteStore::open(dir.join("s.db"))
            .await
            .unwrap(),
    );
    (store.clone(), store)
}

#[cfg(feature = "store-redis")]
async fn redis_store(prefix: &str, timeout: Duration) -> Arc<cookie_seal::store::RedisStore> {
    let store = cookie_seal::store::RedisStore::builder(&redis_url())
        .prefix(prefix)
        .timeout(timeout)
        .connect()
        .await
        .unwrap();
    Arc::new(store)
}

#[cfg(feature = "store-redis")]
pub async fn redis() -> Stores {
    let store = redis_store(&unique("rm"), Duration::from_secs(1)).await;
    (store.clone(), store)
}

#[cfg(feature = "store-postgres")]
async fn postgres_store(timeout: Duration) -> Arc<cookie_seal::store::PostgresStore> {
    let store = cookie_seal::store::PostgresStore::builder(&postgres_url())
        .schema(&unique("rm"))
        .timeout(timeout)
        .connect()
        .await
        .unwrap();
    Arc::new(store)
}

#[cfg(feature = "store-postgres")]
pub async fn postgres() -> Stores {
    let store = postgres_store(Duration::from_secs(2)).await;
    (store.clone(), store)
}

/// Each use rotates the token and signs in a fresh short session, listed as remembered.
pub async fn rotation_on_use(stores: Stores) {
    let (s, heard) = sessions(&stores);
    let t = now();
    let (_, token) = remembered(&s, "ann", t).await;
    let r1 = s
        .resume(&token, 7u32, "Firefox", t + 100)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r1.outcome, ResumeOutcome::Rotated);
    let one = r1.session.unwrap();
    assert_eq!((one.data, one.remember_me), (7, false));
    assert_eq!(one.subject.as_ref().unwrap().id, "ann");
    assert_eq!(r1.set_cookies.len(), 1);
    let token2 = first(&r1.set_cookies);
    assert_ne!(token2, token, "a new token");
    assert!(r1.set_cookies[0].contains("; Max-Age=2592000; Path=/; Secure; HttpOnly"));
    let cookie = first(&s.set_cookies_at(&one, t + 100).await.unwrap());
    assert_eq!(code(&s, &cookie, t + 100).await, "OK");

    let r2 = s.resume(&token2, 8u32, "", t + 200).await.unwrap().unwrap();
    assert_eq!(
        r2.outcome,
        ResumeOutcome::Rotated,
        "the new token works once more"
    );
    let listed = s.sessions("ann", t + 200).await.unwrap();
    assert_eq!(listed.len(), 3);
    assert!(
        listed[0].remember_me && listed[1].remember_me,
        "listed as remembered"
    );
    assert_eq!(s.resume("theme=dark", 0u32, "", t).await.unwrap(), None);
    assert!(
        heard.lock().unwrap().is_empty(),
        "{:?}",
        heard.lock().unwrap()
    );

    // Forgotten: the token is refused, and the cookie cleared.
    let token3 = first(&r2.set_cookies);
    assert!(s.forget_remembered(&token3, t + 201).await.unwrap()[0].contains("Max-Age=0"));
    let gone = s.resume(&token3, 0u32, "", t + 202).await.unwrap().unwrap();
    assert_eq!((gone.outcome, gone.session), (ResumeOutcome::Unknown, None));
    assert!(gone.set_cookies[0].starts_with("__Host-s-remember=; Max-Age=0"));
    assert!(matches!(
        heard.lock().unwrap()[..],
        [SessionEvent::Refused {
            code: "REVOKED",
            ..
        }]
    ));
}

/// The replaced token again after the grace window: theft. The series goes, with every
/// session it started; the hook hears it; the thief's and the owner's tokens are refused.
pub async fn theft_revokes_series(stores: Stores) {
    let (s, heard) = sessions(&stores);
    let t = now();
    let (original, token) = remembered(&s, "bea", t).await;
    let (other, _) = remembered(&s, "bea", t).await; // another browser, another series
    let r1 = s.resume(&token, 1u32, "", t + 100).await.unwrap().unwrap();
    let resumed = first(
        &s.set_cookies_at(&r1.session.unwrap(), t + 100)
            .await
            .unwrap(),
    );
    let newer = first(&r1.set_cookies);

    let stolen = s.resume(&token, 1u32, "", t + 111).await.unwrap().unwrap();
    assert_eq!(
        (stolen.outcome, stolen.session),
        (ResumeOutcome::Theft, None)
    );
    assert!(stolen.set_cookies[0].contains("Max-Age=0"));
    assert_eq!(
        heard.lock().unwrap()[..],
        [SessionEvent::Theft {
            subject: "bea".into(),
            series: token.split(['=', '.']).nth(1).unwrap().into(),
            revoked_sessions: 2,
        }]
    );
    assert_eq!(
        code(&s, &original, t + 112).await,
        "REVOKED",
        "started the series"
    );
    assert_eq!(
        code(&s, &resumed, t + 112).await,
        "REVOKED",
        "started by the series"
    );
    assert_eq!(
        code(&s, &other, t + 112).await,
        "OK",
        "another series' session"
    );
    let after = s.resume(&newer, 1u32, "", t + 113).await.unwrap().unwrap();
    assert_eq!(after.outcome, ResumeOutcome::Unknown, "the series is gone");
}

/// Two tabs resume with the same token at once: both get a session, one new token.
/// Past the grace window the token just replaced is refused (as theft).
pub async fn grace_window(stores: Stores) {
    let (s, _) = sessions(&stores);
    let s = Arc::new(s);
    let t = now();
    let (_, token) = remembered(&s, "cy", t).await;
    let tabs: Vec<_> = (0..2)
        .map(|tab| {
            let (s, token) = (Arc::clone(&s), token.clone());
            tokio::spawn(async move { s.resume(&token, tab, "", t + 50).await.unwrap().unwrap() })
        })
        .collect();
    let mut outcomes = Vec::new();
    let mut cookies = Vec::new();
    for tab in tabs {
        let r = tab.await.unwrap();
        assert!(r.session.is_some(), "{:?} without a session", r.outcome);
        outcomes.push(r.outcome);
        cookies.extend(r.set_cookies);
    }
    outcomes.sort_by_key(|o| o.as_str());
    assert_eq!(outcomes, [ResumeOutcome::Grace, ResumeOutcome::Rotated]);
    assert_eq!(cookies.len(), 1, "only the rotation sets a token");
    let newer = first(&cookies);

    // Inside the window (its last second included) the old one still passes...
    let late = s.resume(&token, 9, "", t + 60).await.unwrap().unwrap();
    assert_eq!(
        (late.outcome, late.set_cookies.len()),
        (ResumeOutcome::Grace, 0)
    );
    // ...after it, it is refused, and the series with it.
    let r = s.resume(&token, 9, "", t + 61).await.unwrap().unwrap();
    assert_eq!((r.outcome, r.session), (ResumeOutcome::Theft, None));
    let r = s.resume(&newer, 9, "", t + 62).await.unwrap().unwrap();
    assert_eq!(r.outcome, ResumeOutcome::Unknown);
}

/// What an attacker controls stays bounded: series per subject, sessions per series, the
/// token's length. Malformed tokens are refused with a code, never a panic.
pub async fn bounds(stores: Stores) {
    let (s, heard) = sessions(&stores);
    let t = now();
    let (_, oldest) = remembered(&s, "dee", t).await;
    let mut newest = String::new();
    for i in 0..MAX_SERIES_PER_SUBJECT as u64 {
        newest = remembered(&s, "dee", t + 1 + i).await.1;
    }
    let r = s.resume(&oldest, 0u32, "", t + 100).await.unwrap().unwrap();
    assert_eq!(r.outcome, ResumeOutcome::Unknown, "pushed out by the cap");

    // Twelve resumes, each starting a session: the series keeps only the newest eight.
    let mut token = newest;
    for i in 0..12 {
        let r = s
            .resume(&token, 0u32, "", t + 200 + i)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(r.outcome, ResumeOutcome::Rotated);
        token = first(&r.set_cookies);
    }
    heard.lock().unwrap().clear();
    let replay = format!("__Host-s-remember={}.{}", &token[18..40], "A".repeat(43));
    let r = s.resume(&replay, 0u32, "", t + 300).await.unwrap().unwrap();
    assert_eq!(r.outcome, ResumeOutcome::Theft);
    assert!(matches!(
        heard.lock().unwrap()[..],
        [SessionEvent::Theft { revoked_sessions, .. }] if revoked_sessions == REMEMBER_LINKS
    ));

    heard.lock().unwrap().clear();
    let long = format!("__Host-s-remember={}.{}", "A".repeat(22), "A".repeat(44));
    for bad in [
        "__Host-s-remember=",
        "__Host-s-remember=abc",
        "__Host-s-remember=AAAAAAAAAAAAAAAAAAAAA*.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        long.as_str(),
    ] {
        let r = s.resume(bad, 0u32, "", t).await.unwrap().unwrap();
        assert_eq!(r.outcome, ResumeOutcome::Unknown, "{bad}");
    }
    assert_eq!(heard.lock().unwrap().len(), 4);
    assert!(heard.lock().unwrap().iter().all(|e| matches!(
        e,
        SessionEvent::Refused {
            code: "MALFORMED",
            ..
        }
    )));
    let err = stores
        .1
        .remember_forget(&"A".repeat(23), t)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_OPTION");
}

/// At the cap a new series pushes out the subject's oldest *live* one. An expired series
/// the bounded prune has not reached yet (here: more expired rows than a write prunes, all
/// of other subjects and older, ahead of it) frees no place: dropping it instead would
/// leave the subject one series over the cap. Driven through the store itself, with times
/// chosen so the expired row is still there at the start that hits the cap.
pub async fn cap_evicts_oldest_live(stores: Stores) {
    let store = &stores.1;
    let t = now();
    let early = t - 2_000;
    let session = SessionId::generate().unwrap();
    let hash = |i: usize| token_hash(&format!("secret {i}"));
    let start = async |series: &str, subject: &str, i: usize, keep_until: u64, at: u64| {
        let record = RememberRecord::new(subject, &hash(i), at, session, keep_until).unwrap();
        store
            .remember_start(series, &record, keep_until, at)
            .await
            .unwrap();
    };
    // Fillers first (first in a table scan too): expired well before `t`, 160 of them, so
    // the two starts at `t` below each prune 64 of them and never reach the row after.
    for i in 0..160 {
        let subject = format!("filler-{}", i % 8);
        start(&format!("0{i:021}"), &subject, i, t - 1_500, early).await;
    }
    // The subject's row to expire, live when started; then 31 live ones.
    let expired = format!("w{:021}", 0);
    start(&expired, "lee", 1_000, t + 5_000, early).await;
    let live: Vec<String> = (0..=MAX_SERIES_PER_SUBJECT)
        .map(|i| format!("x{i:021}"))
        .collect();
    for (i, series) in live[..MAX_SERIES_PER_SUBJECT - 1].iter().enumerate() {
        start(series, "lee", i, t + 1_000 + i as u64, early).await;
    }
    // A rotation moves its end before `t` (rotations do not count against the cap).
    let moved = store
        .remember_rotate(&expired, &hash(1_000), &hash(1_001), early, 10, t - 1_000)
        .await
        .unwrap();
    assert_eq!(
        moved,
        Rotation::Rotated {
            subject: "lee".into()
        }
    );
    // At `t`: the 32nd live series (no eviction), then the 33rd, which hits the cap.
    for (i, series) in live.iter().enumerate().skip(MAX_SERIES_PER_SUBJECT - 1) {
        start(series, "lee", i, t + 1_000 + i as u64, t).await;
    }

    let mut kept = Vec::new();
    for (i, series) in live.iter().enumerate() {
        let r = store
            .remember_rotate(series, &hash(i), &hash(i + 2_000), t, 10, t + 3_000)
            .await
            .unwrap();
        if r != Rotation::Missing {
            assert_eq!(
                r,
                Rotation::Rotated {
                    subject: "lee".into()
                }
            );
            kept.push(i);
        }
    }
    assert_eq!(
        kept.len(),
        MAX_SERIES_PER_SUBJECT,
        "exactly the cap stays live"
    );
    assert_eq!(kept[0], 1, "the oldest live series was the one pushed out");
}

/// The token is found by the crate's one `Cookie` parser, the session reads' own: a
/// header over `MAX_COOKIE_HEADER_LEN` is `TOO_LARGE` (not split, nothing stored
/// touched); pairs it skips (no `=`, control characters, past `MAX_COOKIE_PAIRS`) are no
/// token (`Ok(None)`, no event); a quoted value loses its quotes. Never a panic.
pub async fn cookie_header(stores: Stores) {
    let (s, heard) = sessions(&stores);
    let t = now();
    let (_, token) = remembered(&s, "kim", t).await;
    let value = &token["__Host-s-remember=".len()..];

    let huge = format!("{token}; pad={}", "A".repeat(MAX_COOKIE_HEADER_LEN));
    let err = s.resume(&huge, 0u32, "", t + 1).await.unwrap_err();
    assert_eq!(err.code(), "TOO_LARGE");
    let err = s.forget_remembered(&huge, t + 1).await.unwrap_err();
    assert_eq!(err.code(), "TOO_LARGE");

    let past_the_pairs = format!("{}{token}", "a=1; ".repeat(MAX_COOKIE_PAIRS));
    let control = format!("__Host-s-remember={value}\u{1}");
    for skipped in [
        "",
        ";;; ; =",
        "__Host-s-remember",
        "=__Host-s-remember",
        control.as_str(),
        past_the_pairs.as_str(),
    ] {
        assert_eq!(
            s.resume(skipped, 0u32, "", t + 1).await.unwrap(),
            None,
            "{skipped:.40}"
        );
    }
    assert!(
        heard.lock().unwrap().is_empty(),
        "{:?}",
        heard.lock().unwrap()
    );

    // Still unused after all of the above: the quoted token is the live one.
    let quoted = format!("theme; \t__Host-s-remember=\"{value}\"\t; __Host-s-remember=x");
    let r = s.resume(&quoted, 0u32, "", t + 2).await.unwrap().unwrap();
    assert_eq!(r.outcome, ResumeOutcome::Rotated);
}

/// A hook that panics changes nothing: the calls answer as without it, again and again.
pub async fn panicking_hook(stores: Stores) {
    let s = StoredSessions::new(manager(), Arc::clone(&stores.0))
        .remember_tokens(Arc::clone(&stores.1), RememberToken::new())
        .unwrap()
        .on_event(|_| panic!("the application's hook failed"));
    let t = now();
    let (_, token) = remembered(&s, "eve", t).await;
    let r = s.resume(&token, 0u32, "", t + 100).await.unwrap().unwrap();
    assert_eq!(r.outcome, ResumeOutcome::Rotated);
    for _ in 0..2 {
        assert_eq!(code(&s, "__Host-s=%%", t).await, "MALFORMED");
        let stolen = s.resume(&token, 0u32, "", t + 200).await.unwrap().unwrap();
        assert!(matches!(
            stolen.outcome,
            ResumeOutcome::Theft | ResumeOutcome::Unknown
        ));
    }
    let (_, again) = remembered(&s, "eve", t + 300).await;
    let r = s.resume(&again, 0u32, "", t + 301).await.unwrap().unwrap();
    assert_eq!(r.outcome, ResumeOutcome::Rotated);
}

macro_rules! suite {
    ($backend:ident) => {
        mod $backend {
            #[test]
            fn rotation_on_use() {
                super::run(super::$backend, super::rotation_on_use)
            }
            #[test]
            fn theft_revokes_series() {
                super::run(super::$backend, super::theft_revokes_series)
            }
            #[test]
            fn grace_window() {
                super::run(super::$backend, super::grace_window)
            }
            #[test]
            fn bounds() {
                super::run(super::$backend, super::bounds)
            }
            #[test]
            fn cap_evicts_oldest_live() {
                super::run(super::$backend, super::cap_evicts_oldest_live)
            }
            #[test]
            fn cookie_header() {
                super::run(super::$backend, super::cookie_header)
            }
            #[test]
            fn panicking_hook() {
                super::run(super::$backend, super::panicking_hook)
            }
        }
    };
}

suite!(memory);
#[cfg(feature = "store-sqlite")]
suite!(sqlite);
#[cfg(feature = "store-redis")]
suite!(redis);
#[cfg(feature = "store-postgres")]
suite!(postgres);

/// A store that cannot answer: `STORE_UNAVAILABLE`, nothing accepted, the hook told which
/// operation failed; once it answers again the same token works. `late` is what the first
/// resume after the outage may answer: `Rotated` when the failed rotation never ran, also
/// `Grace` where a timed-out call still completes once the store answers (SQLite's blocked
/// write), inside the grace window of the rotation the client never saw.
#[cfg(any(
    feature = "store-sqlite",
    feature = "store-redis",
    feature = "store-postgres"
))]
async fn store_down(
    stores: Stores,
    stop: impl AsyncFnOnce(),
    start: impl AsyncFnOnce(),
    late: &[ResumeOutcome],
) {
    let (s, heard) = sessions(&stores);
    let t = now();
    let (_, token) = remembered(&s, "fay", t).await;
    stop().await;
    let err = s.resume(&token, 0u32, "", t + 10).await.unwrap_err();
    assert_eq!(err.code(), "STORE_UNAVAILABLE");
    let session = s.sign_in(0u32, "fay", false, "", t + 10).await;
    assert_eq!(session.unwrap_err().code(), "STORE_UNAVAILABLE");
    let events = heard.lock().unwrap().clone();
    assert!(
        matches!(
            events[..2],
            [
                SessionEvent::StoreError {
                    code: "STORE_UNAVAILABLE",
                    operation: "remember_rotate",
                    ..
                },
                SessionEvent::StoreError {
                    operation: "generation",
                    ..
                },
            ]
        ),
        "{events:?}"
    );
    start().await;
    for _ in 0..100 {
        if let Ok(Some(r)) = s.resume(&token, 0u32, "", t + 11).await {
            assert!(
                late.contains(&r.outcome),
                "{:?}: the token was used up",
                r.outcome
            );
            assert!(r.session.is_some());
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the store did not come back");
}

/// A full memory store refuses the new series, and says so to the hook.
#[test]
fn memory_store_full() {
    run(memory, |stores| async move {
        let full: Arc<dyn RememberStore> = Arc::new(MemoryStore::with_capacity(0));
        let heard = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&heard);
        let s = StoredSessions::new(manager(), stores.0)
            .remember_tokens(full, RememberToken::new())
            .unwrap()
            .on_event(move |e| log.lock().unwrap().push(e.clone()));
        let t = now();
        let session = s.sign_in(0u32, "gil", false, "", t).await.unwrap();
        assert_eq!(
            s.remember(&session, t).await.unwrap_err().code(),
            "STORE_UNAVAILABLE"
        );
        assert!(matches!(
            heard.lock().unwrap()[..],
            [SessionEvent::StoreError {
                operation: "remember_start",
                ..
            }]
        ));
    });
}

/// SQLite whose write lock another process holds (the `sqlite3` shell in an open
/// `BEGIN EXCLUSIVE`): every write times out, then works once the lock is released.
#[cfg(feature = "store-sqlite")]
#[test]
fn sqlite_locked() {
    use std::io::Write;
    use std::process::{Child, Command, Stdio};
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(unique("locked-"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s.db");
    let open = |path: std::path::PathBuf, ms: u64| async move {
        let store = cookie_seal::store::SqliteStore::open(path).await.unwrap();
        Arc::new(store.timeout(Duration::from_millis(ms)))
    };
    let make = {
        let (path, open) = (path.clone(), open);
        move || async move {
            let store = open(path, 300).await;
            (
                store.clone() as Arc<dyn SessionStore>,
                store as Arc<dyn RememberStore>,
            )
        }
    };
    let shell: Arc<Mutex<Option<Child>>> = Arc::default();
    let (hold, release) = (Arc::clone(&shell), shell);
    run(make, |stores| {
        store_down(
            stores,
            async move || {
                let mut child = Command::new("sqlite3")
                    .arg(&path)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::null())
                    .spawn()
                    .expect("the sqlite3 shell (scripts/setup-stores.sh installs it)");
                let stdin = child.stdin.as_mut().unwrap();
                stdin.write_all(b"BEGIN EXCLUSIVE;\n").unwrap();
                stdin.flush().unwrap();
                *hold.lock().unwrap() = Some(child);
                // Held once a write of another connection times out.
                let probe = open(path.clone(), 100).await;
                for _ in 0..100 {
                    if probe.remember_forget(&"A".repeat(22), now()).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                panic!("the sqlite3 shell did not take the lock");
            },
            async move || {
                let mut child = release.lock().unwrap().take().unwrap();
                drop(child.stdin.take()); // end of input: the shell exits, the lock goes
                child.wait().unwrap();
            },
            &[ResumeOutcome::Rotated, ResumeOutcome::Grace],
        )
    });
}

#[cfg(feature = "store-redis")]
#[test]
#[ignore = "stops and restarts redis-server: run by scripts/test-stores.sh"]
fn redis_down() {
    async fn make() -> Stores {
        let store = redis_store(&unique("rmf"), Duration::from_millis(300)).await;
        (store.clone(), store)
    }
    run(make, |stores| {
        store_down(
            stores,
            async || control("redis-stop").await,
            async || control("redis-start").await,
            &[ResumeOutcome::Rotated],
        )
    });
}

#[cfg(feature = "store-postgres")]
#[test]
#[ignore = "stops and restarts Postgres: run by scripts/test-stores.sh"]
fn postgres_down() {
    async fn make() -> Stores {
        let store = postgres_store(Duration::from_millis(300)).await;
        (store.clone(), store)
    }
    run(make, |stores| {
        store_down(
            stores,
            async || control("pg-stop").await,
            async || control("pg-start").await,
            &[ResumeOutcome::Rotated],
        )
    });
}

/// The manager's hook hears refused reads, synchronous or through a store; a
/// `StoredSessions` starts with it and `on_event` replaces it.
#[test]
fn manager_hook_hears_refused_reads() {
    run(memory, |stores| async move {
        let heard = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&heard);
        let ring = Keyring::new("k1", Key::from_bytes(&[7; 32]).unwrap()).unwrap();
        let manager = SessionManager::builder(ring, "__Host-s")
            .on_event(move |e| log.lock().unwrap().push(e.clone()))
            .build()
            .unwrap();
        assert!(manager.read_at::<u32>("__Host-s=%%", 1_000).is_err());
        let s = StoredSessions::new(manager.clone(), stores.0);
        let t = now();
        let session = s.sign_in(1u32, "ivy", false, "", t).await.unwrap();
        let cookie = first(&s.set_cookies_at(&session, t).await.unwrap());
        assert_eq!(code(&s, &cookie, t).await, "OK");
        s.sign_out(&session, t).await.unwrap();
        assert_eq!(code(&s, &cookie, t).await, "REVOKED");
        let codes: Vec<_> = heard
            .lock()
            .unwrap()
            .iter()
            .map(|e| match e {
                SessionEvent::Refused { code, .. } => *code,
                _ => "other",
            })
            .collect();
        assert_eq!(codes, ["MALFORMED", "REVOKED"]);
        let replaced = s.on_event(|_| {});
        assert_eq!(code(&replaced, &cookie, t).await, "REVOKED");
        assert_eq!(
            heard.lock().unwrap().len(),
            2,
            "the manager's hook was replaced"
        );
    });
}
