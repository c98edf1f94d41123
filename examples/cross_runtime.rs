//! The native side of the cross-runtime proof (scripts/test-js.sh): values sealed here must
//! open in every JavaScript runtime, and values sealed there must open here, byte for byte.
//!
//! Both sides use the same sealer: key id `k1` with 32 bytes of 0x01, cookie `session`,
//! default purpose and ttl, sealed at `T0` (the JS suite's constants).
//!
//! ```text
//! cross_runtime seal              prints {"sealed":[{name,payload,value}],"notJson":value}
//! cross_runtime open FILE...      opens each [{name,payload,value}] file at T0 + 1, checks
//!                                 the payload bytes, prints "N passed, N failed"
//! ```

use std::process::ExitCode;

use cookie_seal::{Key, Keyring, Sealer};
use serde_json::{Value, json};

const T0: u64 = 1_700_000_000;

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
    println!("{}", json!({ "sealed": sealed, "notJson": not_json }));
    Ok(())
}

fn open(files: &[String]) -> Result<bool, String> {
    let sealer = sealer().map_err(|e| e.to_string())?;
    let (mut passed, mut failed) = (0, 0);
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
        let items: Vec<Value> = serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
        if items.is_empty() {
            println!("FAIL {file}: no values");
            failed += 1;
        }
        for item in items {
            let name = item["name"].as_str().unwrap_or("?");
            let (Some(payload), Some(value)) = (item["payload"].as_str(), item["value"].as_str())
            else {
                println!("FAIL {file} {name}: entry lacks payload or value");
                failed += 1;
                continue;
            };
            match sealer.open_bytes_at(value, T0 + 1) {
                Ok(opened)
                    if opened.data == payload.as_bytes()
                        && opened.issued_at == T0
                        && opened.key_id == "k1" =>
                {
                    println!("ok   {file} {name}");
                    passed += 1;
                }
                Ok(opened) => {
                    println!(
                        "FAIL {file} {name}: opened {:?} issued {} under {}, expected {payload:?}",
                        String::from_utf8_lossy(&opened.data),
                        opened.issued_at,
                        opened.key_id
                    );
                    failed += 1;
                }
                Err(err) => {
                    println!("FAIL {file} {name}: {} ({err})", err.code());
                    failed += 1;
                }
            }
        }
    }
    println!("cross-runtime (native opens JS): {passed} passed, {failed} failed");
    Ok(failed == 0)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("seal") => seal().map(|()| true),
        Some("open") if args.len() > 1 => open(&args[1..]),
        _ => Err("usage: cross_runtime seal | cross_runtime open FILE...".into()),
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
