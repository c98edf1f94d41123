//! The hardware AES-256-GCM of JavaScript runtimes with a synchronous `node:crypto` (Node,
//! Deno, workerd with `nodejs_compat`), plugged into the core's backend seam. `pkg/aes-backend.js`
//! builds the host object and decides whether and from what size to use it; this file only
//! carries one message across per call: views of wasm memory go out (no copies on this
//! side), and a host failure of any kind becomes [`Outcome::Unavailable`], so the software
//! implementation does that message instead.

use std::cell::RefCell;

use wasm_bindgen::prelude::wasm_bindgen;

use crate::xaes::backend::{self, Bulk, IV_LEN, Outcome};
use crate::xaes::{KEY_LEN, TAG_LEN};

#[wasm_bindgen]
extern "C" {
    /// `{ seal, open }` from `pkg/aes-backend.js`: each runs one AES-256-GCM message with
    /// `createCipheriv`/`createDecipheriv` and answers 1 (done), 0 (tag rejected) or 2 (it
    /// could not run). They catch every exception themselves: one thrown through wasm
    /// frames would skip the Rust code that releases `HOST`'s borrow.
    pub type HostGcm;

    #[wasm_bindgen(method)]
    fn seal(
        this: &HostGcm,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        buf: &mut [u8],
        tag: &mut [u8],
    ) -> u32;

    #[wasm_bindgen(method)]
    fn open(this: &HostGcm, key: &[u8], iv: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> u32;
}

thread_local! {
    // wasm32-unknown-unknown without atomics has one thread: this is a plain static.
    static HOST: RefCell<Option<HostGcm>> = const { RefCell::new(None) };
}

// Messages the host completed, so the tests can tell it from the software fallback.
#[cfg(test)]
thread_local! {
    static DONE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn done() -> Outcome {
    #[cfg(test)]
    DONE.set(DONE.get() + 1);
    Outcome::Done
}

fn host_seal(
    key: &[u8; KEY_LEN],
    iv: &[u8; IV_LEN],
    aad: &[u8],
    buf: &mut [u8],
    tag: &mut [u8; TAG_LEN],
) -> Outcome {
    HOST.with_borrow(
        |host| match host.as_ref().map(|h| h.seal(key, iv, aad, buf, tag)) {
            Some(1) => done(),
            _ => Outcome::Unavailable,
        },
    )
}

fn host_open(
    key: &[u8; KEY_LEN],
    iv: &[u8; IV_LEN],
    aad: &[u8],
    buf: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> Outcome {
    HOST.with_borrow(
        |host| match host.as_ref().map(|h| h.open(key, iv, aad, buf, tag)) {
            Some(1) => done(),
            Some(0) => Outcome::Rejected,
            _ => Outcome::Unavailable,
        },
    )
}

/// Routes messages of `min_len` bytes and more to `host`, which `pkg/aes-backend.js` has
/// checked against a known answer first.
#[wasm_bindgen(js_name = useHostAes)]
pub fn use_host_aes(host: HostGcm, min_len: u32) {
    HOST.set(Some(host));
    let bulk = Bulk {
        seal: host_seal,
        open: host_open,
    };
    // u32 to usize is lossless on wasm32.
    backend::route(bulk, Some(min_len as usize));
}

/// Every message back to the software AES-256-GCM, and the host object released.
#[wasm_bindgen(js_name = useSoftwareAes)]
pub fn use_software_aes() {
    backend::software_only();
    HOST.set(None);
}

/// The smallest message the host AES takes, in bytes of GCM plaintext, or -1 when
/// everything runs in software.
#[wasm_bindgen(js_name = hostAesMinLen)]
pub fn host_aes_min_len() -> f64 {
    backend::min_len().map_or(-1.0, |n| n as f64)
}

#[cfg(test)]
mod tests;
