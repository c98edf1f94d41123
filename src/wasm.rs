//! The WebAssembly binding: converts JavaScript values to the core's types and the core's
//! errors to a JavaScript object, and nothing else. The crypto core never imports
//! wasm-bindgen; `pkg/core.js` wraps these exports in the public, idiomatic API (JSON,
//! option defaults, `SealError`), and `pkg/session-core.js` those of `wasm/sessions.rs`.
//!
//! Rules this file keeps, because a panic in wasm aborts the instance and every later request
//! in the isolate with it:
//! - no `unwrap`, `expect`, indexing or unchecked arithmetic on anything JavaScript controls;
//! - every number from JavaScript is checked (finite, whole, non-negative, in range) before
//!   it becomes an integer;
//! - every failure leaves as a [`WasmError`], never as a thrown string.

use std::time::Duration;

use wasm_bindgen::prelude::wasm_bindgen;

use crate::{Error, Key, Keyring, Sealer};

// The session lifecycle binding (`cookie-seal/sessions`), behind the `js-sessions` feature so
// the Sealer-only main entry does not carry it; see Cargo.toml.
#[cfg(feature = "js-sessions")]
mod sessions;

// The host's AES-256-GCM (node:crypto) behind the core's backend seam, for both modules.
mod node_crypto;

/// Largest integer a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A failure, as the JavaScript wrapper receives it. `pkg/core.js` turns it into a
/// `SealError` and frees it at once.
#[wasm_bindgen(js_name = WasmError)]
pub struct WasmError {
    code: &'static str,
    message: String,
    /// `TOO_LARGE`: the cookie's size and the limit, or with `chunks` the cookies a session
    /// needs and `max_chunks`. `EXPIRED`: the expiry. `NOT_YET_VALID`: the earliest valid
    /// time. NaN when the code has no such detail.
    first: f64,
    second: f64,
    /// True when `first`/`second` count cookies rather than bytes (a session over `max_chunks`).
    chunks: bool,
}

#[wasm_bindgen(js_class = WasmError)]
impl WasmError {
    /// The stable error code, as `Error::code` gives it.
    #[wasm_bindgen(getter)]
    pub fn code(&self) -> String {
        self.code.to_owned()
    }

    /// The human-readable message (`Display` of the core error).
    #[wasm_bindgen(getter)]
    pub fn message(&self) -> String {
        self.message.clone()
    }

    /// First numeric detail (see the field docs), or NaN.
    #[wasm_bindgen(getter)]
    pub fn first(&self) -> f64 {
        self.first
    }

    /// Second numeric detail (see the field docs), or NaN.
    #[wasm_bindgen(getter)]
    pub fn second(&self) -> f64 {
        self.second
    }

    /// True when the details count cookies (`TOO_LARGE` for a session over `max_chunks`).
    #[wasm_bindgen(getter)]
    pub fn chunks(&self) -> bool {
        self.chunks
    }
}

impl From<Error> for WasmError {
    fn from(err: Error) -> WasmError {
        let (first, second) = match err {
            // usize and u64 to f64: sizes are at most a few thousand; timestamps past 2^53
            // lose precision rather than wrapping, which is the best a JS number can do.
            Error::TooLarge { actual, limit } => (actual as f64, limit as f64),
            Error::TooManyChunks { needed, max } => (needed as f64, max as f64),
            Error::Expired { expires_at } => (expires_at as f64, f64::NAN),
            Error::NotYetValid { valid_from } => (valid_from as f64, f64::NAN),
            _ => (f64::NAN, f64::NAN),
        };
        WasmError {
            code: err.code(),
            chunks: matches!(err, Error::TooManyChunks { .. }),
            message: err.to_string(),
            first,
            second,
        }
    }
}

/// A whole number of seconds (or bytes) from JavaScript, or `INVALID_OPTION` naming `what`.
fn whole(what: &str, value: f64) -> Result<u64, Error> {
    if value.is_finite() && value.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER).contains(&value) {
        // In range and integral, so the conversion is exact.
        Ok(value as u64)
    } else {
        // The value is not echoed: formatting a float would pull about 10 KB of float
        // printing code into the wasm, for a message that names the option anyway.
        Err(Error::InvalidOption(format!(
            "{what} must be a whole number from 0 to Number.MAX_SAFE_INTEGER"
        )))
    }
}

/// An opened value as the wrapper receives it: the payload as text (JSON, parsed by the
/// JavaScript engine) and the claims.
#[wasm_bindgen(js_name = WasmOpened)]
pub struct WasmOpened {
    data: String,
    issued_at: f64,
    expires_at: f64,
    key_id: String,
    needs_reseal: bool,
}

#[wasm_bindgen(js_class = WasmOpened)]
impl WasmOpened {
    /// The payload text.
    #[wasm_bindgen(getter)]
    pub fn data(&self) -> String {
        self.data.clone()
    }

    /// Seconds since the Unix epoch.
    #[wasm_bindgen(getter, js_name = issuedAt)]
    pub fn issued_at(&self) -> f64 {
        self.issued_at
    }

    /// Seconds since the Unix epoch.
    #[wasm_bindgen(getter, js_name = expiresAt)]
    pub fn expires_at(&self) -> f64 {
        self.expires_at
    }

    /// The id of the key that opened the value.
    #[wasm_bindgen(getter, js_name = keyId)]
    pub fn key_id(&self) -> String {
        self.key_id.clone()
    }

    /// True when a key other than the primary opened it.
    #[wasm_bindgen(getter, js_name = needsReseal)]
    pub fn needs_reseal(&self) -> bool {
        self.needs_reseal
    }
}

/// The core [`Sealer`], for the JavaScript wrapper.
#[wasm_bindgen(js_name = WasmSealer)]
pub struct WasmSealer {
    inner: Sealer,
}

#[wasm_bindgen(js_class = WasmSealer)]
impl WasmSealer {
    /// `keys` is the `Keyring::parse` text; the numbers are checked here, the rest by the core.
    #[wasm_bindgen(constructor)]
    pub fn new(
        keys: &str,
        name: &str,
        purpose: &str,
        ttl: f64,
        leeway: f64,
        max_len: f64,
    ) -> Result<WasmSealer, WasmError> {
        let ring = Keyring::parse(keys)?;
        let max_len = usize::try_from(whole("maxLen", max_len)?)
            .map_err(|_| Error::InvalidOption("maxLen is too large".into()))?;
        let inner = Sealer::builder(ring, name)
            .purpose(purpose)
            .ttl(Duration::from_secs(whole("ttl", ttl)?))
            .leeway(Duration::from_secs(whole("leeway", leeway)?))
            .max_len(max_len)
            .build()?;
        Ok(WasmSealer { inner })
    }

    /// Seals `payload` (the caller's JSON text; a JS string is always valid UTF-8 once
    /// encoded) issued at `now` seconds.
    pub fn seal(&self, payload: &str, now: f64) -> Result<String, WasmError> {
        let now = whole("now", now)?;
        Ok(self.inner.seal_bytes_at(payload.as_bytes(), now)?)
    }

    /// Opens `value` at `now` seconds to its payload text and claims.
    pub fn open(&self, value: &str, now: f64) -> Result<WasmOpened, WasmError> {
        let now = whole("now", now)?;
        let opened = self.inner.open_bytes_at(value, now)?;
        let data = String::from_utf8(opened.data)
            .map_err(|_| Error::Payload("payload is not UTF-8".into()))?;
        Ok(WasmOpened {
            data,
            issued_at: opened.issued_at as f64,
            expires_at: opened.expires_at as f64,
            key_id: opened.key_id,
            needs_reseal: opened.needs_reseal,
        })
    }

    /// Bytes the whole cookie (`name=value`) takes for a payload of `payload_len` bytes:
    /// lets the wrapper report `TOO_LARGE` for a huge payload without copying it into wasm
    /// memory, which never shrinks.
    #[wasm_bindgen(js_name = cookieLen)]
    pub fn cookie_len(&self, payload_len: f64) -> f64 {
        let payload_len = if payload_len.is_finite() && payload_len >= 0.0 {
            // Saturating float-to-int conversion: absurd lengths become usize::MAX.
            payload_len as usize
        } else {
            0
        };
        self.inner.cookie_len_for(payload_len) as f64
    }

    /// See [`Sealer::capacity`].
    #[wasm_bindgen(getter)]
    pub fn capacity(&self) -> f64 {
        self.inner.capacity() as f64
    }
}

/// A fresh random key as unpadded base64url.
#[wasm_bindgen(js_name = generateKey)]
pub fn generate_key() -> Result<String, WasmError> {
    Ok(Key::generate()?.to_base64url())
}
