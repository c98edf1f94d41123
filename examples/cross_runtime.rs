//! The native side of the cross-runtime proof (scripts/test-js.sh): values sealed here must
//! open in every JavaScript runtime, and values sealed there must open here, byte for byte.
//!
//! Both sides use the same sealer: key id `k1` with 32 bytes of 0x01, cookie `session`,
//! default purpose and ttl, sealed at `T0` (the JS suite's constants).
//!
//! Sessions likewise: the session manager `sessions()` (cookie `__Host-session`, the same key,
//! up to 3 chunks, defaults otherwise) signs in and writes sessions at `T0` whose `Cookie`
//! headers every runtime reads, and reads (at `T0 + 60`) the `Set-Cookie` headers each runtime
//! wrote, including those a real workerd worker sent in HTTP responses.
//!
//! Anti-forgery tokens likewise: session-bound ones (`CsrfTokens` for `__Host-session`) and
//! pre-session ones (`PreSessionTokens`, cookie `__Host-csrf`), same key, made at `T0`.
//!
//! ```text
//! cross_runtime seal              prints {"sealed":[{name,payload,value}],"notJson":value,
//!                                 "sessions":[{name,cookie,payload,id,subject,...}],
//!                                 "csrf":[{name,kind,subject,token}]}
//! cross_runtime open FILE...      opens each [{name,payload,value}] file at T0 + 1, checks
//!                                 the payload bytes, prints "N passed, N failed"
//! cross_runtime csrf FILE...      verifies each [{name,kind,subject,token}] anti-forgery
//!                                 token at T0 + 60: kind "session" (subject a session id,
//!                                 cookie `__Host-session`) or "preSession" (subject the
//!                                 `__Host-csrf=VALUE` Cookie header), and checks it is
//!                                 refused for another subject
//! cross_runtime read FILE...      reads each [{name,setCookie,payload,id,subject,signedInAt,
//!                                 rememberMe}] file: builds the Cookie header a browser
//!                                 would send back, reads it with SessionManager::read_at at
//!                                 T0 + 60, checks payload bytes and claims
//! ```

use std::process::ExitCode;

use cookie_seal::{
    CsrfTokens, Key, Keyring, PreSessionTokens, Sealer, SessionId, SessionManager, SignIn, Subject,
};
use serde_json::{Value, json};

const T0: u64 = 1_700_000_000;
/// When the native side reads sessions the JS runtimes wrote (they write at T0 or T0 + 30).
const READ_AT: u64 = T0 + 60;
/// A generation no JavaScript number holds exactly: it must survive a JS read and write.
const BIG_GENERATION: u64 = (1 << 63) + 1;

/// Sessions sealed natively for the JS runtimes to read: name, payload text, remember-me,
/// subject. The last one needs two cookies.
fn native_sessions() -> Vec<(&'static str, String, bool, Option<Subject>)> {
    let big = Subject::new("ada@example.com", BIG_GENERATION).expect("a valid subject");
    vec![
        (
            "plain",
            r#"{"uid":7,"role":"user"}"#.to_owned(),
            false,
            None,
        ),
        (
            "remember-subject",
            r#"{"uid":8}"#.to_owned(),
            true,
            Some(big),
        ),
        (
            "chunked",
            format!(r#"{{"uid":9,"fill":"{}"}}"#, "z".repeat(5_000)),
            false,
            None,
        ),
    ]
}

/// Payload texts sealed natively, written the way `JSON.stringify` would write them, so the
/// JS side can check `JSON.stringify(data)` against them too.
const NATIVE_PAYLOADS: &[(&str, &str)] = &[
    (
        "object",
        r#"{"uid":42,"role":"admin","perms":["a","b"],"nested":{"ok":true}}"#,
    ),
    ("unicode", r#"{"s":"é 中 😀","escaped":"\u2028\n"}"#),
    ("number", "1.5e+300"),
    ("string", r#""plain""#),
    ("null", "null"),
    ("empty-object", "{}"),
];

fn sealer() -> Result<Sealer, cookie_seal::Error> {
    Sealer::builder(Keyring::new("k1", Key::from_bytes(&[1; 32])?)?, "session").build()
}

fn sessions() -> Result<SessionManager, cookie_seal::Error> {
    let ring = Keyring::new("k1", Key::from_bytes(&[1; 32])?)?;
    SessionManager::builder(ring, "__Host-session")
        .max_chunks(3)
        .build()
}

/// The `Cookie` header a browser sends back after these `Set-Cookie` values: each written
/// cookie's `name=value`, deletions (`Max-Age=0`) dropped.
fn cookie_header<S: AsRef<str>>(set_cookies: &[S]) -> String {
    set_cookies
        .iter()
        .map(AsRef::as_ref)
        .filter(|h| !h.contains("; Max-Age=0"))
        .filter_map(|h| h.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

fn subject_json(subject: Option<&Subject>) -> Value {
    // The generation as text: JSON numbers become doubles in JavaScript.
    subject.map_or(
        Value::Null,
        |s| json!({ "id": s.id, "generation": s.generation.to_string() }),
    )
}

fn seal_sessions() -> Result<Vec<Value>, cookie_seal::Error> {
    let m = sessions()?;
    let mut out = Vec::new();
    for (name, payload, remember, subject) in native_sessions() {
        let mut options = SignIn::default().remember_me(remember);
        if let Some(s) = subject {
            options = options.subject(s);
        }
        let session = m.sign_in(payload.as_bytes().to_vec(), options, T0)?;
        let set_cookies = m.set_cookies_bytes_at(&session, T0)?;
        out.push(json!({
            "name": name,
            "cookie": cookie_header(&set_cookies),
            "cookies": set_cookies.iter().filter(|h| !h.contains("; Max-Age=0")).count(),
            "payload": payload,
            "id": session.id.to_string(),
            "subject": subject_json(session.subject.as_ref()),
            "signedInAt": session.signed_in_at,
            "issuedAt": session.issued_at,
            "expiresAt": session.expires_at,
            "absoluteExpiresAt": session.absolute_expires_at,
            "rememberMe": session.remember_me,
        }));
    }
    Ok(out)
}

fn seal() -> Result<(), String> {
    let sealer = sealer().map_err(|e| e.to_string())?;
    let mut sealed = Vec::new();
    for (name, payload) in NATIVE_PAYLOADS {
        let value = sealer
            .seal_bytes_at(payload.as_bytes(), T0)
            .map_err(|e| e.to_string())?;
        sealed.push(json!({ "name": name, "payload": payload, "value": value }));
    }
    // Authentic, valid UTF-8, but not JSON: JS must report PAYLOAD for it.
    let not_json = sealer
        .seal_bytes_at(b"not json {", T0)
        .map_err(|e| e.to_string())?;
    let sessions = seal_sessions().map_err(|e| e.to_string())?;
    let csrf = csrf_tokens().map_err(|e| e.to_string())?;
    println!(
        "{}",
        json!({ "sealed": sealed, "notJson": not_json, "sessions": sessions, "csrf": csrf })
    );
    Ok(())
}

fn ring() -> Result<Keyring, cookie_seal::Error> {
    Keyring::new("k1", Key::from_bytes(&[1; 32])?)
}

/// The session-bound tokens of the session cookie `__Host-session`, and the pre-session
/// tokens, both under the shared key.
fn csrf_kinds() -> Result<(CsrfTokens, PreSessionTokens), cookie_seal::Error> {
    Ok((
        CsrfTokens::new(ring()?, "__Host-session")?,
        PreSessionTokens::new(ring()?)?,
    ))
}

/// A fresh pre-session cookie, as the browser sends it back, and its token.
fn pre_session_cookie(
    tokens: &PreSessionTokens,
    now: u64,
) -> Result<(String, String), cookie_seal::Error> {
    let issued = tokens.issue_at("", now)?;
    let cookie = issued
        .set_cookie
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    Ok((cookie, issued.token))
}

/// Tokens made natively for the JS side to verify.
fn csrf_tokens() -> Result<Vec<Value>, cookie_seal::Error> {
    let (session, pre) = csrf_kinds()?;
    let id = SessionId::generate()?;
    let (cookie, pre_token) = pre_session_cookie(&pre, T0)?;
    Ok(vec![
        json!({ "name": "session", "kind": "session", "subject": id.to_string(),
                "token": session.token_at(&id, T0)? }),
        json!({ "name": "pre-session", "kind": "preSession", "subject": cookie,
                "token": pre_token }),
    ])
}

/// Checks one token a JS runtime made: it verifies for its subject, and not for another.
fn check_csrf(kinds: &(CsrfTokens, PreSessionTokens), item: &Value) -> Result<(), String> {
    let (Some(kind), Some(subject), Some(token)) = (
        item["kind"].as_str(),
        item["subject"].as_str(),
        item["token"].as_str(),
    ) else {
        return Err("entry lacks kind, subject or token".into());
    };
    let at = T0 + 60;
    let (mine, other) = match kind {
        "session" => {
            let id: SessionId = subject
                .parse()
                .map_err(|e: cookie_seal::Error| format!("subject: {e}"))?;
            let other = SessionId::generate().map_err(|e| e.to_string())?;
            (
                kinds.0.verify_at(token, &id, at),
                kinds.0.verify_at(token, &other, at),
            )
        }
        "preSession" => {
            let (other, _) = pre_session_cookie(&kinds.1, T0).map_err(|e| e.to_string())?;
            (
                kinds.1.verify_at(token, subject, at),
                kinds.1.verify_at(token, &other, at),
            )
        }
        _ => return Err(format!("unknown kind {kind}")),
    };
    mine.map_err(|e| format!("{} ({e})", e.code()))?;
    match other {
        Err(err) if err.code() == "CSRF" => Ok(()),
        other => Err(format!("for another subject: {other:?}, expected CSRF")),
    }
}

fn csrf(files: &[String]) -> Result<bool, String> {
    let kinds = csrf_kinds().map_err(|e| e.to_string())?;
    check_files(files, "native verifies JS anti-forgery tokens", |item| {
        check_csrf(&kinds, item)
    })
}

fn open(files: &[String]) -> Result<bool, String> {
    let sealer = sealer().map_err(|e| e.to_string())?;
    check_files(files, "native opens JS", |item| check_sealed(&sealer, item))
}

/// Checks one value a JS runtime sealed; `Err` says what differs.
fn check_sealed(sealer: &Sealer, item: &Value) -> Result<(), String> {
    let (Some(payload), Some(value)) = (item["payload"].as_str(), item["value"].as_str()) else {
        return Err("entry lacks payload or value".into());
    };
    let opened = sealer
        .open_bytes_at(value, T0 + 1)
        .map_err(|err| format!("{} ({err})", err.code()))?;
    if opened.data == payload.as_bytes() && opened.issued_at == T0 && opened.key_id == "k1" {
        Ok(())
    } else {
        Err(format!(
            "opened {:?} issued {} under {}, expected {payload:?}",
            String::from_utf8_lossy(&opened.data),
            opened.issued_at,
            opened.key_id
        ))
    }
}

/// Runs `check` on every entry of every file, printing a line for each and a summary line
/// naming `what`; true when every entry passed and no file was empty.
fn check_files(
    files: &[String],
    what: &str,
    check: impl Fn(&Value) -> Result<(), String>,
) -> Result<bool, String> {
    let (mut passed, mut failed) = (0, 0);
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
        let items: Vec<Value> = serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
        if items.is_empty() {
            println!("FAIL {file}: no entries");
            failed += 1;
        }
        for item in items {
            let name = item["name"].as_str().unwrap_or("?");
            match check(&item) {
                Ok(()) => {
                    println!("ok   {file} {name}");
                    passed += 1;
                }
                Err(why) => {
                    println!("FAIL {file} {name}: {why}");
                    failed += 1;
                }
            }
        }
    }
    println!("cross-runtime ({what}): {passed} passed, {failed} failed");
    Ok(failed == 0)
}

/// Checks one session a JS runtime wrote; `Err` says what differs.
fn check_session(m: &SessionManager, item: &Value) -> Result<(), String> {
    let set_cookies: Vec<&str> = item["setCookie"]
        .as_array()
        .ok_or("no setCookie array")?
        .iter()
        .map(|v| v.as_str().ok_or("a Set-Cookie value is not a string"))
        .collect::<Result<_, _>>()?;
    let header = cookie_header(&set_cookies);
    let session = m
        .read_bytes_at(&header, READ_AT)
        .map_err(|e| format!("{} ({e}) reading {header:.80}", e.code()))?
        .ok_or("no session cookie in the Set-Cookie headers")?;
    let payload = item["payload"].as_str().ok_or("no payload")?;
    let expected = [
        ("payload", Value::from(payload)),
        ("id", item["id"].clone()),
        ("subject", item["subject"].clone()),
        ("signedInAt", item["signedInAt"].clone()),
        ("rememberMe", item["rememberMe"].clone()),
    ];
    let got = [
        String::from_utf8(session.data.clone())
            .map(Value::from)
            .map_err(|_| "payload is not UTF-8")?,
        Value::from(session.id.to_string()),
        subject_json(session.subject.as_ref()),
        Value::from(session.signed_in_at),
        Value::from(session.remember_me),
    ];
    for ((field, want), got) in expected.iter().zip(got) {
        if *want != got {
            return Err(format!("{field}: expected {want}, read {got}"));
        }
    }
    if session.key_id != "k1" {
        return Err(format!("sealed under {}, not k1", session.key_id));
    }
    Ok(())
}

fn read(files: &[String]) -> Result<bool, String> {
    let m = sessions().map_err(|e| e.to_string())?;
    check_files(files, "native reads JS sessions", |item| {
        check_session(&m, item)
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("seal") => seal().map(|()| true),
        Some("open") if args.len() > 1 => open(&args[1..]),
        Some("read") if args.len() > 1 => read(&args[1..]),
        Some("csrf") if args.len() > 1 => csrf(&args[1..]),
        _ => Err("usage: cross_runtime seal | open FILE... | read FILE... | csrf FILE...".into()),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(why) => {
            eprintln!("cross_runtime: {why}");
            ExitCode::from(2)
        }
    }
}
