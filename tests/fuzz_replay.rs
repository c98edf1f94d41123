// Replays the committed fuzz corpus (fuzz/corpus/<target>/) on stable through the very
// functions the cargo-fuzz targets call, so every input a fuzzer kept, and every crash it
// ever found, stays a test of `cargo test`. The fuzzers themselves run with `make fuzz`.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    replay_dir("corpus", target, run);
}

fn replay_dir(folder: &str, target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(folder)
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{target}: {folder} went missing");
    for file in &files {
        let data = std::fs::read(file).expect("a corpus file");
        let outcome = std::panic::catch_unwind(|| run(&data));
        assert!(outcome.is_ok(), "{target}: {} fails", file.display());
    }
    if folder == "corpus" {
        assert!(files.len() >= 5, "{target}: the corpus went missing");
    }
}

#[test]
fn open_paths_corpus() {
    replay("open_paths", harness::open_paths);
}

#[test]
fn authentic_sessions_corpus() {
    replay("authentic_sessions", harness::authentic_sessions);
}

#[test]
fn cookie_headers_corpus() {
    replay("cookie_headers", harness::cookie_headers);
}

#[test]
fn keyring_text_corpus() {
    replay("keyring_text", harness::keyring_text);
}

/// The harness is not vacuous: a session the model says opens does open, and the
/// invariants fire on a broken result.
#[test]
fn the_harness_checks_what_it_claims() {
    let cfg = harness::Config::vectors();
    let plain = harness::Plain::session(1, harness::T, harness::T, harness::T + 3_600, b"{}");
    let verdict = harness::model_open(
        &plain.bytes(),
        &cfg,
        &harness::Revoked::default(),
        harness::T,
    );
    assert!(
        matches!(verdict, harness::Verdict::Open { .. }),
        "{verdict:?}"
    );
    let late = harness::model_open(
        &plain.bytes(),
        &cfg,
        &harness::Revoked::default(),
        harness::T + 3_661,
    );
    assert_eq!(late, harness::Verdict::Fails("EXPIRED"));
    let revoked = harness::Revoked {
        ids: vec![[1; 16]],
        subjects: vec![],
    };
    assert_eq!(
        harness::model_open(&plain.bytes(), &cfg, &revoked, harness::T),
        harness::Verdict::Fails("REVOKED")
    );
    // The leak check trips on key text and on an echoed input run.
    let key = {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(harness::key_bytes(0))
    };
    assert!(
        std::panic::catch_unwind(|| harness::assert_quiet(&format!("bad {key}"), None)).is_err()
    );
    let input = b"k1:abcdefghijklmnopqrstuvwxyz";
    assert!(
        std::panic::catch_unwind(|| harness::assert_quiet(
            "x abcdefghijklmnopqrstu y",
            Some(input)
        ))
        .is_err()
    );
    harness::assert_quiet("key id abcdefghijklmnop is short enough", Some(input));
}

/// Runs one input, e.g. a crash from fuzz/artifacts/, through a harness function on stable:
/// `FUZZ_TARGET=cookie_headers FUZZ_INPUT=path cargo test --test fuzz_replay -- --ignored one_input`
#[test]
#[ignore = "needs FUZZ_TARGET and FUZZ_INPUT"]
fn one_input() {
    let target = std::env::var("FUZZ_TARGET").expect("FUZZ_TARGET");
    let data = std::fs::read(std::env::var("FUZZ_INPUT").expect("FUZZ_INPUT")).expect("the input");
    match target.as_str() {
        "open_paths" => harness::open_paths(&data),
        "authentic_sessions" => harness::authentic_sessions(&data),
        "cookie_headers" => harness::cookie_headers(&data),
        "keyring_text" => harness::keyring_text(&data),
        other => panic!("no target {other}"),
    }
}
