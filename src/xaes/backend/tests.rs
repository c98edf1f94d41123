//! The seam's contract, natively: a registered AES-256-GCM (here the `aes-gcm` crate keyed
//! the ordinary way, standing in for a host's) gets exactly the per-message key and nonce
//! XAES-256-GCM defines, and each outcome is handled as documented. The wasm tests run the
//! same known answers through the real JavaScript host backend.

// Registering is process-wide; these tests keep to their own thread's behaviour (MODE) and
// leave every other test's output unchanged, because the stand-in computes the same bytes.
use std::cell::Cell;

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};

use super::*;
use crate::xaes::XaesKey;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Normal,
    Unavailable,
}

thread_local! {
    static MODE: Cell<Mode> = const { Cell::new(Mode::Normal) };
    static CALLS: Cell<usize> = const { Cell::new(0) };
}

fn seal(
    key: &[u8; KEY_LEN],
    iv: &[u8; IV_LEN],
    aad: &[u8],
    buf: &mut [u8],
    tag: &mut [u8; TAG_LEN],
) -> Outcome {
    CALLS.set(CALLS.get() + 1);
    if MODE.get() == Mode::Unavailable {
        return Outcome::Unavailable;
    }
    let gcm = Aes256Gcm::new(key.into());
    match gcm.encrypt_inout_detached(&Nonce::from(*iv), aad, buf.into()) {
        Ok(t) => {
            tag.copy_from_slice(&t);
            Outcome::Done
        }
        Err(_) => Outcome::Unavailable,
    }
}

fn open(
    key: &[u8; KEY_LEN],
    iv: &[u8; IV_LEN],
    aad: &[u8],
    buf: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> Outcome {
    CALLS.set(CALLS.get() + 1);
    if MODE.get() == Mode::Unavailable {
        return Outcome::Unavailable;
    }
    let gcm = Aes256Gcm::new(key.into());
    let mut copy = buf.to_vec();
    match gcm.decrypt_inout_detached(
        &Nonce::from(*iv),
        aad,
        copy.as_mut_slice().into(),
        &Tag::from(*tag),
    ) {
        Ok(()) => {
            buf.copy_from_slice(&copy);
            Outcome::Done
        }
        Err(_) => Outcome::Rejected,
    }
}

/// C2SP XAES-256-GCM vector 2 (key 0x03.., AAD "c2sp.org/XAES-256-GCM").
const KEY: [u8; KEY_LEN] = [3; KEY_LEN];
const NONCE: &[u8; 24] = b"ABCDEFGHIJKLMNOPQRSTUVWX";
const AAD: &[u8] = b"c2sp.org/XAES-256-GCM";
const SEALED: &str = "986ec1832593df5443a179437fd083bf3fdb41abd740a21f71eb769d";

#[test]
fn a_registered_backend_gets_the_xaes_per_message_key_and_each_outcome_is_handled() {
    route(Bulk { seal, open }, Some(12));
    assert_eq!(min_len(), Some(12));
    let key = XaesKey::new(&KEY);

    // Done: the backend's bytes are the known answer, so it got the derived key and nonce.
    let before = CALLS.get();
    let mut buf = b"XAES-256-GCM".to_vec();
    let tag = key.seal_in_place(NONCE, AAD, &mut buf).unwrap();
    assert_eq!(hex::encode([&buf[..], &tag].concat()), SEALED);
    key.open_in_place(NONCE, AAD, &mut buf, &tag).unwrap();
    assert_eq!(buf, b"XAES-256-GCM");
    assert_eq!(CALLS.get() - before, 2, "both went to the backend");

    // Rejected: final, not retried in software.
    let mut bad = tag;
    bad[0] ^= 1;
    let mut ct = hex::decode(&SEALED[..24]).unwrap();
    let before = CALLS.get();
    assert!(key.open_in_place(NONCE, AAD, &mut ct, &bad).is_err());
    assert_eq!(
        hex::encode(&ct),
        &SEALED[..24],
        "a rejected open leaves the ciphertext"
    );
    assert_eq!(CALLS.get() - before, 1);

    // Shorter than min_len: software, the backend is not called.
    let before = CALLS.get();
    let mut short = b"XAES-256-GC".to_vec();
    let tag = key.seal_in_place(NONCE, AAD, &mut short).unwrap();
    key.open_in_place(NONCE, AAD, &mut short, &tag).unwrap();
    assert_eq!(CALLS.get(), before);

    // Unavailable: software does the message, with the same bytes.
    MODE.set(Mode::Unavailable);
    let mut buf = b"XAES-256-GCM".to_vec();
    let tag = key.seal_in_place(NONCE, AAD, &mut buf).unwrap();
    assert_eq!(hex::encode([&buf[..], &tag].concat()), SEALED);
    key.open_in_place(NONCE, AAD, &mut buf, &tag).unwrap();
    assert_eq!(buf, b"XAES-256-GCM");
    MODE.set(Mode::Normal);

    // Routed back to software only; the next route() turns it on again.
    software_only();
    assert_eq!(min_len(), None);
    let before = CALLS.get();
    let mut buf = b"XAES-256-GCM".to_vec();
    key.seal_in_place(NONCE, AAD, &mut buf).unwrap();
    assert_eq!(CALLS.get(), before);
    route(Bulk { seal, open }, Some(0));
    assert_eq!(min_len(), Some(0));
}
