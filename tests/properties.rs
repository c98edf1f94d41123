//! Property tests: every payload that fits round-trips, and no single-byte change opens.

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use common::{T0, raw_len, sealer, tamper};
use proptest::prelude::*;

/// Arbitrary UTF-8 up to `capacity()` bytes, biased to both short and near-full payloads.
fn payload() -> impl Strategy<Value = String> {
    let cap = sealer().capacity();
    prop_oneof![
        prop::collection::vec(any::<char>(), 0..64),
        prop::collection::vec(any::<char>(), 0..cap),
        prop::collection::vec(prop::char::range('\0', '\x7f'), cap - 8..=cap),
    ]
    .prop_map(move |chars| {
        let mut s = String::new();
        for c in chars {
            if s.len() + c.len_utf8() > cap {
                break;
            }
            s.push(c);
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn open_of_seal_is_identity(text in payload(), now in 0u64..=u64::MAX - 7 * 86_400) {
        let sealer = sealer();
        let value = sealer.seal_bytes_at(text.as_bytes(), now).unwrap();
        prop_assert!("session=".len() + value.len() <= 4096);
        let opened = sealer.open_bytes_at(&value, now).unwrap();
        prop_assert_eq!(opened.data, text.as_bytes());
        prop_assert_eq!(opened.issued_at, now);
    }

    #[test]
    fn typed_round_trip(uid in any::<u64>(), name in ".{0,40}", tags in prop::collection::vec(".{0,8}", 0..8)) {
        let sealer = sealer();
        let data = (uid, name, tags);
        let value = sealer.seal_at(&data, T0).unwrap();
        prop_assert_eq!(sealer.open_at::<(u64, String, Vec<String>)>(&value, T0).unwrap().data, data);
    }

    #[test]
    fn any_single_byte_change_fails(text in payload(), at in any::<prop::sample::Index>(), delta in 1u8..=255) {
        let sealer = sealer();
        let value = sealer.seal_bytes_at(text.as_bytes(), T0).unwrap();
        let index = at.index(raw_len(&value));
        let forged = tamper(&value, |raw| raw[index] = raw[index].wrapping_add(delta));
        prop_assert!(sealer.open_bytes_at(&forged, T0).is_err());
    }

    #[test]
    fn arbitrary_strings_never_open_or_panic(value in ".{0,200}") {
        prop_assert!(sealer().open_bytes_at(&value, T0).is_err());
    }
}
