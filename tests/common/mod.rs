//! Helpers shared by the integration tests: fixed keys, a standard sealer, and the one
//! tamper helper every test that alters a sealed value goes through.

#![allow(dead_code)] // each test binary uses its own subset

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cookie_seal::{Error, Key, Keyring, Sealer};

/// A fixed seal time, so boundaries are exact.
pub const T0: u64 = 1_700_000_000;

pub fn key(byte: u8) -> Key {
    Key::from_bytes(&[byte; 32]).unwrap()
}

pub fn ring(id: &str, byte: u8) -> Keyring {
    Keyring::new(id, key(byte)).unwrap()
}

/// The sealer most tests use: key "k1", cookie "session", defaults otherwise.
pub fn sealer() -> Sealer {
    Sealer::builder(ring("k1", 1), "session").build().unwrap()
}

/// Decodes a sealed value, lets `change` alter the raw bytes, and encodes it again.
/// Every test that forges a value goes through here, so all forge the same way.
pub fn tamper(value: &str, change: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut raw = URL_SAFE_NO_PAD
        .decode(value)
        .expect("tamper() takes a sealed value");
    change(&mut raw);
    URL_SAFE_NO_PAD.encode(raw)
}

/// The decoded length of a sealed value.
pub fn raw_len(value: &str) -> usize {
    URL_SAFE_NO_PAD.decode(value).unwrap().len()
}

/// Asserts that `result` failed with one of `codes`, naming `case` if not.
#[track_caller]
pub fn assert_fails<T: std::fmt::Debug>(result: Result<T, Error>, codes: &[&str], case: &str) {
    match result {
        Ok(v) => panic!("{case}: opened, expected one of {codes:?}: {v:?}"),
        Err(e) => assert!(
            codes.contains(&e.code()),
            "{case}: got {e:?}, expected one of {codes:?}"
        ),
    }
}

/// A string field of a vector file's JSON object.
pub fn json_text(v: &serde_json::Value, field: &str) -> String {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} is not a string in {v}"))
        .to_owned()
}

/// An unsigned integer field of a vector file's JSON object.
pub fn json_u64(v: &serde_json::Value, field: &str) -> u64 {
    v[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{field} is not a u64 in {v}"))
}

/// The keyring of a vector file's `keyring` array (`key_id`, base64url `key`), first entry
/// primary.
pub fn json_keyring(v: &serde_json::Value) -> Keyring {
    let keys = v["keyring"].as_array().expect("a keyring");
    let key = |k: &serde_json::Value| Key::from_base64url(&json_text(k, "key")).expect("a key");
    let mut ring = Keyring::new(&json_text(&keys[0], "key_id"), key(&keys[0])).unwrap();
    for k in &keys[1..] {
        ring = ring.with_key(&json_text(k, "key_id"), key(k)).unwrap();
    }
    ring
}

/// The `Cookie` request header a browser sends back for these `Set-Cookie` values
/// (deletions dropped).
pub fn cookie_header(set_cookies: &[String]) -> String {
    set_cookies
        .iter()
        .filter(|h| !h.contains("Max-Age=0"))
        .map(|h| h.split(';').next().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("; ")
}

// The web integrations' tests only: tokio's sockets are native, and Sessions exists with
// a framework feature alone.
#[cfg(all(any(feature = "axum", feature = "actix"), not(target_arch = "wasm32")))]
pub mod web;
