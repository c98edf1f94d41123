//! Cross-site request forgery defences, free of any web framework: a check of the headers
//! browsers set on every request ([`CrossOrigin`]), a token bound to the session for HTML
//! forms and for browsers that send neither header ([`CsrfTokens`]), and a token for the
//! forms posted before there is a session, such as sign-in ([`PreSessionTokens`]).
//!
//! Why both: the header check stops every cross-site form post and `fetch` from a browser
//! of the last years with no change to the pages, but a browser that sends neither
//! `Sec-Fetch-Site` nor `Origin` (older ones, some privacy extensions) gives it nothing to
//! judge, and it lets such a request through. The token covers that case, and any case
//! where a same-site page (a sibling subdomain) is trusted by the header check. A forged
//! sign-in (login CSRF: the victim signed into the attacker's account) has no session to
//! bind a token to, hence the pre-session token, bound to a random value in a cookie.

use subtle::ConstantTimeEq;

use crate::{Error, Sealer};

mod origin;
mod pre_session;
mod token;

pub(crate) use origin::normalise_origin;
pub use origin::{CrossOrigin, MAX_TRUSTED_ORIGINS, OriginHeaders};
pub use pre_session::{
    DEFAULT_PRE_SESSION_COOKIE, DEFAULT_PRE_SESSION_TTL, PreSessionToken, PreSessionTokens,
};
pub use token::{CsrfTokens, DEFAULT_CSRF_TTL};

/// The form field that carries an anti-forgery token (session-bound or pre-session).
///
/// ```
/// assert_eq!(cookie_seal::csrf::CSRF_FIELD, "csrf_token");
/// ```
pub const CSRF_FIELD: &str = "csrf_token";
/// The header scripts send an anti-forgery token in.
///
/// ```
/// assert_eq!(cookie_seal::csrf::CSRF_HEADER, "x-csrf-token");
/// ```
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Longest token text looked at; a real one is 90 (session-bound) to 130 characters.
const MAX_TOKEN_LEN: usize = 512;

/// What a token seals: a base64url text (a session id, a pre-session value) as a JSON
/// string, so the JavaScript package's `Sealer` (which seals JSON) makes and checks the
/// very same tokens. Base64url needs no escaping.
fn json_string(text: &str) -> Vec<u8> {
    format!("\"{text}\"").into_bytes()
}

/// Opens `token` (trimmed, not empty) and compares what it seals with `expected` in
/// constant time. Every failure is [`Error::Csrf`]: expired, or `foreign` (made for
/// something else, by another key, or not a token at all).
fn open_token(
    sealer: &Sealer,
    token: &str,
    expected: &[u8],
    now: u64,
    foreign: &'static str,
) -> Result<(), Error> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(Error::Csrf(foreign));
    }
    let opened = sealer.open_bytes_at(token, now).map_err(|err| match err {
        Error::Expired { .. } => Error::Csrf("expired: reload the page"),
        _ => Error::Csrf(foreign),
    })?;
    if bool::from(opened.data.as_slice().ct_eq(expected)) {
        Ok(())
    } else {
        Err(Error::Csrf(foreign))
    }
}

#[cfg(test)]
mod tests;
