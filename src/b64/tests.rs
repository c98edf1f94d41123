//! The hand-written codec against RFC 4648's test vectors and, by property, against the
//! `base64` crate's strict unpadded URL-safe engine: the same text for every byte string,
//! and the same answer (the same bytes, or a refusal) for every text.

// In wasm these run under wasm-bindgen-test (scripts/test-js.sh), which sees only its own
// attribute.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;

use super::{decode, encode};

/// RFC 4648 section 10, without the padding.
const RFC_4648: [(&str, &str); 7] = [
    ("", ""),
    ("f", "Zg"),
    ("fo", "Zm8"),
    ("foo", "Zm9v"),
    ("foob", "Zm9vYg"),
    ("fooba", "Zm9vYmE"),
    ("foobar", "Zm9vYmFy"),
];

#[test]
fn rfc_4648_vectors() {
    for (bytes, text) in RFC_4648 {
        assert_eq!(encode(bytes.as_bytes()), text);
        assert_eq!(decode(text).as_deref(), Some(bytes.as_bytes()));
    }
}

#[test]
fn the_url_safe_digits_and_not_the_standard_ones() {
    assert_eq!(encode(&[0xfb, 0xff]), "-_8");
    assert_eq!(decode("-_8"), Some(vec![0xfb, 0xff]));
    assert_eq!(decode("+/8"), None);
}

#[test]
fn only_the_canonical_text_is_accepted() {
    // Padding, a lone digit past a group, spare bits set, bytes outside the alphabet.
    for text in [
        "Zg==", "Zm8=", "Zg=", "=", "Z", "Zm9vY", "Zh", "Zm9", "Zm9vYmF", "Zm 9v", "Zm9v\n",
        "Zm9v.", "Zé", "\0\0\0\0",
    ] {
        assert_eq!(decode(text), None, "{text:?}");
        assert!(URL_SAFE_NO_PAD.decode(text).is_err(), "{text:?}");
    }
}

/// Texts that are mostly digits, with a few of the bytes a strict decoder must refuse.
fn near_base64url() -> impl Strategy<Value = String> {
    let digit = prop_oneof![
        20 => prop::sample::select(super::ALPHABET.to_vec()).prop_map(char::from),
        1 => prop::sample::select(vec!['=', '+', '/', ' ', '\n', '.', '\0', '\u{80}', 'é']),
    ];
    prop::collection::vec(digit, 0..48).prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn encodes_as_the_base64_crate(bytes in prop::collection::vec(any::<u8>(), 0..100)) {
        let text = encode(&bytes);
        prop_assert_eq!(&text, &URL_SAFE_NO_PAD.encode(&bytes));
        prop_assert_eq!(decode(&text), Some(bytes));
    }

    #[test]
    fn decodes_as_the_base64_crate(text in near_base64url()) {
        prop_assert_eq!(decode(&text), URL_SAFE_NO_PAD.decode(&text).ok());
    }

    // Every last digit after a valid text: only the one with zero spare bits is accepted.
    #[test]
    fn refuses_spare_bits_as_the_base64_crate(
        bytes in prop::collection::vec(any::<u8>(), 1..40),
        last in prop::sample::select(super::ALPHABET.to_vec()),
    ) {
        let mut text = encode(&bytes);
        text.pop();
        text.push(char::from(last));
        prop_assert_eq!(decode(&text), URL_SAFE_NO_PAD.decode(&text).ok());
    }
}
