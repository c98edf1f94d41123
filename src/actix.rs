//! actix-web (feature `actix`): the same integration as [`crate::axum`], as middleware.
//! [`SessionMiddleware`] reads the session cookie of every request and writes `Set-Cookie`
//! on the way out when a write is due; handlers take a [`SessionHandle`] (or a
//! [`FreshSession`] on sign-in routes). [`CrossOriginMiddleware`] and
//! [`RateLimitMiddleware`] sit beside it, [`CsrfForm`] checks a signed-in form's token
//! and [`SignInForm`] the pre-session token of a sign-in form.
//! Refusals are JSON `{"code", "message"}` with the same statuses as the axum module.
//!
//! `session.rs` holds the session middleware and extractors, `csrf.rs` the form
//! extractors, `gate.rs` the cross-origin and rate-limit middleware.
//!
//! ```
//! use actix_web::{App, HttpResponse, web};
//! use cookie_seal::actix::{FreshSession, SessionHandle, SessionMiddleware, SessionRejection};
//! use cookie_seal::{Key, Keyring, SessionManager, Sessions, SignIn};
//!
//! async fn sign_in(mut session: FreshSession<String>) -> Result<HttpResponse, SessionRejection> {
//!     session.sign_in("ada".into(), SignIn::default())?;
//!     Ok(HttpResponse::Ok().finish())
//! }
//! async fn me(session: SessionHandle<String>) -> String {
//!     session.get().map_or("nobody".into(), |s| s.data.clone())
//! }
//!
//! let ring = Keyring::new("k1", Key::generate()?)?;
//! let sessions = Sessions::new(SessionManager::builder(ring.clone(), "__Host-s").build()?, ring)?;
//! let app = App::new()
//!     .wrap(SessionMiddleware::new(sessions))
//!     .route("/sign-in", web::post().to(sign_in))
//!     .route("/me", web::get().to(me));
//! # Ok::<(), cookie_seal::Error>(())
//! ```

use std::future::Future;
use std::pin::Pin;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::{HttpResponse, ResponseError};

use crate::Error;
pub use crate::csrf::{CSRF_FIELD, CSRF_HEADER};
pub use crate::web::{FreshSession, SessionHandle, Sessions};
use crate::web::{error_body, refused_status, set_cookie_values};

mod csrf;
mod gate;
mod session;

pub use csrf::{CsrfForm, SignInForm};
pub use gate::{CrossOriginMiddleware, GateService, RateLimitMiddleware};
pub use session::{SessionMiddleware, SessionService};

type LocalBoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// A refusal as a response: the status for its code and `{"code", "message"}`.
///
/// ```
/// use actix_web::ResponseError;
/// let rejection = cookie_seal::actix::SessionRejection(cookie_seal::Error::BadSeal);
/// assert_eq!(rejection.status_code(), 401);
/// ```
#[derive(Debug)]
pub struct SessionRejection(pub Error);

impl From<Error> for SessionRejection {
    fn from(err: Error) -> Self {
        SessionRejection(err)
    }
}

impl std::fmt::Display for SessionRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ResponseError for SessionRejection {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(refused_status(&self.0)).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.content_type("application/json");
        if let Error::RateLimited { retry_after } = self.0 {
            response.insert_header((header::RETRY_AFTER, retry_after));
        }
        response.body(error_body(&self.0))
    }
}

/// Adds the session's `Set-Cookie` values (and `no-store`) to a response's headers.
fn append_set_cookies(headers: &mut HeaderMap, writes: &[String]) {
    let has_cache_control = headers.contains_key(header::CACHE_CONTROL);
    for (name, value) in set_cookie_values(writes, has_cache_control) {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.append(HeaderName::from_static(name), value);
        }
    }
}
