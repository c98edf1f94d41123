//! Unit tests of the cross-origin check and the CSRF tokens.

use super::origin::origin_of_url;
use super::*;
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
