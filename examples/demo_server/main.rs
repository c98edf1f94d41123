//! The cookie-seal demo server (`make demo`): a small site whose session lives in a sealed
//! cookie, a verify form that opens any value natively, and the in-browser playground.
//!
//! ```sh
//! cargo run --features demo --example demo_server -- [--port N]
//! ```
//!
//! Port: `--port`, else `PORT`, else 8787 (then the next few if 8787 is busy; `--port 0`
//! takes any free port). Keys: `SESSION_KEYS` (`k2:BASE64URL,k1:BASE64URL`), else a key
//! generated for this run. Admin token for key rotation: `DEMO_ADMIN_TOKEN` (16 characters
//! or more), else one generated and printed at start. Store: `SESSION_STORE` (`memory`,
//! `sqlite:PATH`, `redis://HOST:PORT`, `postgres://...`), else the SQLite file
//! `sessions.sqlite3` in `DEMO_DATA_DIR` (default `target/demo-data`). Listens on
//! 127.0.0.1 only: the cookie is not `Secure` here.

mod app;

use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use cookie_seal::{Key, Keyring};
use tokio::net::TcpListener;
use zeroize::Zeroizing;

const DEFAULT_PORT: u16 = 8787;
/// Ports tried after the default one when it is busy and no port was asked for.
const FALLBACK_PORTS: u16 = 10;

const USAGE: &str = "\
usage: demo_server [--port N]

Serves the cookie-seal demo on http://127.0.0.1:N/ (default 8787, or PORT).
  --port N   listen on port N; 0 picks a free port. Overrides PORT.
Environment:
  PORT          the port, when --port is not given
  SESSION_KEYS  key ring 'k2:BASE64URL,k1:BASE64URL' (primary first); without it a key
                is generated for this run and sessions end when the server stops
  DEMO_ADMIN_TOKEN  the secret the Rotate keys form asks for (16 characters or more);
                without it one is generated and printed at start
  SESSION_STORE where sessions are listed and revoked: memory, sqlite:PATH,
                redis://HOST:PORT or postgres://USER@HOST:PORT/DB; without it the SQLite
                file sessions.sqlite3 in DEMO_DATA_DIR
  DEMO_DATA_DIR the demo's data folder (default target/demo-data in the repository)";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("demo_server: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Where to listen: a port someone asked for (fail if busy), or the default (fall back).
enum Port {
    Asked(u16),
    Default,
}

fn parse_port(text: &str, from: &str) -> Result<u16, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{from} must be a port number 0-65535, got {text:?}"))
}

fn port_choice() -> Result<Port, String> {
    let mut args = std::env::args().skip(1);
    let mut asked = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let value = args.next().ok_or("--port needs a number")?;
                asked = Some(parse_port(&value, "--port")?);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => match other.strip_prefix("--port=") {
                Some(value) => asked = Some(parse_port(value, "--port")?),
                None => return Err(format!("unknown argument {other:?}\n{USAGE}")),
            },
        }
    }
    if let Some(port) = asked {
        return Ok(Port::Asked(port));
    }
    match std::env::var("PORT") {
        Ok(text) if !text.is_empty() => Ok(Port::Asked(parse_port(&text, "PORT")?)),
        _ => Ok(Port::Default),
    }
}

fn keys() -> Result<Zeroizing<String>, String> {
    match std::env::var("SESSION_KEYS") {
        Ok(text) if !text.trim().is_empty() => {
            let text = Zeroizing::new(text);
            let ring = Keyring::parse(&text).map_err(|err| format!("SESSION_KEYS: {err}"))?;
            println!(
                "keys: SESSION_KEYS, primary {:?}, {} key(s)",
                ring.primary_id(),
                ring.ids().count()
            );
            Ok(text)
        }
        _ => {
            let key = Key::generate().map_err(|err| err.to_string())?;
            println!(
                "keys: SESSION_KEYS is not set, so a new key \"k1\" was generated for this run \
                 (sessions end when the server stops)"
            );
            Ok(Zeroizing::new(format!("k1:{}", key.to_base64url())))
        }
    }
}

/// The admin token for key rotation: `DEMO_ADMIN_TOKEN`, else a random one for this run.
fn admin_token() -> Result<(Zeroizing<String>, bool), String> {
    match std::env::var("DEMO_ADMIN_TOKEN") {
        Ok(text) if !text.is_empty() => Ok((Zeroizing::new(text), false)),
        _ => {
            let token = Key::generate().map_err(|err| err.to_string())?;
            Ok((Zeroizing::new(token.to_base64url()), true))
        }
    }
}

async fn bind(choice: Port) -> Result<TcpListener, String> {
    let at = |port| SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    match choice {
        Port::Asked(port) => TcpListener::bind(at(port)).await.map_err(|err| {
            if err.kind() == ErrorKind::AddrInUse {
                format!("port {port} is in use: pick another with --port N or PORT=N (0 = any free port)")
            } else {
                format!("cannot listen on 127.0.0.1:{port}: {err}")
            }
        }),
        Port::Default => {
            for port in DEFAULT_PORT..DEFAULT_PORT + FALLBACK_PORTS {
                match TcpListener::bind(at(port)).await {
                    Ok(listener) => return Ok(listener),
                    Err(err) if err.kind() == ErrorKind::AddrInUse => {
                        println!("port {port} is in use, trying {}", port + 1);
                    }
                    Err(err) => return Err(format!("cannot listen on 127.0.0.1:{port}: {err}")),
                }
            }
            Err(format!(
                "ports {DEFAULT_PORT}-{} are all in use: pick one with --port N or PORT=N",
                DEFAULT_PORT + FALLBACK_PORTS - 1
            ))
        }
    }
}

fn run() -> Result<(), String> {
    let choice = port_choice()?;
    let keys = keys()?;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if !root.join("pkg/cookie_seal_bg.wasm").is_file() {
        println!(
            "note: pkg/ is not built, so the playground cannot load; run scripts/build-pkg.sh"
        );
    }
    let (admin_token, generated) = admin_token()?;
    if generated {
        println!(
            "admin token for Rotate keys: {} (set DEMO_ADMIN_TOKEN to choose it)",
            admin_token.as_str()
        );
    }
    let data_dir = match std::env::var("DEMO_DATA_DIR") {
        Ok(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => root.join("target/demo-data"),
    };
    let store_spec = std::env::var("SESSION_STORE")
        .ok()
        .filter(|s| !s.is_empty());

    // One thread is plenty for a demo, and leaves the second core to the browser; timers
    // bound every store call.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the async runtime: {err}"))?;
    runtime.block_on(async {
        let (store, which) = app::stores::open(store_spec.as_deref(), &data_dir).await?;
        println!("store: {which}");
        let config = app::Config {
            keys,
            root,
            admin_token,
            store,
        };
        let router =
            app::router(config).map_err(|err| format!("DEMO_ADMIN_TOKEN or keys: {err}"))?;
        let listener = bind(choice).await?;
        let addr = listener
            .local_addr()
            .map_err(|err| format!("cannot read the listening address: {err}"))?;
        // The e2e script reads this exact line to find the port.
        println!("cookie-seal demo: http://{addr}/");
        println!("playground:       http://{addr}/playground.html");
        println!(
            "session cookie \"{}\" without Secure (plain http on 127.0.0.1 only). Ctrl-C stops.",
            app::COOKIE_NAME
        );
        // The sign-in and rotation rate limits count per client address.
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .map_err(|err| format!("server stopped: {err}"))
    })
}
