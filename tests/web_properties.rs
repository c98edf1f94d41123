//! Property tests of the framework-free web defences: whatever a request carries, the
//! cross-origin check and the CSRF token check answer (never panic), safe methods always
//! pass, and no token opens for a session it was not made for.

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::ring;
use cookie_seal::{CrossOrigin, CsrfTokens, OriginHeaders, SessionId};
use proptest::prelude::*;

/// Header text as a client may send it: visible ASCII, often URL-shaped.
fn header() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        "[ -~]{0,80}",
        "(https?://)?[a-z0-9.:-]{0,40}(/[ -~]{0,20})?",
        Just("null".to_owned()),
        Just("same-origin".to_owned()),
        Just("cross-site".to_owned()),
    ])
}

proptest! {
    #[test]
    fn the_cross_origin_check_always_answers(
        method in prop_oneof![Just("GET".to_owned()), Just("HEAD".to_owned()), Just("OPTIONS".to_owned()), Just("POST".to_owned()), "[A-Za-z]{0,8}"],
        host in header(), origin in header(), site in header(), referer in header(),
    ) {
        let request = OriginHeaders {
            method: &method,
            host: host.as_deref(),
            origin: origin.as_deref(),
            sec_fetch_site: site.as_deref(),
            referer: referer.as_deref(),
        };
        for check in [CrossOrigin::same_host(), CrossOrigin::for_origin("https://shop.example").unwrap()] {
            let verdict = check.check(&request);
            if ["GET", "HEAD", "OPTIONS"].contains(&method.as_str()) {
                prop_assert!(verdict.is_ok());
            }
            if let Err(err) = verdict {
                prop_assert_eq!(err.code(), "CROSS_ORIGIN");
            }
            // A browser's cross-site marker is never let through for an untrusted origin.
            if site.as_deref() == Some("cross-site") && !["GET", "HEAD", "OPTIONS"].contains(&method.as_str()) {
                prop_assert!(check.check(&request).is_err());
            }
        }
    }

    #[test]
    fn arbitrary_tokens_never_verify(token in "[ -~]{0,600}") {
        let tokens = CsrfTokens::new(ring("k1", 7), "s").unwrap();
        let id = SessionId::generate().unwrap();
        let err = tokens.verify_at(&token, &id, common::T0).unwrap_err();
        prop_assert_eq!(err.code(), "CSRF");
    }

    #[test]
    fn a_token_verifies_for_its_session_only(id in any::<[u8; 16]>(), bit in 0..128usize) {
        let tokens = CsrfTokens::new(ring("k1", 7), "s").unwrap();
        // The other session's id differs from this one in a single bit.
        let mut other = id;
        other[bit / 8] ^= 1 << (bit % 8);
        let [mine, theirs] = [id, other].map(|bytes| URL_SAFE_NO_PAD.encode(bytes).parse::<SessionId>().unwrap());
        let token = tokens.token_at(&mine, common::T0).unwrap();
        prop_assert!(tokens.verify_at(&token, &mine, common::T0).is_ok());
        prop_assert!(tokens.verify_at(&token, &theirs, common::T0).is_err());
    }
}
