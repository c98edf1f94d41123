//! The write path agrees with the read path: it trusts no sign-in time from the future, and
//! a session that reads as valid can be written (tests/vectors/defects-v1.json for the reader).

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use std::time::Duration;

use common::{T0, cookie_header, json_text, ring};
use cookie_seal::{Key, Keyring, ResealReason, SessionManager, SignIn};
use serde_json::{Value, json};

const NAME: &str = "__Host-s";

/// Idle 1000 s, absolute 3000 s, leeway 10 s (the configuration of defects-v1.json).
fn manager(keyring: Keyring) -> SessionManager {
    SessionManager::builder(keyring, NAME)
        .idle_timeout(Duration::from_secs(1_000))
        .absolute_lifetime(Duration::from_secs(3_000))
        .leeway(Duration::from_secs(10))
        .build()
        .unwrap()
}

#[test]
fn a_sign_in_time_later_than_now_plus_leeway_is_not_written() {
    let m = manager(ring("k1", 1));
    let mut s = m.sign_in(json!(1), SignIn::default(), T0).unwrap();
    // Within the leeway: another machine's clock, a little ahead. Written, and it reads back.
    s.signed_in_at = T0 + 10;
    let header = cookie_header(&m.set_cookies_at(&s, T0).unwrap());
    let read = m.read_at::<Value>(&header, T0).unwrap().unwrap();
    assert_eq!(
        (read.signed_in_at, read.absolute_expires_at),
        (T0 + 10, T0 + 3_010)
    );
    // One second more, or a year (which moved the absolute deadline a year forward), is not.
    for ahead in [11, 365 * 86_400] {
        s.signed_in_at = T0 + ahead;
        let err = m.set_cookies_at(&s, T0).unwrap_err();
        assert_eq!(err.code(), "INVALID_OPTION", "{ahead} s ahead");
        assert!(err.to_string().contains("sign-in time"), "{err}");
    }
}

#[test]
fn values_signed_in_after_they_were_issued_are_refused() {
    let file: Value = serde_json::from_str(include_str!("vectors/defects-v1.json")).unwrap();
    let config = &file["config"];
    let entry = &config["keyring"][0];
    let key = Key::from_base64url(&json_text(entry, "key")).unwrap();
    let m = manager(Keyring::new(&json_text(entry, "key_id"), key).unwrap());
    assert_eq!(json_text(config, "cookie_name"), NAME);
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 4);
    for case in cases {
        let header = json_text(case, "cookie_header");
        for check in case["checks"].as_array().unwrap() {
            let now = check["now"].as_u64().unwrap();
            let what = format!("{} at {now}", json_text(case, "description"));
            match (
                m.read_at::<Value>(&header, now),
                json_text(check, "result").as_str(),
            ) {
                (Ok(Some(s)), "ok") => {
                    assert_eq!(
                        s.signed_in_at,
                        case["signed_in_at"].as_u64().unwrap(),
                        "{what}"
                    );
                    assert_eq!(s.issued_at, case["issued_at"].as_u64().unwrap(), "{what}");
                }
                (Err(err), code) => assert_eq!(err.code(), code, "{what}: {err}"),
                (other, expected) => panic!("{what}: got {other:?}, expected {expected}"),
            }
        }
    }
}

#[test]
fn a_session_that_reads_can_be_written_and_one_that_does_not_cannot() {
    let m = manager(ring("k1", 1));
    let session = m.sign_in(json!({"n": 1}), SignIn::default(), T0).unwrap();
    // Written near the end: its idle deadline is the absolute one, T0 + 3000.
    let late = cookie_header(&m.set_cookies_at(&session, T0 + 2_500).unwrap());
    // The keys rotate: every read now asks for a re-seal, up to the absolute deadline + leeway.
    let rotated = manager(ring("k2", 2).with_key("k1", common::key(1)).unwrap());
    for now in [T0 + 3_000, T0 + 3_001, T0 + 3_010] {
        let read = rotated.read_at::<Value>(&late, now).unwrap().unwrap();
        assert_eq!(read.reseal, Some(ResealReason::KeyRotation), "at {now}");
        let written = rotated
            .set_cookies_at(&read, now)
            .unwrap_or_else(|err| panic!("read at {now} but not written: {err}"));
        // What was written reads as what was read, for what is left of the leeway.
        let again = rotated
            .read_at::<Value>(&cookie_header(&written), now)
            .unwrap()
            .unwrap();
        assert_eq!(
            (again.id, again.data, again.reseal),
            (read.id, json!({"n": 1}), None)
        );
        assert_eq!(
            again.expires_at,
            T0 + 3_000,
            "never past the absolute deadline"
        );
    }
    // One second later both say it is over.
    assert_eq!(
        rotated
            .read_at::<Value>(&late, T0 + 3_011)
            .unwrap_err()
            .code(),
        "EXPIRED"
    );
    let read = rotated
        .read_at::<Value>(&late, T0 + 3_010)
        .unwrap()
        .unwrap();
    assert_eq!(
        rotated
            .set_cookies_at(&read, T0 + 3_011)
            .unwrap_err()
            .code(),
        "EXPIRED"
    );
}
