#![cfg(not(target_arch = "wasm32"))]
//! The `cookie-seal` command-line tool, run as a script would run it: each subcommand, values
//! crossing between the tool and the library both ways, and every failure's exit status and
//! one-line stderr message. Built only with `--features cli`.

use std::io::Write as _;
use std::process::{Command, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cookie_seal::{Key, Keyring, Sealer};

const BIN: &str = env!("CARGO_BIN_EXE_cookie-seal");
/// A fixed "now", so expiry boundaries are exact.
const T0: u64 = 1_700_000_000;
const WEEK: u64 = 7 * 86_400;

/// Fixed key bytes, so a test can search stderr for the key text.
fn key_text(byte: u8) -> String {
    Key::from_bytes(&[byte; 32]).unwrap().to_base64url()
}

/// SESSION_KEYS with `k2` sealing and `k1` still opening.
fn keys() -> String {
    format!("k2:{},k1:{}", key_text(2), key_text(1))
}

fn sealer(keys: &str, name: &str) -> Sealer {
    Sealer::builder(Keyring::parse(keys).unwrap(), name)
        .build()
        .unwrap()
}

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

/// Runs the tool with exactly `env` as its environment and `stdin` as its input.
fn cli(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    // Written from a thread: a child that stops reading early (the input bound) must not
    // deadlock the test, and the broken pipe it leaves is expected then.
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run {
        status: out
            .status
            .code()
            .expect("exited by itself, not by a signal"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Runs the tool with the test keyring in SESSION_KEYS.
fn keyed(args: &[&str], stdin: &[u8]) -> Run {
    cli(args, &[("SESSION_KEYS", &keys())], stdin)
}

#[track_caller]
fn ok(run: Run) -> String {
    assert_eq!(
        (run.status, run.stderr.as_str()),
        (0, ""),
        "expected success; stdout: {}",
        run.stdout
    );
    run.stdout
}

/// Asserts the failure contract: the exit status, nothing on stdout, and exactly one stderr
/// line `cookie-seal: CODE: message` that holds no key text. Returns the message.
#[track_caller]
fn fails(run: Run, status: i32, code: &str) -> String {
    assert_eq!(run.status, status, "exit status; stderr: {}", run.stderr);
    assert_eq!(run.stdout, "", "a failure prints nothing on stdout");
    let prefix = format!("cookie-seal: {code}: ");
    assert!(
        run.stderr.starts_with(&prefix) && run.stderr.ends_with('\n'),
        "stderr {:?} should start with {prefix:?}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "one line: {:?}", run.stderr);
    assert_no_key_text(&run.stderr);
    run.stderr[prefix.len()..].trim_end().to_owned()
}

/// No stretch of 12 characters of any test key appears in `text`.
#[track_caller]
fn assert_no_key_text(text: &str) {
    for byte in 1..=3 {
        let key = key_text(byte);
        for start in 0..=key.len() - 12 {
            let piece = &key[start..start + 12];
            assert!(
                !text.contains(piece),
                "key text {piece:?} leaked into {text:?}"
            );
        }
    }
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("not JSON ({err}): {text:?}"))
}

/// Decodes a value, changes its raw bytes, encodes it again.
fn tamper(value: &str, change: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut raw = URL_SAFE_NO_PAD.decode(value).unwrap();
    change(&mut raw);
    URL_SAFE_NO_PAD.encode(raw)
}

const NOW: &str = "--now=1700000000";

// ---- keygen

#[test]
fn keygen_prints_an_entry_that_parses_as_a_keyring() {
    let out = ok(cli(&["keygen", "--id", "k9"], &[], b""));
    let entry = out.strip_suffix('\n').expect("one line");
    let (id, key) = entry.split_once(':').unwrap();
    assert_eq!((id, key.len()), ("k9", 43));
    let ring = Keyring::parse(entry).unwrap();
    assert_eq!(ring.primary_id(), "k9");
    // And it seals: the entry is usable as SESSION_KEYS as printed.
    let value = ok(cli(
        &["seal", "--name", "s", NOW],
        &[("SESSION_KEYS", entry)],
        b"{}",
    ));
    assert!(sealer(entry, "s").open_bytes_at(value.trim(), T0).is_ok());

    let again = ok(cli(&["keygen", "--id", "k9"], &[], b""));
    assert_ne!(out, again, "every key is new");
}

#[test]
fn keygen_default_id_is_the_utc_date() {
    for (now, id) in [
        ("0", "19700101"),
        ("1700000000", "20231114"),
        ("951782399", "20000228"),
        ("951782400", "20000229"),
        ("4107542400", "21000301"), // 2100 is not a leap year
        ("253402300799", "99991231"),
    ] {
        let out = ok(cli(&["keygen", "--now", now], &[], b""));
        assert!(out.starts_with(&format!("{id}:")), "--now {now}: {out}");
    }
    // The far future still gives an id the keyring accepts, rather than a panic.
    let out = ok(cli(&["keygen", "--now", &u64::MAX.to_string()], &[], b""));
    assert!(Keyring::parse(out.trim()).is_ok(), "{out}");
}

#[test]
fn keygen_refuses_a_bad_id_and_stray_arguments() {
    fails(
        cli(&["keygen", "--id", "has space"], &[], b""),
        18,
        "INVALID_KEY",
    );
    fails(
        cli(&["keygen", "--id", "much-longer-than-16"], &[], b""),
        18,
        "INVALID_KEY",
    );
    fails(cli(&["keygen", "--id"], &[], b""), 2, "USAGE");
    fails(cli(&["keygen", "extra"], &[], b""), 2, "USAGE");
    fails(cli(&["keygen", "--now", "yesterday"], &[], b""), 2, "USAGE");
}

// ---- seal, then open with the library

#[test]
fn cli_seal_then_library_open() {
    let payload = br#"{"uid":42,"role":"admin"}"#;
    let mut input = payload.to_vec();
    input.push(b'\n');
    let out = ok(keyed(&["seal", "--name", "__Host-session", NOW], &input));
    let value = out.strip_suffix('\n').expect("the value and a newline");

    let opened = sealer(&keys(), "__Host-session")
        .open_bytes_at(value, T0)
        .unwrap();
    assert_eq!(opened.data, payload, "sealed without the trailing newline");
    assert_eq!((opened.issued_at, opened.expires_at), (T0, T0 + WEEK));
    assert_eq!(opened.key_id, "k2", "the first key seals");
    // Bound to its name: another cookie name does not open it.
    let err = sealer(&keys(), "other")
        .open_bytes_at(value, T0)
        .unwrap_err();
    assert_eq!(err.code(), "BAD_SEAL");
}

#[test]
fn seal_keeps_the_payload_byte_for_byte_less_one_newline() {
    let sealer = sealer(&keys(), "s");
    for (input, sealed) in [
        (
            &b"{ \"b\": 1,  \"a\": [1.50, 2e3] }"[..],
            &b"{ \"b\": 1,  \"a\": [1.50, 2e3] }"[..],
        ),
        (b"[1]\n\n", b"[1]\n"),
        (b"\"x\"\r\n", b"\"x\""),
        (b"  7  ", b"  7  "),
    ] {
        let out = ok(keyed(&["seal", "--name", "s", NOW], input));
        let opened = sealer.open_bytes_at(out.trim_end(), T0).unwrap();
        assert_eq!(
            opened.data,
            sealed,
            "input {:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn seal_options_reach_the_sealer() {
    let dir = tempdir();
    let payload = dir.join("payload.json");
    std::fs::write(&payload, br#"{"email":"ada@example.com"}"#).unwrap();
    let out = ok(keyed(
        &[
            "seal",
            "--name",
            "t",
            "--purpose",
            "magic-link",
            "--ttl",
            "900",
            "--in",
            payload.to_str().unwrap(),
            NOW,
        ],
        b"ignored: --in wins over stdin",
    ));
    let links = Sealer::builder(Keyring::parse(&keys()).unwrap(), "t")
        .purpose("magic-link")
        .build()
        .unwrap();
    let opened = links.open_bytes_at(out.trim(), T0).unwrap();
    assert_eq!(opened.data, br#"{"email":"ada@example.com"}"#);
    assert_eq!(opened.expires_at, T0 + 900);
    // Bound to its purpose: a "session" sealer does not open it.
    let err = sealer(&keys(), "t")
        .open_bytes_at(out.trim(), T0)
        .unwrap_err();
    assert_eq!(err.code(), "BAD_SEAL");
}

#[test]
fn seal_refuses_bad_payloads_with_their_codes() {
    let seal = ["seal", "--name", "s", NOW];
    for bad in [&b"not json"[..], b"", b"{\"a\":1", b"{} {}", b"\xff\xfe"] {
        let message = fails(keyed(&seal, bad), 17, "PAYLOAD");
        assert!(message.contains("not JSON"), "{message}");
    }
    for bad in [
        &b"{1:2}"[..],
        b"[1,]",
        b"{\"a\"}",
        b"\"\\x\"",
        b"\"\\u12\"",
        b"\"\xff\"",
        b"NaN",
    ] {
        fails(keyed(&seal, bad), 17, "PAYLOAD");
    }
    // Deep nesting is checked without recursion: no stack overflow either way.
    let unclosed = "[".repeat(500_000);
    fails(keyed(&seal, unclosed.as_bytes()), 17, "PAYLOAD");
    let deep = format!("{}{}", "[".repeat(1400), "]".repeat(1400));
    let value = ok(keyed(&seal, deep.as_bytes()));
    let opened = sealer(&keys(), "s")
        .open_bytes_at(value.trim(), T0)
        .unwrap();
    assert_eq!(opened.data, deep.as_bytes());

    // Too large for the cookie: both sizes in the message.
    let big = format!("\"{}\"", "x".repeat(4000));
    let message = fails(keyed(&seal, big.as_bytes()), 11, "TOO_LARGE");
    assert!(message.contains("4096"), "{message}");
    // Too large to even read: refused after the first MiB, not buffered whole.
    let huge = vec![b' '; 3 << 20];
    fails(keyed(&seal, &huge), 11, "TOO_LARGE");
}

#[test]
fn seal_refuses_bad_options_with_their_codes() {
    let seal = |extra: &[&str]| {
        let mut args = vec!["seal", NOW];
        args.extend_from_slice(extra);
        keyed(&args, b"{}")
    };
    fails(seal(&["--name", "bad name"]), 19, "INVALID_OPTION");
    fails(seal(&["--name", "s", "--ttl", "0"]), 19, "INVALID_OPTION");
    fails(
        seal(&["--name", "s", "--max-len", "5000"]),
        19,
        "INVALID_OPTION",
    );
    fails(
        seal(&["--name", "s", "--purpose", ""]),
        19,
        "INVALID_OPTION",
    );
    // now + ttl past the end of 64-bit time.
    fails(
        seal(&["--name", "s", "--now", &u64::MAX.to_string()]),
        19,
        "INVALID_OPTION",
    );

    let message = fails(seal(&[]), 2, "USAGE");
    assert!(message.contains("--name"), "{message}");
    fails(seal(&["--name", "s", "--ttl", "-5"]), 2, "USAGE");
    fails(seal(&["--name", "s", "--ttl", "1h"]), 2, "USAGE");
    fails(seal(&["--name", "s", "--leeway", "5"]), 2, "USAGE");
    fails(seal(&["--name", "s", "--bogus"]), 2, "USAGE");
    fails(seal(&["--name", "s", "{}"]), 2, "USAGE"); // the payload is never an argument
    fails(seal(&["--name"]), 2, "USAGE");
    fails(seal(&["--name", "s", "--help=yes"]), 2, "USAGE");
    fails(
        seal(&["--name", "s", "--in", "/nonexistent/payload.json"]),
        3,
        "IO",
    );
}

// ---- open

#[test]
fn library_seal_then_cli_open() {
    let value = sealer(&keys(), "session")
        .seal_bytes_at(br#"{"uid":42}"#, T0)
        .unwrap();
    let expected = format!(
        "{{\"payload\":{{\"uid\":42}},\"issued_at\":{T0},\"expires_at\":{},\
         \"key_id\":\"k2\",\"needs_reseal\":false}}\n",
        T0 + WEEK
    );
    // As an argument, on stdin (with the newline `echo` adds), and from a file.
    assert_eq!(
        ok(keyed(&["open", "--name", "session", NOW, &value], b"")),
        expected
    );
    let line = format!("{value}\n");
    assert_eq!(
        ok(keyed(&["open", "--name", "session", NOW], line.as_bytes())),
        expected
    );
    let dir = tempdir();
    let file = dir.join("value.txt");
    std::fs::write(&file, &line).unwrap();
    let args = [
        "open",
        "--name",
        "session",
        NOW,
        "--in",
        file.to_str().unwrap(),
    ];
    assert_eq!(ok(keyed(&args, b"")), expected);
}

#[test]
fn cli_open_prints_the_payload_as_sealed() {
    let payload = br#"{ "b": [1.50, 2e3], "a": "caf\u00e9" }"#;
    let value = sealer(&keys(), "s").seal_bytes_at(payload, T0).unwrap();
    let out = ok(keyed(&["open", "--name", "s", NOW, &value], b""));
    assert!(
        out.starts_with(r#"{"payload":{ "b": [1.50, 2e3], "a": "caf\u00e9" },"#),
        "{out}"
    );
    let parsed = json(&out);
    assert_eq!(parsed["payload"]["a"], "café");
    assert_eq!(parsed["key_id"], "k2");
}

#[test]
fn cli_open_reports_an_old_key_as_needing_a_reseal() {
    let old = format!("k1:{}", key_text(1));
    let value = sealer(&old, "s").seal_bytes_at(b"{}", T0).unwrap();
    let out = json(&ok(keyed(&["open", "--name", "s", NOW, &value], b"")));
    assert_eq!(
        (out["key_id"].as_str(), out["needs_reseal"].as_bool()),
        (Some("k1"), Some(true))
    );
}

#[test]
fn cli_open_refuses_bad_values_with_their_codes() {
    let value = sealer(&keys(), "s")
        .seal_bytes_at(b"{\"uid\":1}", T0)
        .unwrap();
    let open = |value: &str, extra: &[&str]| {
        let mut args = vec!["open", "--name", "s"];
        args.extend_from_slice(extra);
        keyed(&args, value.as_bytes())
    };

    let flipped = tamper(&value, |raw| *raw.last_mut().unwrap() ^= 1);
    assert_eq!(
        fails(open(&flipped, &[NOW]), 14, "BAD_SEAL"),
        "cookie failed authentication"
    );
    fails(open(&value, &[NOW, "--purpose", "csrf"]), 14, "BAD_SEAL");
    let moved = keyed(&["open", "--name", "other", NOW], value.as_bytes());
    fails(moved, 14, "BAD_SEAL");

    fails(open("not a cookie", &[NOW]), 10, "MALFORMED");
    fails(open("", &[NOW]), 10, "MALFORMED");
    fails(open("\u{fffd}\u{fffd}", &[NOW]), 10, "MALFORMED");
    let binary = keyed(&["open", "--name", "s", NOW], b"\xff\xfe\xfd");
    fails(binary, 10, "MALFORMED");

    let version_2 = tamper(&value, |raw| raw[0] = 2);
    fails(open(&version_2, &[NOW]), 12, "UNSUPPORTED_VERSION");
    let k3 = format!("k3:{}", key_text(3));
    let retired = sealer(&k3, "s").seal_bytes_at(b"{}", T0).unwrap();
    let message = fails(open(&retired, &[NOW]), 13, "UNKNOWN_KEY");
    assert!(
        message.contains("\"k3\""),
        "names the id, which is public: {message}"
    );

    // Time: just inside and just outside the window, leeway 60 s by default.
    let expiry = T0 + WEEK;
    ok(open(&value, &[&format!("--now={}", expiry + 60)]));
    fails(
        open(&value, &[&format!("--now={}", expiry + 61)]),
        15,
        "EXPIRED",
    );
    ok(open(
        &value,
        &[&format!("--now={}", expiry + 61), "--leeway", "61"],
    ));
    fails(
        open(&value, &[&format!("--now={}", T0 - 61)]),
        16,
        "NOT_YET_VALID",
    );
    fails(
        open(&value, &[NOW, "--leeway", "3601"]),
        19,
        "INVALID_OPTION",
    );

    fails(open(&"A".repeat(5000), &[NOW]), 11, "TOO_LARGE");
    fails(open(&value, &[NOW, "--max-len", "90"]), 11, "TOO_LARGE");

    // Authentic, but not JSON: sealed by the library's byte API, refused when printing.
    let text = sealer(&keys(), "s")
        .seal_bytes_at(b"plain text", T0)
        .unwrap();
    fails(open(&text, &[NOW]), 17, "PAYLOAD");

    fails(open(&value, &[NOW, "--ttl", "5"]), 2, "USAGE");
    fails(
        keyed(&["open", "--name", "s", NOW, &value, &value], b""),
        2,
        "USAGE",
    );
    fails(keyed(&["open", NOW, &value], b""), 2, "USAGE");
}

// ---- keys

#[test]
fn keys_come_from_the_environment_or_a_file() {
    let value = sealer(&keys(), "s").seal_bytes_at(b"{}", T0).unwrap();
    let open = ["open", "--name", "s", NOW, value.as_str()];

    let message = fails(cli(&open, &[], b""), 3, "IO");
    assert!(message.contains("SESSION_KEYS"), "{message}");

    let mut other = open.to_vec();
    other.extend(["--keys-env", "MY_KEYS"]);
    ok(cli(&other, &[("MY_KEYS", &keys())], b""));
    fails(cli(&other, &[("SESSION_KEYS", &keys())], b""), 3, "IO");

    let dir = tempdir();
    let file = dir.join("keys");
    std::fs::write(&file, format!("\n  {}  \n", keys().replace(',', ",\n"))).unwrap();
    let mut from_file = open.to_vec();
    from_file.extend(["--keys-file", file.to_str().unwrap()]);
    ok(cli(&from_file, &[], b""));

    let mut both = from_file.clone();
    both.extend(["--keys-env", "SESSION_KEYS"]);
    fails(cli(&both, &[("SESSION_KEYS", &keys())], b""), 2, "USAGE");

    let missing = dir.join("no-such-file");
    let mut absent = open.to_vec();
    absent.extend(["--keys-file", missing.to_str().unwrap()]);
    fails(cli(&absent, &[], b""), 3, "IO");
}

#[test]
fn malformed_keys_are_invalid_key_without_echoing_them() {
    let value = sealer(&keys(), "s").seal_bytes_at(b"{}", T0).unwrap();
    let open = ["open", "--name", "s", NOW, value.as_str()];
    let k1 = key_text(1);
    for bad in [
        String::new(),
        "k1:short".to_owned(),
        k1.clone(),          // the id forgotten
        format!("k1:{k1}x"), // one character too many
        format!("bad id:{k1}"),
        format!("k1:{k1},k1:{}", key_text(2)),  // duplicate id
        format!("k1:{}", k1.replace('A', "+")), // standard, not url-safe, base64
    ] {
        fails(
            cli(&open, &[("SESSION_KEYS", &bad)], b""),
            18,
            "INVALID_KEY",
        );
    }
    // The same from a file, including one that is not text.
    let dir = tempdir();
    let file = dir.join("keys");
    std::fs::write(&file, b"k1:\xff\xfe").unwrap();
    let mut args = open.to_vec();
    args.extend(["--keys-file", file.to_str().unwrap()]);
    fails(cli(&args, &[], b""), 18, "INVALID_KEY");
}

#[test]
fn key_text_on_the_command_line_is_never_echoed() {
    let entry = format!("k1:{}", key_text(1));
    let value = sealer(&keys(), "s").seal_bytes_at(b"{}", T0).unwrap();
    let (key_flag_value, key_as_flag, key_line) = (
        format!("--key={entry}"),
        format!("--{entry}"),
        format!("{entry}\n"),
    );
    // Keys pasted where they do not belong. fails() checks stderr holds no key text.
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (vec![entry.as_str()], 2, "USAGE"),
        (vec!["seal", "--name", "s", entry.as_str()], 2, "USAGE"),
        (
            vec!["seal", "--name", "s", "--key", entry.as_str()],
            2,
            "USAGE",
        ),
        (vec!["seal", "--name", "s", &key_flag_value], 2, "USAGE"),
        (vec!["seal", "--name", "s", &key_as_flag], 2, "USAGE"),
        (
            vec!["seal", "--name", "s", "--ttl", entry.as_str()],
            2,
            "USAGE",
        ),
        (vec!["seal", "--name", entry.as_str()], 19, "INVALID_OPTION"),
        (
            vec!["seal", "--name", "s", "--purpose", &key_line],
            19,
            "INVALID_OPTION",
        ),
        (
            vec!["seal", "--name", "s", "--keys-file", entry.as_str()],
            3,
            "IO",
        ),
        (
            vec!["seal", "--name", "s", "--keys-env", entry.as_str()],
            3,
            "IO",
        ),
        (vec!["seal", "--name", "s", "--in", entry.as_str()], 3, "IO"),
        (vec!["keygen", "--id", entry.as_str()], 18, "INVALID_KEY"),
        (vec!["help", entry.as_str()], 2, "USAGE"),
        (
            vec!["open", "--name", "s", &value, entry.as_str()],
            2,
            "USAGE",
        ),
    ];
    for (args, status, code) in cases {
        let mut args = args.clone();
        args.push(NOW);
        fails(keyed(&args, b"{}"), status, code);
    }
    // And the keys the tool did read stay out of every message about them.
    let short = format!("k2:{}", &key_text(2)[..40]);
    let message = fails(
        cli(
            &["seal", "--name", "s", NOW],
            &[("SESSION_KEYS", &short)],
            b"{}",
        ),
        18,
        "INVALID_KEY",
    );
    assert!(message.contains("got 30"), "says what was wrong: {message}");
}

// ---- inspect

#[test]
fn inspect_shows_sizes_without_a_key() {
    let sealer = sealer(&keys(), "session");
    let payload = br#"{"uid":42,"role":"admin"}"#;
    let value = sealer.seal_bytes_at(payload, T0).unwrap();
    // No keys in the environment at all.
    let out = json(&ok(cli(
        &["inspect", "--name", "session", &value],
        &[],
        b"",
    )));
    let cookie_len = "session=".len() + value.len();
    assert_eq!(out["version"], 1);
    assert_eq!(out["key_id"], "k2");
    assert_eq!(out["value_len"], value.len());
    assert_eq!(
        out["raw_len"],
        URL_SAFE_NO_PAD.decode(&value).unwrap().len()
    );
    assert_eq!(out["encrypted_len"], 17 + payload.len());
    assert_eq!(out["name"], "session");
    assert_eq!(out["cookie_len"], cookie_len);
    assert_eq!(out["limit"], 4096);
    assert_eq!(out["bytes_remaining"], 4096 - cookie_len);
    assert_eq!(
        out["payload_bytes_remaining"],
        sealer.capacity() - payload.len()
    );
    assert_eq!(out["fits"], true);
    let percent = out["percent_used"].as_f64().unwrap();
    assert!(
        (percent - cookie_len as f64 * 100.0 / 4096.0).abs() <= 0.05,
        "{percent}"
    );

    // From stdin too, and without --name the value alone is counted.
    let line = format!("{value}\n");
    let out = json(&ok(cli(&["inspect"], &[], line.as_bytes())));
    assert_eq!(
        (out["name"].is_null(), &out["cookie_len"]),
        (true, &out["value_len"])
    );
}

#[test]
fn inspect_payload_room_is_exact() {
    let sealer = sealer(&keys(), "session");
    // A payload that fills the cookie to the last byte leaves no room, and one byte less
    // leaves exactly one.
    for (len, room) in [(sealer.capacity(), 0), (sealer.capacity() - 1, 1)] {
        let payload = format!("\"{}\"", "x".repeat(len - 2));
        let value = sealer.seal_bytes_at(payload.as_bytes(), T0).unwrap();
        let out = json(&ok(cli(
            &["inspect", "--name", "session", &value],
            &[],
            b"",
        )));
        assert_eq!(out["payload_bytes_remaining"], room, "payload of {len}");
        assert_eq!(out["fits"], true);
    }
}

#[test]
fn inspect_measures_against_max_len() {
    let value = sealer(&keys(), "s")
        .seal_bytes_at(&[b'1'; 200], T0)
        .unwrap();
    let out = json(&ok(cli(
        &["inspect", "--name", "s", "--max-len", "200", &value],
        &[],
        b"",
    )));
    assert_eq!(out["limit"], 200);
    assert_eq!(out["fits"], false);
    assert_eq!(out["bytes_remaining"], 200 - (2 + value.len()) as i64);
    assert!(out["payload_bytes_remaining"].as_i64().unwrap() < 0);
}

#[test]
fn inspect_refuses_bad_values_and_options() {
    let value = sealer(&keys(), "s").seal_bytes_at(b"{}", T0).unwrap();
    fails(cli(&["inspect", "garbage!"], &[], b""), 10, "MALFORMED");
    fails(cli(&["inspect", "AQ"], &[], b""), 10, "MALFORMED");
    fails(
        cli(&["inspect", &tamper(&value, |raw| raw[0] = 9)], &[], b""),
        12,
        "UNSUPPORTED_VERSION",
    );
    fails(
        cli(&["inspect", &"A".repeat(70_000)], &[], b""),
        11,
        "TOO_LARGE",
    );
    fails(
        cli(&["inspect", "--name", "a b", &value], &[], b""),
        19,
        "INVALID_OPTION",
    );
    fails(
        cli(&["inspect", "--max-len", "5000", &value], &[], b""),
        19,
        "INVALID_OPTION",
    );
    fails(
        cli(&["inspect", "--max-len", "0", &value], &[], b""),
        19,
        "INVALID_OPTION",
    );
    fails(
        cli(&["inspect", "--purpose", "x", &value], &[], b""),
        2,
        "USAGE",
    );
    fails(cli(&["inspect", &value, &value], &[], b""), 2, "USAGE");
}

// ---- help, version, usage

#[test]
fn every_subcommand_has_help_that_names_its_options() {
    let cases: [(&str, &[&str]); 5] = [
        (
            "",
            &[
                "keygen",
                "seal",
                "open",
                "inspect",
                "SESSION_KEYS",
                "--version",
            ],
        ),
        ("keygen", &["--id", "--now"]),
        (
            "seal",
            &[
                "--name",
                "--purpose",
                "--ttl",
                "--max-len",
                "--now",
                "--in",
                "--keys-env",
                "--keys-file",
            ],
        ),
        (
            "open",
            &[
                "--name",
                "--purpose",
                "--leeway",
                "--max-len",
                "--now",
                "--in",
                "--keys-env",
                "--keys-file",
            ],
        ),
        ("inspect", &["--name", "--max-len", "--in"]),
    ];
    for (command, options) in cases {
        let forms: Vec<Vec<&str>> = if command.is_empty() {
            vec![vec!["--help"], vec!["-h"], vec!["help"]]
        } else {
            // Help wins over missing required options, as a user asking for it expects.
            vec![
                vec![command, "--help"],
                vec![command, "-h"],
                vec!["help", command],
            ]
        };
        let mut texts = Vec::new();
        for args in forms {
            let text = ok(cli(&args, &[], b""));
            for option in options {
                assert!(text.contains(option), "{args:?} help lacks {option}");
            }
            texts.push(text);
        }
        assert!(
            texts.windows(2).all(|w| w[0] == w[1]),
            "{command}: the forms agree"
        );
    }
}

#[test]
fn version_and_usage_errors() {
    let version = format!("cookie-seal {}\n", env!("CARGO_PKG_VERSION"));
    assert_eq!(ok(cli(&["--version"], &[], b"")), version);
    assert_eq!(ok(cli(&["-V"], &[], b"")), version);
    fails(cli(&[], &[], b""), 2, "USAGE");
    let message = fails(cli(&["sael"], &[], b""), 2, "USAGE");
    assert!(
        message.contains("\"sael\""),
        "a typo is quoted back: {message}"
    );
    fails(cli(&["--bogus"], &[], b""), 2, "USAGE");
    fails(cli(&["help", "nothing"], &[], b""), 2, "USAGE");
}

#[test]
fn the_exit_statuses_in_help_are_the_readme_table() {
    let help = ok(cli(&["--help"], &[], b""));
    let readme = include_str!("../README.md");
    let mut seen = 0;
    for line in help.lines() {
        // Lines like "   14  BAD_SEAL             authentication failed: …"
        let mut words = line.split_whitespace();
        let (Some(status), Some(code)) = (words.next(), words.next()) else {
            continue;
        };
        if status.parse::<u8>().is_err()
            || !code.chars().all(|c| c.is_ascii_uppercase() || c == '_')
        {
            continue;
        }
        let row = format!("| {status} | `{code}` |");
        assert!(readme.contains(&row), "README lacks the row {row}");
        seen += 1;
    }
    assert!(seen >= 14, "help lists the exit statuses: {help}");
}

/// A fresh directory under the target dir, removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn join(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tempdir() -> TempDir {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "cookie-seal-cli-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}
