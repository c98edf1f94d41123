//! The session lifecycle half of the WebAssembly binding (`SessionManager` for
//! `pkg/session-core.js`). Compiled only with the `js-sessions` feature: it adds about 15.6 KB
//! gzipped to the module, so the package's main entry (`cookie-seal`, Sealer only) is built
//! without it, within issue 3's 48 KB budget, and `cookie-seal/sessions` with it. The rules
//! of `src/wasm.rs` hold here too.

use std::time::Duration;

use wasm_bindgen::prelude::wasm_bindgen;

use super::{WasmError, whole};
use crate::defaults::{DEFAULT_REMEMBER_ABSOLUTE, DEFAULT_REMEMBER_IDLE};
use crate::limits::MAX_CHUNKS_LIMIT;
use crate::{Error, Keyring, SameSite, Session, SessionId, SessionManager, SignIn, Subject};

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
/// every claim. `pkg/session-core.js` copies the fields into a plain object and frees this at once.
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
            b = b.revoke_signed_in_before(whole("notBefore", cutoff)?);
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

    /// `SessionManager::reader`, where the first `skip` candidates that pass
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
        let mut reader = self.inner.reader(cookie_header, now)?;
        let mut passed = 0u32;
        while let Some(candidate) = reader.next_candidate() {
            passed = passed.saturating_add(1);
            if passed <= skip {
                reader.reject(candidate, Error::Revoked);
            } else {
                return Ok(Some(self.session(candidate.accept())));
            }
        }
        Ok(reader.finish()?)
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
