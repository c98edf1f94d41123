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

#[cfg(test)]
mod tests;
