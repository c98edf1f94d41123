//! Key hygiene: no key material in Debug or error output; canonical parsing only.

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use cookie_seal::{Key, Keyring, Sealer};

const SECRET: [u8; 32] = [0xa7; 32];

/// Renderings of SECRET that must never appear anywhere.
fn leaks(text: &str) -> bool {
    let b64 = Key::from_bytes(&SECRET).unwrap().to_base64url();
    text.contains("167") || text.to_lowercase().contains("a7a7") || text.contains(&b64[..8])
}

#[test]
fn debug_does_not_leak_key() {
    let key = Key::from_bytes(&SECRET).unwrap();
    assert_eq!(format!("{key:?}"), "Key(***)");
    assert!(!leaks(&format!("{key:#?}")));

    let ring = Keyring::new("k1", key.clone())
        .unwrap()
        .with_key("k0", key)
        .unwrap();
    let shown = format!("{ring:?} {ring:#?}");
    assert!(
        shown.contains("k1") && shown.contains("k0"),
        "ids are public: {shown}"
    );
    assert!(!leaks(&shown), "{shown}");

    let sealer = Sealer::builder(ring, "session").build().unwrap();
    let shown = format!("{sealer:?}");
    assert!(!leaks(&shown), "{shown}");
}

#[test]
fn errors_do_not_echo_key_material() {
    let b64 = Key::from_bytes(&SECRET).unwrap().to_base64url();
    let cases = [
        b64.clone(),                  // no id
        format!("{b64}:k1"),          // swapped
        format!("k1:{b64}x"),         // one character too many
        format!("k1:{}", &b64[..42]), // one too few
        format!("k1:{b64},k1:{b64}"), // duplicate id
        format!("k 1:{b64}"),         // bad id
        format!("k1:{b64}="),         // padded
    ];
    for text in cases {
        let err = Keyring::parse(&text).unwrap_err();
        assert_eq!(err.code(), "INVALID_KEY", "{text}");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(&b64[..8]), "{shown}");
    }
}

#[test]
fn equality_is_by_value() {
    assert_eq!(
        Key::from_bytes(&SECRET).unwrap(),
        Key::from_bytes(&SECRET).unwrap()
    );
    let mut other = SECRET;
    other[31] ^= 1;
    assert_ne!(
        Key::from_bytes(&SECRET).unwrap(),
        Key::from_bytes(&other).unwrap()
    );
}

#[test]
fn generated_keys_are_distinct_and_round_trip() {
    let a = Key::generate().unwrap();
    let b = Key::generate().unwrap();
    assert_ne!(a, b);
    let text = a.to_base64url();
    assert_eq!(text.len(), 43);
    assert_eq!(Key::from_base64url(&text).unwrap(), a);
}

#[test]
fn key_text_must_be_canonical() {
    let text = Key::from_bytes(&SECRET).unwrap().to_base64url();
    let last = text.chars().last().unwrap();
    // 43 characters hold 258 bits; the last character's 2 low bits must be zero.
    let bumped = char::from_u32(last as u32 + 1).unwrap();
    for bad in [
        format!("{text}="),
        format!(" {text}"),
        text.replace('-', "+").replace('_', "/") + if text.contains(['-', '_']) { "" } else { "!" },
        format!("{}{bumped}", &text[..42]),
        "A".repeat(10_000),
    ] {
        assert_eq!(
            Key::from_base64url(&bad).unwrap_err().code(),
            "INVALID_KEY",
            "{bad:.50}"
        );
    }
}

#[test]
fn keyring_parse_rules() {
    let k = |b: u8| Key::from_bytes(&[b; 32]).unwrap().to_base64url();
    let ring = Keyring::parse(&format!(" k2:{} ,\n k1:{}\n", k(2), k(1))).unwrap();
    assert_eq!(ring.primary_id(), "k2");
    assert_eq!(ring.ids().collect::<Vec<_>>(), ["k2", "k1"]);

    let sixteen = "abcdefghijklmnop";
    assert!(Keyring::parse(&format!("{sixteen}:{}", k(1))).is_ok());
    for bad in [
        String::new(),
        ",".into(),
        format!("k1:{},", k(1)),
        format!("{sixteen}q:{}", k(1)),
        format!(":{}", k(1)),
        format!("k.1:{}", k(1)),
        format!("kö:{}", k(1)),
    ] {
        assert_eq!(
            Keyring::parse(&bad).unwrap_err().code(),
            "INVALID_KEY",
            "{bad:?}"
        );
    }
    let too_many: Vec<String> = (0..=cookie_seal::limits::MAX_KEYS)
        .map(|i| format!("k{i}:{}", k(1)))
        .collect();
    assert_eq!(
        Keyring::parse(&too_many.join(",")).unwrap_err().code(),
        "INVALID_KEY"
    );
}
