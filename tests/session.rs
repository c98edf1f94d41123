//! The session lifecycle: headers, hostile Cookie headers, chunking and its attacks,
//! sliding and absolute expiry at their exact boundaries, remember-me, revocation.

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{T0, cookie_header, ring};
use cookie_seal::{
    Error, Keyring, MemoryRevocation, ResealReason, SameSite, Sealer, Session, SessionManager,
    SessionManagerBuilder, SignIn, Subject,
};
use serde_json::{Value, json};

const NAME: &str = "__Host-s";

fn builder() -> SessionManagerBuilder {
    SessionManager::builder(ring("k1", 1), NAME)
}

fn manager() -> SessionManager {
    builder().build().unwrap()
}

/// The Set-Cookie values that write a cookie (deletions dropped).
fn written(set_cookies: &[String]) -> Vec<&String> {
    set_cookies
        .iter()
        .filter(|h| !h.contains("Max-Age=0"))
        .collect()
}

fn signed_in(
    m: &SessionManager,
    data: Value,
    options: SignIn,
    now: u64,
) -> (Session<Value>, String) {
    let session = m.sign_in(data, options, now).unwrap();
    let header = cookie_header(&m.set_cookies_at(&session, now).unwrap());
    (session, header)
}

fn read(m: &SessionManager, header: &str, now: u64) -> Result<Session<Value>, Error> {
    m.read_at::<Value>(header, now)
        .map(|s| s.expect("a session cookie is present"))
}

// ---- Set-Cookie formatting -------------------------------------------------------------

#[test]
fn set_cookie_has_secure_defaults() {
    let m = manager();
    let session = m.sign_in(json!({"uid": 1}), SignIn::default(), T0).unwrap();
    let headers = m.set_cookies_at(&session, T0).unwrap();
    assert_eq!(headers.len(), 1);
    let h = &headers[0];
    assert!(h.starts_with("__Host-s="));
    assert!(
        h.ends_with("; Path=/; Secure; HttpOnly; SameSite=Lax"),
        "{h}"
    );
    assert!(
        !h.contains("Max-Age"),
        "an ordinary session is a browser-session cookie: {h}"
    );
    assert!(!h.contains("Domain"));
}

#[test]
fn attribute_options_are_written() {
    let m = SessionManager::builder(ring("k1", 1), "__Secure-s")
        .domain("example.com")
        .path("/app")
        .same_site(SameSite::Strict)
        .build()
        .unwrap();
    let s = m
        .sign_in(json!(1), SignIn::default().remember_me(true), T0)
        .unwrap();
    let h = &m.set_cookies_at(&s, T0).unwrap()[0];
    assert!(
        h.ends_with(
            "; Max-Age=1209600; Domain=example.com; Path=/app; Secure; HttpOnly; SameSite=Strict"
        ),
        "{h}"
    );
}

#[test]
fn refused_attribute_combinations() {
    let cases: Vec<(&str, SessionManagerBuilder)> = vec![
        ("__Host- with Domain", builder().domain("example.com")),
        ("__Host- with Path", builder().path("/app")),
        (
            "__Host- without Secure",
            builder().insecure_dev_mode_for_localhost(),
        ),
        (
            "__Secure- without Secure",
            SessionManager::builder(ring("k1", 1), "__Secure-s").insecure_dev_mode_for_localhost(),
        ),
        (
            "SameSite=None without Secure",
            SessionManager::builder(ring("k1", 1), "s")
                .same_site(SameSite::None)
                .insecure_dev_mode_for_localhost(),
        ),
        (
            "separator in name",
            SessionManager::builder(ring("k1", 1), "a;b"),
        ),
        (
            "space in name",
            SessionManager::builder(ring("k1", 1), "a b"),
        ),
        ("empty name", SessionManager::builder(ring("k1", 1), "")),
        (
            "bad domain",
            SessionManager::builder(ring("k1", 1), "s").domain("exa mple.com"),
        ),
        (
            "leading-dot domain",
            SessionManager::builder(ring("k1", 1), "s").domain(".example.com"),
        ),
        (
            "relative path",
            SessionManager::builder(ring("k1", 1), "s").path("app"),
        ),
        (
            "path with ;",
            SessionManager::builder(ring("k1", 1), "s").path("/a;b"),
        ),
        ("zero chunks", builder().max_chunks(0)),
        ("eleven chunks", builder().max_chunks(11)),
        (
            "absolute < idle",
            builder()
                .idle_timeout(Duration::from_secs(100))
                .absolute_lifetime(Duration::from_secs(99)),
        ),
        ("zero idle", builder().idle_timeout(Duration::ZERO)),
        ("renew fraction 0", builder().renew_when_remaining(0.0)),
        (
            "renew fraction NaN",
            builder().renew_when_remaining(f64::NAN),
        ),
        ("long leeway", builder().leeway(Duration::from_secs(7_200))),
        (
            "name too long",
            SessionManager::builder(ring("k1", 1), &"n".repeat(4_000)),
        ),
    ];
    for (case, b) in cases {
        assert_eq!(b.build().unwrap_err().code(), "INVALID_OPTION", "{case}");
    }
    // SameSite=None is fine with Secure.
    assert!(builder().same_site(SameSite::None).build().is_ok());
}

#[test]
fn dev_mode_drops_secure_only_when_asked() {
    let m = SessionManager::builder(ring("k1", 1), "dev-session")
        .insecure_dev_mode_for_localhost()
        .build()
        .unwrap();
    let s = m.sign_in(json!(1), SignIn::default(), T0).unwrap();
    let h = &m.set_cookies_at(&s, T0).unwrap()[0];
    assert!(!h.contains("Secure"), "{h}");
    let normal = SessionManager::builder(ring("k1", 1), "dev-session")
        .build()
        .unwrap();
    let s = normal.sign_in(json!(1), SignIn::default(), T0).unwrap();
    assert!(normal.set_cookies_at(&s, T0).unwrap()[0].contains("; Secure"));
}

#[test]
fn max_age_is_capped_at_400_days() {
    let year = Duration::from_secs(500 * 86_400);
    let m = builder().remember_me(year, year).build().unwrap();
    let s = m
        .sign_in(json!(1), SignIn::default().remember_me(true), T0)
        .unwrap();
    let h = &m.set_cookies_at(&s, T0).unwrap()[0];
    assert!(h.contains(&format!("Max-Age={};", 400 * 86_400)), "{h}");
}

#[test]
fn clear_cookies_covers_every_chunk() {
    let m = builder().max_chunks(4).build().unwrap();
    let names: Vec<String> = m
        .clear_cookies()
        .iter()
        .map(|h| h.split('=').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "__Host-s",
            "__Host-s.0",
            "__Host-s.1",
            "__Host-s.2",
            "__Host-s.3"
        ]
    );
    assert!(
        m.clear_cookies()
            .iter()
            .all(|h| h.contains("=; Max-Age=0; Path=/; Secure"))
    );
}

// ---- hostile Cookie headers --------------------------------------------------------------

#[test]
fn hostile_headers_are_bounded_and_typed() {
    let m = manager();
    let (_, good) = signed_in(&m, json!({"uid": 7}), SignIn::default(), T0);
    for header in [
        "", ";;;", "; ; ;", "noequals", "=", "=value", "a", "\u{0}", "__Host-s",
    ] {
        assert!(
            m.read_at::<Value>(header, T0).unwrap().is_none(),
            "{header:?}"
        );
    }
    // 100,000 pairs: over the header length bound, refused without scanning.
    let many = "a=b; ".repeat(100_000);
    assert_eq!(
        m.read_at::<Value>(&many, T0).unwrap_err().code(),
        "TOO_LARGE"
    );
    let megabyte = format!("{good}; x={}", "y".repeat(1 << 20));
    assert_eq!(
        m.read_at::<Value>(&megabyte, T0).unwrap_err().code(),
        "TOO_LARGE"
    );
    // Past the pair bound, the session cookie is not looked for.
    let late = format!(
        "{}{good}",
        "a=b; ".repeat(cookie_seal::limits::MAX_COOKIE_PAIRS)
    );
    assert!(m.read_at::<Value>(&late, T0).unwrap().is_none());
    // Within it, it is found.
    let early = format!(
        "{}{good}",
        "a=b; ".repeat(cookie_seal::limits::MAX_COOKIE_PAIRS - 1)
    );
    assert!(m.read_at::<Value>(&early, T0).unwrap().is_some());
}

#[test]
fn names_are_case_sensitive_and_values_may_be_quoted() {
    let m = manager();
    let (_, good) = signed_in(&m, json!(1), SignIn::default(), T0);
    let value = good.strip_prefix("__Host-s=").unwrap();
    assert!(
        m.read_at::<Value>(&format!("__host-s={value}"), T0)
            .unwrap()
            .is_none()
    );
    assert!(
        m.read_at::<Value>(&format!("__HOST-S={value}"), T0)
            .unwrap()
            .is_none()
    );
    assert!(
        m.read_at::<Value>(&format!("__Host-s=\"{value}\""), T0)
            .unwrap()
            .is_some()
    );
    // A control character in the value skips that pair entirely.
    assert!(
        m.read_at::<Value>(&format!("__Host-s={value}\u{7}"), T0)
            .unwrap()
            .is_none()
    );
    // An unbalanced quote stays part of the value (the parser's own unit test has more).
    let err = m
        .read_at::<Value>(&format!("__Host-s=\"{value}"), T0)
        .unwrap_err();
    assert_eq!(err.code(), "MALFORMED");
}

#[test]
fn duplicate_names_are_tried_in_order_up_to_the_bound() {
    let m = manager();
    let (_, good) = signed_in(&m, json!({"uid": 7}), SignIn::default(), T0);
    let forged = "__Host-s=AQJrMQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    // The tossed cookie comes first; the real one still opens.
    let two = format!("{forged}; {good}");
    assert_eq!(read(&m, &two, T0).unwrap().data, json!({"uid": 7}));
    let three = format!("{forged}; {forged}; {good}");
    assert!(read(&m, &three, T0).is_ok());
    // Beyond MAX_SAME_NAME (3) the real one is not reached: the first error is reported.
    let four = format!("{forged}; {forged}; {forged}; {good}");
    assert_eq!(read(&m, &four, T0).unwrap_err().code(), "BAD_SEAL");
}

// ---- chunking ----------------------------------------------------------------------------

fn chunked() -> SessionManager {
    builder().max_chunks(3).build().unwrap()
}

/// A JSON string payload of exactly `len` bytes.
fn payload_of(len: usize) -> Value {
    Value::String("x".repeat(len - 2))
}

#[test]
fn chunk_split_and_join_at_every_boundary() {
    let m = chunked();
    let single = m.capacity();
    // Around the one-cookie limit, and around the two-to-three-cookie limit.
    let mut lengths: Vec<usize> = (single - 3..=single + 3).collect();
    let mut two_chunk_limit = single;
    let cookies_written = |m: &SessionManager, len: usize| {
        let s = m.sign_in(payload_of(len), SignIn::default(), T0).unwrap();
        m.set_cookies_at(&s, T0).map(|h| written(&h).len())
    };
    while cookies_written(&m, two_chunk_limit + 1).unwrap() <= 2 {
        two_chunk_limit += 1;
    }
    // At that point two cookies really are full: the value fills both to the byte.
    let two_only = builder().max_chunks(2).build().unwrap();
    let fits = two_only
        .sign_in(payload_of(two_chunk_limit), SignIn::default(), T0)
        .unwrap();
    let headers = two_only.set_cookies_at(&fits, T0).unwrap();
    let bytes: usize = written(&headers)
        .iter()
        .map(|h| h.split(';').next().unwrap().len())
        .sum();
    assert!(
        bytes >= 2 * 4096 - 3,
        "two full cookies hold only {bytes} bytes"
    );
    assert_eq!(
        cookies_written(&two_only, two_chunk_limit + 1).unwrap_err(),
        Error::TooManyChunks { needed: 3, max: 2 }
    );
    lengths.extend(two_chunk_limit - 2..=two_chunk_limit + 2);
    for len in lengths {
        let data = payload_of(len);
        let session = m.sign_in(data.clone(), SignIn::default(), T0).unwrap();
        let headers = m.set_cookies_at(&session, T0).unwrap();
        let expected = if len <= single {
            1
        } else if len <= two_chunk_limit {
            2
        } else {
            3
        };
        assert_eq!(written(&headers).len(), expected, "payload {len}");
        for h in written(&headers) {
            let pair = h.split(';').next().unwrap();
            let value = pair.split_once('=').unwrap().1;
            let piece = value.split_once('.').map_or(value, |(_, p)| p);
            assert!(!piece.is_empty(), "payload {len}: an empty chunk");
            assert!(
                pair.len() <= 4096,
                "payload {len}: a cookie of {} bytes",
                pair.len()
            );
        }
        let opened = read(&m, &cookie_header(&headers), T0).unwrap();
        assert_eq!(opened.data, data, "payload {len}");
        assert!(
            opened.reseal.is_none(),
            "payload {len}: {:?}",
            opened.reseal
        );
    }
}

#[test]
fn too_many_chunks_says_how_many() {
    let m = chunked();
    let s = m
        .sign_in(payload_of(4 * 3_000), SignIn::default(), T0)
        .unwrap();
    let err = m.set_cookies_at(&s, T0).unwrap_err();
    // 12,000 bytes seal to about 16,100 characters: four cookies of about 4,080.
    assert_eq!(err, Error::TooManyChunks { needed: 4, max: 3 });
    assert_eq!(err.code(), "TOO_LARGE");
    assert!(err.to_string().contains("needs 4 cookies"));
    // Without chunking, the plain size error.
    let s = manager()
        .sign_in(payload_of(5_000), SignIn::default(), T0)
        .unwrap();
    assert!(matches!(
        manager().set_cookies_at(&s, T0).unwrap_err(),
        Error::TooLarge { limit: 4096, .. }
    ));
}

/// Writes a three-chunk session and returns its pairs as (name, value).
fn three_chunks(m: &SessionManager, fill: &str) -> Vec<(String, String)> {
    let s = m
        .sign_in(json!({"fill": fill.repeat(7_000)}), SignIn::default(), T0)
        .unwrap();
    let headers = m.set_cookies_at(&s, T0).unwrap();
    let headers = written(&headers);
    assert_eq!(headers.len(), 3);
    headers
        .iter()
        .map(|h| {
            let (n, v) = h.split(';').next().unwrap().split_once('=').unwrap();
            (n.to_owned(), v.to_owned())
        })
        .collect()
}

fn join(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn chunk_attacks_never_open_as_something_else() {
    let m = chunked();
    let a = three_chunks(&m, "a");
    let b = three_chunks(&m, "b");
    assert!(read(&m, &join(&a), T0).is_ok());

    let missing = vec![a[0].clone(), a[2].clone()];
    assert_eq!(
        read(&m, &join(&missing), T0).unwrap_err().code(),
        "MALFORMED"
    );

    let swapped = vec![
        a[0].clone(),
        (a[1].0.clone(), a[2].1.clone()),
        (a[2].0.clone(), a[1].1.clone()),
    ];
    // Reordered pieces fail authentication, or already base64url when a final
    // character with spare bits lands in the middle.
    common::assert_fails(
        read(&m, &join(&swapped), T0),
        &["BAD_SEAL", "MALFORMED"],
        "swapped",
    );

    let spliced = vec![a[0].clone(), b[1].clone(), a[2].clone()];
    assert_eq!(
        read(&m, &join(&spliced), T0).unwrap_err().code(),
        "BAD_SEAL"
    );

    // A changed count in name.0: the authenticated count no longer matches.
    // (Two pieces may not even be valid base64url together.)
    let recount = vec![
        (a[0].0.clone(), a[0].1.replacen("3.", "2.", 1)),
        a[1].clone(),
        a[2].clone(),
    ];
    common::assert_fails(
        read(&m, &join(&recount), T0),
        &["BAD_SEAL", "MALFORMED"],
        "recount",
    );
    for bad in ["1.", "4.", "x.", "03.", "100."] {
        let forged = vec![
            (a[0].0.clone(), a[0].1.replacen("3.", bad, 1)),
            a[1].clone(),
            a[2].clone(),
        ];
        assert!(read(&m, &join(&forged), T0).is_err(), "{bad}");
    }

    // Duplicated chunk: the first occurrence is used, so an attacker's copy placed
    // first fails, and the real order opens.
    let dup_after = vec![a[0].clone(), a[1].clone(), b[1].clone(), a[2].clone()];
    assert!(read(&m, &join(&dup_after), T0).is_ok());
    let dup_before = vec![a[0].clone(), b[1].clone(), a[1].clone(), a[2].clone()];
    assert_eq!(
        read(&m, &join(&dup_before), T0).unwrap_err().code(),
        "BAD_SEAL"
    );
}

#[test]
fn stale_chunks_are_ignored_and_deleted_on_the_next_write() {
    let m = chunked();
    let big = three_chunks(&m, "a");
    // The session shrank to one cookie, but the browser still has the old chunks.
    let s = m
        .sign_in(json!({"small": true}), SignIn::default(), T0)
        .unwrap();
    let small = m.set_cookies_at(&s, T0).unwrap();
    let header = format!("{}; {}", cookie_header(&small), join(&big));
    let opened = read(&m, &header, T0).unwrap();
    assert_eq!(opened.data, json!({"small": true}));
    assert_eq!(opened.reseal, Some(ResealReason::StaleCookies));
    let next = m.set_cookies_at(&opened, T0).unwrap();
    let deleted: Vec<&str> = next
        .iter()
        .filter(|h| h.contains("Max-Age=0"))
        .map(|h| h.split('=').next().unwrap())
        .collect();
    assert_eq!(deleted, ["__Host-s.0", "__Host-s.1", "__Host-s.2"]);

    // A stale extra chunk beyond the count is ignored too.
    let two = {
        let s = m
            .sign_in(json!({"fill": "c".repeat(3_500)}), SignIn::default(), T0)
            .unwrap();
        m.set_cookies_at(&s, T0).unwrap()
    };
    assert_eq!(written(&two).len(), 2);
    let with_extra = format!("{}; __Host-s.2={}", cookie_header(&two), big[2].1);
    let opened = read(&m, &with_extra, T0).unwrap();
    assert_eq!(opened.reseal, Some(ResealReason::StaleCookies));
    let next = m.set_cookies_at(&opened, T0).unwrap();
    assert!(next.iter().any(|h| h.starts_with("__Host-s.2=; Max-Age=0")));
}

// ---- expiry ------------------------------------------------------------------------------

fn timed() -> SessionManager {
    builder()
        .idle_timeout(Duration::from_secs(1_000))
        .absolute_lifetime(Duration::from_secs(3_000))
        .leeway(Duration::from_secs(10))
        .build()
        .unwrap()
}

#[test]
fn sliding_renewal_at_its_exact_boundary() {
    let m = timed();
    let (_, header) = signed_in(&m, json!(1), SignIn::default(), T0);
    // Half the window (500 s) remains exactly: not yet due.
    assert_eq!(read(&m, &header, T0 + 500).unwrap().reseal, None);
    // One second later less than half remains.
    let s = read(&m, &header, T0 + 501).unwrap();
    assert_eq!(s.reseal, Some(ResealReason::Renewal));
    // Renewal keeps the id and sign-in time and moves the deadline.
    let renewed = cookie_header(&m.set_cookies_at(&s, T0 + 501).unwrap());
    let r = read(&m, &renewed, T0 + 501).unwrap();
    assert_eq!(
        (r.id, r.signed_in_at, r.expires_at, r.reseal),
        (s.id, T0, T0 + 1_501, None)
    );
}

#[test]
fn idle_timeout_at_its_exact_boundary() {
    let m = timed();
    let (_, header) = signed_in(&m, json!(1), SignIn::default(), T0);
    assert!(read(&m, &header, T0 + 1_010).is_ok());
    assert_eq!(
        read(&m, &header, T0 + 1_011).unwrap_err(),
        Error::Expired {
            expires_at: T0 + 1_000
        }
    );
}

#[test]
fn absolute_lifetime_caps_every_renewal() {
    let m = timed();
    let (_, mut header) = signed_in(&m, json!(1), SignIn::default(), T0);
    // Renew every 600 s: the deadline never passes sign-in + 3,000.
    for step in 1..=4 {
        let now = T0 + 600 * step;
        let session = read(&m, &header, now).unwrap();
        assert!(session.expires_at <= T0 + 3_000);
        header = cookie_header(&m.set_cookies_at(&session, now).unwrap());
    }
    let last = read(&m, &header, T0 + 2_500).unwrap();
    assert_eq!(last.expires_at, T0 + 3_000);
    // At the cap no renewal is offered, since it could not extend anything.
    assert_eq!(last.reseal, None);
    assert!(read(&m, &header, T0 + 3_010).is_ok());
    assert_eq!(read(&m, &header, T0 + 3_011).unwrap_err().code(), "EXPIRED");
    assert_eq!(
        m.set_cookies_at(&last, T0 + 3_000).unwrap_err().code(),
        "EXPIRED"
    );
}

#[test]
fn shortening_the_absolute_lifetime_applies_to_existing_cookies() {
    let (_, header) = signed_in(&timed(), json!(1), SignIn::default(), T0);
    let stricter = builder()
        .idle_timeout(Duration::from_secs(100))
        .absolute_lifetime(Duration::from_secs(200))
        .leeway(Duration::from_secs(10))
        .build()
        .unwrap();
    assert!(read(&stricter, &header, T0 + 210).is_ok());
    assert_eq!(
        read(&stricter, &header, T0 + 211).unwrap_err(),
        Error::Expired {
            expires_at: T0 + 200
        }
    );
}

#[test]
fn remember_me_is_persistent_and_lives_longer() {
    let m = timed();
    let m = SessionManager::builder(ring("k1", 1), NAME)
        .idle_timeout(Duration::from_secs(1_000))
        .absolute_lifetime(Duration::from_secs(3_000))
        .remember_me(Duration::from_secs(10_000), Duration::from_secs(50_000))
        .build()
        .unwrap_or(m);
    let s = m
        .sign_in(json!(1), SignIn::default().remember_me(true), T0)
        .unwrap();
    let headers = m.set_cookies_at(&s, T0).unwrap();
    assert!(headers[0].contains("; Max-Age=10000;"), "{}", headers[0]);
    let header = cookie_header(&headers);
    let r = read(&m, &header, T0 + 5_000).unwrap();
    assert!(r.remember_me);
    assert_eq!(r.absolute_expires_at, T0 + 50_000);
    // Near the absolute deadline, Max-Age shrinks with it.
    let late = read(
        &m,
        &cookie_header(&m.set_cookies_at(&r, T0 + 5_000).unwrap()),
        T0 + 14_000,
    )
    .unwrap();
    let headers = m.set_cookies_at(&late, 49_000 + T0).unwrap();
    assert!(headers[0].contains("; Max-Age=1000;"), "{}", headers[0]);
}

// ---- rotation, fixation, revocation ------------------------------------------------------

#[test]
fn key_rotation_asks_for_reseal() {
    let (_, header) = signed_in(&manager(), json!(1), SignIn::default(), T0);
    let rotated = SessionManager::builder(
        Keyring::new("k2", common::key(2))
            .unwrap()
            .with_key("k1", common::key(1))
            .unwrap(),
        NAME,
    )
    .build()
    .unwrap();
    let s = read(&rotated, &header, T0).unwrap();
    assert_eq!(
        (s.key_id.as_str(), s.reseal),
        ("k1", Some(ResealReason::KeyRotation))
    );
    let again = read(
        &rotated,
        &cookie_header(&rotated.set_cookies_at(&s, T0).unwrap()),
        T0,
    )
    .unwrap();
    assert_eq!(
        (again.key_id.as_str(), again.reseal, again.id),
        ("k2", None, s.id)
    );
}

#[test]
fn session_ids_are_fresh_at_sign_in_and_privilege_change() {
    let m = manager();
    let a = m.sign_in(json!(1), SignIn::default(), T0).unwrap();
    let b = m.sign_in(json!(1), SignIn::default(), T0).unwrap();
    assert_ne!(a.id, b.id);
    let header = cookie_header(&m.set_cookies_at(&a, T0).unwrap());
    let mut read_back = read(&m, &header, T0).unwrap();
    assert_eq!(read_back.id, a.id);
    read_back.regenerate_id().unwrap();
    assert_ne!(read_back.id, a.id);
    assert_eq!(read_back.reseal, Some(ResealReason::NewId));
    let again = read(
        &m,
        &cookie_header(&m.set_cookies_at(&read_back, T0).unwrap()),
        T0,
    )
    .unwrap();
    assert_eq!(again.id, read_back.id);
}

#[test]
fn revocation_by_id_subject_generation_and_cutoff() {
    let revoked = Arc::new(MemoryRevocation::new(Duration::from_secs(3_000)));
    let m = SessionManager::builder(ring("k1", 1), NAME)
        .idle_timeout(Duration::from_secs(1_000))
        .absolute_lifetime(Duration::from_secs(3_000))
        .revocation(revoked.clone())
        .build()
        .unwrap();
    let user = |generation| SignIn::default().subject(Subject::new("user-42", generation).unwrap());
    let (one, h1) = signed_in(&m, json!(1), user(1), T0);
    let (_, h2) = signed_in(&m, json!(2), user(1), T0);
    let (_, h3) = signed_in(&m, json!(3), user(2), T0);

    revoked.revoke(&one, T0);
    assert_eq!(read(&m, &h1, T0).unwrap_err(), Error::Revoked);
    assert!(read(&m, &h2, T0).is_ok());

    revoked.revoke_subject_below("user-42", 2, T0);
    assert_eq!(read(&m, &h2, T0).unwrap_err().code(), "REVOKED");
    assert_eq!(
        read(&m, &h3, T0).unwrap().subject,
        Some(Subject::new("user-42", 2).unwrap())
    );

    // Entries go once the sessions they revoke could no longer open anyway.
    assert_eq!(revoked.len(), 2);
    revoked.revoke_id(
        cookie_seal::SessionId::generate().unwrap(),
        T0 + 10_000,
        T0 + 3_000 + 3_601,
    );
    assert_eq!(revoked.len(), 1);

    let cutoff = SessionManager::builder(ring("k1", 1), NAME)
        .revoke_signed_in_before(T0 + 1)
        .build()
        .unwrap();
    assert_eq!(read(&cutoff, &h3, T0 + 5).unwrap_err(), Error::Revoked);
    let (_, fresh) = signed_in(&cutoff, json!(4), SignIn::default(), T0 + 1);
    assert!(read(&cutoff, &fresh, T0 + 5).is_ok());
}

#[test]
fn a_sealer_value_or_dead_session_does_not_hide_the_real_one() {
    let m = timed();
    let plain = Sealer::builder(ring("k1", 1), NAME)
        .build()
        .unwrap()
        .seal_at(&json!(0), T0)
        .unwrap();
    let (_, old) = signed_in(&m, json!("old"), SignIn::default(), T0 - 3_500);
    let (_, real) = signed_in(&m, json!("real"), SignIn::default(), T0);
    // Both decoys authenticate, then fail a lifecycle rule; the real cookie still opens.
    let header = format!("{NAME}={plain}; {old}; {real}");
    assert_eq!(read(&m, &header, T0).unwrap().data, json!("real"));
}

#[test]
fn fresh_sign_in_deletes_chunks_it_did_not_write() {
    let m = chunked();
    let s = m.sign_in(json!(1), SignIn::default(), T0).unwrap();
    let headers = m.set_cookies_at(&s, T0).unwrap();
    let deleted: Vec<&str> = headers
        .iter()
        .filter(|h| h.contains("Max-Age=0"))
        .map(|h| h.split('=').next().unwrap())
        .collect();
    assert_eq!(deleted, ["__Host-s.0", "__Host-s.1", "__Host-s.2"]);
    // Without chunking there is nothing else to delete.
    let plain = manager();
    let s = plain.sign_in(json!(1), SignIn::default(), T0).unwrap();
    assert_eq!(plain.set_cookies_at(&s, T0).unwrap().len(), 1);
}

#[test]
fn a_plain_sealer_value_is_not_a_session() {
    let value = Sealer::builder(ring("k1", 1), NAME)
        .build()
        .unwrap()
        .seal_at(&json!(1), T0)
        .unwrap();
    let err = read(&manager(), &format!("{NAME}={value}"), T0).unwrap_err();
    assert_eq!(err.code(), "MALFORMED");
}
