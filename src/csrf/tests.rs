//! Unit tests of the cross-origin check and the CSRF tokens.

use super::origin::origin_of_url;
use super::*;
use std::time::Duration;

use crate::{Key, Keyring, Sealer, SessionId};

fn post<'a>(origin: Option<&'a str>, site: Option<&'a str>) -> OriginHeaders<'a> {
    OriginHeaders {
        method: "POST",
        host: Some("shop.example"),
        origin,
        sec_fetch_site: site,
        referer: None,
    }
}

#[test]
fn sec_fetch_site_decides_before_origin() {
    let check = CrossOrigin::for_origin("https://shop.example").unwrap();
    // A same-origin Origin does not rescue a cross-site fetch marker, and the reverse.
    assert!(
        check
            .check(&post(Some("https://shop.example"), Some("cross-site")))
            .is_err()
    );
    assert!(
        check
            .check(&post(Some("https://evil.example"), Some("same-origin")))
            .is_ok()
    );
    assert!(check.check(&post(None, Some("none"))).is_ok());
    assert!(check.check(&post(None, Some("bogus"))).is_err());
}

#[test]
fn origin_without_fetch_metadata() {
    let check = CrossOrigin::for_origin("HTTPS://Shop.Example:443/").unwrap();
    assert!(
        check
            .check(&post(Some("https://shop.example"), None))
            .is_ok()
    );
    assert!(
        check
            .check(&post(Some("http://shop.example"), None))
            .is_err()
    );
    assert!(check.check(&post(Some("null"), None)).is_err());
    assert!(
        check
            .check(&post(Some(&"x".repeat(100_000)), None))
            .is_err()
    );
    for method in ["PUT", "PATCH", "DELETE", "post", "PROPFIND"] {
        let request = OriginHeaders {
            method,
            ..post(Some("https://evil.example"), None)
        };
        assert!(check.check(&request).is_err(), "{method}");
    }
}

#[test]
fn same_host_compares_the_host_header() {
    let check = CrossOrigin::same_host();
    let request = |host, origin| OriginHeaders {
        method: "POST",
        host,
        origin: Some(origin),
        ..Default::default()
    };
    assert!(
        check
            .check(&request(Some("Shop.Example"), "https://shop.example"))
            .is_ok()
    );
    assert!(
        check
            .check(&request(Some("shop.example:443"), "https://shop.example"))
            .is_ok()
    );
    assert!(check.check(&request(None, "https://shop.example")).is_err());
    assert!(check.check(&request(Some("shop.example"), "null")).is_err());
}

#[test]
fn referer_origin_is_cut_at_path_query_or_fragment() {
    assert_eq!(
        origin_of_url("https://a.example/x"),
        Some("https://a.example")
    );
    assert_eq!(
        origin_of_url("https://a.example?x"),
        Some("https://a.example")
    );
    assert_eq!(
        origin_of_url("https://a.example"),
        Some("https://a.example")
    );
    assert_eq!(origin_of_url("/relative"), None);
    let check = CrossOrigin::for_origin("https://a.example").unwrap();
    let request = |referer| OriginHeaders {
        method: "POST",
        referer: Some(referer),
        ..Default::default()
    };
    assert!(
        check
            .check(&request("https://a.example.evil.example/"))
            .is_err()
    );
    assert!(check.check(&request("garbage")).is_err());
}

#[test]
fn tokens_survive_rotation_and_refuse_other_purposes() {
    let old = Keyring::new("k1", Key::from_bytes(&[1; 32]).unwrap()).unwrap();
    let rotated = Keyring::new("k2", Key::from_bytes(&[2; 32]).unwrap())
        .unwrap()
        .with_key("k1", Key::from_bytes(&[1; 32]).unwrap())
        .unwrap();
    let id = SessionId::generate().unwrap();
    let token = CsrfTokens::new(old, "s")
        .unwrap()
        .token_at(&id, 1_000)
        .unwrap();
    let tokens = CsrfTokens::new(rotated.clone(), "s").unwrap();
    assert!(tokens.verify_at(&token, &id, 1_000).is_ok());
    // Another cookie name's tokens, and a sealed value of another purpose, are refused.
    let other_name = CsrfTokens::new(rotated.clone(), "t").unwrap();
    assert!(other_name.verify_at(&token, &id, 1_000).is_err());
    let plain = Sealer::builder(rotated, "s").build().unwrap();
    let value = plain
        .seal_bytes_at(id.to_string().as_bytes(), 1_000)
        .unwrap();
    assert!(tokens.verify_at(&value, &id, 1_000).is_err());
}

fn ring(id: &str, byte: u8) -> Keyring {
    Keyring::new(id, Key::from_bytes(&[byte; 32]).unwrap()).unwrap()
}

/// `name=value` of a `Set-Cookie`.
fn sent_back(set_cookie: &str) -> &str {
    set_cookie.split(';').next().unwrap()
}

#[test]
fn pre_session_tokens_survive_rotation_and_refuse_other_purposes() {
    let old = PreSessionTokens::new(ring("k1", 1)).unwrap();
    let issued = old.issue_at("", 1_000).unwrap();
    let cookie = sent_back(&issued.set_cookie);
    let rotated = ring("k2", 2)
        .with_key("k1", Key::from_bytes(&[1; 32]).unwrap())
        .unwrap();
    let tokens = PreSessionTokens::new(rotated.clone()).unwrap();
    assert!(tokens.verify_at(&issued.token, cookie, 1_000).is_ok());
    // A key no longer in the ring: refused.
    let retired = PreSessionTokens::new(ring("k2", 2)).unwrap();
    assert_eq!(
        retired
            .verify_at(&issued.token, cookie, 1_000)
            .unwrap_err()
            .code(),
        "CSRF"
    );
    // A session-bound token (or any other sealed value) of the same value is not one.
    let value = cookie.split_once('=').unwrap().1;
    let plain = Sealer::builder(rotated.clone(), "__Host-csrf")
        .build()
        .unwrap();
    let sealed = plain.seal_at(&value, 1_000).unwrap();
    assert!(tokens.verify_at(&sealed, cookie, 1_000).is_err());
    // Another cookie name's tokens are refused, even for the same value.
    let renamed =
        PreSessionTokens::with_options(rotated, "__Host-other", DEFAULT_PRE_SESSION_TTL, true)
            .unwrap();
    let other_cookie = format!("__Host-other={value}");
    assert!(
        renamed
            .verify_at(&issued.token, &other_cookie, 1_000)
            .is_err()
    );
}

#[test]
fn pre_session_cookie_values_of_another_shape_count_as_none() {
    let tokens = PreSessionTokens::new(ring("k1", 1)).unwrap();
    let issued = tokens.issue_at("", 1_000).unwrap();
    let cookie = sent_back(&issued.set_cookie);
    // A planted value is not taken up: a fresh one is issued instead.
    for planted in ["__Host-csrf=short", "__Host-csrf=", &format!("{cookie}!")] {
        let again = tokens.issue_at(planted, 1_000).unwrap();
        assert_ne!(sent_back(&again.set_cookie), planted);
        assert_eq!(
            again.set_cookie.split(';').next().unwrap().len(),
            cookie.len()
        );
        let err = tokens.verify_at(&issued.token, planted, 1_000).unwrap_err();
        assert_eq!(err.code(), "CSRF", "{planted}");
    }
    // Among other cookies, and after a malformed one of the same name, it is found.
    let header = format!("a=1; __Host-csrf=x; {cookie}; b=2");
    assert!(tokens.verify_at(&issued.token, &header, 1_000).is_ok());
    // An oversized token or header is refused, not read.
    assert!(
        tokens
            .verify_at(&"A".repeat(10_000), cookie, 1_000)
            .is_err()
    );
    let huge = format!("{cookie}; {}", "x=1; ".repeat(14_000));
    assert_eq!(
        tokens
            .verify_at(&issued.token, &huge, 1_000)
            .unwrap_err()
            .code(),
        "CSRF"
    );
    // Two fresh values differ.
    let (a, b) = (
        tokens.issue_at("", 1).unwrap(),
        tokens.issue_at("", 1).unwrap(),
    );
    assert_ne!(a.set_cookie, b.set_cookie);
}

#[test]
fn pre_session_lifetimes_are_bounded() {
    for secs in [0, 86_401] {
        let err =
            PreSessionTokens::with_options(ring("k1", 1), "c", Duration::from_secs(secs), true);
        assert_eq!(err.unwrap_err().code(), "INVALID_OPTION", "{secs}");
    }
    let short =
        PreSessionTokens::with_options(ring("k1", 1), "c", Duration::from_secs(60), true).unwrap();
    let issued = short.issue_at("", 1_000).unwrap();
    assert!(issued.set_cookie.contains("; Max-Age=60;"));
    let cookie = sent_back(&issued.set_cookie);
    // The sealer's 60 s allowance for clock skew between servers comes on top.
    assert!(short.verify_at(&issued.token, cookie, 1_120).is_ok());
    let err = short.verify_at(&issued.token, cookie, 1_121).unwrap_err();
    assert_eq!(
        err.to_string(),
        "anti-forgery token expired: reload the page"
    );
    assert!(short.clear_cookie().starts_with("c=; Max-Age=0"));
}
