//! `cookie-seal`: make keys, seal, open and inspect cookie values from a shell.
//!
//! Built only with the `cli` feature (`cargo install --path . --features cli`); the library
//! never depends on anything here. The contract scripts rely on: results go to stdout, and
//! every failure is exactly one stderr line `cookie-seal: CODE: message` with an exit status
//! that belongs to that code alone ([`EXIT_STATUSES`]).

#![forbid(unsafe_code)]

mod args;
mod help;
mod input;

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use cookie_seal::format::{self, BROWSER_COOKIE_LIMIT, FIXED_OVERHEAD};
use cookie_seal::{Error, Key, Keyring, Sealer, clock};
use zeroize::Zeroizing;

use args::{Command, InspectArgs, KeygenArgs, OpenArgs, SealArgs, SealerArgs};

/// Exit status of each failure code. Library codes come from [`Error::code`]; `USAGE` and
/// `IO` are the tool's own. The README's exit-code table and `--help` print this list, and
/// `tests/cli.rs` checks it, so the numbers are a public contract: never renumber one.
pub const EXIT_STATUSES: &[(&str, u8, &str)] = &[
    (
        "USAGE",
        2,
        "bad command line: unknown option, missing or unparsable value",
    ),
    (
        "IO",
        3,
        "a file, stdin/stdout or the keys variable could not be read or written",
    ),
    ("MALFORMED", 10, "not a cookie-seal value"),
    (
        "TOO_LARGE",
        11,
        "over the cookie size limit, or input over 1 MiB",
    ),
    (
        "UNSUPPORTED_VERSION",
        12,
        "written by a format version or claims this build does not read",
    ),
    (
        "UNKNOWN_KEY",
        13,
        "sealed under a key id that is not in the keyring",
    ),
    (
        "BAD_SEAL",
        14,
        "authentication failed: wrong key, altered, other name or purpose",
    ),
    ("EXPIRED", 15, "authentic but expired"),
    ("NOT_YET_VALID", 16, "authentic but issued in the future"),
    ("PAYLOAD", 17, "the payload is not JSON (or not UTF-8)"),
    ("INVALID_KEY", 18, "the keyring or a key id was refused"),
    (
        "INVALID_OPTION",
        19,
        "an option value was refused (cookie name, ttl, leeway, max-len)",
    ),
    (
        "RANDOM_FAILED",
        20,
        "the system random number generator failed",
    ),
    ("REVOKED", 21, "authentic but revoked"),
    ("CLOCK", 22, "the system clock is before 1970"),
];

/// For a code a newer library adds before this table learns it: still a failure, never 0.
const EXIT_UNMAPPED: u8 = 1;

/// Most bytes read from stdin or an `--in` file: far above any cookie (4096 bytes), low
/// enough that piping a huge file in cannot exhaust memory.
pub const INPUT_LIMIT: usize = 1024 * 1024;

/// Why a command failed: a code for scripts and a message for people.
#[derive(Debug)]
pub struct Failure {
    pub code: &'static str,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: "USAGE",
            message: message.into(),
        }
    }

    pub fn io(message: impl Into<String>) -> Failure {
        Failure {
            code: "IO",
            message: message.into(),
        }
    }

    fn exit_status(&self) -> u8 {
        EXIT_STATUSES
            .iter()
            .find(|(code, _, _)| *code == self.code)
            .map_or(EXIT_UNMAPPED, |(_, status, _)| *status)
    }
}

impl From<Error> for Failure {
    fn from(err: Error) -> Failure {
        // Library messages never carry key material (src/key.rs keeps them that way).
        Failure {
            code: err.code(),
            message: err.to_string(),
        }
    }
}

fn main() -> ExitCode {
    match args::parse(std::env::args_os().skip(1)).and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let line = format!(
                "cookie-seal: {}: {}\n",
                failure.code,
                one_line(&failure.message)
            );
            // With stderr gone there is nobody left to tell; the exit status still says it.
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
            ExitCode::from(failure.exit_status())
        }
    }
}

fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Help(topic) => print(help::help(topic).as_bytes()),
        Command::Version => {
            print(format!("cookie-seal {}\n", env!("CARGO_PKG_VERSION")).as_bytes())
        }
        Command::Keygen(a) => keygen(a),
        Command::Seal(a) => seal(a),
        Command::Open(a) => open(a),
        Command::Inspect(a) => inspect(a),
    }
}

/// Writes all of `bytes` to stdout. A closed pipe (`cookie-seal keygen | head -c0`) is an
/// `IO` failure rather than the panic `println!` would give.
fn print(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|err| Failure::io(format!("cannot write to stdout: {err}")))
}

fn keygen(a: KeygenArgs) -> Result<(), Failure> {
    let id = match a.id {
        Some(id) => id,
        None => date_id(now_or(a.now)?),
    };
    let key = Key::generate()?;
    let mut line = Zeroizing::new(String::with_capacity(id.len() + 1 + 43 + 1));
    line.push_str(&id);
    line.push(':');
    line.push_str(&Zeroizing::new(key.to_base64url()));
    // Parse back exactly what will be printed, so the entry is known to be accepted in
    // SESSION_KEYS (this also checks a --id under the library's rules).
    Keyring::parse(&line)?;
    line.push('\n');
    print(line.as_bytes())
}

fn seal(a: SealArgs) -> Result<(), Failure> {
    let keyring = input::keyring(&a.sealer.keys)?;
    let mut builder = builder(keyring, &a.sealer);
    if let Some(ttl) = a.ttl {
        builder = builder.ttl(Duration::from_secs(ttl));
    }
    let sealer = builder.build()?;
    let now = now_or(a.sealer.now)?;

    let input = input::read(&a.input)?;
    // `echo '{...}' |` and editors add a newline the author does not think of as payload;
    // exactly one is dropped so everything else is sealed byte for byte.
    let payload = input
        .strip_suffix(b"\r\n")
        .or_else(|| input.strip_suffix(b"\n"))
        .unwrap_or(&input);
    check_json(payload)?;
    let value = sealer.seal_bytes_at(payload, now)?;
    print(format!("{value}\n").as_bytes())
}

fn open(a: OpenArgs) -> Result<(), Failure> {
    let keyring = input::keyring(&a.sealer.keys)?;
    let mut builder = builder(keyring, &a.sealer);
    if let Some(leeway) = a.leeway {
        builder = builder.leeway(Duration::from_secs(leeway));
    }
    let sealer = builder.build()?;
    let now = now_or(a.sealer.now)?;

    let value = input::value(&a.input)?;
    let opened = sealer.open_bytes_at(&value, now)?;
    // The payload goes out exactly as it was sealed (key order, spacing, number spelling),
    // embedded in the JSON object; it only has to be JSON for the object to be.
    check_json(&opened.data)?;
    let mut out = Zeroizing::new(Vec::with_capacity(opened.data.len() + 128));
    out.extend_from_slice(b"{\"payload\":");
    out.extend_from_slice(&opened.data);
    out.extend_from_slice(
        format!(
            ",\"issued_at\":{},\"expires_at\":{},\"key_id\":{},\"needs_reseal\":{}}}\n",
            opened.issued_at,
            opened.expires_at,
            json_string(&opened.key_id),
            opened.needs_reseal
        )
        .as_bytes(),
    );
    print(&out)
}

fn inspect(a: InspectArgs) -> Result<(), Failure> {
    let value = input::value(&a.input)?;
    let info = format::inspect(&value)?;
    let limit = a.max_len.unwrap_or(BROWSER_COOKIE_LIMIT);
    // The name and the `=` count against the browser's limit too.
    let prefix = match &a.name {
        Some(name) => {
            // Checks --name and --max-len under exactly the rules `open` would apply. The
            // all-zero key never seals or opens anything: a Sealer needs some key to exist.
            let ring = Keyring::new(&info.key_id, Key::from_bytes(&[0; 32])?)?;
            Sealer::builder(ring, name).max_len(limit).build()?;
            name.len() + 1
        }
        None if limit == 0 || limit > BROWSER_COOKIE_LIMIT => {
            return Err(Error::InvalidOption(format!(
                "max_len must be 1 to {BROWSER_COOKIE_LIMIT}, got {limit}"
            ))
            .into());
        }
        None => 0,
    };
    let cookie_len = prefix + info.value_len;
    // Payload bytes that could still be added under the same key id and claims: the raw
    // bytes the remaining value characters can hold, less what is already there.
    let raw_budget = format::capacity_for(limit.saturating_sub(prefix), 0)
        .map_or(0, |capacity| capacity + FIXED_OVERHEAD);
    let out = format!(
        concat!(
            "{{\"version\":{},\"key_id\":{},\"value_len\":{},\"raw_len\":{},",
            "\"encrypted_len\":{},\"name\":{},\"cookie_len\":{},\"limit\":{},",
            "\"percent_used\":{:.1},\"bytes_remaining\":{},\"payload_bytes_remaining\":{},",
            "\"fits\":{}}}\n"
        ),
        info.version,
        json_string(&info.key_id),
        info.value_len,
        info.raw_len,
        info.encrypted_len,
        a.name
            .as_deref()
            .map_or_else(|| "null".to_owned(), json_string),
        cookie_len,
        limit,
        cookie_len as f64 * 100.0 / limit as f64,
        limit as i64 - cookie_len as i64,
        raw_budget as i64 - info.raw_len as i64,
        cookie_len <= limit,
    );
    print(out.as_bytes())
}

fn builder(keyring: Keyring, a: &SealerArgs) -> cookie_seal::SealerBuilder {
    let mut builder = Sealer::builder(keyring, &a.name);
    if let Some(purpose) = &a.purpose {
        builder = builder.purpose(purpose);
    }
    if let Some(max_len) = a.max_len {
        builder = builder.max_len(max_len);
    }
    builder
}

/// Refuses anything that is not one JSON document. Deserialising into `IgnoredAny` makes
/// serde_json check the syntax with its iterative skipper: no tree is built, and deep
/// nesting cannot overflow the stack.
fn check_json(bytes: &[u8]) -> Result<(), Failure> {
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes)
        .map(drop)
        .map_err(|err| Error::Payload(format!("not JSON: {err}")).into())
}

fn json_string(text: &str) -> String {
    // Serialising a &str cannot fail; the fallback only keeps this path panic-free.
    serde_json::to_string(text).unwrap_or_else(|_| "null".to_owned())
}

/// The given `--now`, or the system clock.
fn now_or(given: Option<u64>) -> Result<u64, Failure> {
    given.map_or_else(|| clock::now().map_err(Failure::from), Ok)
}

/// The default key id: the UTC date as `YYYYMMDD`. Sortable, readable in a cookie, and
/// distinct for keys made on different days (pass --id to make two in one day).
fn date_id(secs: u64) -> String {
    let date = clock::Utc::from_unix(secs);
    format!("{:04}{:02}{:02}", date.year, date.month, date.day)
}

/// Keeps the promise of one stderr line even when a message quotes a file name with a
/// newline in it.
fn one_line(message: &str) -> String {
    let mut line = String::with_capacity(message.len());
    for c in message.chars() {
        if c.is_control() {
            line.extend(c.escape_default());
        } else {
            line.push(c);
        }
    }
    line
}
