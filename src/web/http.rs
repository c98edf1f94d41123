//! What every integration answers with and reads from the wire, free of their header types.

use crate::Error;

/// The HTTP status for a refused session: 431 when the cookie is too large (the request
/// header is what is too large), 500 for the server's own failures, 503 when the store
/// cannot answer, 401 otherwise.
pub(crate) fn refused_status(err: &Error) -> u16 {
    match err.code() {
        "TOO_LARGE" => 431,
        "RANDOM_FAILED" | "INVALID_OPTION" | "CLOCK" => 500,
        "STORE_UNAVAILABLE" => 503,
        "CROSS_ORIGIN" | "CSRF" => 403,
        "RATE_LIMITED" => 429,
        _ => 401,
    }
}

/// `{"code": "...", "message": "..."}`, the body every refusal of the integrations has.
pub(crate) fn error_body(err: &Error) -> String {
    serde_json::json!({ "code": err.code(), "message": err.to_string() }).to_string()
}

/// The rate-limit key of a request whose client has no name (no address, or a key
/// function that found nothing): such clients share one budget rather than having none.
pub(crate) const UNKNOWN_CLIENT: &str = "unknown-client";

/// Every `Cookie` field joined with `"; "` (HTTP/2 sends one field per cookie). Bytes
/// that are not UTF-8 become U+FFFD: they can only be in other cookies, since a session
/// cookie is ASCII, and must not stop the session from being read.
pub(crate) fn cookie_header<'a>(fields: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut joined = String::new();
    for value in fields {
        if !joined.is_empty() {
            joined.push_str("; ");
        }
        joined.push_str(&String::from_utf8_lossy(value));
    }
    joined
}

/// The headers a response carrying `writes` gets, as (name, value): each `Set-Cookie`,
/// then `Cache-Control: no-store` unless the response already says how to cache it,
/// because a shared cache must never store, and replay to others, a response that sets a
/// session cookie. Nothing when nothing is written.
pub(crate) fn set_cookie_values(
    writes: &[String],
    has_cache_control: bool,
) -> impl Iterator<Item = (&'static str, &str)> {
    let no_store =
        (!writes.is_empty() && !has_cache_control).then_some(("cache-control", "no-store"));
    writes
        .iter()
        .map(|cookie| ("set-cookie", cookie.as_str()))
        .chain(no_store)
}

/// The headers the cross-origin check reads, by name through `header`; `Host` falls back
/// to the request target's authority (HTTP/2's `:authority`).
pub(crate) fn origin_headers<'a>(
    method: &'a str,
    authority: Option<&'a str>,
    header: impl Fn(&str) -> Option<&'a str>,
) -> crate::OriginHeaders<'a> {
    crate::OriginHeaders {
        method,
        host: header("host").or(authority),
        origin: header("origin"),
        sec_fetch_site: header("sec-fetch-site"),
        referer: header("referer"),
    }
}
