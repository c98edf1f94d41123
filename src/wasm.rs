//! The WebAssembly binding: converts JavaScript values to the core's types and the core's
//! errors to JavaScript values, and nothing else. The crypto core never imports
//! wasm-bindgen; `pkg/core.js` wraps these exports in the public, idiomatic API (JSON,
//! `SealError`), and `pkg/session-core.js` those of `wasm/sessions.rs`.
//!
//! What crosses the boundary:
//! - options, as one object's entries that serde reads here (`options.rs`: unknown names
//!   refused, every default the core's own, from [`crate::defaults`]);
//! - errors, as the JSON text `{"code":…,"message":…,"details":{…}}`, thrown as a string
//!   that the wrapper parses into a `SealError`;
//! - constants and the error codes, from `constants()` of the sessions half, so JavaScript
//!   holds no copies.
//!
//! Rules this file keeps, because a panic in wasm aborts the instance and every later request
//! in the isolate with it:
//! - no `unwrap`, `expect`, indexing or unchecked arithmetic on anything JavaScript controls;
//! - every number from JavaScript is checked (finite, whole, non-negative, in range) before
//!   it becomes an integer;
//! - every failure leaves as an error text, never as a panic.

use std::time::Duration;

use serde::Deserialize;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::{Error, Key, Keyring, Sealer};

// The session lifecycle binding (`cookie-seal/sessions`), behind the `js-sessions` feature so
// the Sealer-only main entry does not carry it; see Cargo.toml.
mod options;
#[cfg(feature = "js-sessions")]
mod sessions;

// The host's AES-256-GCM (node:crypto) behind the core's backend seam, for both modules.
mod node_crypto;

use options::{KeysText, MAX_SAFE_INTEGER, Whole};

/// A failure as the wrapper receives it: the JSON text of `{ code, message, details }`, where
/// `details` has `actual`/`limit` (bytes) or `chunksNeeded`/`maxChunks` (cookies) for
/// `TOO_LARGE`, `expiresAt` for `EXPIRED`, `validFrom` for `NOT_YET_VALID`.
pub struct Thrown(String);

impl From<Error> for Thrown {
    fn from(err: Error) -> Thrown {
        let details = match err {
            Error::TooLarge { actual, limit } => {
                format!(r#"{{"actual":{actual},"limit":{limit}}}"#)
            }
            Error::TooManyChunks { needed, max } => {
                format!(r#"{{"chunksNeeded":{needed},"maxChunks":{max}}}"#)
            }
            // Timestamps past 2^53 lose precision in JSON.parse, the best a JS number can do.
            Error::Expired { expires_at } => format!(r#"{{"expiresAt":{expires_at}}}"#),
            Error::NotYetValid { valid_from } => format!(r#"{{"validFrom":{valid_from}}}"#),
            _ => "{}".to_owned(),
        };
        let message = json_string(&err.to_string());
        Thrown(format!(
            r#"{{"code":"{}","message":{message},"details":{details}}}"#,
            err.code()
        ))
    }
}

impl From<Thrown> for JsValue {
    fn from(thrown: Thrown) -> JsValue {
        JsValue::from_str(&thrown.0)
    }
}

/// `text` as a JSON string literal. By hand: serde_json's serializer would add kilobytes to
/// the module for this one job.
pub(crate) fn json_string(text: &str) -> String {
    // Byte by byte: every byte to escape is ASCII, and every other byte (any part of a
    // multi-byte character) is copied as it is, so the output stays UTF-8.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(text.len() + 2);
    out.push(b'"');
    for &b in text.as_bytes() {
        match b {
            b'"' | b'\\' => out.extend_from_slice(&[b'\\', b]),
            // Control characters: \u00XX. Below 0x20, so two hex digits.
            0..0x20 => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 15)],
            ]),
            _ => out.push(b),
        }
    }
    out.push(b'"');
    // Cannot fail (see above); an empty string rather than a panic if it ever did.
    String::from_utf8(out).unwrap_or_default()
}

/// A whole number of seconds from a JavaScript call argument, or `INVALID_OPTION` naming `what`.
pub(crate) fn whole(what: &str, value: f64) -> Result<u64, Error> {
    if value.is_finite() && value.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER as f64).contains(&value)
    {
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

/// `new Sealer(options)`: every option but `keys` (already the `Keyring::parse` text) as
/// the public API names it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SealerOptions {
    keys: KeysText,
    name: String,
    purpose: Option<String>,
    ttl: Option<Whole>,
    leeway: Option<Whole>,
    max_len: Option<Whole>,
}

/// The core [`Sealer`], for the JavaScript wrapper.
#[wasm_bindgen(js_name = WasmSealer)]
pub struct WasmSealer {
    inner: Sealer,
}

#[wasm_bindgen(js_class = WasmSealer)]
impl WasmSealer {
    /// The options object's entries ([`options`]) read as [`SealerOptions`]. What is
    /// absent keeps the core's default.
    #[wasm_bindgen(constructor)]
    pub fn new(names: Vec<String>, values: Vec<JsValue>) -> Result<WasmSealer, Thrown> {
        let o: SealerOptions = options::read("Sealer", names, values)?;
        let mut b = Sealer::builder(Keyring::parse(&o.keys.0)?, &o.name);
        if let Some(purpose) = &o.purpose {
            b = b.purpose(purpose);
        }
        if let Some(Whole(ttl)) = o.ttl {
            b = b.ttl(Duration::from_secs(ttl));
        }
        if let Some(Whole(leeway)) = o.leeway {
            b = b.leeway(Duration::from_secs(leeway));
        }
        if let Some(Whole(max_len)) = o.max_len {
            // Below 2^53, so it fits a usize on wasm32 only up to 4 GiB: clamp, and the
            // builder refuses anything over 4096 anyway.
            b = b.max_len(usize::try_from(max_len).unwrap_or(usize::MAX));
        }
        Ok(WasmSealer { inner: b.build()? })
    }

    /// Seals `payload` issued at `now` seconds: the UTF-8 of the caller's JSON text, which the
    /// wrapper has checked is well-formed UTF-16 and encoded with `TextEncoder`. Bytes, not
    /// `&str`: the glue copies a string in one character at a time, an array in one `set`.
    /// Owned, so the copy the glue made in wasm memory is wiped here rather than freed as is.
    pub fn seal(&self, payload: Vec<u8>, now: f64) -> Result<String, Thrown> {
        let payload = zeroize::Zeroizing::new(payload);
        let now = whole("now", now)?;
        Ok(self.inner.seal_bytes_at(&payload, now)?)
    }

    /// Opens `value` (its UTF-8, as for `seal`) at `now` seconds: `[payload text, issuedAt,
    /// expiresAt, keyId, needsReseal]`, one array rather than an object to free.
    pub fn open(&self, value: &[u8], now: f64) -> Result<Vec<JsValue>, Thrown> {
        let now = whole("now", now)?;
        let value =
            core::str::from_utf8(value).map_err(|_| Error::Malformed("the value is not UTF-8"))?;
        let opened = self.inner.open_bytes_at(value, now)?;
        // Copied into a JS string; the bytes left in wasm memory are wiped.
        let data = zeroize::Zeroizing::new(opened.data);
        let text = core::str::from_utf8(&data)
            .map_err(|_| Error::Payload("payload is not UTF-8".into()))?;
        Ok(vec![
            JsValue::from_str(text),
            JsValue::from(opened.issued_at as f64),
            JsValue::from(opened.expires_at as f64),
            JsValue::from(opened.key_id),
            JsValue::from(opened.needs_reseal),
        ])
    }

    /// The `TOO_LARGE` error for a payload of `payload_len` bytes (`seal`) or a value of
    /// `value_len` characters (`open`, when `opening`), so the wrapper can refuse a huge
    /// string without copying it into wasm memory, which never shrinks.
    #[wasm_bindgen(js_name = tooLarge)]
    pub fn too_large(&self, len: f64, opening: bool) -> String {
        // Saturating float-to-int conversion: absurd lengths become usize::MAX.
        let len = if len.is_finite() && len >= 0.0 {
            len as usize
        } else {
            0
        };
        let actual = if opening {
            self.inner
                .cookie_name()
                .len()
                .saturating_add(1)
                .saturating_add(len)
        } else {
            self.inner.cookie_len_for(len)
        };
        let limit = self.inner.max_len();
        Thrown::from(Error::TooLarge { actual, limit }).0
    }

    /// See [`Sealer::capacity`].
    #[wasm_bindgen(getter)]
    pub fn capacity(&self) -> f64 {
        self.inner.capacity() as f64
    }

    /// The most bytes the cookie may take (`maxLen`).
    #[wasm_bindgen(getter, js_name = maxLen)]
    pub fn max_len(&self) -> f64 {
        self.inner.max_len() as f64
    }
}

/// A fresh random key as unpadded base64url.
#[wasm_bindgen(js_name = generateKey)]
pub fn generate_key() -> Result<String, Thrown> {
    Ok(Key::generate()?.to_base64url())
}
