#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use common::{json_text, json_u64};

// Frozen known-answer vectors of wire format v1 (`tests/vectors/seal-v1.json`).
//
// The JSON is compiled in with `include_str!` rather than read from disk, so the same tests
// run natively and compiled to wasm32 in a browser. The file is frozen: once released, every
// later version must seal each vector's inputs to exactly its `value`, and open that `value`
// to exactly its claims. Nothing here writes to it; see tests/vectors/README.md.

use std::time::Duration;

use cookie_seal::defaults::DEFAULT_LEEWAY;
use cookie_seal::{Key, Keyring, Sealer};
use serde_json::Value;

const SEAL_V1: &str = include_str!("vectors/seal-v1.json");
const OPEN_V1: &str = include_str!("vectors/open-v1.json");

/// One vector, read from the JSON with every field required (a missing field is a test bug).
struct Vector {
    description: String,
    key: String,
    key_id: String,
    /// `(key_id, key)` of the keyring's primary, when the vector's key is not the primary.
    primary: Option<(String, String)>,
    cookie_name: String,
    purpose: String,
    ttl: u64,
    now: u64,
    payload: String,
    nonce: [u8; 24],
    value: String,
    issued_at: u64,
    expires_at: u64,
    needs_reseal: bool,
}

fn vectors() -> Vec<Vector> {
    let doc: Value = serde_json::from_str(SEAL_V1).expect("seal-v1.json is JSON");
    let list = doc["vectors"].as_array().expect("a vectors array");
    assert!(list.len() >= 7, "vectors went missing");
    list.iter()
        .map(|v| {
            let nonce: [u8; 24] = hex::decode(json_text(v, "nonce"))
                .expect("nonce is hex")
                .try_into()
                .expect("nonce is 24 bytes");
            let primary = match &v["primary"] {
                Value::Null => None,
                p => Some((json_text(p, "key_id"), json_text(p, "key"))),
            };
            Vector {
                description: json_text(v, "description"),
                key: json_text(v, "key"),
                key_id: json_text(v, "key_id"),
                primary,
                cookie_name: json_text(v, "cookie_name"),
                purpose: json_text(v, "purpose"),
                ttl: json_u64(v, "ttl"),
                now: json_u64(v, "now"),
                payload: json_text(v, "payload"),
                nonce,
                value: json_text(v, "value"),
                issued_at: json_u64(v, "issued_at"),
                expires_at: json_u64(v, "expires_at"),
                needs_reseal: v["needs_reseal"].as_bool().expect("needs_reseal is a bool"),
            }
        })
        .collect()
}

fn key(base64url: &str) -> Key {
    Key::from_base64url(base64url).expect("vector key is 32 bytes of base64url")
}

impl Vector {
    /// The keyring that sealed: the vector's key is its primary.
    fn sealing_ring(&self) -> Keyring {
        Keyring::new(&self.key_id, key(&self.key)).unwrap()
    }

    /// The keyring that opens: the vector's primary first if it has one, then the vector's key.
    fn opening_ring(&self) -> Keyring {
        match &self.primary {
            None => self.sealing_ring(),
            Some((id, primary)) => Keyring::new(id, key(primary))
                .unwrap()
                .with_key(&self.key_id, key(&self.key))
                .unwrap(),
        }
    }

    fn sealer(&self, ring: Keyring, name: &str, purpose: &str) -> Sealer {
        Sealer::builder(ring, name)
            .purpose(purpose)
            .ttl(Duration::from_secs(self.ttl))
            .build()
            .unwrap_or_else(|err| panic!("{}: {err}", self.description))
    }

    /// A cookie name and a purpose that differ from the vector's.
    fn other_name(&self) -> &'static str {
        if self.cookie_name == "__Host-other" {
            "__Host-another"
        } else {
            "__Host-other"
        }
    }

    fn other_purpose(&self) -> &'static str {
        if self.purpose == "session" {
            "magic-link"
        } else {
            "session"
        }
    }
}

#[test]
fn the_file_covers_what_it_promises() {
    let all = vectors();
    let payload_lens: Vec<usize> = all.iter().map(|v| v.payload.len()).collect();
    for len in [62, 600, 2800, 2] {
        assert!(
            payload_lens.contains(&len),
            "no vector with a {len}-byte payload"
        );
    }
    assert!(all.iter().any(|v| v.needs_reseal && v.primary.is_some()));
    assert!(all.iter().any(|v| v.purpose != "session"));
    assert!(all.iter().any(|v| !v.payload.is_ascii()));
    assert!(
        all.iter()
            .any(|v| v.key_id.len() == cookie_seal::format::KEY_ID_MAX_LEN)
    );
    for v in &all {
        assert_eq!(v.primary.is_some(), v.needs_reseal, "{}", v.description);
        assert!(
            v.cookie_name.len() + 1 + v.value.len() <= 4096,
            "{}",
            v.description
        );
    }
}

#[test]
fn seals_to_the_frozen_value() {
    for v in vectors() {
        let sealer = v.sealer(v.sealing_ring(), &v.cookie_name, &v.purpose);
        let value = sealer
            .seal_bytes_with_fixed_nonce_at_insecure(v.payload.as_bytes(), v.now, v.nonce)
            .unwrap_or_else(|err| panic!("{}: {err}", v.description));
        assert_eq!(value, v.value, "{}", v.description);
        assert_eq!(
            value.len(),
            cookie_seal::format::sealed_len(v.key_id.len(), v.payload.len()),
            "{}",
            v.description
        );
    }
}

#[test]
fn opens_to_the_frozen_claims() {
    for v in vectors() {
        let sealer = v.sealer(v.opening_ring(), &v.cookie_name, &v.purpose);
        let opened = sealer
            .open_bytes_at(&v.value, v.now)
            .unwrap_or_else(|err| panic!("{}: {err}", v.description));
        assert_eq!(opened.data, v.payload.as_bytes(), "{}", v.description);
        assert_eq!(opened.issued_at, v.issued_at, "{}", v.description);
        assert_eq!(opened.expires_at, v.expires_at, "{}", v.description);
        assert_eq!(opened.key_id, v.key_id, "{}", v.description);
        assert_eq!(opened.needs_reseal, v.needs_reseal, "{}", v.description);
        // Every payload is JSON, so the typed path opens it too.
        let typed = sealer.open_at::<Value>(&v.value, v.now).unwrap();
        assert_eq!(
            typed.data,
            serde_json::from_str::<Value>(&v.payload).unwrap()
        );
    }
}

#[test]
fn time_rules_hold_at_the_edges() {
    let leeway = DEFAULT_LEEWAY.as_secs();
    for v in vectors() {
        let sealer = v.sealer(v.opening_ring(), &v.cookie_name, &v.purpose);
        let code = |now: u64| sealer.open_bytes_at(&v.value, now).err().map(|e| e.code());
        assert_eq!(code(v.expires_at + leeway), None, "{}", v.description);
        assert_eq!(
            code(v.expires_at + leeway + 1),
            Some("EXPIRED"),
            "{}",
            v.description
        );
        assert_eq!(code(v.issued_at - leeway), None, "{}", v.description);
        assert_eq!(
            code(v.issued_at - leeway - 1),
            Some("NOT_YET_VALID"),
            "{}",
            v.description
        );
    }
}

#[test]
fn another_name_purpose_or_key_gives_bad_seal() {
    for v in vectors() {
        let name = v.sealer(v.opening_ring(), v.other_name(), &v.purpose);
        let purpose = v.sealer(v.opening_ring(), &v.cookie_name, v.other_purpose());
        for sealer in [name, purpose] {
            let err = sealer.open_bytes_at(&v.value, v.now).unwrap_err();
            assert_eq!(err.code(), "BAD_SEAL", "{}", v.description);
        }
        // The same key id naming a different key: authentication fails, no fallback.
        let wrong_key = Keyring::new(&v.key_id, Key::from_bytes(&[0x5a; 32]).unwrap()).unwrap();
        let err = v
            .sealer(wrong_key, &v.cookie_name, &v.purpose)
            .open_bytes_at(&v.value, v.now)
            .unwrap_err();
        assert_eq!(err.code(), "BAD_SEAL", "{}", v.description);
        // A keyring without the key id: never a trial of the keys it does hold.
        let without = Keyring::new("absent", key(&v.key)).unwrap();
        let err = v
            .sealer(without, &v.cookie_name, &v.purpose)
            .open_bytes_at(&v.value, v.now)
            .unwrap_err();
        assert_eq!(err.code(), "UNKNOWN_KEY", "{}", v.description);
    }
}

#[test]
fn only_the_canonical_encoding_opens() {
    for v in vectors() {
        let sealer = v.sealer(v.opening_ring(), &v.cookie_name, &v.purpose);
        let code = |value: &str| sealer.open_bytes_at(value, v.now).err().map(|e| e.code());
        let mut variants = vec![
            format!("{}=", v.value),
            format!(" {}", v.value),
            format!("{}\n", v.value),
            v.value.replacen('-', "+", 1),
            v.value.replacen('_', "/", 1),
        ];
        // The last character carries 4 or 2 unused bits when the raw length is not a
        // multiple of 3; they must be zero, so setting the lowest of them must be refused.
        let unused_bits = match v.value.len() % 4 {
            2 => 4,
            3 => 2,
            _ => 0,
        };
        if unused_bits > 0 {
            let (head, last) = v.value.split_at(v.value.len() - 1);
            variants.push(format!("{head}{}", next_in_group(last, 1 << unused_bits)));
        }
        for variant in variants.iter().filter(|x| **x != v.value) {
            assert_eq!(
                code(variant),
                Some("MALFORMED"),
                "{}: {variant:?}",
                v.description
            );
        }
    }
}

/// The base64url character after `c` within its group of `size` characters that share the
/// same high bits, i.e. `c` with its unused low bits no longer zero.
fn next_in_group(c: &str, size: usize) -> char {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let i = ALPHABET.iter().position(|&a| a == c.as_bytes()[0]).unwrap();
    assert_eq!(
        i % size,
        0,
        "a canonical last character has zero unused bits"
    );
    ALPHABET[i + 1] as char
}

/// `open-v1.json`: values the v1 sealer cannot write (claims flags, extreme times) and broken
/// values, each with the result a reader must give at given times.
#[test]
fn open_vectors_give_the_frozen_results() {
    let doc: Value = serde_json::from_str(OPEN_V1).expect("open-v1.json is JSON");
    let keys = doc["keyring"].as_array().expect("a keyring array");
    let mut ring = Keyring::new(
        &json_text(&keys[0], "key_id"),
        key(&json_text(&keys[0], "key")),
    )
    .unwrap();
    for k in &keys[1..] {
        ring = ring
            .with_key(&json_text(k, "key_id"), key(&json_text(k, "key")))
            .unwrap();
    }
    let sealer = Sealer::builder(ring, &json_text(&doc, "cookie_name"))
        .purpose(&json_text(&doc, "purpose"))
        .leeway(Duration::from_secs(json_u64(&doc, "leeway")))
        .max_len(json_u64(&doc, "max_len") as usize)
        .build()
        .unwrap();
    let cases = doc["cases"].as_array().expect("a cases array");
    assert!(cases.len() >= 25, "cases went missing");
    let mut checked = 0;
    for case in cases {
        let description = json_text(case, "description");
        let value = json_text(case, "value");
        for check in case["checks"].as_array().expect("a checks array") {
            let now = json_u64(check, "now");
            let expected = json_text(check, "result");
            match sealer.open_bytes_at(&value, now) {
                Ok(opened) => {
                    assert_eq!(expected, "ok", "{description} at {now}");
                    assert_eq!(
                        opened.data,
                        json_text(case, "payload").as_bytes(),
                        "{description}"
                    );
                    assert_eq!(
                        opened.issued_at,
                        json_u64(case, "issued_at"),
                        "{description}"
                    );
                    assert_eq!(
                        opened.expires_at,
                        json_u64(case, "expires_at"),
                        "{description}"
                    );
                }
                Err(err) => assert_eq!(err.code(), expected, "{description} at {now}: {err}"),
            }
            checked += 1;
        }
    }
    assert!(checked >= cases.len());
}

/// Prints seal-v1.json recomputed from the inputs in the file (key, key id, primary, name,
/// purpose, ttl, now, payload, nonce). It was run once, with `value` and the claims left
/// blank, to fill them in; the output was then committed by hand. Running it again must print
/// the committed file unchanged. It never writes the file.
///
/// `cargo test --test vectors -- --ignored --nocapture regenerate_vectors`
#[test]
#[ignore = "prints the vector file; only for making a new, separate vector file"]
#[cfg(not(target_arch = "wasm32"))]
fn regenerate_vectors() {
    let doc: Value = serde_json::from_str(SEAL_V1).unwrap();
    let s = |v: &str| serde_json::to_string(v).unwrap();
    let mut out = String::from("{\n");
    out += &format!(
        "  \"description\": {},\n  \"vectors\": [\n",
        s(&json_text(&doc, "description"))
    );
    let all = vectors();
    for (i, v) in all.iter().enumerate() {
        let sealer = v.sealer(v.sealing_ring(), &v.cookie_name, &v.purpose);
        let value = sealer
            .seal_bytes_with_fixed_nonce_at_insecure(v.payload.as_bytes(), v.now, v.nonce)
            .unwrap();
        let opened = v
            .sealer(v.opening_ring(), &v.cookie_name, &v.purpose)
            .open_bytes_at(&value, v.now)
            .unwrap();
        let primary = match &v.primary {
            None => "null".to_owned(),
            Some((id, k)) => format!(
                "{{\n        \"key_id\": {},\n        \"key\": {}\n      }}",
                s(id),
                s(k)
            ),
        };
        let fields = [
            ("description", s(&v.description)),
            ("key", s(&v.key)),
            ("key_id", s(&v.key_id)),
            ("primary", primary),
            ("cookie_name", s(&v.cookie_name)),
            ("purpose", s(&v.purpose)),
            ("ttl", v.ttl.to_string()),
            ("now", v.now.to_string()),
            ("payload", s(&v.payload)),
            ("nonce", s(&hex::encode(v.nonce))),
            ("value", s(&value)),
            ("issued_at", opened.issued_at.to_string()),
            ("expires_at", opened.expires_at.to_string()),
            ("needs_reseal", opened.needs_reseal.to_string()),
        ];
        out += "    {\n";
        for (j, (field, json)) in fields.iter().enumerate() {
            let comma = if j + 1 < fields.len() { "," } else { "" };
            out += &format!("      \"{field}\": {json}{comma}\n");
        }
        out += if i + 1 < all.len() {
            "    },\n"
        } else {
            "    }\n"
        };
    }
    out += "  ]\n}\n";
    print!("{out}");
}
