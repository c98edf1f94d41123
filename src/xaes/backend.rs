//! Where XAES-256-GCM's bulk AES-256-GCM runs. The key derivation (two AES-256 blocks from
//! the per-key schedule and K1) always runs here, in Rust, so a per-message key and 96-bit
//! nonce are all a backend ever sees; the format, claims, associated data and base64url
//! never leave the sealer.
//!
//! By default every message uses the `aes-gcm` crate (AES-NI and CLMUL natively, constant-time
//! software in wasm). A binding may register a runtime's own AES-256-GCM, such as a
//! synchronous hardware one a JavaScript host provides, for messages of at least some length:
//! a function-pointer registry, so the core depends on no binding crate.

// Only the wasm binding registers a backend: native builds carry the seam (one load per
// message) and its tests, and never route anything.
#![cfg_attr(
    not(all(target_arch = "wasm32", target_os = "unknown")),
    allow(dead_code)
)]

use core::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use super::{KEY_LEN, TAG_LEN};

/// Bytes in the GCM nonce a backend gets.
pub(crate) const IV_LEN: usize = 12;

/// What a registered backend did with one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Sealed, or opened with a valid tag: `buf` holds the result.
    Done,
    /// Opening only: the tag did not verify; `buf` is unchanged.
    Rejected,
    /// The backend could not run (the host threw, say); `buf` and the tag are unchanged and
    /// the software implementation does the message instead.
    Unavailable,
}

/// Seals `buf` in place under a one-message key and writes the tag.
pub(crate) type SealFn = fn(
    key: &[u8; KEY_LEN],
    iv: &[u8; IV_LEN],
    aad: &[u8],
    buf: &mut [u8],
    tag: &mut [u8; TAG_LEN],
) -> Outcome;

/// Opens `buf` in place if `tag` verifies; on any other outcome `buf` is unchanged.
pub(crate) type OpenFn = fn(
    key: &[u8; KEY_LEN],
    iv: &[u8; IV_LEN],
    aad: &[u8],
    buf: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> Outcome;

/// A registered AES-256-GCM.
#[derive(Clone, Copy)]
pub(crate) struct Bulk {
    pub(crate) seal: SealFn,
    pub(crate) open: OpenFn,
}

static BULK: OnceLock<Bulk> = OnceLock::new();
/// Messages at least this long use [`BULK`]; `usize::MAX` (no slice is that long) is software
/// for all, which is also what a build that never registers anything keeps.
static MIN_LEN: AtomicUsize = AtomicUsize::new(usize::MAX);

/// Registers `bulk` and routes messages of `min_len` bytes and more to it (`None`: none).
/// A binding has one backend, so the first registration's functions are the ones kept.
pub(crate) fn route(bulk: Bulk, min_len: Option<usize>) {
    BULK.get_or_init(|| bulk);
    MIN_LEN.store(min_len.unwrap_or(usize::MAX), Ordering::Release);
}

/// Every message back to the software implementation.
pub(crate) fn software_only() {
    MIN_LEN.store(usize::MAX, Ordering::Release);
}

/// The smallest message length the registered backend takes, if it takes any.
pub(crate) fn min_len() -> Option<usize> {
    match MIN_LEN.load(Ordering::Acquire) {
        usize::MAX => None,
        n => Some(n),
    }
}

/// The backend for a message of `len` bytes, if one is registered for that length.
#[inline]
pub(crate) fn for_len(len: usize) -> Option<&'static Bulk> {
    // One relaxed-cost load on the path every build takes; the OnceLock only once routed.
    if len < MIN_LEN.load(Ordering::Acquire) {
        return None;
    }
    BULK.get()
}

// Native only: a wasm test binary registers the real host backend (src/wasm/node_crypto.rs),
// and the first registration is the one kept.
#[cfg(all(test, not(all(target_arch = "wasm32", target_os = "unknown"))))]
mod tests;
