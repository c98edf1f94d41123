#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

// Frozen vectors for the rules of docs/FORMAT.md that the other vector files do not pin
// (`tests/vectors/rules-v1.json`): each case names the rule it tests and is built so that a
// reader or writer that breaks that one rule gives a different result. Four sections:
// `open` (a sealer opening values), `read` (a session reader reading Cookie headers),
// `seal` (a sealer sealing) and `write` (the Set-Cookie values a session manager writes).
// Every value was sealed with a fixed nonce by `generate_rule_vectors` below, which prints
// the committed file byte for byte. See tests/vectors/README.md.

use std::time::Duration;

use cookie_seal::{Keyring, SameSite, Sealer, SessionManager, SignIn, Subject};
use serde_json::Value;

mod common;
use common::{json_keyring as ring, json_text as text, json_u64 as num};

const RULES_V1: &str = include_str!("vectors/rules-v1.json");

fn doc() -> Value {
    serde_json::from_str(RULES_V1).expect("rules-v1.json is JSON")
}

fn sealer(doc: &Value, section: &Value) -> Sealer {
    let mut b = Sealer::builder(ring(doc), &text(section, "cookie_name"))
        .purpose(&text(section, "purpose"))
        .leeway(Duration::from_secs(num(section, "leeway")));
    if section.get("ttl").is_some() {
        b = b.ttl(Duration::from_secs(num(section, "ttl")));
    }
    b.build().unwrap()
}

/// A session manager for `config`, with the sign-in cutoff `cutoff`.
fn manager(doc: &Value, config: &Value, cutoff: u64) -> SessionManager {
    let secs = |f: &str| Duration::from_secs(num(config, f));
    let mut b = SessionManager::builder(ring(doc), &text(config, "cookie_name"))
        .purpose(&text(config, "purpose"))
        .idle_timeout(secs("idle_timeout"))
        .absolute_lifetime(secs("absolute_lifetime"))
        .remember_me(
            secs("remember_idle_timeout"),
            secs("remember_absolute_lifetime"),
        )
        .leeway(secs("leeway"))
        .max_chunks(num(config, "max_chunks") as usize)
        .renew_when_remaining(config["renew_when_remaining"].as_f64().unwrap());
    b = b.revoke_signed_in_before(cutoff);
    if let Some(domain) = config["domain"].as_str() {
        b = b.domain(domain);
    }
    if let Some(path) = config["path"].as_str() {
        b = b.path(path);
    }
    match config["same_site"].as_str() {
        Some("Strict") => b = b.same_site(SameSite::Strict),
        Some("None") => b = b.same_site(SameSite::None),
        _ => {}
    }
    if config["secure"] == false {
        b = b.insecure_dev_mode_for_localhost();
    }
    b.build().unwrap()
}

fn cases<'a>(doc: &'a Value, section: &str) -> &'a Vec<Value> {
    doc[section]["cases"].as_array().expect("a cases array")
}

#[test]
fn open_rules_give_the_frozen_results() {
    let doc = doc();
    let section = &doc["open"];
    let s = sealer(&doc, section);
    let mut checked = 0;
    for case in cases(&doc, "open") {
        let what = text(case, "description");
        let value = text(case, "value");
        for check in case["checks"].as_array().unwrap() {
            let now = num(check, "now");
            match (
                s.open_bytes_at(&value, now),
                check["result"].as_str().unwrap(),
            ) {
                (Ok(o), "ok") => {
                    assert_eq!(o.data, text(check, "payload").as_bytes(), "{what}")
                }
                (Err(e), code) => assert_eq!(e.code(), code, "{what} at {now}: {e}"),
                (got, want) => panic!("{what} at {now}: got {got:?}, want {want}"),
            }
            checked += 1;
        }
    }
    assert!(checked >= 14, "checks went missing: {checked}");
}

#[test]
fn read_rules_give_the_frozen_results() {
    let doc = doc();
    let config = &doc["read"]["config"];
    let mut checked = 0;
    for case in cases(&doc, "read") {
        let what = text(case, "description");
        let header = text(case, "cookie_header");
        for check in case["checks"].as_array().unwrap() {
            let now = num(check, "now");
            let cutoff = check
                .get("sign_in_cutoff")
                .map_or(0, |_| num(check, "sign_in_cutoff"));
            let m = manager(&doc, config, cutoff);
            let what = format!("{what}, at {now}, cutoff {cutoff}");
            match (
                m.read_bytes_at(&header, now),
                check["result"].as_str().unwrap(),
            ) {
                (Ok(None), "none") => {}
                (Ok(Some(s)), "ok") => {
                    assert_eq!(s.data, text(check, "payload").as_bytes(), "{what}");
                    assert_eq!(s.id.to_string(), text(check, "session_id"), "{what}");
                    assert_eq!(
                        s.reseal.map(|r| r.as_str()),
                        check["reseal"].as_str(),
                        "{what}"
                    );
                }
                (Err(e), code) => assert_eq!(e.code(), code, "{what}: {e}"),
                (got, want) => panic!("{what}: got {got:?}, want {want}"),
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "checks went missing: {checked}");
}

#[test]
fn seal_rules_give_the_frozen_results() {
    let doc = doc();
    let section = &doc["seal"];
    let s = sealer(&doc, section);
    for case in cases(&doc, "seal") {
        let what = text(case, "description");
        let payload = hex::decode(text(case, "payload_hex")).unwrap();
        let nonce: [u8; 24] = hex::decode(text(case, "nonce"))
            .unwrap()
            .try_into()
            .unwrap();
        let now = num(case, "now");
        let fixed = s.seal_bytes_with_fixed_nonce_at_insecure(&payload, now, nonce);
        let random = s.seal_bytes_at(&payload, now);
        match text(case, "result").as_str() {
            "ok" => {
                assert_eq!(fixed.unwrap(), text(case, "value"), "{what}");
                let value = random.unwrap();
                assert_eq!(value.len(), text(case, "value").len(), "{what}");
                // A value sealed at the last second ttl allows opens then, in full.
                assert_eq!(
                    s.open_bytes_at(&value, now).unwrap().data,
                    payload,
                    "{what}"
                );
            }
            code => {
                assert_eq!(fixed.unwrap_err().code(), code, "{what}");
                assert_eq!(random.unwrap_err().code(), code, "{what}");
            }
        }
    }
}

/// `expected` with `{piece}` standing for the sealed text: `got` must be the same with
/// exactly `piece_len` base64url characters there.
fn matches_template(got: &str, expected: &str, piece_len: Option<u64>) -> bool {
    let Some(len) = piece_len else {
        return got == expected;
    };
    let (before, after) = expected
        .split_once("{piece}")
        .expect("a {piece} placeholder");
    got.len() == before.len() + len as usize + after.len()
        && got.starts_with(before)
        && got.ends_with(after)
        && got[before.len()..got.len() - after.len()]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[test]
fn write_rules_give_the_frozen_set_cookie_values() {
    let doc = doc();
    let base = &doc["write"]["config"];
    let mut checked = 0;
    for case in cases(&doc, "write") {
        let what = text(case, "description");
        let mut config = base.clone();
        for (k, v) in case["config"].as_object().unwrap() {
            config[k] = v.clone();
        }
        let m = manager(&doc, &config, 0);
        let now = num(case, "now");
        let payload = text(case, "payload").into_bytes();
        let got = if case["sign_out"] == true {
            m.clear_cookies()
        } else if let Some(header) = case["request_cookie_header"].as_str() {
            let mut s = m.read_bytes_at(header, now).unwrap().expect("a session");
            s.data = payload.clone();
            m.set_cookies_bytes_at(&s, now).unwrap()
        } else {
            let sign_in = &case["sign_in"];
            let mut options = SignIn::default().remember_me(sign_in["remember_me"] == true);
            if let Some(sub) = sign_in["subject"].as_object() {
                let id = sub["id"].as_str().unwrap();
                options =
                    options.subject(Subject::new(id, sub["generation"].as_u64().unwrap()).unwrap());
            }
            let s = m
                .sign_in(payload.clone(), options, num(sign_in, "now"))
                .unwrap();
            m.set_cookies_bytes_at(&s, now).unwrap()
        };
        let expected = case["set_cookie"].as_array().unwrap();
        assert_eq!(got.len(), expected.len(), "{what}: {got:#?}");
        for (g, e) in got.iter().zip(expected) {
            let ok = matches_template(g, &text(e, "header"), e["piece_len"].as_u64());
            assert!(ok, "{what}:\n got {g}\nwant {e}");
        }
        // What was written reads back as the session, as a browser would send it.
        if case["sign_out"] != true {
            let header: Vec<&str> = got
                .iter()
                .filter(|h| !h.contains("; Max-Age=0;"))
                .map(|h| h.split(';').next().unwrap())
                .collect();
            let s = m.read_bytes_at(&header.join("; "), now).unwrap().unwrap();
            assert_eq!(s.data, payload, "{what}");
            assert_eq!(s.reseal, None, "{what}");
        }
        checked += 1;
    }
    assert!(checked >= 8, "cases went missing: {checked}");
}

/// Every rule the file promises has at least one case.
#[test]
fn every_rule_has_a_case() {
    let doc = doc();
    let rules: Vec<String> = ["open", "read", "seal", "write"]
        .iter()
        .flat_map(|s| cases(&doc, s).iter().map(|c| text(c, "rule")))
        .collect();
    for rule in [
        "flag-0x20",
        "flag-0x40",
        "flags-before-claims",
        "subject-len-0",
        "subject-len-over-128",
        "subject-not-utf8",
        "payload-not-utf8",
        "trailing-bits",
        "trim-before-unquote",
        "same-name-cap",
        "header-length",
        "pair-cap",
        "control-characters",
        "cookie-length",
        "chunk-length",
        "count-spelling",
        "only-later-chunks",
        "unchunked-errors-first",
        "max-chunks",
        "stale-before-renewal",
        "absolute-before-revoked",
        "seal-too-large",
        "seal-invalid-option",
        "seal-payload",
        "set-cookie-ordinary",
        "set-cookie-remember-me",
        "set-cookie-chunked",
        "set-cookie-stale-chunks",
        "set-cookie-sign-out",
        "set-cookie-attributes",
    ] {
        assert!(rules.iter().any(|r| r == rule), "no case for {rule}");
    }
}

// ---- the generator -----------------------------------------------------------------------

/// Prints rules-v1.json. Every value is sealed with a fixed nonce, so running it again prints
/// the committed file byte for byte; it never writes the file, which is frozen.
///
/// `cargo test --test rule_vectors -- --ignored --nocapture generate_rule_vectors`
#[test]
#[ignore = "prints the vector file; the committed one is frozen"]
#[cfg(not(target_arch = "wasm32"))]
fn generate_rule_vectors() {
    println!("{}", generator::file());
}

#[test]
#[cfg(not(target_arch = "wasm32"))]
fn the_generator_prints_the_committed_file() {
    assert_eq!(generator::file().trim_end(), RULES_V1.trim_end());
}

#[cfg(not(target_arch = "wasm32"))]
mod generator {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use cookie_seal::seal_raw_claims_with_fixed_nonce_insecure as seal_raw;
    use serde_json::json;

    const T: u64 = 1_767_225_600;
    const NAME: &str = "__Host-session";

    fn counting(start: u8) -> String {
        URL_SAFE_NO_PAD.encode((0..32).map(|i| start.wrapping_add(i)).collect::<Vec<u8>>())
    }

    fn nonce(n: u8) -> [u8; 24] {
        core::array::from_fn(|i| n.wrapping_add(i as u8))
    }

    fn keyring_json() -> Value {
        json!([{"key_id": "k2", "key": counting(0x20)}, {"key_id": "k1", "key": counting(0x00)}])
    }

    fn the_ring() -> Keyring {
        ring(&json!({ "keyring": keyring_json() }))
    }

    fn plain_sealer() -> Sealer {
        Sealer::builder(the_ring(), NAME)
            .purpose("session")
            .build()
            .unwrap()
    }

    /// Claims bytes: flags, issued, expires, then the optional claims the flags announce.
    #[derive(Clone, Default)]
    struct Claims {
        flags: u8,
        issued_at: u64,
        expires_at: u64,
        session_id: [u8; 16],
        signed_in_at: u64,
        subject: Option<(u64, u8, Vec<u8>)>,
    }

    impl Claims {
        fn plain(issued_at: u64, expires_at: u64) -> Claims {
            Claims {
                issued_at,
                expires_at,
                ..Claims::default()
            }
        }
        fn session(sid: u8, signed_in_at: u64, issued_at: u64, expires_at: u64) -> Claims {
            Claims {
                flags: 0x06,
                issued_at,
                expires_at,
                session_id: core::array::from_fn(|i| sid.wrapping_add(i as u8 * 17)),
                signed_in_at,
                subject: None,
            }
        }
        fn bytes(&self, payload: &[u8]) -> Vec<u8> {
            let mut out = vec![self.flags];
            out.extend_from_slice(&self.issued_at.to_be_bytes());
            out.extend_from_slice(&self.expires_at.to_be_bytes());
            if self.flags & 0x02 != 0 {
                out.extend_from_slice(&self.session_id);
            }
            if self.flags & 0x04 != 0 {
                out.extend_from_slice(&self.signed_in_at.to_be_bytes());
            }
            if let Some((generation, len, id)) = &self.subject {
                out.extend_from_slice(&generation.to_be_bytes());
                out.push(*len);
                out.extend_from_slice(id);
            }
            out.extend_from_slice(payload);
            out
        }
        fn sid_text(&self) -> String {
            URL_SAFE_NO_PAD.encode(self.session_id)
        }
    }

    fn seal(claims: &Claims, payload: &[u8], count: u8, n: u8) -> String {
        seal_raw(&plain_sealer(), &claims.bytes(payload), count, nonce(n)).unwrap()
    }

    fn ok(now: u64, payload: &str) -> Value {
        json!({"now": now, "result": "ok", "payload": payload})
    }

    fn fails(now: u64, code: &str) -> Value {
        json!({"now": now, "result": code})
    }

    fn case(rule: &str, description: &str, value: &str, checks: Vec<Value>) -> Value {
        json!({"rule": rule, "description": description, "value": value, "checks": checks})
    }

    /// The value with its unused trailing bits set (a value whose raw length is not a
    /// multiple of 3 has some).
    fn dirty_tail(value: &str) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let last = *value.as_bytes().last().unwrap();
        let index = ALPHABET.iter().position(|&b| b == last).unwrap();
        assert_eq!(
            index & 1,
            0,
            "the canonical value has its unused bits clear"
        );
        let mut out = value[..value.len() - 1].to_owned();
        out.push(ALPHABET[index | 1] as char);
        out
    }

    fn open_section() -> Value {
        let mut cases = Vec::new();
        let valid = Claims::plain(T, T + 3_600);
        for (rule, flag) in [("flag-0x20", 0x20u8), ("flag-0x40", 0x40)] {
            let claims = Claims {
                flags: flag,
                ..valid.clone()
            };
            cases.push(case(
                rule,
                &format!("authentic, flags {flag:#04x} (unassigned), otherwise a valid plain value: UNSUPPORTED_VERSION; a reader that ignored the bit would open it"),
                &seal(&claims, b"{}", 0, 1 + flag),
                vec![fails(T, "UNSUPPORTED_VERSION")],
            ));
        }
        cases.push(case(
            "flags-before-claims",
            "authentic, flags 0x21 (not_before and an unassigned bit) but only the 17 bytes of the base claims: the flags are judged before any claim is read (UNSUPPORTED_VERSION, not MALFORMED)",
            &seal_raw(&plain_sealer(), &Claims { flags: 0x21, ..valid.clone() }.bytes(b""), 0, nonce(3)).unwrap(),
            vec![fails(T, "UNSUPPORTED_VERSION")],
        ));
        cases.push(case(
            "flags-before-claims",
            "authentic, flags 0x40, expired long ago: the flags are judged before the time rules (UNSUPPORTED_VERSION, not EXPIRED)",
            &seal(&Claims { flags: 0x40, ..Claims::plain(1_000, 2_000) }, b"{}", 0, 4),
            vec![fails(T, "UNSUPPORTED_VERSION")],
        ));
        let subject = |len: u8, id: Vec<u8>| Claims {
            flags: 0x10,
            subject: Some((1, len, id)),
            ..valid.clone()
        };
        cases.push(case(
            "subject-len-0",
            "authentic, flags 0x10 with subject_len 0: MALFORMED (a subject is 1 to 128 bytes)",
            &seal(&subject(0, vec![]), b"{}", 0, 5),
            vec![fails(T, "MALFORMED")],
        ));
        cases.push(case(
            "subject-len-over-128",
            "authentic, subject_len 129 with 129 bytes of 'a': MALFORMED",
            &seal(&subject(129, vec![b'a'; 129]), b"{}", 0, 6),
            vec![fails(T, "MALFORMED")],
        ));
        cases.push(case(
            "subject-len-over-128",
            "authentic, subject_len 128 with 128 bytes of 'a' (the longest allowed): opens",
            &seal(&subject(128, vec![b'a'; 128]), b"{}", 0, 7),
            vec![ok(T, "{}")],
        ));
        cases.push(case(
            "subject-not-utf8",
            "authentic, subject 61 ff 62 (not UTF-8): MALFORMED",
            &seal(&subject(3, vec![0x61, 0xff, 0x62]), b"{}", 0, 8),
            vec![fails(T, "MALFORMED")],
        ));
        cases.push(case(
            "payload-not-utf8",
            "authentic plain value whose payload is 7b ff 7d (not UTF-8): PAYLOAD; after the time rules, so EXPIRED once expired",
            &seal(&valid, &[0x7b, 0xff, 0x7d], 0, 9),
            vec![fails(T, "PAYLOAD"), fails(T + 3_661, "EXPIRED"), fails(T - 61, "NOT_YET_VALID")],
        ));
        for (payload, n, unused) in [("[1]", 10u8, 4), ("[12]", 11, 2)] {
            let value = seal(&valid, payload.as_bytes(), 0, n);
            cases.push(case(
                "trailing-bits",
                &format!("authentic plain value whose raw length leaves {unused} unused bits in the last character, all zero: opens"),
                &value,
                vec![ok(T, payload)],
            ));
            cases.push(case(
                "trailing-bits",
                &format!("the same value with the lowest of its {unused} unused trailing bits set: MALFORMED (one accepted text per value)"),
                &dirty_tail(&value),
                vec![fails(T, "MALFORMED")],
            ));
        }
        json!({
            "cookie_name": NAME,
            "purpose": "session",
            "leeway": 60,
            "max_len": 4096,
            "cases": cases,
        })
    }

    fn read_config() -> Value {
        json!({
            "cookie_name": NAME,
            "purpose": "session",
            "idle_timeout": 3_600,
            "absolute_lifetime": 28_800,
            "remember_idle_timeout": 604_800,
            "remember_absolute_lifetime": 2_592_000,
            "leeway": 60,
            "max_chunks": 3,
            "renew_when_remaining": 0.25,
        })
    }

    fn header_case(rule: &str, description: &str, header: String, checks: Vec<Value>) -> Value {
        json!({"rule": rule, "description": description, "cookie_header": header, "checks": checks})
    }

    fn opens(now: u64, payload: &str, sid: &str, reseal: Option<&str>) -> Value {
        json!({"now": now, "result": "ok", "payload": payload, "session_id": sid, "reseal": reseal})
    }

    /// A different but canonical value of the same length: one character changed in the tag.
    fn forged(value: &str, n: usize) -> String {
        let mut b = value.as_bytes().to_vec();
        let i = b.len() - 3 - n;
        b[i] = if b[i] == b'A' { b'B' } else { b'A' };
        String::from_utf8(b).unwrap()
    }

    fn read_section() -> Value {
        let mut cases = Vec::new();
        let small = r#"{"uid":7}"#;
        let s1 = Claims::session(1, T, T, T + 3_600);
        let v1 = seal(&s1, small.as_bytes(), 0, 20);
        let sid1 = s1.sid_text();
        let open1 = || opens(T, small, &sid1, None);

        cases.push(header_case(
            "trim-before-unquote",
            "spaces and tabs outside the quotes: trimmed first, then the quotes removed: opens",
            format!("{NAME}= \t\"{v1}\"\t "),
            vec![open1()],
        ));
        cases.push(header_case(
            "trim-before-unquote",
            "a space inside the quotes stays in the value: MALFORMED",
            format!("{NAME}=\" {v1}\""),
            vec![fails(T, "MALFORMED")],
        ));
        let f: Vec<String> = (0..3).map(|i| forged(&v1, i)).collect();
        cases.push(header_case(
            "same-name-cap",
            "two forged cookies of the same name, then the real one (third): opens",
            format!("{NAME}={}; {NAME}={}; {NAME}={v1}", f[0], f[1]),
            vec![open1()],
        ));
        cases.push(header_case(
            "same-name-cap",
            "three forged cookies of the same name, then the real one (fourth, beyond the 3 tried): BAD_SEAL, the first candidate's error",
            format!("{NAME}={}; {NAME}={}; {NAME}={}; {NAME}={v1}", f[0], f[1], f[2]),
            vec![fails(T, "BAD_SEAL")],
        ));
        let tail = format!("; {NAME}={v1}");
        let pad = |total: usize| format!("pad={}{tail}", "x".repeat(total - 4 - tail.len()));
        cases.push(header_case(
            "header-length",
            "a header of exactly 65536 bytes ending with the session: opens",
            pad(65_536),
            vec![open1()],
        ));
        cases.push(header_case(
            "header-length",
            "the same header one byte longer (65537): TOO_LARGE before it is scanned",
            pad(65_537),
            vec![fails(T, "TOO_LARGE")],
        ));
        let pairs = |n: usize, pair: &str| {
            (0..n)
                .map(|i| pair.replace('#', &i.to_string()))
                .collect::<Vec<_>>()
                .join("; ")
        };
        cases.push(header_case(
            "pair-cap",
            "255 other cookies, then the session (pair 256): opens",
            format!("{}{tail}", pairs(255, "c#=1")),
            vec![open1()],
        ));
        cases.push(header_case(
            "pair-cap",
            "256 other cookies, then the session (pair 257, ignored): none",
            format!("{}{tail}", pairs(256, "c#=1")),
            vec![json!({"now": T, "result": "none"})],
        ));
        cases.push(header_case(
            "pair-cap",
            "300 pairs skipped for a control character do not count towards the 256: opens",
            format!("{}{tail}", pairs(300, "c#=\u{1}")),
            vec![open1()],
        ));
        for (what, bad) in [
            ("0x01", "\u{1}"),
            ("0x7f", "\u{7f}"),
            ("a tab inside", "\t"),
        ] {
            let (head, rest) = v1.split_at(20);
            cases.push(header_case(
                "control-characters",
                &format!("the only session cookie holds a control character ({what}) inside its value: the pair is skipped, so none"),
                format!("{NAME}={head}{bad}{rest}"),
                vec![json!({"now": T, "result": "none"})],
            ));
        }
        cases.push(header_case(
            "control-characters",
            "a session cookie with a control character in the value, then the real one: the first is skipped, the real one opens",
            format!("{NAME}=x\u{1}y; {NAME}={v1}"),
            vec![open1()],
        ));

        // Per-cookie length: `__Host-session=` takes 15 bytes.
        cases.push(header_case(
            "cookie-length",
            "an unchunked cookie of exactly 4096 bytes of junk: decoded (MALFORMED), not refused for its size",
            format!("{NAME}={}", "A".repeat(4_081)),
            vec![fails(T, "MALFORMED")],
        ));
        cases.push(header_case(
            "cookie-length",
            "an unchunked cookie of 4097 bytes: TOO_LARGE before decoding",
            format!("{NAME}={}", "A".repeat(4_082)),
            vec![fails(T, "TOO_LARGE")],
        ));
        let s2 = Claims::session(2, T, T, T + 3_600);
        let big = |n: usize| format!("\"{}\"", "b".repeat(n - 2));
        // raw = 85 + payload bytes: 2975 -> 3060 raw -> 4080 characters; 2976 -> 4082.
        let fits = big(2_975);
        let v_fits = seal(&s2, fits.as_bytes(), 0, 21);
        assert_eq!(NAME.len() + 1 + v_fits.len(), 4_095);
        cases.push(header_case(
            "cookie-length",
            "an authentic session cookie of 4095 bytes: opens",
            format!("{NAME}={v_fits}"),
            vec![opens(T, &fits, &s2.sid_text(), None)],
        ));
        let over = big(2_976);
        let v_over = seal(&s2, over.as_bytes(), 0, 22);
        assert_eq!(NAME.len() + 1 + v_over.len(), 4_097);
        cases.push(header_case(
            "cookie-length",
            "an authentic session cookie of 4097 bytes: TOO_LARGE (a reader without the check would open it)",
            format!("{NAME}={v_over}"),
            vec![fails(T, "TOO_LARGE")],
        ));

        // Chunks: `__Host-session.0=` takes 17 bytes.
        let s3 = Claims::session(3, T, T, T + 3_600);
        let chunky = big(4_400);
        let v2 = seal(&s3, chunky.as_bytes(), 2, 23);
        let sid3 = s3.sid_text();
        let two = |first: usize| format!("{NAME}.0=2.{}; {NAME}.1={}", &v2[..first], &v2[first..]);
        assert!(v2.len() > 4_080 && v2.len() < 8_000);
        cases.push(header_case(
            "chunk-length",
            "a 2-chunk session whose chunk 0 is exactly 4096 bytes, its \"2.\" included: opens",
            two(4_077),
            vec![opens(T, &chunky, &sid3, None)],
        ));
        cases.push(header_case(
            "chunk-length",
            "the same session cut one character later: chunk 0 is 4097 bytes with its prefix: TOO_LARGE (the prefix counts)",
            two(4_078),
            vec![fails(T, "TOO_LARGE")],
        ));
        let rest = v2.len() - 4_079;
        cases.push(header_case(
            "chunk-length",
            "the same session cut so that chunk 1 is exactly 4096 bytes: opens",
            two(rest),
            vec![opens(T, &chunky, &sid3, None)],
        ));
        cases.push(header_case(
            "chunk-length",
            "cut so that chunk 1 is 4097 bytes: TOO_LARGE",
            two(rest - 1),
            vec![fails(T, "TOO_LARGE")],
        ));
        cases.push(header_case(
            "chunk-length",
            "count 3, chunk 1 of 4097 bytes and chunk 2 missing: TOO_LARGE, since chunks are checked in order (presence and size of 1, then 2)",
            format!("{NAME}.0=3.AQJrMg; {NAME}.1={}", "A".repeat(4_080)),
            vec![fails(T, "TOO_LARGE")],
        ));
        for spelling in ["02", "+2", "2 "] {
            cases.push(header_case(
                "count-spelling",
                &format!("the authentic 2-chunk session with its count written \"{spelling}\": MALFORMED (one spelling per count)"),
                format!("{NAME}.0={spelling}.{}; {NAME}.1={}", &v2[..3_000], &v2[3_000..]),
                vec![fails(T, "MALFORMED")],
            ));
        }
        cases.push(header_case(
            "count-spelling",
            "the same session with its count written \"2\": opens",
            format!("{NAME}.0=2.{}; {NAME}.1={}", &v2[..3_000], &v2[3_000..]),
            vec![opens(T, &chunky, &sid3, None)],
        ));
        cases.push(header_case(
            "only-later-chunks",
            "only __Host-session.1 and __Host-session.2, no __Host-session nor .0: MALFORMED, not none",
            format!("theme=dark; {NAME}.1={}; {NAME}.2={}", &v2[..100], &v2[100..200]),
            vec![fails(T, "MALFORMED")],
        ));
        cases.push(header_case(
            "only-later-chunks",
            "only __Host-session.9: MALFORMED",
            format!("{NAME}.9=x"),
            vec![fails(T, "MALFORMED")],
        ));
        cases.push(header_case(
            "unchunked-errors-first",
            "a forged unchunked cookie (BAD_SEAL) and a chunk 0 without a count (MALFORMED): the unchunked error is reported",
            format!("{NAME}.0=nocount; {NAME}={}", f[0]),
            vec![fails(T, "BAD_SEAL")],
        ));
        cases.push(header_case(
            "unchunked-errors-first",
            "an unchunked cookie of 4097 bytes (TOO_LARGE) and a chunked session missing chunk 1 (MALFORMED): TOO_LARGE",
            format!("{NAME}.0=2.{}; {NAME}={}", &v2[..3_000], "A".repeat(4_082)),
            vec![fails(T, "TOO_LARGE")],
        ));
        let s4 = Claims::session(4, T, T, T + 3_600);
        let v4 = seal(&s4, small.as_bytes(), 4, 24);
        let q = v4.len() / 4;
        cases.push(header_case(
            "max-chunks",
            "an authentic session sealed for 4 chunks, all four present and within size, read with max_chunks 3: MALFORMED (a reader ignoring max_chunks would open it)",
            format!("{NAME}.0=4.{}; {NAME}.1={}; {NAME}.2={}; {NAME}.3={}", &v4[..q], &v4[q..2 * q], &v4[2 * q..3 * q], &v4[3 * q..]),
            vec![fails(T, "MALFORMED")],
        ));
        let s5 = Claims::session(5, T, T, T + 3_600);
        let v5 = seal(&s5, small.as_bytes(), 3, 25);
        let q = v5.len() / 3;
        cases.push(header_case(
            "max-chunks",
            "an authentic session sealed for 3 chunks, read with max_chunks 3: opens",
            format!(
                "{NAME}.0=3.{}; {NAME}.1={}; {NAME}.2={}",
                &v5[..q],
                &v5[q..2 * q],
                &v5[2 * q..]
            ),
            vec![opens(T, small, &s5.sid_text(), None)],
        ));

        cases.push(header_case(
            "stale-before-renewal",
            "a session due for renewal beside a left-over __Host-session.2: the reason is stale-cookies, which comes before renewal",
            format!("{NAME}={v1}; {NAME}.2=left-over"),
            vec![
                opens(T, small, &sid1, Some("stale-cookies")),
                opens(T + 2_701, small, &sid1, Some("stale-cookies")),
            ],
        ));
        cases.push(header_case(
            "stale-before-renewal",
            "the same session alone at the same time: renewal",
            format!("{NAME}={v1}"),
            vec![opens(T + 2_701, small, &sid1, Some("renewal"))],
        ));
        // Signed in at T - 28900: absolute end T - 100 (+ leeway T - 40); idle end T + 600.
        let s6 = Claims::session(6, T - 28_900, T - 3_000, T + 600);
        let v6 = seal(&s6, small.as_bytes(), 0, 26);
        let sid6 = s6.sid_text();
        cases.push(header_case(
            "absolute-before-revoked",
            "a session past its absolute lifetime and signed in before the sign-in cutoff: EXPIRED, the absolute check comes before the cutoff",
            format!("{NAME}={v6}"),
            vec![
                json!({"now": T, "sign_in_cutoff": T, "result": "EXPIRED"}),
                json!({"now": T - 40, "sign_in_cutoff": T, "result": "REVOKED"}),
                opens(T - 40, small, &sid6, None),
                fails(T - 39, "EXPIRED"),
            ],
        ));
        json!({"config": read_config(), "cases": cases})
    }

    fn seal_section() -> Value {
        let mut cases = Vec::new();
        let s = Sealer::builder(the_ring(), NAME)
            .purpose("session")
            .ttl(Duration::from_secs(3_600))
            .build()
            .unwrap();
        let mut push = |rule: &str, description: &str, payload: Vec<u8>, now: u64, n: u8| {
            let result = s.seal_bytes_with_fixed_nonce_at_insecure(&payload, now, nonce(n));
            let mut c = json!({
                "rule": rule,
                "description": description,
                "now": now,
                "payload_hex": hex::encode(&payload),
                "nonce": hex::encode(nonce(n)),
            });
            match result {
                Ok(value) => {
                    c["result"] = json!("ok");
                    c["value"] = json!(value);
                }
                Err(e) => c["result"] = json!(e.code()),
            }
            cases.push(c);
        };
        assert_eq!(s.capacity(), 2_999);
        let text = |n: usize| format!("\"{}\"", "c".repeat(n - 2)).into_bytes();
        push(
            "seal-too-large",
            "a 2999-byte payload, the capacity: the cookie is 4094 bytes",
            text(2_999),
            T,
            40,
        );
        push(
            "seal-too-large",
            "a 3000-byte payload, one over the capacity: TOO_LARGE, before anything is encrypted",
            text(3_000),
            T,
            41,
        );
        push(
            "seal-too-large",
            "3000 bytes that are not UTF-8 either: TOO_LARGE, the size is checked before the payload",
            vec![0xff; 3_000],
            T,
            42,
        );
        let last = u64::MAX - 3_600;
        push(
            "seal-invalid-option",
            "now = 2^64 - 1 - ttl: expires_at is exactly 2^64 - 1",
            b"{}".to_vec(),
            last,
            43,
        );
        push(
            "seal-invalid-option",
            "now = 2^64 - ttl: now + ttl overflows 64 bits: INVALID_OPTION",
            b"{}".to_vec(),
            last + 1,
            44,
        );
        push(
            "seal-invalid-option",
            "now + ttl overflows and the payload is too large: INVALID_OPTION, the claims come first",
            text(3_000),
            u64::MAX,
            45,
        );
        push(
            "seal-payload",
            "payload 7b ff 7d, not UTF-8: PAYLOAD",
            vec![0x7b, 0xff, 0x7d],
            T,
            46,
        );
        push(
            "seal-payload",
            "an empty payload is UTF-8: seals",
            Vec::new(),
            T,
            47,
        );
        json!({"cookie_name": NAME, "purpose": "session", "leeway": 60, "ttl": 3_600, "cases": cases})
    }

    fn write_section() -> Value {
        let attrs = "Path=/; Secure; HttpOnly; SameSite=Lax";
        let set = |name: &str, prefix: &str, len: usize, extra: &str| json!({"header": format!("{name}={prefix}{{piece}}; {extra}{attrs}"), "piece_len": len});
        let delete = |name: &str| json!({"header": format!("{name}=; Max-Age=0; {attrs}")});
        let small = r#"{"uid":7}"#;
        let big = format!("\"{}\"", "d".repeat(4_398));
        let mut cases = Vec::new();
        let one = json!({"max_chunks": 1});
        // Session values: 85 + payload (+ 9 + subject) raw bytes.
        cases.push(json!({
            "rule": "set-cookie-ordinary",
            "description": "an ordinary session written at sign-in by a manager with max_chunks 1: one cookie, no Max-Age, no deletions",
            "config": one, "sign_in": {"now": T, "remember_me": false}, "payload": small, "now": T,
            "set_cookie": [set(NAME, "", 126, "")],
        }));
        cases.push(json!({
            "rule": "set-cookie-remember-me",
            "description": "a remember-me session with a subject, written at sign-in: Max-Age is the remember-me idle timeout",
            "config": one, "sign_in": {"now": T, "remember_me": true, "subject": {"id": "ada@example.com", "generation": 7}}, "payload": small, "now": T,
            "set_cookie": [set(NAME, "", 158, "Max-Age=604800; ")],
        }));
        cases.push(json!({
            "rule": "set-cookie-remember-me",
            "description": "the remember-me session written 1000 s before its 30-day absolute end: Max-Age is expires_at - now = 1000",
            "config": one, "sign_in": {"now": T, "remember_me": true}, "payload": small, "now": T + 2_592_000 - 1_000,
            "set_cookie": [set(NAME, "", 126, "Max-Age=1000; ")],
        }));
        cases.push(json!({
            "rule": "set-cookie-remember-me",
            "description": "remember-me idle timeout of 500 days: Max-Age is capped at 34560000 (400 days)",
            "config": {"max_chunks": 1, "remember_idle_timeout": 43_200_000, "remember_absolute_lifetime": 51_840_000},
            "sign_in": {"now": T, "remember_me": true}, "payload": small, "now": T,
            "set_cookie": [set(NAME, "", 126, "Max-Age=34560000; ")],
        }));
        cases.push(json!({
            "rule": "set-cookie-chunked",
            "description": "a session of 2 chunks written at sign-in with max_chunks 3: chunk 0 filled to 4096 bytes, then chunk 1, then deletions of every other name it may have had",
            "config": {}, "sign_in": {"now": T, "remember_me": false}, "payload": big, "now": T,
            "set_cookie": [set(&format!("{NAME}.0"), "2.", 4_077, ""), set(&format!("{NAME}.1"), "", 1_903, ""), delete(NAME), delete(&format!("{NAME}.2"))],
        }));
        // A request carrying a 2-chunk session, fixed by the hook.
        let s7 = Claims::session(7, T, T, T + 3_600);
        let v7 = seal(&s7, big.as_bytes(), 2, 30);
        cases.push(json!({
            "rule": "set-cookie-stale-chunks",
            "description": "a 2-chunk session read from the request and written back with small data: one cookie, and both chunks deleted",
            "config": {}, "request_cookie_header": format!("{NAME}.0=2.{}; {NAME}.1={}", &v7[..4_077], &v7[4_077..]),
            "payload": small, "now": T + 10,
            "set_cookie": [set(NAME, "", 126, ""), delete(&format!("{NAME}.0")), delete(&format!("{NAME}.1"))],
        }));
        let v8 = seal(
            &Claims::session(8, T, T, T + 3_600),
            small.as_bytes(),
            0,
            31,
        );
        cases.push(json!({
            "rule": "set-cookie-stale-chunks",
            "description": "an unchunked session read beside a left-over __Host-session.2 and written back with large data: two chunks, then the old cookie and the left-over deleted",
            "config": {}, "request_cookie_header": format!("{NAME}={v8}; {NAME}.2=left-over"),
            "payload": big, "now": T + 10,
            "set_cookie": [set(&format!("{NAME}.0"), "2.", 4_077, ""), set(&format!("{NAME}.1"), "", 1_903, ""), delete(NAME), delete(&format!("{NAME}.2"))],
        }));
        cases.push(json!({
            "rule": "set-cookie-sign-out",
            "description": "signing out with max_chunks 3: deletes the cookie and chunks 0 to 2",
            "config": {}, "sign_out": true, "payload": "", "now": T,
            "set_cookie": [delete(NAME), delete(&format!("{NAME}.0")), delete(&format!("{NAME}.1")), delete(&format!("{NAME}.2"))],
        }));
        cases.push(json!({
            "rule": "set-cookie-sign-out",
            "description": "signing out with max_chunks 1: deletes the cookie only",
            "config": one, "sign_out": true, "payload": "", "now": T,
            "set_cookie": [delete(NAME)],
        }));
        cases.push(json!({
            "rule": "set-cookie-attributes",
            "description": "Domain, Path and SameSite=Strict as configured, in the documented order, on the cookie and on its deletion",
            "config": {"cookie_name": "__Secure-app", "domain": "example.com", "path": "/app", "same_site": "Strict", "max_chunks": 2},
            "sign_in": {"now": T, "remember_me": false}, "payload": small, "now": T,
            "set_cookie": [
                json!({"header": "__Secure-app={piece}; Domain=example.com; Path=/app; Secure; HttpOnly; SameSite=Strict", "piece_len": 126}),
                json!({"header": "__Secure-app.0=; Max-Age=0; Domain=example.com; Path=/app; Secure; HttpOnly; SameSite=Strict"}),
                json!({"header": "__Secure-app.1=; Max-Age=0; Domain=example.com; Path=/app; Secure; HttpOnly; SameSite=Strict"}),
            ],
        }));
        cases.push(json!({
            "rule": "set-cookie-attributes",
            "description": "the insecure development mode for plain-HTTP localhost: no Secure",
            "config": {"cookie_name": "dev-session", "secure": false, "max_chunks": 1},
            "sign_in": {"now": T, "remember_me": false}, "payload": small, "now": T,
            "set_cookie": [json!({"header": "dev-session={piece}; Path=/; HttpOnly; SameSite=Lax", "piece_len": 126})],
        }));
        json!({"config": read_config(), "cases": cases})
    }

    pub(super) fn file() -> String {
        let doc = json!({
            "description": "cookie-seal rule vectors (format v1): one case per rule of docs/FORMAT.md that open-v1, seal-v1 and session-v1 do not pin, each built so that breaking that rule changes its result. Sections: open (a Sealer opening values), read (a SessionManager reading Cookie headers; a check's sign_in_cutoff is the manager's sign-in cutoff, 0 when absent), seal (a Sealer sealing with a fixed nonce), write (the Set-Cookie values a SessionManager writes; {piece} stands for piece_len characters of sealed base64url, which differ on every write). Frozen.",
            "keyring": keyring_json(),
            "open": open_section(),
            "read": read_section(),
            "seal": seal_section(),
            "write": write_section(),
        });
        serde_json::to_string_pretty(&doc).unwrap()
    }
}
