// Frozen vectors for the `validated_at` claim (flag 0x20, docs/FORMAT.md §3 and §14) and the
// revalidation window a store applies to it (`tests/vectors/revalidation-v1.json`). Every value
// was sealed with a fixed nonce by `generate_revalidation_vectors` below, which prints the
// committed file byte for byte; the expected results are written by hand in the generator
// from the rules, and the replay checks them against the session reader and against
// `StoredSessions` over a real `MemoryStore`. See tests/vectors/README.md.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::Arc;
use std::time::Duration;

use cookie_seal::store::{MemoryStore, SessionStore, StoredSessions};
use cookie_seal::{Sealer, SessionManager, seal_raw_claims_with_fixed_nonce_insecure};
use serde_json::{Value, json};

mod common;
use common::{json_keyring as ring, json_text as text, json_u64 as num};

const REVALIDATION_V1: &str = include_str!("vectors/revalidation-v1.json");
const T: u64 = 1_767_225_600;
const WINDOW: u64 = 30;
const NAME: &str = "__Host-session";

fn doc() -> Value {
    serde_json::from_str(REVALIDATION_V1).expect("revalidation-v1.json is JSON")
}

fn manager(config: &Value) -> SessionManager {
    let secs = |f: &str| Duration::from_secs(num(config, f));
    SessionManager::builder(ring(config), &text(config, "cookie_name"))
        .purpose(&text(config, "purpose"))
        .idle_timeout(secs("idle_timeout"))
        .absolute_lifetime(secs("absolute_lifetime"))
        .remember_me(
            secs("remember_idle_timeout"),
            secs("remember_absolute_lifetime"),
        )
        .leeway(secs("leeway"))
        .max_chunks(num(config, "max_chunks") as usize)
        .renew_when_remaining(config["renew_when_remaining"].as_f64().unwrap())
        .build()
        .unwrap()
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

fn cookie_of(set_cookie: &[String]) -> String {
    set_cookie
        .iter()
        .filter(|h| !h.contains("Max-Age=0;"))
        .map(|h| h.split(';').next().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn revalidation_vectors_give_the_frozen_results() {
    let doc = doc();
    let config = &doc["config"];
    let m = manager(config);
    let window = Duration::from_secs(num(config, "revalidation_window"));
    let mut checked = 0;
    for case in doc["cases"].as_array().unwrap() {
        let header = text(case, "cookie_header");
        let what = text(case, "description");
        for check in case["checks"].as_array().unwrap() {
            let now = num(check, "now");
            let result = text(check, "result");
            let read = m.read_bytes_at(&header, now);
            // Every store answer: a clean store, and one that revoked the session.
            let clean = StoredSessions::new(m.clone(), Arc::new(MemoryStore::new()))
                .revalidation_window(window);
            let stored = block_on(clean.read_bytes_at(&header, now));
            if result != "ok" {
                assert_eq!(read.unwrap_err().code(), result, "{what} at {now}");
                assert_eq!(
                    stored.unwrap_err().code(),
                    result,
                    "{what} at {now} (store)"
                );
                checked += 1;
                continue;
            }
            let s = read
                .unwrap_or_else(|e| panic!("{what} at {now}: {e:?}"))
                .unwrap();
            let want = &case["session"];
            assert_eq!(s.validated_at, want["validated_at"].as_u64(), "{what}");
            assert_eq!(s.data, text(want, "payload").as_bytes(), "{what}");
            assert_eq!(s.id.to_string(), text(want, "session_id"), "{what}");
            assert_eq!(s.issued_at, num(want, "issued_at"), "{what}");
            assert_eq!(s.signed_in_at, num(want, "signed_in_at"), "{what}");
            let reseal = s.reseal.map(|r| r.as_str());
            assert_eq!(reseal, check["reseal"].as_str(), "{what} at {now}");

            let store = text(check, "store");
            let revoked_store = Arc::new(MemoryStore::new());
            block_on(revoked_store.revoke(&s.id, None, T + 10 * 86_400_000, now)).unwrap();
            let revoked =
                StoredSessions::new(m.clone(), revoked_store.clone()).revalidation_window(window);
            let looked_up = block_on(revoked.read_bytes_at(&header, now));
            let every_time = StoredSessions::new(m.clone(), revoked_store);
            assert_eq!(
                block_on(every_time.read_bytes_at(&header, now))
                    .unwrap_err()
                    .code(),
                "REVOKED",
                "{what}: a zero window always asks"
            );
            let stored = stored.unwrap().unwrap();
            match store.as_str() {
                "trusted" => {
                    // No lookup: the revocation is not seen, and nothing changes.
                    let t = looked_up.unwrap().unwrap();
                    assert_eq!((t.id, t.validated_at), (s.id, s.validated_at), "{what}");
                    assert_eq!(stored.reseal, s.reseal, "{what} at {now}");
                    assert_eq!(stored.validated_at, s.validated_at, "{what}");
                    // A write that did not look up carries the claim unchanged.
                    let again =
                        m.read_bytes_at(&cookie_of(&m.set_cookies_bytes_at(&s, now).unwrap()), now);
                    assert_eq!(
                        again.unwrap().unwrap().validated_at,
                        s.validated_at,
                        "{what}"
                    );
                }
                "lookup" => {
                    assert_eq!(looked_up.unwrap_err().code(), "REVOKED", "{what} at {now}");
                    assert_eq!(stored.validated_at, Some(now), "{what} at {now}");
                    let reason = s.reseal.map_or("revalidation", |r| r.as_str());
                    assert_eq!(stored.reseal.map(|r| r.as_str()), Some(reason), "{what}");
                    // The re-seal records the lookup: trusted for one window from now.
                    let header = cookie_of(&m.set_cookies_bytes_at(&stored, now).unwrap());
                    let after = block_on(clean.read_bytes_at(&header, now))
                        .unwrap()
                        .unwrap();
                    assert_eq!(after.validated_at, Some(now), "{what}");
                    // The re-sealed cookie, once the session is revoked: stale for one window.
                    let revoked_store = Arc::new(MemoryStore::new());
                    block_on(revoked_store.revoke(&s.id, None, T + 10 * 86_400_000, now)).unwrap();
                    let revoked =
                        StoredSessions::new(m.clone(), revoked_store).revalidation_window(window);
                    let last = now + WINDOW - 1;
                    assert!(
                        block_on(revoked.read_bytes_at(&header, last)).is_ok(),
                        "{what}"
                    );
                    let err = block_on(revoked.read_bytes_at(&header, now + WINDOW)).unwrap_err();
                    assert_eq!(
                        err.code(),
                        "REVOKED",
                        "{what}: stale for at most one window"
                    );
                }
                other => panic!("store {other}"),
            }
            checked += 1;
        }
    }
    assert!(checked >= 26, "only {checked} checks");
}

/// A plain sealer opens a session value carrying the claim (it ignores session claims), and
/// the claim costs exactly 8 bytes of plaintext.
#[test]
fn the_claim_costs_eight_bytes_and_plain_readers_open_it() {
    let doc = doc();
    let config = &doc["config"];
    let sealer = Sealer::builder(ring(config), NAME).build().unwrap();
    for case in doc["cases"].as_array().unwrap() {
        let plain = hex::decode(text(case, "plaintext_hex")).unwrap();
        if case["session"].is_object() {
            assert!(
                plain[0] & 0x20 == 0 || plain[0] & 0x06 == 0x06,
                "only a session carries it"
            );
            let header = text(case, "cookie_header");
            if let Some(value) = header.strip_prefix(&format!("{NAME}=")) {
                let opened = sealer.open_bytes_at(value, num(&case["session"], "issued_at"));
                let payload = text(&case["session"], "payload");
                assert_eq!(opened.unwrap().data, payload.as_bytes());
            }
        }
    }
    let m = manager(config);
    let mut s = m.sign_in(b"{}".to_vec(), Default::default(), T).unwrap();
    let short = m.set_cookies_bytes_at(&s, T).unwrap()[0]
        .split(';')
        .next()
        .unwrap()
        .len();
    s.validated_at = Some(T);
    let long = m.set_cookies_bytes_at(&s, T).unwrap()[0]
        .split(';')
        .next()
        .unwrap()
        .len();
    // 8 bytes of base64url: 10 or 11 characters.
    assert!((10..=11).contains(&(long - short)), "{short} -> {long}");
    // The writer's bound is the reader's: no later than the issue time plus the leeway.
    s.validated_at = Some(T + 60);
    assert!(m.set_cookies_bytes_at(&s, T).is_ok());
    s.validated_at = Some(T + 61);
    assert_eq!(
        m.set_cookies_bytes_at(&s, T).unwrap_err().code(),
        "INVALID_OPTION"
    );
}

// ---- the generator ------------------------------------------------------------------------

struct Plain {
    flags: u8,
    issued_at: u64,
    expires_at: u64,
    sid: u8,
    signed_in_at: u64,
    subject: Option<(&'static str, u64)>,
    validated_at: u64,
    payload: String,
    /// Bytes cut off the end of the claims (a writer that stopped early), 0 normally.
    cut: usize,
}

impl Plain {
    fn session(sid: u8, issued_at: u64, validated_at: u64) -> Plain {
        Plain {
            flags: 0x26,
            issued_at,
            expires_at: issued_at + 3_600,
            sid,
            signed_in_at: T,
            subject: None,
            validated_at,
            payload: r#"{"uid":42}"#.into(),
            cut: 0,
        }
    }

    fn bytes(&self) -> Vec<u8> {
        let mut out = vec![self.flags];
        out.extend_from_slice(&self.issued_at.to_be_bytes());
        out.extend_from_slice(&self.expires_at.to_be_bytes());
        if self.flags & 0x02 != 0 {
            out.extend_from_slice(&[self.sid; 16]);
        }
        if self.flags & 0x04 != 0 {
            out.extend_from_slice(&self.signed_in_at.to_be_bytes());
        }
        if let (Some((id, generation)), true) = (self.subject, self.flags & 0x10 != 0) {
            out.extend_from_slice(&generation.to_be_bytes());
            out.push(id.len() as u8);
            out.extend_from_slice(id.as_bytes());
        }
        if self.flags & 0x20 != 0 {
            out.extend_from_slice(&self.validated_at.to_be_bytes());
        }
        if self.cut > 0 {
            out.truncate(out.len() - self.cut);
            return out;
        }
        out.extend_from_slice(self.payload.as_bytes());
        out
    }
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn ok(now: u64, reseal: Option<&str>, store: &str) -> Value {
    json!({ "now": now, "result": "ok", "reseal": reseal, "store": store })
}

fn fails(now: u64, code: &str) -> Value {
    json!({ "now": now, "result": code })
}

fn generate() -> String {
    let config = json!({
        "keyring": [
            { "key_id": "k2", "key": "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8" },
            { "key_id": "k1", "key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8" },
        ],
        "cookie_name": NAME,
        "purpose": "session",
        "idle_timeout": 3_600,
        "absolute_lifetime": 28_800,
        "remember_idle_timeout": 604_800,
        "remember_absolute_lifetime": 2_592_000,
        "leeway": 60,
        "max_chunks": 3,
        "renew_when_remaining": 0.25,
        "revalidation_window": WINDOW,
    });
    let sealer = Sealer::builder(ring(&config), NAME).build().unwrap();
    let cart: String = (0..140)
        .map(|i| format!(r#"{{"sku":"SKU-{i:05}","qty":{}}}"#, i % 7 + 1))
        .collect::<Vec<_>>()
        .join(",");
    let cart = format!(r#"{{"cart":[{cart}]}}"#);
    let mut cases: Vec<(&str, &str, Plain, u8, Vec<Value>)> = vec![
        (
            "validated-at-issue",
            "validated_at = issued_at = T: trusted by a 30 s window through T + 29, looked up from T + 30 (the window is half-open); renewal and expiry as without the claim",
            Plain::session(0x11, T, T),
            0,
            vec![
                fails(T - 61, "NOT_YET_VALID"),
                ok(T, None, "trusted"),
                ok(T + 29, None, "trusted"),
                ok(T + 30, None, "lookup"),
                ok(T + 2_701, Some("renewal"), "lookup"),
                fails(T + 3_661, "EXPIRED"),
            ],
        ),
        (
            "validated-before-issue",
            "re-sealed at T + 1000 by a write that did not look up, carrying validated_at = T + 990: the window runs from the validation, not the seal",
            Plain {
                expires_at: T + 4_600,
                ..Plain::session(0x12, T + 1_000, T + 990)
            },
            0,
            vec![
                ok(T + 1_000, None, "trusted"),
                ok(T + 1_019, None, "trusted"),
                ok(T + 1_020, None, "lookup"),
            ],
        ),
        (
            "validated-at-bound",
            "validated_at = issued_at + leeway (T + 60), the latest a reader accepts: opens, trusted through T + 89",
            Plain::session(0x13, T, T + 60),
            0,
            vec![
                ok(T, None, "trusted"),
                ok(T + 89, None, "trusted"),
                ok(T + 90, None, "lookup"),
            ],
        ),
        (
            "validated-past-bound",
            "validated_at = issued_at + leeway + 1: MALFORMED at any time (a validation from the future would stretch the window)",
            Plain::session(0x14, T, T + 61),
            0,
            vec![fails(T, "MALFORMED"), fails(T + 100, "MALFORMED")],
        ),
        (
            "validated-max",
            "validated_at = 2^64 - 1: MALFORMED, the bound saturates nowhere",
            Plain::session(0x15, T, u64::MAX),
            0,
            vec![fails(T, "MALFORMED")],
        ),
        (
            "validated-zero",
            "validated_at = 0: opens, always looked up",
            Plain::session(0x16, T, 0),
            0,
            vec![ok(T, None, "lookup")],
        ),
        (
            "no-validation",
            "flags 0x06, no validated_at (a cookie written before the claim, or with no window): opens, always looked up",
            Plain {
                flags: 0x06,
                ..Plain::session(0x17, T, 0)
            },
            0,
            vec![ok(T, None, "lookup"), ok(T + 10, None, "lookup")],
        ),
        (
            "after-subject",
            "flags 0x3e: remember-me, subject ada@example.com generation 7, then validated_at = T: the claim comes after the subject",
            Plain {
                flags: 0x3e,
                expires_at: T + 604_800,
                subject: Some(("ada@example.com", 7)),
                ..Plain::session(0x18, T, T)
            },
            0,
            vec![ok(T + 29, None, "trusted"), ok(T + 30, None, "lookup")],
        ),
        (
            "chunked",
            "a 2-chunk session carrying validated_at = T",
            Plain {
                payload: cart,
                ..Plain::session(0x19, T, T)
            },
            2,
            vec![ok(T + 29, None, "trusted"), ok(T + 30, None, "lookup")],
        ),
        (
            "lone-flag-with-session-id",
            "flags 0x22: validated_at beside a session id but no sign-in time is no known claim set: UNSUPPORTED_VERSION",
            Plain {
                flags: 0x22,
                ..Plain::session(0x1a, T, T)
            },
            0,
            vec![fails(T, "UNSUPPORTED_VERSION")],
        ),
        (
            "lone-flag-with-signed-in-at",
            "flags 0x24: validated_at beside a sign-in time but no session id: UNSUPPORTED_VERSION",
            Plain {
                flags: 0x24,
                ..Plain::session(0x1b, T, T)
            },
            0,
            vec![fails(T, "UNSUPPORTED_VERSION")],
        ),
        (
            "flag-0x40-still-unassigned",
            "flags 0x66: a valid session with the claim and the unassigned 0x40: UNSUPPORTED_VERSION",
            Plain {
                flags: 0x66,
                ..Plain::session(0x1c, T, T)
            },
            0,
            vec![fails(T, "UNSUPPORTED_VERSION")],
        ),
        (
            "validated-at-truncated",
            "flags 0x26 with the plaintext ending 3 bytes into validated_at: MALFORMED",
            Plain {
                cut: 3,
                ..Plain::session(0x1d, T, T)
            },
            0,
            vec![fails(T, "MALFORMED")],
        ),
    ];
    let mut out = Vec::new();
    for (i, (rule, description, plain, count, checks)) in cases.drain(..).enumerate() {
        let plaintext = plain.bytes();
        let nonce = [0x40 + i as u8; 24];
        let value =
            seal_raw_claims_with_fixed_nonce_insecure(&sealer, &plaintext, count, nonce).unwrap();
        let cookie_header = if count == 0 {
            format!("{NAME}={value}")
        } else {
            let half = value.len() / 2;
            format!("{NAME}.0=2.{}; {NAME}.1={}", &value[..half], &value[half..])
        };
        let opens = checks.iter().any(|c| c["result"] == "ok");
        let session = if opens {
            json!({
                "payload": plain.payload,
                "session_id": b64(&[plain.sid; 16]),
                "signed_in_at": plain.signed_in_at,
                "issued_at": plain.issued_at,
                "expires_at": plain.expires_at,
                "validated_at": (plain.flags & 0x20 != 0).then_some(plain.validated_at),
            })
        } else {
            Value::Null
        };
        out.push(json!({
            "rule": rule,
            "description": description,
            "plaintext_hex": hex::encode(&plaintext),
            "nonce": hex::encode(nonce),
            "chunk_count": count,
            "cookie_header": cookie_header,
            "session": session,
            "checks": checks,
        }));
    }
    let doc = json!({
        "description": "cookie-seal revalidation vectors (format v1): session values carrying the validated_at claim (flag 0x20, only beside 0x02 and 0x04), the exact result a session reader gives at each time, and whether a store with the recorded revalidation window trusts the cookie without a lookup (store: trusted) or must look it up (store: lookup). Frozen.",
        "config": config,
        "cases": out,
    });
    serde_json::to_string_pretty(&doc).unwrap() + "\n"
}

#[test]
fn the_generator_prints_the_committed_file() {
    assert!(
        generate() == REVALIDATION_V1,
        "revalidation-v1.json differs from the generator"
    );
}

#[test]
#[ignore = "prints tests/vectors/revalidation-v1.json"]
fn generate_revalidation_vectors() {
    print!("{}", generate());
}
