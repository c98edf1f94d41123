//! The WebAssembly binding: converts JavaScript values to the core's types and the core's
//! errors to a JavaScript object, and nothing else. The crypto core never imports
//! wasm-bindgen; `pkg/core.js` wraps these exports in the public, idiomatic API (JSON,
//! option defaults, `SealError`).
//!
//! Rules this file keeps, because a panic in wasm aborts the instance and every later request
//! in the isolate with it:
//! - no `unwrap`, `expect`, indexing or unchecked arithmetic on anything JavaScript controls;
//! - every number from JavaScript is checked (finite, whole, non-negative, in range) before
//!   it becomes an integer;
//! - every failure leaves as a [`WasmError`], never as a thrown string.

use std::time::Duration;

use wasm_bindgen::prelude::wasm_bindgen;

use crate::format::sealed_len;
use crate::{
    DEFAULT_REMEMBER_ABSOLUTE, DEFAULT_REMEMBER_IDLE, Error, Key, Keyring, MAX_CHUNKS_LIMIT,
    SameSite, Sealer, Session, SessionId, SessionManager, SignIn, Subject,
};

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
        let value_len = sealed_len(self.inner.keyring().primary_id().len(), payload_len);
        self.inner
            .cookie_name()
            .len()
            .saturating_add(1)
            .saturating_add(value_len) as f64
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

/// A JavaScript number that must be a whole count (`maxChunks`), as a `usize`.
fn count(what: &str, value: f64) -> Result<usize, Error> {
    usize::try_from(whole(what, value)?)
        .map_err(|_| Error::InvalidOption(format!("{what} is too large")))
}

/// Seconds from JavaScript as a `Duration`.
fn seconds(what: &str, value: f64) -> Result<Duration, Error> {
    Ok(Duration::from_secs(whole(what, value)?))
}

/// A subject from its JavaScript parts. The generation arrives as decimal text, so one
/// above `Number.MAX_SAFE_INTEGER` read from a cookie is written back exactly.
fn subject(id: Option<String>, generation: &str) -> Result<Option<Subject>, Error> {
    let Some(id) = id else { return Ok(None) };
    let generation = match generation.parse::<u64>() {
        Ok(g) if !generation.starts_with('+') => g,
        _ => {
            return Err(Error::InvalidOption(
                "subject generation must be a whole number from 0".into(),
            ));
        }
    };
    Subject::new(&id, generation).map(Some)
}

/// The cookies a request carried, as JavaScript keeps them: bit 0 for the session's name,
/// bit `i + 1` for chunk `name.i`. A number is all JavaScript has to hold, and only these
/// eleven names can come back out of it, so nothing from JavaScript reaches a header.
fn present_mask(name: &str, present: &[String]) -> u32 {
    let mut mask = 0;
    for cookie in present {
        if cookie == name {
            mask |= 1;
        } else if let Some(i) = cookie
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix('.'))
            .and_then(|i| i.parse::<u32>().ok())
            .filter(|i| (*i as usize) < MAX_CHUNKS_LIMIT)
        {
            mask |= 1 << (i + 1);
        }
    }
    mask
}

/// The inverse of [`present_mask`], in the reader's order (`name`, `name.0`, …).
fn present_names(name: &str, mask: u32) -> Vec<String> {
    (0..=MAX_CHUNKS_LIMIT)
        .filter(|bit| mask & (1 << bit) != 0)
        .map(|bit| match bit {
            0 => name.to_owned(),
            _ => format!("{name}.{}", bit - 1),
        })
        .collect()
}

/// A session as the wrapper receives it (after sign-in or a read): the payload as text and
/// every claim. `pkg/core.js` copies the fields into a plain object and frees this at once.
#[wasm_bindgen(js_name = WasmSession)]
pub struct WasmSession {
    inner: Session<Vec<u8>>,
    cookies: u32,
}

#[wasm_bindgen(js_class = WasmSession)]
impl WasmSession {
    /// The payload text (JSON, parsed by the JavaScript engine); empty after sign-in.
    #[wasm_bindgen(getter)]
    pub fn data(&self) -> Result<String, WasmError> {
        String::from_utf8(self.inner.data.clone())
            .map_err(|_| Error::Payload("payload is not UTF-8".into()).into())
    }

    /// The session id, 22 characters of base64url.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.inner.id.to_string()
    }

    /// The subject's id, or undefined.
    #[wasm_bindgen(getter, js_name = subjectId)]
    pub fn subject_id(&self) -> Option<String> {
        self.inner.subject.as_ref().map(|s| s.id.clone())
    }

    /// The subject's generation as a JavaScript number (rounded past 2^53).
    #[wasm_bindgen(getter, js_name = subjectGeneration)]
    pub fn subject_generation(&self) -> f64 {
        self.inner
            .subject
            .as_ref()
            .map_or(0.0, |s| s.generation as f64)
    }

    /// The subject's generation exactly, as decimal text.
    #[wasm_bindgen(getter, js_name = subjectGenerationText)]
    pub fn subject_generation_text(&self) -> String {
        self.inner
            .subject
            .as_ref()
            .map_or_else(String::new, |s| s.generation.to_string())
    }

    /// Seconds since the Unix epoch.
    #[wasm_bindgen(getter, js_name = signedInAt)]
    pub fn signed_in_at(&self) -> f64 {
        self.inner.signed_in_at as f64
    }

    /// Seconds since the Unix epoch.
    #[wasm_bindgen(getter, js_name = issuedAt)]
    pub fn issued_at(&self) -> f64 {
        self.inner.issued_at as f64
    }

    /// Seconds since the Unix epoch.
    #[wasm_bindgen(getter, js_name = expiresAt)]
    pub fn expires_at(&self) -> f64 {
        self.inner.expires_at as f64
    }

    /// Seconds since the Unix epoch.
    #[wasm_bindgen(getter, js_name = absoluteExpiresAt)]
    pub fn absolute_expires_at(&self) -> f64 {
        self.inner.absolute_expires_at as f64
    }

    /// Whether it is a remember-me session.
    #[wasm_bindgen(getter, js_name = rememberMe)]
    pub fn remember_me(&self) -> bool {
        self.inner.remember_me
    }

    /// The key that opened it; empty after sign-in.
    #[wasm_bindgen(getter, js_name = keyId)]
    pub fn key_id(&self) -> String {
        self.inner.key_id.clone()
    }

    /// Why it should be written again (`ResealReason::as_str`), or undefined.
    #[wasm_bindgen(getter, js_name = resealReason)]
    pub fn reseal_reason(&self) -> Option<String> {
        self.inner.reseal.map(|r| r.as_str().to_owned())
    }

    /// The cookies the request carried, as [`present_mask`] packs them.
    #[wasm_bindgen(getter)]
    pub fn cookies(&self) -> u32 {
        self.cookies
    }
}

/// The core [`SessionManager`], for the JavaScript wrapper. It reads the `Cookie` header,
/// decides expiry and renewal, and writes the `Set-Cookie` values; the wrapper only converts.
#[wasm_bindgen(js_name = WasmSessionManager)]
pub struct WasmSessionManager {
    inner: SessionManager,
}

#[wasm_bindgen(js_class = WasmSessionManager)]
impl WasmSessionManager {
    /// Every option of `SessionManagerBuilder`; `undefined` (None) keeps the builder's
    /// default, so the defaults live in one place, the core. The numbers are checked here,
    /// everything else by the core's `build`.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)] // one per builder option, named by the wrapper
    pub fn new(
        keys: &str,
        name: &str,
        purpose: Option<String>,
        leeway: Option<f64>,
        idle: Option<f64>,
        absolute: Option<f64>,
        remember_idle: Option<f64>,
        remember_absolute: Option<f64>,
        renew_when_remaining: Option<f64>,
        same_site: Option<String>,
        domain: Option<String>,
        path: Option<String>,
        insecure_dev_mode_for_localhost: bool,
        max_chunks: Option<f64>,
        not_before: Option<f64>,
    ) -> Result<WasmSessionManager, WasmError> {
        let mut b = SessionManager::builder(Keyring::parse(keys)?, name);
        if let Some(purpose) = purpose {
            b = b.purpose(&purpose);
        }
        if let Some(leeway) = leeway {
            b = b.leeway(seconds("leeway", leeway)?);
        }
        if let Some(idle) = idle {
            b = b.idle_timeout(seconds("idleTimeout", idle)?);
        }
        if let Some(absolute) = absolute {
            b = b.absolute_lifetime(seconds("absoluteLifetime", absolute)?);
        }
        if remember_idle.is_some() || remember_absolute.is_some() {
            let idle = match remember_idle {
                Some(idle) => seconds("rememberMe.idleTimeout", idle)?,
                None => DEFAULT_REMEMBER_IDLE,
            };
            let absolute = match remember_absolute {
                Some(absolute) => seconds("rememberMe.absoluteLifetime", absolute)?,
                None => DEFAULT_REMEMBER_ABSOLUTE,
            };
            b = b.remember_me(idle, absolute);
        }
        if let Some(fraction) = renew_when_remaining {
            b = b.renew_when_remaining(fraction);
        }
        if let Some(same_site) = same_site {
            b = b.same_site(match same_site.as_str() {
                "Strict" => SameSite::Strict,
                "Lax" => SameSite::Lax,
                "None" => SameSite::None,
                _ => {
                    let why = "sameSite must be \"Strict\", \"Lax\" or \"None\"";
                    return Err(Error::InvalidOption(why.into()).into());
                }
            });
        }
        if let Some(domain) = domain {
            b = b.domain(&domain);
        }
        if let Some(path) = path {
            b = b.path(&path);
        }
        if insecure_dev_mode_for_localhost {
            b = b.insecure_dev_mode_for_localhost();
        }
        if let Some(max_chunks) = max_chunks {
            b = b.max_chunks(count("maxChunks", max_chunks)?);
        }
        if let Some(cutoff) = not_before {
            b = b.not_before(whole("notBefore", cutoff)?);
        }
        Ok(WasmSessionManager { inner: b.build()? })
    }

    fn session(&self, inner: Session<Vec<u8>>) -> WasmSession {
        let cookies = present_mask(self.inner.cookie_name(), inner.present_cookies());
        WasmSession { inner, cookies }
    }

    /// `SessionManager::sign_in` with an empty payload: the wrapper keeps the data.
    #[wasm_bindgen(js_name = signIn)]
    pub fn sign_in(
        &self,
        remember_me: bool,
        subject_id: Option<String>,
        generation: &str,
        now: f64,
    ) -> Result<WasmSession, WasmError> {
        let mut options = SignIn::default().remember_me(remember_me);
        if let Some(s) = subject(subject_id, generation)? {
            options = options.subject(s);
        }
        let now = whole("now", now)?;
        Ok(self.session(self.inner.sign_in(Vec::new(), options, now)?))
    }

    /// `SessionManager::read_bytes_at_with`, where the first `skip` candidates that pass
    /// every other check count as revoked: the wrapper asks JavaScript's `isRevoked` about
    /// the candidate it gets, and if revoked calls again with `skip + 1`. So the callback
    /// can be async, and a revoked cookie still does not hide a later one of the same name.
    pub fn read(
        &self,
        cookie_header: &str,
        now: f64,
        skip: u32,
    ) -> Result<Option<WasmSession>, WasmError> {
        let now = whole("now", now)?;
        let mut passed = 0u32;
        let read = self.inner.read_bytes_at_with(cookie_header, now, |_| {
            passed = passed.saturating_add(1);
            passed <= skip
        })?;
        Ok(read.map(|s| self.session(s)))
    }

    /// `SessionManager::set_cookies_bytes_at` on a session rebuilt from the parts the
    /// wrapper kept: `cookies` as [`present_mask`] packed them, an empty `key_id` for a
    /// session never written.
    #[wasm_bindgen(js_name = setCookies)]
    #[allow(clippy::too_many_arguments)] // one per session part a write uses
    pub fn set_cookies(
        &self,
        payload: &str,
        id: &str,
        subject_id: Option<String>,
        generation: &str,
        signed_in_at: f64,
        remember_me: bool,
        key_id: String,
        cookies: u32,
        now: f64,
    ) -> Result<Vec<String>, WasmError> {
        let id = id.parse::<SessionId>().map_err(|_| {
            Error::InvalidOption("session id must be the 22 characters the manager gave".into())
        })?;
        let session = Session::for_write(
            payload.as_bytes().to_vec(),
            id,
            subject(subject_id, generation)?,
            whole("signedInAt", signed_in_at)?,
            remember_me,
            key_id,
            present_names(self.inner.cookie_name(), cookies),
        );
        let now = whole("now", now)?;
        Ok(self.inner.set_cookies_bytes_at(&session, now)?)
    }

    /// `SessionManager::clear_cookies`.
    #[wasm_bindgen(js_name = clearCookies)]
    pub fn clear_cookies(&self) -> Vec<String> {
        self.inner.clear_cookies()
    }

    /// `SessionManager::capacity`.
    #[wasm_bindgen(getter)]
    pub fn capacity(&self) -> f64 {
        self.inner.capacity() as f64
    }

    /// `SessionManager::longest_session`, in seconds.
    #[wasm_bindgen(getter, js_name = longestSession)]
    pub fn longest_session(&self) -> f64 {
        self.inner.longest_session().as_secs() as f64
    }
}

/// A fresh random session id (`Session::regenerate_id`), as the wrapper shows it.
#[wasm_bindgen(js_name = newSessionId)]
pub fn new_session_id() -> Result<String, WasmError> {
    Ok(SessionId::generate()?.to_string())
}
