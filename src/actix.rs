//! actix-web (feature `actix`): the same integration as [`crate::axum`], as middleware.
//! [`SessionMiddleware`] reads the session cookie of every request and writes `Set-Cookie`
//! on the way out when a write is due; handlers take a [`SessionHandle`] (or a
//! [`FreshSession`] on sign-in routes). [`CrossOriginMiddleware`] and
//! [`RateLimitMiddleware`] sit beside it and [`CsrfForm`] checks a form's token.
//! Refusals are JSON `{"code", "message"}` with the same statuses as the axum module.
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

use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::EitherBody;
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::rate_limit::client_key;
pub use crate::web::{SessionHandle, Sessions};
use crate::web::{Shared, error_body, lock, refused_status};
use crate::{CrossOrigin, Error, OriginHeaders, RateLimit};

type LocalBoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// Name of the form field carrying the anti-forgery token.
pub const CSRF_FIELD: &str = "csrf_token";
/// The header scripts send the token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The request's session state, where the middleware leaves it for the extractors.
#[derive(Clone)]
struct Slot(Shared);

/// Reads and writes session cookies; `App::wrap` it (or a `Scope`).
///
/// ```
/// # use cookie_seal::{Key, Keyring, SessionManager, Sessions};
/// # let ring = Keyring::new("k1", Key::generate()?)?;
/// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
/// let _ = cookie_seal::actix::SessionMiddleware::new(sessions);
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SessionMiddleware {
    sessions: Sessions,
}

impl SessionMiddleware {
    /// The middleware for `sessions`.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, Sessions};
    /// # let ring = Keyring::new("k1", Key::generate()?)?;
    /// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// let _ = cookie_seal::actix::SessionMiddleware::new(sessions);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn new(sessions: Sessions) -> SessionMiddleware {
        SessionMiddleware { sessions }
    }
}

impl<S, B> Transform<S, ServiceRequest> for SessionMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Transform = SessionService<S>;
    type InitError = ();
    type Future = Ready<Result<SessionService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(SessionService {
            service: Rc::new(service),
            sessions: self.sessions.clone(),
        }))
    }
}

/// The service [`SessionMiddleware`] wraps.
#[derive(Debug)]
pub struct SessionService<S> {
    // Shared with the call's future, which calls it once the store has answered.
    service: Rc<S>,
    sessions: Sessions,
}

impl<S, B> Service<ServiceRequest> for SessionService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<Result<ServiceResponse<B>, actix_web::Error>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let sessions = self.sessions.clone();
        let service = Rc::clone(&self.service);
        Box::pin(async move {
            let shared = sessions.begin(cookie_header(request.headers())).await;
            request.extensions_mut().insert(Slot(Arc::clone(&shared)));
            let mut response = service.call(request).await?;
            let writes = lock(&shared).take_writes();
            append_set_cookies(response.headers_mut(), &writes);
            Ok(response)
        })
    }
}

/// Every `Cookie` field joined with `"; "`; bytes that are not UTF-8 (only ever in other
/// cookies) become U+FFFD rather than hiding the session.
fn cookie_header(headers: &HeaderMap) -> String {
    let mut joined = String::new();
    for value in headers.get_all(header::COOKIE) {
        if !joined.is_empty() {
            joined.push_str("; ");
        }
        joined.push_str(&String::from_utf8_lossy(value.as_bytes()));
    }
    joined
}

fn append_set_cookies(headers: &mut HeaderMap, writes: &[String]) {
    if writes.is_empty() {
        return;
    }
    for cookie in writes {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    // A shared cache must never replay a response that sets a session cookie.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

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

fn slot(request: &HttpRequest) -> Result<Shared, SessionRejection> {
    match request.extensions().get::<Slot>() {
        Some(Slot(shared)) => Ok(Arc::clone(shared)),
        None => Err(SessionRejection(Error::InvalidOption(
            "no SessionMiddleware around this route".into(),
        ))),
    }
}

/// The typed session; a refused cookie rejects with 401 and its code (and is deleted).
impl<T: Serialize + DeserializeOwned> FromRequest for SessionHandle<T> {
    type Error = SessionRejection;
    type Future = Ready<Result<Self, SessionRejection>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            slot(request)
                .and_then(|shared| SessionHandle::from_shared(shared).map_err(SessionRejection)),
        )
    }
}

/// A [`SessionHandle`] that never rejects for the cookie (a refused one reads as no
/// session and is still deleted): for sign-in and sign-out routes.
///
/// ```
/// use cookie_seal::{SignIn, actix::{FreshSession, SessionRejection}};
/// async fn sign_in(mut session: FreshSession<u32>) -> Result<&'static str, SessionRejection> {
///     session.sign_in(42, SignIn::default())?;
///     Ok("signed in")
/// }
/// ```
#[derive(Debug)]
pub struct FreshSession<T>(pub SessionHandle<T>);

impl<T> std::ops::Deref for FreshSession<T> {
    type Target = SessionHandle<T>;
    fn deref(&self) -> &SessionHandle<T> {
        &self.0
    }
}

impl<T> std::ops::DerefMut for FreshSession<T> {
    fn deref_mut(&mut self) -> &mut SessionHandle<T> {
        &mut self.0
    }
}

impl<T: Serialize + DeserializeOwned> FromRequest for FreshSession<T> {
    type Error = SessionRejection;
    type Future = Ready<Result<Self, SessionRejection>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(slot(request).map(|shared| FreshSession(SessionHandle::lenient(shared))))
    }
}

/// A urlencoded form whose `csrf_token` field (or `X-CSRF-Token` header) must be a token
/// of the request's session; 403 `CSRF` otherwise. The handler gets the rest as `F`.
///
/// ```
/// use cookie_seal::actix::CsrfForm;
/// #[derive(serde::Deserialize)]
/// struct Transfer { amount: u32 }
/// async fn transfer(CsrfForm(form): CsrfForm<Transfer>) -> String {
///     format!("sent {}", form.amount)
/// }
/// ```
#[derive(Debug)]
pub struct CsrfForm<F>(pub F);

impl<F: DeserializeOwned + 'static> FromRequest for CsrfForm<F> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<Result<Self, actix_web::Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let shared = slot(request);
        let from_header = request
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = Bytes::from_request(request, payload);
        Box::pin(async move {
            let shared = shared?;
            let bytes = body.await?;
            let bad_form = |err: serde_urlencoded::de::Error| {
                actix_web::error::ErrorUnprocessableEntity(format!("form: {err}"))
            };
            let fields: Vec<(String, String)> =
                serde_urlencoded::from_bytes(&bytes).map_err(bad_form)?;
            let token = fields
                .iter()
                .find(|(name, _)| name == CSRF_FIELD)
                .map(|(_, value)| value.clone())
                .or(from_header)
                .unwrap_or_default();
            crate::web::verify_csrf(&shared, &token).map_err(SessionRejection)?;
            serde_urlencoded::from_bytes(&bytes)
                .map(CsrfForm)
                .map_err(bad_form)
        })
    }
}

/// Refuses state-changing requests a browser sent from another origin (see
/// [`CrossOrigin`]) with 403 `CROSS_ORIGIN`.
///
/// ```
/// let _ = cookie_seal::actix::CrossOriginMiddleware::new(cookie_seal::CrossOrigin::same_host());
/// ```
#[derive(Clone, Debug)]
pub struct CrossOriginMiddleware {
    check: Rc<CrossOrigin>,
}

impl CrossOriginMiddleware {
    /// The middleware applying `check`.
    ///
    /// ```
    /// let check = cookie_seal::CrossOrigin::for_origin("https://shop.example")?;
    /// let _ = cookie_seal::actix::CrossOriginMiddleware::new(check);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn new(check: CrossOrigin) -> CrossOriginMiddleware {
        CrossOriginMiddleware {
            check: Rc::new(check),
        }
    }
}

/// How [`RateLimitMiddleware`] names the client of a request.
type KeyFn = dyn Fn(&HttpRequest) -> Option<String>;

/// Counts each request against a [`RateLimit`]: over budget, 429 with `Retry-After` and
/// `RATE_LIMITED`. Keyed by the peer address ([`client_key`]), or by
/// [`with_key`](Self::with_key) behind a proxy; requests with no key share one budget.
/// Wrap the resources to limit, such as sign-in.
///
/// ```
/// use std::{sync::Arc, time::Duration};
/// use cookie_seal::{MemoryRateLimit, actix::RateLimitMiddleware};
/// let limiter = Arc::new(MemoryRateLimit::new(5, Duration::from_secs(60), 100_000)?);
/// let _ = RateLimitMiddleware::new(limiter);
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Clone)]
pub struct RateLimitMiddleware {
    limiter: Arc<dyn RateLimit>,
    key: Rc<KeyFn>,
}

impl std::fmt::Debug for RateLimitMiddleware {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimitMiddleware")
            .finish_non_exhaustive()
    }
}

impl RateLimitMiddleware {
    /// Limits by peer address.
    ///
    /// ```
    /// # use std::{sync::Arc, time::Duration};
    /// # use cookie_seal::{MemoryRateLimit, actix::RateLimitMiddleware};
    /// let _ = RateLimitMiddleware::new(Arc::new(MemoryRateLimit::new(5, Duration::from_secs(60), 1_000)?));
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn new(limiter: Arc<dyn RateLimit>) -> RateLimitMiddleware {
        RateLimitMiddleware {
            limiter,
            key: Rc::new(|request| request.peer_addr().map(|a| client_key(a.ip()))),
        }
    }

    /// Limits by the key `key` gives for a request.
    ///
    /// ```
    /// # use std::{sync::Arc, time::Duration};
    /// # use cookie_seal::{MemoryRateLimit, actix::RateLimitMiddleware};
    /// # let limiter = Arc::new(MemoryRateLimit::new(5, Duration::from_secs(60), 1_000)?);
    /// let _ = RateLimitMiddleware::new(limiter)
    ///     .with_key(|request| request.headers().get("x-real-ip")?.to_str().ok().map(str::to_owned));
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn with_key(
        mut self,
        key: impl Fn(&HttpRequest) -> Option<String> + 'static,
    ) -> RateLimitMiddleware {
        self.key = Rc::new(key);
        self
    }
}

/// What the cross-origin and rate-limit middleware do before the inner service runs.
#[derive(Clone)]
enum Gate {
    CrossOrigin(Rc<CrossOrigin>),
    RateLimit(RateLimitMiddleware),
}

impl Gate {
    async fn admit(&self, request: &HttpRequest) -> Result<(), Error> {
        match self {
            Gate::CrossOrigin(check) => {
                let headers = request.headers();
                let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
                check.check(&OriginHeaders {
                    method: request.method().as_str(),
                    host: text("host").or(request.uri().authority().map(|a| a.as_str())),
                    origin: text("origin"),
                    sec_fetch_site: text("sec-fetch-site"),
                    referer: text("referer"),
                })
            }
            Gate::RateLimit(_) if request.method() == actix_web::http::Method::OPTIONS => Ok(()),
            Gate::RateLimit(layer) => {
                let key = (layer.key)(request).unwrap_or_else(|| "unknown-client".to_owned());
                layer.limiter.check(&key).await
            }
        }
    }
}

/// The service [`CrossOriginMiddleware`] and [`RateLimitMiddleware`] wrap.
pub struct GateService<S> {
    service: Rc<S>,
    gate: Gate,
}

impl<S> std::fmt::Debug for GateService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GateService").finish_non_exhaustive()
    }
}

macro_rules! gate_transform {
    ($middleware:ty, $gate:expr) => {
        impl<S, B> Transform<S, ServiceRequest> for $middleware
        where
            S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>
                + 'static,
            B: 'static,
        {
            type Response = ServiceResponse<EitherBody<B>>;
            type Error = actix_web::Error;
            type Transform = GateService<S>;
            type InitError = ();
            type Future = Ready<Result<GateService<S>, ()>>;

            fn new_transform(&self, service: S) -> Self::Future {
                let gate: fn(&Self) -> Gate = $gate;
                ready(Ok(GateService {
                    service: Rc::new(service),
                    gate: gate(self),
                }))
            }
        }
    };
}

gate_transform!(CrossOriginMiddleware, |m| Gate::CrossOrigin(Rc::clone(
    &m.check
)));
gate_transform!(RateLimitMiddleware, |m| Gate::RateLimit(m.clone()));

impl<S, B> Service<ServiceRequest> for GateService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<Result<Self::Response, actix_web::Error>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let gate = self.gate.clone();
        Box::pin(async move {
            if let Err(err) = gate.admit(request.request()).await {
                let response = SessionRejection(err).error_response();
                return Ok(request.into_response(response).map_into_right_body());
            }
            service
                .call(request)
                .await
                .map(ServiceResponse::map_into_left_body)
        })
    }
}
