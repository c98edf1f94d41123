//! Reads per second of one server reading a session of the `typical` payload
//! (`bench/payloads.json`): cookie-seal stateless, cookie-seal with each store and a lookup
//! per request, cookie-seal with each store and a 30 s revalidation window, and
//! tower-sessions on its memory, Redis and SQLite stores as anchors. Prints a markdown
//! table; it is a benchmark, not a test.
//!
//! Run through `scripts/test-stores.sh bench`, which starts Redis and Postgres and sets
//! `COOKIE_SEAL_REDIS_URL` / `COOKIE_SEAL_POSTGRES_URL`; rows whose server is not named are
//! skipped and say so. `BENCH_MS` (default 1000) and `BENCH_ROUNDS` (default 3) set the
//! length of a round and how many rounds each row gets (its best one is shown).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cookie_seal::store::{
    MemoryStore, PostgresStore, RedisStore, SessionStore, SqliteStore, StoredSessions,
};
use cookie_seal::{Key, Keyring, SessionManager};
use serde_json::Value;
use tower_sessions::{Session, SessionStore as TowerStore};

/// Requests in flight at once, as on a busy server.
const TASKS: usize = 16;

type Read = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn typical_payload() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../payloads.json");
    let raw = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let list: Vec<Value> = serde_json::from_str(&raw).expect("payloads.json is a JSON array");
    let entry = list
        .into_iter()
        .find(|e| e["name"] == "typical")
        .expect("a payload named typical");
    serde_json::from_str(entry["text"].as_str().expect("payload text")).expect("JSON payload")
}

/// Best reads per second over the rounds, with `TASKS` reads in flight.
async fn measure(read: Read) -> f64 {
    let round = Duration::from_millis(env_number("BENCH_MS", 1_000));
    let rounds = env_number("BENCH_ROUNDS", 3);
    // Warm-up: connections opened, statements prepared, caches filled.
    for _ in 0..200 {
        read().await;
    }
    let mut best = 0f64;
    for _ in 0..rounds {
        let count = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        // Each task watches the clock itself: a read that never waits (memory, stateless)
        // never yields, so a timer on the runtime would not fire until the round was over.
        let deadline = started + round;
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let (read, count) = (Arc::clone(&read), Arc::clone(&count));
                tokio::spawn(async move {
                    while Instant::now() < deadline {
                        read().await;
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("a read failed");
        }
        let rate = count.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
        best = best.max(rate);
    }
    best
}

fn manager() -> SessionManager {
    let ring = Keyring::new("k1", Key::generate().unwrap()).unwrap();
    SessionManager::builder(ring, "__Host-s").build().unwrap()
}

/// A signed-in session's `Cookie` header and a read of it through `sessions`.
async fn cookie_seal_read(sessions: StoredSessions, payload: &Value) -> Read {
    let t = now();
    let session = sessions
        .sign_in(payload.clone(), "user-42", false, "bench", t)
        .await
        .unwrap();
    let header = sessions.set_cookies_at(&session, t).await.unwrap()[0]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let sessions = Arc::new(sessions);
    let header: Arc<str> = header.into();
    Arc::new(move || {
        let (sessions, header) = (Arc::clone(&sessions), Arc::clone(&header));
        Box::pin(async move {
            let read = sessions.read_at::<Value>(&header, now()).await;
            assert!(matches!(read, Ok(Some(_))), "{read:?}");
        })
    })
}

fn stateless_read(payload: &Value) -> Read {
    let manager = manager();
    let t = now();
    let session = manager
        .sign_in(payload.clone(), cookie_seal::SignIn::default(), t)
        .unwrap();
    let header: Arc<str> = manager.set_cookies_at(&session, t).unwrap()[0]
        .split(';')
        .next()
        .unwrap()
        .into();
    let manager = Arc::new(manager);
    Arc::new(move || {
        let (manager, header) = (Arc::clone(&manager), Arc::clone(&header));
        Box::pin(async move {
            assert!(manager.read_at::<Value>(&header, now()).unwrap().is_some());
        })
    })
}

/// tower-sessions as its middleware reads: a `Session` for the cookie's id, loaded from the
/// store on first access, then the value.
async fn tower_read<S: TowerStore + Clone>(store: S, payload: &Value) -> Read {
    let store = Arc::new(store);
    let session = Session::new(None, Arc::clone(&store), None);
    session.insert("data", payload.clone()).await.unwrap();
    session.save().await.unwrap();
    let id = session.id().expect("a saved session has an id");
    Arc::new(move || {
        let store = Arc::clone(&store);
        Box::pin(async move {
            let session = Session::new(Some(id), store, None);
            let data: Option<Value> = session.get("data").await.unwrap();
            assert!(data.is_some());
        })
    })
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "{cpu}, {cores} cores, load average {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    )
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let payload = typical_payload();
    let redis = std::env::var("COOKIE_SEAL_REDIS_URL").ok();
    let postgres = std::env::var("COOKIE_SEAL_POSTGRES_URL").ok();
    let dir = std::env::temp_dir().join(format!("cookie-seal-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let window = Duration::from_secs(30);
    let prefix = format!("bench{}", std::process::id());

    // (contender, store, read); built lazily, one at a time.
    let mut rows: Vec<(String, &str, f64)> = Vec::new();
    let mut run = |name: &str, store: &'static str, rate: f64| {
        eprintln!("{name:<40} {store:<9} {rate:>12.0} reads/s");
        rows.push((name.to_owned(), store, rate));
    };

    run(
        "cookie-seal, no store",
        "-",
        measure(stateless_read(&payload)).await,
    );

    let mut stores: Vec<(&'static str, Arc<dyn SessionStore>)> = Vec::new();
    stores.push(("memory", Arc::new(MemoryStore::new())));
    let sqlite = SqliteStore::open(dir.join("cookie-seal.db")).await.unwrap();
    stores.push(("SQLite", Arc::new(sqlite)));
    if let Some(url) = &redis {
        let store = RedisStore::builder(url)
            .prefix(&prefix)
            .connect()
            .await
            .unwrap();
        stores.push(("Redis", Arc::new(store)));
    }
    if let Some(url) = &postgres {
        let schema = format!("bench{}", std::process::id());
        let store = PostgresStore::builder(url)
            .schema(&schema)
            .connect()
            .await
            .unwrap();
        stores.push(("Postgres", Arc::new(store)));
    }
    for (name, store) in &stores {
        let sessions = StoredSessions::new(manager(), Arc::clone(store));
        let rate = measure(cookie_seal_read(sessions, &payload).await).await;
        run("cookie-seal, lookup per request", name, rate);
    }
    for (name, store) in &stores {
        let sessions =
            StoredSessions::new(manager(), Arc::clone(store)).revalidation_window(window);
        let rate = measure(cookie_seal_read(sessions, &payload).await).await;
        run("cookie-seal, 30 s revalidation window", name, rate);
    }

    let memory = tower_sessions_memory_store::MemoryStore::default();
    run(
        "tower-sessions",
        "memory",
        measure(tower_read(memory, &payload).await).await,
    );
    if let Some(url) = &redis {
        use tower_sessions_redis_store::fred::prelude::*;
        let config = Config::from_url(url).unwrap();
        let pool = Pool::new(config, None, None, None, 4).unwrap();
        pool.connect();
        pool.wait_for_connect().await.unwrap();
        let store = tower_sessions_redis_store::RedisStore::new(pool);
        run(
            "tower-sessions",
            "Redis",
            measure(tower_read(store, &payload).await).await,
        );
    }
    let url = format!("sqlite://{}?mode=rwc", dir.join("tower.db").display());
    let pool = tower_sessions_sqlx_store::sqlx::SqlitePool::connect(&url)
        .await
        .unwrap();
    let store = tower_sessions_sqlx_store::SqliteStore::new(pool);
    store.migrate().await.unwrap();
    run(
        "tower-sessions",
        "SQLite",
        measure(tower_read(store, &payload).await).await,
    );
    std::fs::remove_dir_all(&dir).ok();

    let stateless = rows[0].2;
    let anchor = |store: &str| {
        rows.iter()
            .find(|(n, s, _)| n == "tower-sessions" && *s == store)
            .map(|r| r.2)
    };
    println!("\nMachine: {}; {TASKS} reads in flight.\n", machine());
    println!("| contender | store | reads/s | vs stateless | vs tower-sessions, same store |");
    println!("|---|---|---|---|---|");
    for (name, store, rate) in &rows {
        let vs_tower = match anchor(store) {
            Some(t) if name != "tower-sessions" => format!("{:.2}×", rate / t),
            _ => "".into(),
        };
        println!(
            "| {name} | {store} | {rate:.0} | {:.2}× | {vs_tower} |",
            rate / stateless
        );
    }
    if redis.is_none() || postgres.is_none() {
        println!("\nRedis or Postgres rows skipped: run `scripts/test-stores.sh bench`.");
    }
}
