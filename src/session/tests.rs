// In wasm these run under wasm-bindgen-test, which sees only its own attribute.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::sync::Arc;

use super::*;
use crate::{Key, Keyring};

fn ring() -> Keyring {
    Keyring::new("k1", Key::from_bytes(&[1; 32]).unwrap()).unwrap()
}

fn cookie(m: &SessionManager, data: &[u8], now: u64) -> (SessionId, String) {
    let s = m.sign_in(data.to_vec(), SignIn::default(), now).unwrap();
    let header = m.set_cookies_bytes_at(&s, now).unwrap();
    let pair = header[0].split(';').next().unwrap().to_owned();
    (s.id, pair)
}

/// Rejects the candidates `refuse` names and accepts the first other one, as a store would.
fn drive(
    m: &SessionManager,
    header: &str,
    now: u64,
    mut refuse: impl FnMut(&SessionInfo<'_>) -> bool,
) -> Result<Option<Session<Vec<u8>>>, Error> {
    let mut reader = m.reader(header, now)?;
    while let Some(candidate) = reader.next_candidate() {
        if refuse(&candidate.info()) {
            reader.reject(candidate, Error::Revoked);
            continue;
        }
        return Ok(Some(candidate.accept()));
    }
    reader.finish()
}

/// The caller's check sees each candidate in header order, only after every other check
/// passed, and a refused candidate does not hide the next one (cookie tossing).
#[test]
fn the_reader_yields_each_candidate_in_order() {
    let m = SessionManager::builder(ring(), "s").build().unwrap();
    let now = 1_700_000_000;
    let (first, a) = cookie(&m, b"1", now);
    let (second, b) = cookie(&m, b"2", now);
    let (_, expired) = cookie(&m, b"0", now - 3 * 86_400);
    let header = format!("{expired}; {a}; {b}");

    let mut seen = Vec::new();
    let s = drive(&m, &header, now, |info| {
        seen.push(*info.id);
        *info.id == first
    });
    assert_eq!(s.unwrap().unwrap().data, b"2");
    // The expired cookie never reached the check; the refused one did, then the next.
    assert_eq!(seen, [first, second]);

    // Every candidate refused: the first error in header order (EXPIRED) is reported.
    let err = drive(&m, &header, now, |_| true).unwrap_err();
    assert_eq!(err.code(), "EXPIRED");
    let err = drive(&m, &format!("{a}; {b}"), now, |_| true);
    assert_eq!(err.unwrap_err(), Error::Revoked);
    // Refusing nothing is read_bytes_at.
    assert_eq!(
        drive(&m, &header, now, |_| false).unwrap(),
        m.read_bytes_at(&header, now).unwrap()
    );
    assert!(drive(&m, "", now, |_| true).unwrap().is_none());
}

/// The manager's hook refuses first: the caller never sees what it refused.
#[test]
fn the_hook_refuses_before_the_caller_sees_a_candidate() {
    let revoked = Arc::new(MemoryRevocation::new(Duration::from_secs(86_400)));
    let m = SessionManager::builder(ring(), "s")
        .revocation(revoked.clone())
        .build()
        .unwrap();
    let now = 1_700_000_000;
    let (_, header) = cookie(&m, b"1", now);
    let s = m.read_bytes_at(&header, now).unwrap().unwrap();
    revoked.revoke(&s, now);
    let mut called = false;
    let err = drive(&m, &header, now, |_| {
        called = true;
        false
    });
    assert_eq!(err.unwrap_err(), Error::Revoked);
    assert!(!called, "the hook already refused it");
}

/// The reader outlives the manager handle it came from and moves between threads.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_reader_is_owned_and_sendable() {
    let m = SessionManager::builder(ring(), "s").build().unwrap();
    let now = 1_700_000_000;
    let (id, header) = cookie(&m, b"1", now);
    let mut reader = m.reader(&header, now).unwrap();
    drop(m);
    let session = std::thread::spawn(move || reader.next_candidate().map(Candidate::accept))
        .join()
        .unwrap()
        .unwrap();
    assert_eq!(session.id, id);
}
