//! The Rust side of the npm package's Redis cross-language test (scripts/test-js-stores.sh):
//! the same keys and cookie name as `cross_runtime`, a `StoredSessions` on a `RedisStore`,
//! one operation per run, its answer as one line of JSON on stdout. The JavaScript suite
//! calls it to sign in, read, sign out and list through the Redis the Node process uses,
//! so each side proves it reads what the other wrote.
//!
//! Usage: `store_cross URL PREFIX NOW OPERATION ARGS...` where OPERATION is
//! `sign-in SUBJECT LABEL`, `read COOKIE`, `sign-out COOKIE`, `others COOKIE`,
//! `everywhere SUBJECT`, `list SUBJECT`, `put-data COOKIE TEXT`, `data COOKIE`,
//! `rate KEY LIMIT WINDOW_SECONDS` (one request through a `RedisRateLimit` on the store),
//! `handoff-issue ORIGIN TEXT` or `handoff-redeem TOKEN ORIGIN` (a hand-off token under the
//! keyring `h1` of 32 bytes of 0x02, redeemed once through the store), and for remember-me
//! tokens `remember COOKIE` (starts a series for that session) or `resume TOKEN_COOKIE`
//! (rotates, passes in the grace window, or catches a theft).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use cookie_seal::handoff::Handoff;
use cookie_seal::store::{RedisRateLimit, RedisStore, RememberToken, StoredSessions};
use cookie_seal::{Error, Key, Keyring, RateLimit, Session, SessionManager};
use serde_json::{Value, json};

fn manager() -> Result<SessionManager, Error> {
    let ring = Keyring::new("k1", Key::from_bytes(&[1; 32])?)?;
    SessionManager::builder(ring, "__Host-session")
        .max_chunks(3)
        .build()
}

fn handoff() -> Result<Handoff, Error> {
    Handoff::with_ttl(
        Keyring::new("h1", Key::from_bytes(&[2; 32])?)?,
        Duration::from_secs(60),
    )
}

async fn session(
    sessions: &StoredSessions,
    cookie: &str,
    now: u64,
) -> Result<Session<Value>, Error> {
    sessions
        .read_at::<Value>(cookie, now)
        .await?
        .ok_or(Error::InvalidOption("no session cookie".into()))
}

async fn run(args: &[String]) -> Result<Value, Error> {
    let [url, prefix, now, op, rest @ ..] = args else {
        return Err(Error::InvalidOption(
            "usage: URL PREFIX NOW OPERATION ARGS...".into(),
        ));
    };
    let now: u64 = now
        .parse()
        .map_err(|_| Error::InvalidOption("NOW".into()))?;
    let store = Arc::new(RedisStore::builder(url).prefix(prefix).connect().await?);
    // The npm package's defaults: `__Host-session-remember`, 30 days, 10 s of grace.
    let sessions = StoredSessions::new(manager()?, store.clone())
        .remember_tokens(store.clone(), RememberToken::new())?;
    let arg = |n: usize| rest.get(n).map(String::as_str).unwrap_or_default();
    Ok(match op.as_str() {
        "sign-in" => {
            let s = sessions
                .sign_in(json!({"from": "rust"}), arg(0), false, arg(1), now)
                .await?;
            let headers = sessions.set_cookies_at(&s, now).await?;
            let cookie = headers[0].split(';').next().unwrap_or_default();
            json!({"id": s.id.to_string(), "cookie": cookie, "generation": s.subject.map(|s| s.generation)})
        }
        "read" => match sessions.read_at::<Value>(arg(0), now).await {
            Ok(Some(s)) => json!({"id": s.id.to_string(), "data": s.data}),
            Ok(None) => json!({"code": null}),
            Err(err) => json!({"code": err.code()}),
        },
        "sign-out" => {
            let s = session(&sessions, arg(0), now).await?;
            sessions.sign_out(&s, now).await?;
            json!({"id": s.id.to_string()})
        }
        "others" => {
            let s = session(&sessions, arg(0), now).await?;
            json!({"count": sessions.sign_out_others(&s, now).await?})
        }
        "everywhere" => json!({"generation": sessions.sign_out_everywhere(arg(0), now).await?}),
        "list" => {
            let list = sessions.sessions(arg(0), now).await?;
            let rows: Vec<Value> = list
                .iter()
                .map(|e| {
                    json!({"id": e.id.to_string(), "signedInAt": e.signed_in_at, "lastSeen": e.last_seen,
                        "rememberMe": e.remember_me, "label": e.label, "keepUntil": e.keep_until})
                })
                .collect();
            Value::Array(rows)
        }
        "put-data" => {
            let s = session(&sessions, arg(0), now).await?;
            sessions.put_data(&s, arg(1).as_bytes(), now).await?;
            json!({"id": s.id.to_string()})
        }
        "data" => {
            let s = session(&sessions, arg(0), now).await?;
            let data = sessions.data(&s, now).await?;
            json!({"data": data.map(|d| String::from_utf8_lossy(&d).into_owned())})
        }
        "rate" => {
            let number = |n: usize| {
                arg(n)
                    .parse::<u32>()
                    .map_err(|_| Error::InvalidOption("LIMIT and WINDOW_SECONDS".into()))
            };
            let window = Duration::from_secs(u64::from(number(2)?));
            let limiter = RedisRateLimit::new((*store).clone(), number(1)?, window)?;
            match limiter.check(arg(0)).await {
                Ok(()) => json!({"code": "OK"}),
                Err(Error::RateLimited { retry_after }) => {
                    json!({"code": "RATE_LIMITED", "retryAfter": retry_after})
                }
                Err(err) => json!({"code": err.code()}),
            }
        }
        "handoff-issue" => json!({"token": handoff()?.issue_at(arg(0), &arg(1), now)?}),
        "handoff-redeem" => match handoff()?
            .redeem_at::<String>(arg(0), arg(1), &*store, now)
            .await
        {
            Ok(data) => json!({"data": data}),
            Err(err) => json!({"code": err.code()}),
        },
        "remember" => {
            let s = session(&sessions, arg(0), now).await?;
            let headers = sessions.remember(&s, now).await?;
            json!({"token": headers[0].split(';').next().unwrap_or_default()})
        }
        "resume" => match sessions
            .resume(arg(0), json!({"from": "rust"}), "rust", now)
            .await?
        {
            None => json!({"outcome": null}),
            Some(r) => {
                let cookie = match &r.session {
                    Some(s) => sessions.set_cookies_at(s, now).await?[0]
                        .split(';')
                        .next()
                        .map(str::to_owned),
                    None => None,
                };
                let token = r.set_cookies.first().and_then(|c| c.split(';').next());
                json!({"outcome": r.outcome.as_str(), "cookie": cookie, "token": token,
                    "subject": r.session.and_then(|s| s.subject).map(|s| s.id)})
            }
        },
        _ => return Err(Error::InvalidOption(format!("unknown operation {op}"))),
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("store_cross: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&args)) {
        Ok(answer) => {
            println!("{answer}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            println!(
                "{}",
                json!({"error": err.code(), "message": err.to_string()})
            );
            ExitCode::FAILURE
        }
    }
}
