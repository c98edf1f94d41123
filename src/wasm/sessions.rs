//! The session lifecycle half of the WebAssembly binding (`SessionManager` and its reader for
//! `pkg/session-core.js`). Compiled only with the `js-sessions` feature, which adds about
//! 16 KB gzipped to the module, so the package's main entry (`cookie-seal`, Sealer only) is
//! built without it and `cookie-seal/sessions` with it. The rules of `src/wasm.rs` hold here.
//!
//! A session crosses to JavaScript as JSON text (see [`view`]) and comes back as its parts;
//! the payload crosses as its own text, so JavaScript parses it once.

use std::time::Duration;

use serde::Deserialize;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

use super::options::{self, KeysText, Whole};
use super::{Thrown, json_string, whole};
use crate::defaults::{DEFAULT_REMEMBER_ABSOLUTE, DEFAULT_REMEMBER_IDLE};
use crate::limits::MAX_CHUNKS_LIMIT;
use crate::{
    Candidate, Error, Keyring, SameSite, Session, SessionId, SessionManager, SessionReader, SignIn,
    Subject,
};

/// `new SessionManager(options)`, as the public API names the options (`rememberMe`'s two
/// flattened); `keys` is already the `Keyring::parse` text. What is absent keeps the core's
/// default.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ManagerOptions {
    keys: KeysText,
    name: String,
    purpose: Option<String>,
    leeway: Option<Whole>,
    idle_timeout: Option<Whole>,
    absolute_lifetime: Option<Whole>,
    #[serde(rename = "rememberMe.idleTimeout")]
    remember_idle: Option<Whole>,
    #[serde(rename = "rememberMe.absoluteLifetime")]
    remember_absolute: Option<Whole>,
    renew_when_remaining: Option<f64>,
    same_site: Option<String>,
    domain: Option<String>,
    path: Option<String>,
    insecure_dev_mode_for_localhost: Option<bool>,
    max_chunks: Option<Whole>,
    /// The sign-in cutoff (`revoke_signed_in_before`), under its JavaScript name.
    not_before: Option<Whole>,
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

/// A session as the wrapper receives it, without its payload: the JSON text of `{ id,
/// subjectId, subjectGeneration, subjectGenerationText, signedInAt, issuedAt, expiresAt,
/// absoluteExpiresAt, rememberMe, validatedAt, keyId, resealReason, cookies }` for `session` of the
/// manager whose cookie is `name`. Times are whole seconds (rounded by JSON.parse past 2^53,
/// the best a JS number can do); the generation also as exact text, for writing back.
/// `validatedAt` is null for a cookie without the claim; JavaScript hands it back to
/// [`WasmSessionManager::set_cookies`] unchanged, so a write keeps it.
fn view<T>(name: &str, session: &Session<T>) -> String {
    let (subject_id, generation, generation_text) = match &session.subject {
        Some(s) => (
            json_string(&s.id),
            s.generation.to_string(),
            format!("\"{}\"", s.generation),
        ),
        None => ("null".into(), "null".into(), "null".into()),
    };
    let reason = session
        .reseal
        .map_or_else(|| "null".into(), |r| json_string(r.as_str()));
    format!(
        concat!(
            r#"{{"id":"{}","subjectId":{},"subjectGeneration":{},"subjectGenerationText":{},"#,
            r#""signedInAt":{},"issuedAt":{},"expiresAt":{},"absoluteExpiresAt":{},"#,
            r#""rememberMe":{},"validatedAt":{},"keyId":{},"resealReason":{},"cookies":{}}}"#
        ),
        session.id,
        subject_id,
        generation,
        generation_text,
        session.signed_in_at,
        session.issued_at,
        session.expires_at,
        session.absolute_expires_at,
        session.remember_me,
        session
            .validated_at
            .map_or_else(|| "null".into(), |v| v.to_string()),
        json_string(&session.key_id),
        reason,
        present_mask(name, session.present_cookies()),
    )
}

/// The core [`SessionManager`], for the JavaScript wrapper. It reads the `Cookie` header,
/// decides expiry and renewal, and writes the `Set-Cookie` values; the wrapper only converts.
#[wasm_bindgen(js_name = WasmSessionManager)]
pub struct WasmSessionManager {
    inner: SessionManager,
}

#[wasm_bindgen(js_class = WasmSessionManager)]
impl WasmSessionManager {
    /// The options object's entries (see `options.rs`) read as [`ManagerOptions`].
    #[wasm_bindgen(constructor)]
    pub fn new(names: Vec<String>, values: Vec<JsValue>) -> Result<WasmSessionManager, Thrown> {
        let o: ManagerOptions = options::read("SessionManager", names, values)?;
        let mut b = SessionManager::builder(Keyring::parse(&o.keys.0)?, &o.name);
        let secs = |Whole(s)| Duration::from_secs(s);
        if let Some(purpose) = &o.purpose {
            b = b.purpose(purpose);
        }
        if let Some(leeway) = o.leeway {
            b = b.leeway(secs(leeway));
        }
        if let Some(idle) = o.idle_timeout {
            b = b.idle_timeout(secs(idle));
        }
        if let Some(absolute) = o.absolute_lifetime {
            b = b.absolute_lifetime(secs(absolute));
        }
        if o.remember_idle.is_some() || o.remember_absolute.is_some() {
            b = b.remember_me(
                o.remember_idle.map_or(DEFAULT_REMEMBER_IDLE, secs),
                o.remember_absolute.map_or(DEFAULT_REMEMBER_ABSOLUTE, secs),
            );
        }
        if let Some(fraction) = o.renew_when_remaining {
            b = b.renew_when_remaining(fraction);
        }
        if let Some(same_site) = &o.same_site {
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
        if let Some(domain) = &o.domain {
            b = b.domain(domain);
        }
        if let Some(path) = &o.path {
            b = b.path(path);
        }
        if o.insecure_dev_mode_for_localhost == Some(true) {
            b = b.insecure_dev_mode_for_localhost();
        }
        if let Some(Whole(max_chunks)) = o.max_chunks {
            b = b.max_chunks(usize::try_from(max_chunks).unwrap_or(usize::MAX));
        }
        if let Some(Whole(cutoff)) = o.not_before {
            b = b.revoke_signed_in_before(cutoff);
        }
        Ok(WasmSessionManager { inner: b.build()? })
    }

    /// `SessionManager::sign_in` with an empty payload (the wrapper keeps the data).
    /// Returns the session's view.
    #[wasm_bindgen(js_name = signIn)]
    pub fn sign_in(
        &self,
        remember_me: bool,
        subject_id: Option<String>,
        generation: &str,
        now: f64,
    ) -> Result<String, Thrown> {
        let mut options = SignIn::default().remember_me(remember_me);
        if let Some(s) = subject(subject_id, generation)? {
            options = options.subject(s);
        }
        let now = whole("now", now)?;
        let session = self.inner.sign_in((), options, now)?;
        Ok(view(self.inner.cookie_name(), &session))
    }

    /// The reader of one `Cookie` header (its UTF-8, as for `WasmSealer::open`):
    /// `SessionManager::reader`.
    pub fn reader(&self, cookie_header: &[u8], now: f64) -> Result<WasmSessionReader, Thrown> {
        let now = whole("now", now)?;
        let cookie_header = core::str::from_utf8(cookie_header)
            .map_err(|_| Error::Malformed("the Cookie header is not UTF-8"))?;
        Ok(WasmSessionReader {
            name: self.inner.cookie_name().to_owned(),
            reader: Some(self.inner.reader(cookie_header, now)?),
            current: None,
        })
    }

    /// `SessionManager::set_cookies_bytes_at` on a session rebuilt from the parts the
    /// wrapper kept: `cookies` as [`present_mask`] packed them, an empty `key_id` for a
    /// session never written, and the `validatedAt` the cookie carried (absent if none).
    /// `payload` is the UTF-8 of the session's JSON text, as for `WasmSealer::seal`.
    #[wasm_bindgen(js_name = setCookies)]
    #[allow(clippy::too_many_arguments)] // one per session part a write uses
    pub fn set_cookies(
        &self,
        payload: Vec<u8>,
        id: &str,
        subject_id: Option<String>,
        generation: &str,
        signed_in_at: f64,
        remember_me: bool,
        validated_at: Option<f64>,
        key_id: String,
        cookies: u32,
        now: f64,
    ) -> Result<Vec<String>, Thrown> {
        // The glue's copy of the text in wasm memory: wiped when dropped, or once the session
        // that takes it over has been written.
        let mut payload = zeroize::Zeroizing::new(payload);
        let id = id.parse::<SessionId>().map_err(|_| {
            Error::InvalidOption("session id must be the 22 characters the manager gave".into())
        })?;
        let now = whole("now", now)?;
        // Everything that can fail before the text moves into the session.
        let subject = subject(subject_id, generation)?;
        let signed_in_at = whole("signedInAt", signed_in_at)?;
        let validated_at = validated_at.map(|v| whole("validatedAt", v)).transpose()?;
        let mut session = Session::for_write(
            core::mem::take(&mut *payload),
            id,
            subject,
            signed_in_at,
            remember_me,
            validated_at,
            key_id,
            present_names(self.inner.cookie_name(), cookies),
        );
        let written = self.inner.set_cookies_bytes_at(&session, now);
        zeroize::Zeroize::zeroize(&mut session.data);
        Ok(written?)
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

/// The core [`SessionReader`] for the wrapper's generator: `next()` gives a candidate's view,
/// then the wrapper either `accept()`s it (its payload text) or `reject()`s it (revoked), and
/// after the last, `finish()` gives nothing (no session cookie) or throws the first error.
#[wasm_bindgen(js_name = WasmSessionReader)]
pub struct WasmSessionReader {
    name: String,
    /// `None` once finished.
    reader: Option<SessionReader>,
    current: Option<Candidate>,
}

#[wasm_bindgen(js_class = WasmSessionReader)]
impl WasmSessionReader {
    /// The next candidate's view, or undefined when none is left. A candidate not yet
    /// accepted or rejected counts as rejected.
    pub fn next(&mut self) -> Option<String> {
        self.reject();
        let reader = self.reader.as_mut()?;
        let candidate = reader.next_candidate()?;
        let shown = view(&self.name, candidate.session());
        self.current = Some(candidate);
        Some(shown)
    }

    /// The current candidate's payload text: it is the request's session.
    pub fn accept(&mut self) -> Result<JsValue, Thrown> {
        let candidate = self
            .current
            .take()
            .ok_or_else(|| Error::InvalidOption("no session candidate to accept".into()))?;
        // Copied into a JS string; the bytes left in wasm memory are wiped.
        let data = zeroize::Zeroizing::new(candidate.accept().data);
        let text = core::str::from_utf8(&data)
            .map_err(|_| Error::Payload("payload is not UTF-8".into()))?;
        Ok(JsValue::from_str(text))
    }

    /// Refuses the current candidate as `REVOKED` (the application's `isRevoked` said so).
    pub fn reject(&mut self) {
        if let (Some(reader), Some(candidate)) = (self.reader.as_mut(), self.current.take()) {
            reader.reject(candidate, Error::Revoked);
        }
    }

    /// After the last candidate: returns when the header had no session cookie, throws
    /// the first error in header order otherwise.
    pub fn finish(&mut self) -> Result<(), Thrown> {
        self.reject();
        match self.reader.take() {
            Some(reader) => Ok(reader.finish::<()>().map(drop)?),
            None => Ok(()),
        }
    }
}

/// What the wrapper needs to know and must not copy: the error codes (all, and how many
/// from the start say a cookie does not open) and the bounds it checks before a string is
/// copied into wasm. JSON text: `{"codes":[…],"cookieCodes":9,"maxCookieHeaderLen":…,
/// "maxSessionPayload":…}`.
#[wasm_bindgen]
pub fn constants() -> String {
    // Pushed one by one rather than collected and joined: the same text, smaller code.
    let mut codes = String::from("[");
    for (i, code) in Error::CODES.iter().enumerate() {
        if i > 0 {
            codes.push(',');
        }
        codes.push_str(&json_string(code));
    }
    codes.push(']');
    let max_session = MAX_CHUNKS_LIMIT * crate::format::BROWSER_COOKIE_LIMIT;
    format!(
        r#"{{"codes":{codes},"cookieCodes":{},"maxCookieHeaderLen":{},"maxSessionPayload":{max_session}}}"#,
        Error::COOKIE_CODES,
        crate::limits::MAX_COOKIE_HEADER_LEN,
    )
}

/// The `TOO_LARGE` error for a `Cookie` header of `len` bytes, which the wrapper refuses
/// before copying it into wasm memory, which never shrinks.
#[wasm_bindgen(js_name = cookieHeaderTooLarge)]
pub fn cookie_header_too_large(len: f64) -> String {
    // Saturating float-to-int conversion: absurd lengths become usize::MAX.
    let actual = if len.is_finite() && len >= 0.0 {
        len as usize
    } else {
        0
    };
    let limit = crate::limits::MAX_COOKIE_HEADER_LEN;
    Thrown::from(Error::TooLarge { actual, limit }).0
}

/// A fresh random session id (`Session::regenerate_id`), as the wrapper shows it.
#[wasm_bindgen(js_name = newSessionId)]
pub fn new_session_id() -> Result<String, Thrown> {
    Ok(SessionId::generate()?.to_string())
}
