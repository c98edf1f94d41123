//! Every way a value can be altered, moved, aged or inflated, each with the error it must give.

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use std::time::Duration;

use common::{T0, assert_fails, key, raw_len, ring, sealer, tamper};
use cookie_seal::format::sealed_len;
use cookie_seal::{Error, Keyring, Sealer};

const PAYLOAD: &[u8] = br#"{"uid":42,"role":"admin"}"#;

fn sealed() -> String {
    sealer().seal_bytes_at(PAYLOAD, T0).unwrap()
}

#[test]
fn untouched_value_opens() {
    let opened = sealer().open_bytes_at(&sealed(), T0).unwrap();
    assert_eq!(opened.data, PAYLOAD);
}

#[test]
fn every_single_bit_flip_fails() {
    let value = sealed();
    let sealer = sealer();
    // version | kid_len | "k1" | nonce | ciphertext | tag
    let body_start = 2 + 2;
    for byte in 0..raw_len(&value) {
        for bit in 0..8 {
            let forged = tamper(&value, |raw| raw[byte] ^= 1 << bit);
            let case = format!("bit {bit} of byte {byte}");
            let result = sealer.open_bytes_at(&forged, T0);
            match byte {
                0 => assert_fails(result, &["UNSUPPORTED_VERSION"], &case),
                // A different length or id reads a different (or no) key id.
                1..4 => assert_fails(result, &["MALFORMED", "UNKNOWN_KEY"], &case),
                _ => {
                    assert!(byte >= body_start);
                    assert_fails(result, &["BAD_SEAL"], &case);
                }
            }
        }
    }
}

#[test]
fn every_truncation_fails() {
    let value = sealed();
    let sealer = sealer();
    for len in 0..raw_len(&value) {
        let forged = tamper(&value, |raw| raw.truncate(len));
        assert_fails(
            sealer.open_bytes_at(&forged, T0),
            &["MALFORMED", "BAD_SEAL"],
            &format!("{len} bytes"),
        );
    }
    for len in 0..value.len() {
        let result = sealer.open_bytes_at(&value[..len], T0);
        assert_fails(
            result,
            &["MALFORMED", "BAD_SEAL"],
            &format!("{len} characters"),
        );
    }
}

#[test]
fn appended_bytes_fail() {
    let value = sealed();
    let sealer = sealer();
    for extra in [&[0u8][..], &[0, 0, 0], &[0xff; 16]] {
        let forged = tamper(&value, |raw| raw.extend_from_slice(extra));
        assert_fails(
            sealer.open_bytes_at(&forged, T0),
            &["BAD_SEAL"],
            &format!("+{extra:?}"),
        );
    }
    // Appended characters break the base64 before anything else.
    for extra in ["x", "A", "AA", "AAAA"] {
        let forged = format!("{value}{extra}");
        assert_fails(
            sealer.open_bytes_at(&forged, T0),
            &["MALFORMED", "BAD_SEAL"],
            extra,
        );
    }
}

#[test]
fn another_cookie_name_or_purpose_fails() {
    let value = sealed();
    let other_name = Sealer::builder(ring("k1", 1), "session2").build().unwrap();
    let other_purpose = Sealer::builder(ring("k1", 1), "session")
        .purpose("magic-link")
        .build()
        .unwrap();
    let case_changed = Sealer::builder(ring("k1", 1), "Session").build().unwrap();
    for (sealer, case) in [
        (other_name, "name"),
        (other_purpose, "purpose"),
        (case_changed, "case"),
    ] {
        assert_eq!(
            sealer.open_bytes_at(&value, T0).unwrap_err(),
            Error::BadSeal,
            "{case}"
        );
    }
}

#[test]
fn unknown_and_retired_keys_fail() {
    let value = sealed();
    let unknown = Sealer::builder(ring("k9", 1), "session").build().unwrap();
    assert_eq!(
        unknown.open_bytes_at(&value, T0).unwrap_err(),
        Error::UnknownKey("k1".into())
    );

    // k1 rotated out: the new ring only knows k2.
    let retired = Sealer::builder(ring("k2", 2), "session").build().unwrap();
    assert_eq!(
        retired.open_bytes_at(&value, T0).unwrap_err().code(),
        "UNKNOWN_KEY"
    );
}

#[test]
fn key_is_looked_up_by_id_never_tried() {
    // The ring holds the right key bytes, but under another id: no trial decryption.
    let value = sealed();
    let ring = Keyring::new("k1", key(2))
        .unwrap()
        .with_key("k2", key(1))
        .unwrap();
    let sealer = Sealer::builder(ring, "session").build().unwrap();
    assert_eq!(
        sealer.open_bytes_at(&value, T0).unwrap_err(),
        Error::BadSeal
    );
}

#[test]
fn rotation_keeps_old_values_opening_and_asks_for_reseal() {
    let value = sealed();
    let rotated = Keyring::new("k2", key(2))
        .unwrap()
        .with_key("k1", key(1))
        .unwrap();
    let sealer = Sealer::builder(rotated, "session").build().unwrap();
    let opened = sealer.open_bytes_at(&value, T0).unwrap();
    assert!(opened.needs_reseal);
    assert_eq!(opened.key_id, "k1");
    let resealed = sealer.seal_bytes_at(&opened.data, T0).unwrap();
    let reopened = sealer.open_bytes_at(&resealed, T0).unwrap();
    assert!(!reopened.needs_reseal);
    assert_eq!(reopened.key_id, "k2");
}

#[test]
fn expiry_at_the_leeway_boundary() {
    let ttl = 3_600;
    let sealer = Sealer::builder(ring("k1", 1), "session")
        .ttl(Duration::from_secs(ttl))
        .leeway(Duration::from_secs(60))
        .build()
        .unwrap();
    let value = sealer.seal_bytes_at(PAYLOAD, T0).unwrap();
    let last_good = T0 + ttl + 60;
    assert!(sealer.open_bytes_at(&value, last_good).is_ok());
    assert_eq!(
        sealer.open_bytes_at(&value, last_good + 1).unwrap_err(),
        Error::Expired {
            expires_at: T0 + ttl
        }
    );
}

#[test]
fn not_yet_valid_at_the_leeway_boundary() {
    let value = sealed();
    let sealer = sealer();
    let first_good = T0 - 60;
    assert!(sealer.open_bytes_at(&value, first_good).is_ok());
    assert_eq!(
        sealer.open_bytes_at(&value, first_good - 1).unwrap_err(),
        Error::NotYetValid { valid_from: T0 }
    );
}

#[test]
fn zero_leeway_is_exact() {
    let sealer = Sealer::builder(ring("k1", 1), "session")
        .ttl(Duration::from_secs(10))
        .leeway(Duration::ZERO)
        .build()
        .unwrap();
    let value = sealer.seal_bytes_at(PAYLOAD, T0).unwrap();
    assert!(sealer.open_bytes_at(&value, T0).is_ok());
    assert!(sealer.open_bytes_at(&value, T0 + 10).is_ok());
    assert_eq!(
        sealer.open_bytes_at(&value, T0 + 11).unwrap_err().code(),
        "EXPIRED"
    );
    assert_eq!(
        sealer.open_bytes_at(&value, T0 - 1).unwrap_err().code(),
        "NOT_YET_VALID"
    );
}

#[test]
fn extreme_times_neither_panic_nor_wrap() {
    let sealer = sealer();
    let ttl = 7 * 86_400;
    // expires_at = u64::MAX: never expires, and the leeway addition must not wrap.
    let forever = sealer.seal_bytes_at(PAYLOAD, u64::MAX - ttl).unwrap();
    let opened = sealer.open_bytes_at(&forever, u64::MAX).unwrap();
    assert_eq!(opened.expires_at, u64::MAX);
    assert_eq!(
        sealer.open_bytes_at(&forever, 0).unwrap_err().code(),
        "NOT_YET_VALID"
    );

    // Sealing where now + ttl overflows is refused, not wrapped to the past.
    assert_eq!(
        sealer
            .seal_bytes_at(PAYLOAD, u64::MAX - ttl + 1)
            .unwrap_err()
            .code(),
        "INVALID_OPTION"
    );
    assert_eq!(
        sealer.seal_bytes_at(PAYLOAD, u64::MAX).unwrap_err().code(),
        "INVALID_OPTION"
    );

    let value = sealed();
    assert_eq!(
        sealer.open_bytes_at(&value, u64::MAX).unwrap_err().code(),
        "EXPIRED"
    );
    assert_eq!(
        sealer.open_bytes_at(&value, 0).unwrap_err().code(),
        "NOT_YET_VALID"
    );

    // Epoch zero with the maximum leeway.
    let s = Sealer::builder(ring("k1", 1), "session")
        .leeway(cookie_seal::limits::MAX_LEEWAY)
        .build()
        .unwrap();
    let at_zero = s.seal_bytes_at(PAYLOAD, 0).unwrap();
    assert!(s.open_bytes_at(&at_zero, 0).is_ok());
}

#[test]
fn size_exactly_at_max_len_and_one_over() {
    let name = "session";
    let payload_len = 100;
    let exact = name.len() + 1 + sealed_len(2, payload_len);
    let sealer = Sealer::builder(ring("k1", 1), name)
        .max_len(exact)
        .build()
        .unwrap();
    assert_eq!(sealer.capacity(), payload_len);

    let value = sealer.seal_bytes_at(&[b'a'; 100], T0).unwrap();
    assert_eq!(name.len() + 1 + value.len(), exact);
    assert_eq!(
        sealer.open_bytes_at(&value, T0).unwrap().data.len(),
        payload_len
    );

    let err = sealer.seal_bytes_at(&[b'a'; 101], T0).unwrap_err();
    assert_eq!(
        err,
        Error::TooLarge {
            actual: name.len() + 1 + sealed_len(2, 101),
            limit: exact
        }
    );

    // Opening: a value one character over the budget is refused before decoding.
    let longer = format!("{value}A");
    assert_eq!(
        sealer.open_bytes_at(&longer, T0).unwrap_err(),
        Error::TooLarge {
            actual: exact + 1,
            limit: exact
        }
    );
}

#[test]
fn default_budget_is_the_browser_limit() {
    let sealer = sealer();
    let cap = sealer.capacity();
    let value = sealer.seal_bytes_at(&vec![b'x'; cap], T0).unwrap();
    assert!("session=".len() + value.len() <= 4096);
    assert!("session=".len() + sealed_len(2, cap + 1) > 4096);
    let err = sealer.seal_bytes_at(&vec![b'x'; cap + 1], T0).unwrap_err();
    assert!(matches!(err, Error::TooLarge { limit: 4096, actual } if actual > 4096));
}

#[test]
fn megabyte_inputs_are_refused_by_length() {
    let sealer = sealer();
    let huge = "A".repeat(1 << 20);
    assert_eq!(
        sealer.open_bytes_at(&huge, T0).unwrap_err(),
        Error::TooLarge {
            actual: "session=".len() + (1 << 20),
            limit: 4096
        }
    );
    let err = sealer.seal_bytes_at(&vec![b'x'; 1 << 20], T0).unwrap_err();
    assert!(matches!(err, Error::TooLarge { limit: 4096, .. }));
}

#[test]
fn empty_and_non_base64url_values_are_malformed() {
    let sealer = sealer();
    // A value with a - or _ in it, so the standard-alphabet case differs (random nonces
    // leave one out about once in 200 values).
    let value = std::iter::repeat_with(sealed)
        .find(|v| v.contains(['-', '_']))
        .unwrap();
    let standard_alphabet = value.replace('-', "+").replace('_', "/");
    let cases = [
        ("empty", String::new()),
        ("padding", format!("{value}==")),
        ("one pad", format!("{}=", &value[..value.len() - 1])),
        ("leading space", format!(" {value}")),
        ("trailing newline", format!("{value}\n")),
        ("inner space", format!("{} {}", &value[..10], &value[10..])),
        ("standard alphabet", standard_alphabet),
        ("quoted", format!("\"{value}\"")),
        ("percent-encoded", value.replacen(&value[..1], "%41", 1)),
        ("non-ASCII", format!("{}é", &value[..value.len() - 2])),
        ("NUL", format!("{}\0", &value[..value.len() - 1])),
    ];
    for (case, forged) in cases {
        assert_fails(sealer.open_bytes_at(&forged, T0), &["MALFORMED"], case);
    }
}

#[test]
fn non_zero_trailing_bits_are_malformed() {
    // 64 raw bytes encode to 86 characters, whose last one carries 4 unused bits.
    let sealer = sealer();
    let value = sealer.seal_bytes_at(br#""a""#, T0).unwrap();
    assert_eq!(value.len() % 4, 2, "2 spare characters carry 4 unused bits");
    let last = value.as_bytes()[value.len() - 1];
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let index = ALPHABET.iter().position(|&c| c == last).unwrap();
    assert_eq!(index & 0x0f, 0);
    let forged = format!(
        "{}{}",
        &value[..value.len() - 1],
        ALPHABET[index | 1] as char
    );
    assert_fails(
        sealer.open_bytes_at(&forged, T0),
        &["MALFORMED"],
        "trailing bits",
    );
}

#[test]
fn future_format_versions_are_reported_as_such() {
    let value = sealed();
    for version in [0u8, 2, 0xff] {
        let forged = tamper(&value, |raw| raw[0] = version);
        assert_eq!(
            sealer().open_bytes_at(&forged, T0).unwrap_err(),
            Error::UnsupportedVersion(version)
        );
    }
}

#[test]
fn typed_open_reports_payload_errors_after_authentication() {
    let sealer = sealer();
    let value = sealer.seal_bytes_at(b"not json", T0).unwrap();
    assert_eq!(
        sealer
            .open_at::<serde_json::Value>(&value, T0)
            .unwrap_err()
            .code(),
        "PAYLOAD"
    );
    // The same value, tampered, fails authentication first.
    let forged = tamper(&value, |raw| *raw.last_mut().unwrap() ^= 1);
    assert_eq!(
        sealer
            .open_at::<serde_json::Value>(&forged, T0)
            .unwrap_err(),
        Error::BadSeal
    );
}

#[test]
fn bad_seal_error_says_nothing() {
    let forged = tamper(&sealed(), |raw| raw[10] ^= 1);
    let err = sealer().open_bytes_at(&forged, T0).unwrap_err();
    assert_eq!(err.to_string(), "cookie failed authentication");
    assert_eq!(format!("{err:?}"), "BadSeal");
}
