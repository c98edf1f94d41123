#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use common::{json_text, json_u64};

// Frozen opening vectors of the session lifecycle (`tests/vectors/session-v1.json`).
//
// The session layer always draws a random nonce, so these are opening vectors only: `Cookie`
// request headers as a browser sends them back, each with the result `SessionManager::read_at`
// must give at given times, under one manager configuration recorded in the file. They were
// made once by `generate_session_vectors` below and are frozen: every later version must give
// the same results. The JSON is compiled in with `include_str!`, so the same test runs natively
// and on wasm32. See tests/vectors/README.md.

use std::time::Duration;

use cookie_seal::{Key, Keyring, SessionManager, Subject};
use serde_json::Value;

const SESSION_V1: &str = include_str!("vectors/session-v1.json");

fn seconds(v: &Value, field: &str) -> Duration {
    Duration::from_secs(json_u64(v, field))
}

fn doc() -> Value {
    serde_json::from_str(SESSION_V1).expect("session-v1.json is JSON")
}

/// The manager the file's `config` describes, with the global not-before cutoff `not_before`.
fn manager(config: &Value, not_before: u64) -> SessionManager {
    let keys = config["keyring"].as_array().expect("a keyring array");
    let key = |k: &Value| Key::from_base64url(&json_text(k, "key")).expect("a 32-byte key");
    let mut ring = Keyring::new(&json_text(&keys[0], "key_id"), key(&keys[0])).unwrap();
    for k in &keys[1..] {
        ring = ring.with_key(&json_text(k, "key_id"), key(k)).unwrap();
    }
    SessionManager::builder(ring, &json_text(config, "cookie_name"))
        .purpose(&json_text(config, "purpose"))
        .idle_timeout(seconds(config, "idle_timeout"))
        .absolute_lifetime(seconds(config, "absolute_lifetime"))
        .remember_me(
            seconds(config, "remember_idle_timeout"),
            seconds(config, "remember_absolute_lifetime"),
        )
        .leeway(seconds(config, "leeway"))
        .max_chunks(json_u64(config, "max_chunks") as usize)
        .renew_when_remaining(
            config["renew_when_remaining"]
                .as_f64()
                .expect("renew_when_remaining is a number"),
        )
        .revoke_signed_in_before(not_before)
        .build()
        .expect("the recorded configuration builds")
}

#[test]
fn session_vectors_give_the_frozen_results() {
    let doc = doc();
    let config = &doc["config"];
    let cases = doc["cases"].as_array().expect("a cases array");
    assert!(cases.len() >= 20, "cases went missing");
    let mut checked = 0;
    for case in cases {
        let description = json_text(case, "description");
        let header = json_text(case, "cookie_header");
        let session = &case["session"];
        for check in case["checks"].as_array().expect("a checks array") {
            let now = json_u64(check, "now");
            let not_before = check
                .get("not_before")
                .map_or(json_u64(config, "not_before"), |_| {
                    json_u64(check, "not_before")
                });
            let m = manager(config, not_before);
            let what = format!("{description}, at {now} with cutoff {not_before}");
            let expected = json_text(check, "result");
            match m.read_at::<Value>(&header, now) {
                Ok(None) => assert_eq!(expected, "none", "{what}: no session found"),
                Ok(Some(s)) => {
                    assert_eq!(expected, "ok", "{what}: opened");
                    let payload = json_text(session, "payload");
                    assert_eq!(
                        s.data,
                        serde_json::from_str::<Value>(&payload).unwrap(),
                        "{what}"
                    );
                    let subject = match &session["subject"] {
                        Value::Null => None,
                        sub => Some(
                            Subject::new(&json_text(sub, "id"), json_u64(sub, "generation"))
                                .unwrap(),
                        ),
                    };
                    assert_eq!(s.id.to_string(), json_text(session, "session_id"), "{what}");
                    assert_eq!(s.subject, subject, "{what}");
                    assert_eq!(s.signed_in_at, json_u64(session, "signed_in_at"), "{what}");
                    assert_eq!(s.issued_at, json_u64(session, "issued_at"), "{what}");
                    assert_eq!(s.expires_at, json_u64(session, "expires_at"), "{what}");
                    assert_eq!(
                        s.absolute_expires_at,
                        json_u64(session, "absolute_expires_at"),
                        "{what}"
                    );
                    assert_eq!(
                        s.remember_me,
                        session["remember_me"].as_bool().unwrap(),
                        "{what}"
                    );
                    assert_eq!(s.key_id, json_text(session, "key_id"), "{what}");
                    assert_eq!(
                        s.reseal.map(|r| r.as_str()),
                        check["reseal"].as_str(),
                        "{what}"
                    );
                    // The byte path gives exactly the payload that was sealed, unparsed.
                    let bytes = m.read_bytes_at(&header, now).unwrap().unwrap();
                    assert_eq!(bytes.data, payload.as_bytes(), "{what}");
                }
                Err(err) => assert_eq!(err.code(), expected, "{what}: {err}"),
            }
            checked += 1;
        }
    }
    assert!(checked >= 50, "checks went missing: {checked}");
}

/// What the file promises in tests/vectors/README.md is really in it.
#[test]
fn the_file_covers_what_it_promises() {
    let doc = doc();
    let config = &doc["config"];
    let name = json_text(config, "cookie_name");
    let cases = doc["cases"].as_array().unwrap();
    let checks = || {
        cases
            .iter()
            .flat_map(|c| c["checks"].as_array().unwrap().iter().map(move |k| (c, k)))
    };
    let result = |r: &str| checks().any(|(_, k)| k["result"] == r);
    let reseal = |r: &str| checks().any(|(_, k)| k["reseal"] == r);
    for code in [
        "ok",
        "none",
        "EXPIRED",
        "REVOKED",
        "MALFORMED",
        "BAD_SEAL",
        "UNKNOWN_KEY",
    ] {
        assert!(result(code), "no check with result {code}");
    }
    for r in ["renewal", "key-rotation", "stale-cookies"] {
        assert!(reseal(r), "no check with reseal {r}");
    }
    assert!(checks().any(|(c, k)| k["result"] == "ok"
        && c["session"]["remember_me"] == true
        && c["session"]["subject"].is_object()));
    // Chunked sessions of 2 and 3 cookies, each cookie within the browser limit.
    for count in [2, 3] {
        let prefix = format!("{name}.0={count}.");
        assert!(
            checks().any(
                |(c, k)| k["result"] == "ok" && json_text(c, "cookie_header").contains(&prefix)
            ),
            "no {count}-chunk session that opens"
        );
    }
    for case in cases {
        let header = json_text(case, "cookie_header");
        for pair in header.split("; ") {
            assert!(pair.len() <= 4096, "{}", json_text(case, "description"));
        }
    }
    // The configuration is not the default one, so a replay that ignores it fails.
    assert_ne!(json_u64(config, "idle_timeout"), 2 * 3_600);
    assert_ne!(config["renew_when_remaining"].as_f64(), Some(0.5));
}

// ---- the generator -----------------------------------------------------------------------

/// Prints a new session-v1.json: signs in sessions with fixed keys (random nonces and session
/// ids), builds the `Cookie` headers a browser would send back, and checks every expected
/// result, written out by hand from the rules in docs/FORMAT.md §11–§14, against
/// `read_at` before printing it. It was run once and its output committed by hand; since
/// nonces are random, running it again prints different values, which must never replace the
/// frozen file. It never writes the file.
///
/// `cargo test --test session_vectors -- --ignored --nocapture generate_session_vectors`
#[test]
#[ignore = "prints a new vector file; the committed one is frozen"]
#[cfg(not(target_arch = "wasm32"))]
fn generate_session_vectors() {
    generator::run();
}

#[cfg(not(target_arch = "wasm32"))]
mod generator {
    use super::*;
    use cookie_seal::{ResealReason, Sealer, Session, SignIn};

    const T: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z
    const NAME: &str = "__Host-session";
    const PURPOSE: &str = "session";
    const IDLE: u64 = 3_600;
    const ABSOLUTE: u64 = 8 * 3_600;
    const REMEMBER_IDLE: u64 = 7 * 86_400;
    const REMEMBER_ABSOLUTE: u64 = 30 * 86_400;
    const LEEWAY: u64 = 60;
    const MAX_CHUNKS: usize = 3;
    const RENEW: f64 = 0.25;

    /// A counting key, `start`, `start + 1`, … (obviously not secret), as base64url.
    fn counting(start: u8) -> String {
        use base64::Engine as _;
        let bytes: Vec<u8> = (0..32).map(|i| start.wrapping_add(i)).collect();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    fn key(start: u8) -> Key {
        Key::from_base64url(&counting(start)).unwrap()
    }

    const KEYS: [(&str, u8); 2] = [("k2", 0x20), ("k1", 0x00)];

    fn ring_of(ids: &[(&str, u8)]) -> Keyring {
        let mut ring = Keyring::new(ids[0].0, key(ids[0].1)).unwrap();
        for (id, start) in &ids[1..] {
            ring = ring.with_key(id, key(*start)).unwrap();
        }
        ring
    }

    fn builder(ring: Keyring) -> cookie_seal::SessionManagerBuilder {
        SessionManager::builder(ring, NAME)
            .purpose(PURPOSE)
            .idle_timeout(Duration::from_secs(IDLE))
            .absolute_lifetime(Duration::from_secs(ABSOLUTE))
            .remember_me(
                Duration::from_secs(REMEMBER_IDLE),
                Duration::from_secs(REMEMBER_ABSOLUTE),
            )
            .leeway(Duration::from_secs(LEEWAY))
            .max_chunks(MAX_CHUNKS)
            .renew_when_remaining(RENEW)
    }

    /// The manager the file records.
    fn reader(not_before: u64) -> SessionManager {
        builder(ring_of(&KEYS))
            .revoke_signed_in_before(not_before)
            .build()
            .unwrap()
    }

    use super::common::cookie_header;

    fn pairs(header: &str) -> Vec<String> {
        header.split("; ").map(str::to_owned).collect()
    }

    /// Signs in at `signed_in` and writes the session at `sealed`; returns the header.
    fn write(
        m: &SessionManager,
        payload: &str,
        options: SignIn,
        signed_in: u64,
        sealed: u64,
    ) -> String {
        let session: Session<Vec<u8>> = m
            .sign_in(payload.as_bytes().to_vec(), options, signed_in)
            .unwrap();
        cookie_header(&m.set_cookies_bytes_at(&session, sealed).unwrap())
    }

    /// A cart of `items` items, as compact JSON.
    fn cart(uid: u32, items: usize) -> String {
        let list: Vec<String> = (0..items)
            .map(|i| format!(r#"{{"sku":"SKU-{i:05}","qty":{}}}"#, i % 7 + 1))
            .collect();
        format!(r#"{{"uid":{uid},"cart":[{}]}}"#, list.join(","))
    }

    #[derive(Clone, Copy)]
    enum Expect {
        /// Opens, with this reseal reason.
        Open(Option<ResealReason>),
        /// `Ok(None)`: the header has no session cookie.
        NoSession,
        /// Fails with this code.
        Fails(&'static str),
    }
    use Expect::{Fails, NoSession, Open};

    struct Check {
        now: u64,
        not_before: Option<u64>,
        expect: Expect,
    }

    fn at(now: u64, expect: Expect) -> Check {
        Check {
            now,
            not_before: None,
            expect,
        }
    }

    fn cutoff(now: u64, not_before: u64, expect: Expect) -> Check {
        Check {
            now,
            not_before: Some(not_before),
            expect,
        }
    }

    /// What an opened session must show, written by hand.
    struct Claims {
        payload: String,
        subject: Option<(&'static str, u64)>,
        signed_in_at: u64,
        issued_at: u64,
        expires_at: u64,
        absolute_expires_at: u64,
        remember_me: bool,
        key_id: &'static str,
    }

    struct Case {
        description: &'static str,
        header: String,
        session: Option<Claims>,
        checks: Vec<Check>,
    }

    // ---- a tiny ordered JSON printer (serde_json's maps would sort the keys) ----

    enum J {
        Raw(String),
        Obj(Vec<(&'static str, J)>),
        Arr(Vec<J>),
    }

    fn s(text: &str) -> J {
        J::Raw(serde_json::to_string(text).unwrap())
    }

    fn n(value: u64) -> J {
        J::Raw(value.to_string())
    }

    fn render(j: &J, indent: usize, out: &mut String) {
        let pad = "  ".repeat(indent + 1);
        let close = "  ".repeat(indent);
        match j {
            J::Raw(text) => out.push_str(text),
            J::Obj(fields) => {
                out.push_str("{\n");
                for (i, (k, v)) in fields.iter().enumerate() {
                    out.push_str(&format!("{pad}\"{k}\": "));
                    render(v, indent + 1, out);
                    out.push_str(if i + 1 < fields.len() { ",\n" } else { "\n" });
                }
                out.push_str(&close);
                out.push('}');
            }
            J::Arr(items) => {
                out.push_str("[\n");
                for (i, v) in items.iter().enumerate() {
                    out.push_str(&pad);
                    render(v, indent + 1, out);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                out.push_str(&close);
                out.push(']');
            }
        }
    }

    fn cases() -> Vec<Case> {
        let m = reader(0);
        let mut cases = Vec::new();
        let ordinary_claims = |payload: &str, key_id| Claims {
            payload: payload.to_owned(),
            subject: None,
            signed_in_at: T,
            issued_at: T,
            expires_at: T + IDLE,
            absolute_expires_at: T + ABSOLUTE,
            remember_me: false,
            key_id,
        };

        // 1. An ordinary session, signed in and written at T.
        let small = r#"{"uid":12345,"role":"admin"}"#;
        let ordinary = write(&m, small, SignIn::default(), T, T);
        let renewal_from = T + IDLE - (IDLE as f64 * RENEW) as u64 + 1;
        cases.push(Case {
            description: "ordinary session signed in and written at T: not valid before T - leeway; \
                          renewal due once less than a quarter of the idle hour remains; \
                          idle expiry at T + 3600 + leeway; the not-before cutoff",
            header: ordinary.clone(),
            session: Some(ordinary_claims(small, "k2")),
            checks: vec![
                at(T - LEEWAY - 1, Fails("NOT_YET_VALID")),
                at(T - LEEWAY, Open(None)),
                at(T, Open(None)),
                at(renewal_from - 1, Open(None)),
                at(renewal_from, Open(Some(ResealReason::Renewal))),
                at(T + IDLE, Open(Some(ResealReason::Renewal))),
                at(T + IDLE + LEEWAY, Open(Some(ResealReason::Renewal))),
                at(T + IDLE + LEEWAY + 1, Fails("EXPIRED")),
                cutoff(T, T, Open(None)),
                cutoff(T, T + 1, Fails("REVOKED")),
            ],
        });
        let ordinary_value = ordinary
            .strip_prefix(&format!("{NAME}="))
            .unwrap()
            .to_owned();
        cases.push(Case {
            description: "the ordinary session among other cookies, its value in double quotes",
            header: format!("theme=dark; {NAME}=\"{ordinary_value}\"; lang=en"),
            session: Some(ordinary_claims(small, "k2")),
            checks: vec![at(T + 60, Open(None))],
        });
        cases.push(Case {
            description: "the ordinary session under a name that differs only in case: no session",
            header: format!("__host-session={ordinary_value}"),
            session: None,
            checks: vec![at(T, NoSession)],
        });
        cases.push(Case {
            description: "no session cookie at all",
            header: "theme=dark; lang=en".into(),
            session: None,
            checks: vec![at(T, NoSession)],
        });
        // A tossed cookie of the same name first: the ordinary value with one character of
        // its ciphertext changed (so it fails authentication), then the real one.
        let mut forged = ordinary_value.clone().into_bytes();
        let i = forged.len() / 2;
        forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
        let forged = String::from_utf8(forged).unwrap();
        cases.push(Case {
            description: "a forged cookie of the same name before the real one (cookie tossing): \
                          same-name cookies are tried in order, the real one opens",
            header: format!("{NAME}={forged}; {NAME}={ordinary_value}"),
            session: Some(ordinary_claims(small, "k2")),
            checks: vec![at(T, Open(None))],
        });
        cases.push(Case {
            description: "only the forged cookie: BAD_SEAL",
            header: format!("{NAME}={forged}"),
            session: None,
            checks: vec![at(T, Fails("BAD_SEAL"))],
        });

        // 2. Remember-me with a subject.
        let prefs = r#"{"uid":42,"prefs":{"lang":"fr","tz":"Europe/Paris"}}"#;
        let subject = ("ada@example.com", 7);
        let remember = SignIn::default()
            .remember_me(true)
            .subject(Subject::new(subject.0, subject.1).unwrap());
        let remembered = write(&m, prefs, remember.clone(), T, T);
        let remember_renewal = T + REMEMBER_IDLE - (REMEMBER_IDLE as f64 * RENEW) as u64 + 1;
        cases.push(Case {
            description: "remember-me session with subject ada@example.com, generation 7, \
                          signed in and written at T: the 7-day idle timeout and 30-day absolute \
                          lifetime apply",
            header: remembered,
            session: Some(Claims {
                payload: prefs.into(),
                subject: Some(subject),
                signed_in_at: T,
                issued_at: T,
                expires_at: T + REMEMBER_IDLE,
                absolute_expires_at: T + REMEMBER_ABSOLUTE,
                remember_me: true,
                key_id: "k2",
            }),
            checks: vec![
                at(T, Open(None)),
                at(remember_renewal - 1, Open(None)),
                at(remember_renewal, Open(Some(ResealReason::Renewal))),
                at(
                    T + REMEMBER_IDLE + LEEWAY,
                    Open(Some(ResealReason::Renewal)),
                ),
                at(T + REMEMBER_IDLE + LEEWAY + 1, Fails("EXPIRED")),
            ],
        });
        let late = T + REMEMBER_ABSOLUTE - 592_000;
        let remembered_late = write(&m, prefs, remember, T, late);
        cases.push(Case {
            description: "the remember-me session re-written near its absolute end: the idle \
                          deadline is capped at signed_in_at + 30 days, no renewal is offered \
                          since it could not extend, EXPIRED past the cap + leeway",
            header: remembered_late,
            session: Some(Claims {
                payload: prefs.into(),
                subject: Some(subject),
                signed_in_at: T,
                issued_at: late,
                expires_at: T + REMEMBER_ABSOLUTE,
                absolute_expires_at: T + REMEMBER_ABSOLUTE,
                remember_me: true,
                key_id: "k2",
            }),
            checks: vec![
                at(late, Open(None)),
                at(T + REMEMBER_ABSOLUTE - 100_000, Open(None)),
                at(T + REMEMBER_ABSOLUTE + LEEWAY, Open(None)),
                at(T + REMEMBER_ABSOLUTE + LEEWAY + 1, Fails("EXPIRED")),
            ],
        });

        // 3. Ordinary sessions at the absolute boundary.
        let renewed_at = T + 7 * 3_600 + 1_800;
        let capped = write(&m, small, SignIn::default(), T, renewed_at);
        cases.push(Case {
            description: "ordinary session re-written 7.5 hours after sign-in: the idle deadline \
                          is capped at signed_in_at + 8 hours; no renewal even with less than a \
                          quarter left, since it could not extend",
            header: capped,
            session: Some(Claims {
                issued_at: renewed_at,
                expires_at: T + ABSOLUTE,
                ..ordinary_claims(small, "k2")
            }),
            checks: vec![
                at(renewed_at, Open(None)),
                at(T + ABSOLUTE - 100, Open(None)),
                at(T + ABSOLUTE + LEEWAY, Open(None)),
                at(T + ABSOLUTE + LEEWAY + 1, Fails("EXPIRED")),
            ],
        });
        let longer = builder(ring_of(&KEYS))
            .absolute_lifetime(Duration::from_secs(24 * 3_600))
            .build()
            .unwrap();
        let uncapped = write(&longer, small, SignIn::default(), T, renewed_at);
        cases.push(Case {
            description: "ordinary session written by a manager whose absolute lifetime was 24 \
                          hours, 7.5 hours after sign-in (idle deadline T + 8.5 h): the reader's \
                          8-hour absolute lifetime still ends it at T + 8 h + leeway",
            header: uncapped,
            session: Some(Claims {
                issued_at: renewed_at,
                expires_at: renewed_at + IDLE,
                ..ordinary_claims(small, "k2")
            }),
            checks: vec![
                at(renewed_at, Open(None)),
                at(T + ABSOLUTE + LEEWAY, Open(None)),
                at(T + ABSOLUTE + LEEWAY + 1, Fails("EXPIRED")),
                at(renewed_at + IDLE, Fails("EXPIRED")),
            ],
        });

        // 4. Chunked sessions.
        let two_payload = cart(7, 160);
        let two = write(&m, &two_payload, SignIn::default(), T, T);
        let two_pairs = pairs(&two);
        assert_eq!(two_pairs.len(), 2);
        assert!(two_pairs[0].starts_with(&format!("{NAME}.0=2.")));
        cases.push(Case {
            description: "a session split across 2 cookies: __Host-session.0 = \"2.\" + piece 0, \
                          __Host-session.1 = piece 1; sealed once with chunk (index, count) = (0, 2)",
            header: two.clone(),
            session: Some(ordinary_claims(&two_payload, "k2")),
            checks: vec![
                at(T, Open(None)),
                at(renewal_from, Open(Some(ResealReason::Renewal))),
                at(T + IDLE + LEEWAY + 1, Fails("EXPIRED")),
            ],
        });
        cases.push(Case {
            description: "the 2-chunk session with its cookies in the other order in the header: \
                          chunks are found by name",
            header: format!("{}; {}", two_pairs[1], two_pairs[0]),
            session: Some(ordinary_claims(&two_payload, "k2")),
            checks: vec![at(T, Open(None))],
        });
        cases.push(Case {
            description: "the 2-chunk session without __Host-session.1: MALFORMED",
            header: two_pairs[0].clone(),
            session: None,
            checks: vec![at(T, Fails("MALFORMED"))],
        });
        cases.push(Case {
            description: "the 2-chunk session with a left-over __Host-session.2 beyond its count: \
                          ignored for reading, reseal stale-cookies so the next write deletes it",
            header: format!("{two}; {NAME}.2=left-over"),
            session: Some(ordinary_claims(&two_payload, "k2")),
            checks: vec![at(T, Open(Some(ResealReason::StaleCookies)))],
        });
        cases.push(Case {
            description: "the ordinary session beside a left-over chunk __Host-session.1: \
                          reseal stale-cookies",
            header: format!("{ordinary}; {}", two_pairs[1]),
            session: Some(ordinary_claims(small, "k2")),
            checks: vec![at(T, Open(Some(ResealReason::StaleCookies)))],
        });

        let three_payload = cart(8, 290);
        let three = write(&m, &three_payload, SignIn::default(), T, T);
        let three_pairs = pairs(&three);
        assert_eq!(three_pairs.len(), 3);
        assert!(three_pairs[0].starts_with(&format!("{NAME}.0=3.")));
        cases.push(Case {
            description: "a session split across 3 cookies, sent with other cookies around them: \
                          chunk (index, count) = (0, 3) in the associated data",
            header: format!("theme=dark; {three}; lang=en"),
            session: Some(ordinary_claims(&three_payload, "k2")),
            checks: vec![
                at(T, Open(None)),
                at(renewal_from, Open(Some(ResealReason::Renewal))),
                at(T + IDLE + LEEWAY, Open(Some(ResealReason::Renewal))),
                at(T + IDLE + LEEWAY + 1, Fails("EXPIRED")),
            ],
        });
        let other = pairs(&write(&m, &three_payload, SignIn::default(), T, T));
        cases.push(Case {
            description: "the 3-chunk session with __Host-session.1 taken from another session of \
                          the same size (splicing): BAD_SEAL",
            header: [&three_pairs[0], &other[1], &three_pairs[2]]
                .map(String::as_str)
                .join("; "),
            session: None,
            checks: vec![at(T, Fails("BAD_SEAL"))],
        });
        cases.push(Case {
            description: "the 3-chunk session with the count in __Host-session.0 changed to 2: \
                          two pieces are joined, and the authenticated count differs: BAD_SEAL",
            header: format!(
                "{}; {}; {}",
                three_pairs[0].replacen("=3.", "=2.", 1),
                three_pairs[1],
                three_pairs[2]
            ),
            session: None,
            checks: vec![at(T, Fails("BAD_SEAL"))],
        });
        cases.push(Case {
            description: "the 3-chunk session with the count changed to 4, more than max_chunks: \
                          MALFORMED",
            header: format!(
                "{}; {}; {}",
                three_pairs[0].replacen("=3.", "=4.", 1),
                three_pairs[1],
                three_pairs[2]
            ),
            session: None,
            checks: vec![at(T, Fails("MALFORMED"))],
        });
        cases.push(Case {
            description: "the ordinary value as chunk 0 with count 1: MALFORMED (a chunked \
                          session has 2 to max_chunks pieces)",
            header: format!("{NAME}.0=1.{ordinary_value}"),
            session: None,
            checks: vec![at(T, Fails("MALFORMED"))],
        });

        // 5. Keys.
        let old = builder(ring_of(&[("k1", 0x00)])).build().unwrap();
        let rotated = write(&old, small, SignIn::default(), T, T);
        cases.push(Case {
            description: "a session sealed under k1, which the keyring still holds but is no \
                          longer the primary (k2): opens, reseal key-rotation",
            header: rotated.clone(),
            session: Some(ordinary_claims(small, "k1")),
            checks: vec![
                at(T, Open(Some(ResealReason::KeyRotation))),
                at(renewal_from, Open(Some(ResealReason::KeyRotation))),
                at(T + IDLE + LEEWAY + 1, Fails("EXPIRED")),
            ],
        });
        cases.push(Case {
            description: "the k1 session beside a left-over chunk: key-rotation takes precedence \
                          over stale-cookies",
            header: format!("{rotated}; {}", two_pairs[1]),
            session: Some(ordinary_claims(small, "k1")),
            checks: vec![at(T, Open(Some(ResealReason::KeyRotation)))],
        });
        let unknown = builder(ring_of(&[("k9", 0x90)])).build().unwrap();
        cases.push(Case {
            description: "a session sealed under key id k9, not in the keyring: UNKNOWN_KEY",
            header: write(&unknown, small, SignIn::default(), T, T),
            session: None,
            checks: vec![at(T, Fails("UNKNOWN_KEY"))],
        });

        // 6. Authentic, but not a session.
        let plain = Sealer::builder(ring_of(&KEYS), NAME)
            .purpose(PURPOSE)
            .ttl(Duration::from_secs(IDLE))
            .build()
            .unwrap()
            .seal_bytes_at(small.as_bytes(), T)
            .unwrap();
        cases.push(Case {
            description: "a plain Sealer value for the same name, purpose and key (no session id, \
                          no sign-in time): authentic, but not a session: MALFORMED",
            header: format!("{NAME}={plain}"),
            session: None,
            checks: vec![at(T, Fails("MALFORMED"))],
        });
        cases
    }

    fn verify(case: &Case, check: &Check) {
        let m = reader(check.not_before.unwrap_or(0));
        let got = m.read_at::<Value>(&case.header, check.now);
        let what = format!("{} at {}", case.description, check.now);
        match (check.expect, got) {
            (NoSession, Ok(None)) => {}
            (Fails(code), Err(e)) => assert_eq!(e.code(), code, "{what}: {e}"),
            (Open(reseal), Ok(Some(s))) => {
                let c = case.session.as_ref().expect("an ok check needs claims");
                assert_eq!(s.data, serde_json::from_str::<Value>(&c.payload).unwrap());
                assert_eq!(s.reseal, reseal, "{what}");
                assert_eq!(
                    s.subject,
                    c.subject.map(|(id, g)| Subject::new(id, g).unwrap()),
                    "{what}"
                );
                assert_eq!(
                    (
                        s.signed_in_at,
                        s.issued_at,
                        s.expires_at,
                        s.absolute_expires_at
                    ),
                    (
                        c.signed_in_at,
                        c.issued_at,
                        c.expires_at,
                        c.absolute_expires_at
                    ),
                    "{what}"
                );
                assert_eq!(
                    (s.remember_me, s.key_id.as_str()),
                    (c.remember_me, c.key_id)
                );
            }
            (_, got) => panic!("{what}: got {got:?}"),
        }
    }

    fn session_id(case: &Case) -> String {
        let check = case
            .checks
            .iter()
            .find(|c| matches!(c.expect, Open(_)))
            .unwrap();
        let m = reader(check.not_before.unwrap_or(0));
        let s = m
            .read_at::<Value>(&case.header, check.now)
            .unwrap()
            .unwrap();
        s.id.to_string()
    }

    pub(super) fn run() {
        let all = cases();
        for case in &all {
            for check in &case.checks {
                verify(case, check);
            }
        }
        let keyring = J::Arr(
            KEYS.iter()
                .map(|(id, start)| J::Obj(vec![("key_id", s(id)), ("key", s(&counting(*start)))]))
                .collect(),
        );
        let config = J::Obj(vec![
            ("keyring", keyring),
            ("cookie_name", s(NAME)),
            ("purpose", s(PURPOSE)),
            ("idle_timeout", n(IDLE)),
            ("absolute_lifetime", n(ABSOLUTE)),
            ("remember_idle_timeout", n(REMEMBER_IDLE)),
            ("remember_absolute_lifetime", n(REMEMBER_ABSOLUTE)),
            ("leeway", n(LEEWAY)),
            ("max_chunks", n(MAX_CHUNKS as u64)),
            ("renew_when_remaining", J::Raw(RENEW.to_string())),
            ("not_before", n(0)),
        ]);
        let cases = J::Arr(
            all.iter()
                .map(|case| {
                    let session = match &case.session {
                        None => J::Raw("null".into()),
                        Some(c) => J::Obj(vec![
                            ("payload", s(&c.payload)),
                            ("session_id", s(&session_id(case))),
                            (
                                "subject",
                                match c.subject {
                                    None => J::Raw("null".into()),
                                    Some((id, g)) => {
                                        J::Obj(vec![("id", s(id)), ("generation", n(g))])
                                    }
                                },
                            ),
                            ("signed_in_at", n(c.signed_in_at)),
                            ("issued_at", n(c.issued_at)),
                            ("expires_at", n(c.expires_at)),
                            ("absolute_expires_at", n(c.absolute_expires_at)),
                            ("remember_me", J::Raw(c.remember_me.to_string())),
                            ("key_id", s(c.key_id)),
                        ]),
                    };
                    let checks = case
                        .checks
                        .iter()
                        .map(|k| {
                            let mut fields = vec![("now", n(k.now))];
                            if let Some(nb) = k.not_before {
                                fields.push(("not_before", n(nb)));
                            }
                            match k.expect {
                                Open(reseal) => {
                                    fields.push(("result", s("ok")));
                                    fields.push((
                                        "reseal",
                                        reseal.map_or(J::Raw("null".into()), |r| s(r.as_str())),
                                    ));
                                }
                                NoSession => fields.push(("result", s("none"))),
                                Fails(code) => fields.push(("result", s(code))),
                            }
                            J::Obj(fields)
                        })
                        .collect();
                    J::Obj(vec![
                        ("description", s(case.description)),
                        ("cookie_header", s(&case.header)),
                        ("session", session),
                        ("checks", J::Arr(checks)),
                    ])
                })
                .collect(),
        );
        let doc = J::Obj(vec![
            (
                "description",
                s(
                    "cookie-seal session lifecycle opening vectors (format v1): Cookie request \
                   headers and the result SessionManager::read_at gives at each `now` under the \
                   configuration in `config` (a check's `not_before` replaces the configured \
                   cutoff for that check). T in the descriptions is 1767225600 \
                   (2026-01-01T00:00:00Z). Made once with random nonces and session ids, then \
                   frozen.",
                ),
            ),
            ("config", config),
            ("cases", cases),
        ]);
        let mut out = String::new();
        render(&doc, 0, &mut out);
        println!("{out}");
    }
}
