//! axum and tower (feature `axum`): [`SessionLayer`] reads the session cookie of every
//! request and writes `Set-Cookie` on the way out when a write is due; handlers take a
//! [`SessionHandle`] (or a [`FreshSession`] on sign-in routes) to read and change it.
//! [`CrossOriginLayer`] and [`RateLimitLayer`] sit beside it, [`CsrfForm`] checks a
//! signed-in form's anti-forgery token before the handler sees the form, and
//! [`SignInForm`] the pre-session token of a form posted before there is a session.
//!
//! `session.rs` holds the session layer and extractors, `csrf.rs` the cross-origin layer
//! and the two form extractors, `rate_limit.rs` the rate-limit layer.
//!
//! Every refusal answers with a JSON body `{"code": "...", "message": "..."}` carrying the
//! crate's error code: 401 for a refused cookie (431 when too large), 403 for
//! `CROSS_ORIGIN` and `CSRF`, 429 with `Retry-After` for `RATE_LIMITED`, 503 for
//! `STORE_UNAVAILABLE` when the [`Sessions`] have a store that cannot answer.
//!
//! ```
//! use axum::{Router, routing::{get, post}};
//! use cookie_seal::axum::{FreshSession, SessionHandle, SessionLayer};
//! use cookie_seal::{Key, Keyring, SessionManager, Sessions, SignIn};
//!
//! async fn sign_in(mut session: FreshSession<String>) -> Result<&'static str, cookie_seal::axum::SessionRejection> {
//!     session.sign_in("ada".into(), SignIn::default())?;
//!     Ok("signed in")
//! }
//! async fn me(session: SessionHandle<String>) -> String {
//!     session.get().map_or("nobody".into(), |s| s.data.clone())
//! }
//!
//! let ring = Keyring::new("k1", Key::generate()?)?;
//! let sessions = Sessions::new(SessionManager::builder(ring.clone(), "__Host-s").build()?, ring)?;
//! let app: Router = Router::new()
//!     .route("/sign-in", post(sign_in))
//!     .route("/me", get(me))
//!     .layer(SessionLayer::new(sessions));
//! # Ok::<(), cookie_seal::Error>(())
//! ```

use std::future::Future;
use std::pin::Pin;

use ::axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use ::axum::response::{IntoResponse, Response};

use crate::Error;
pub use crate::csrf::{CSRF_FIELD, CSRF_HEADER};
pub use crate::web::{FreshSession, SessionHandle, Sessions};
use crate::web::{error_body, refused_status, set_cookie_values};

mod csrf;
mod rate_limit;
mod session;

pub use csrf::{CrossOriginLayer, CrossOriginService, CsrfForm, SignInForm};
pub use rate_limit::{RateLimitLayer, RateLimitService};
pub use session::{SessionLayer, SessionService};

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// A refusal as a response: the status for its code and `{"code", "message"}`.
///
/// ```
/// use axum::response::IntoResponse;
/// let response = cookie_seal::axum::SessionRejection(cookie_seal::Error::BadSeal).into_response();
/// assert_eq!(response.status(), 401);
/// ```
#[derive(Debug)]
pub struct SessionRejection(pub Error);

impl From<Error> for SessionRejection {
    fn from(err: Error) -> Self {
        SessionRejection(err)
    }
}

impl IntoResponse for SessionRejection {
    fn into_response(self) -> Response {
        error_response(&self.0)
    }
}

fn error_response(err: &Error) -> Response {
    let status =
        StatusCode::from_u16(refused_status(err)).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        error_body(err),
    )
        .into_response();
    if let Error::RateLimited { retry_after } = err {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
    }
    response
}

/// Adds the session's `Set-Cookie` values (and `no-store`) to a response's headers.
fn append_set_cookies(headers: &mut HeaderMap, writes: &[String]) {
    let has_cache_control = headers.contains_key(header::CACHE_CONTROL);
    for (name, value) in set_cookie_values(writes, has_cache_control) {
        // The library writes visible ASCII only; anything else would be its bug, and is
        // dropped rather than turned into a panic.
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.append(HeaderName::from_static(name), value);
        }
    }
}
