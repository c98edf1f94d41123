//! axum and tower (feature `axum`): [`SessionLayer`] reads the session cookie of every
//! request and writes `Set-Cookie` on the way out when a write is due; handlers take a
//! [`SessionHandle`] (or a [`FreshSession`] on sign-in routes) to read and change it.
//! [`CrossOriginLayer`] and [`RateLimitLayer`] sit beside it, and [`CsrfForm`] checks a
//! form's anti-forgery token before the handler sees the form.
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
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use ::axum::body::Bytes;
use ::axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use ::axum::http::request::Parts;
use ::axum::http::{self, HeaderMap, HeaderValue, Method, StatusCode, header};
use ::axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tower_layer::Layer;
use tower_service::Service;

use crate::rate_limit::client_key;
pub use crate::web::{SessionHandle, Sessions};
use crate::web::{Shared, error_body, lock, refused_status};
use crate::{CrossOrigin, Error, OriginHeaders, RateLimit};

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// The request's session state, where the layer leaves it for the extractors.
#[derive(Clone)]
struct Slot(Shared);

/// The tower layer that reads and writes session cookies; build it from [`Sessions`] and
/// put it around every router whose handlers take a [`SessionHandle`] (one layer on the
/// outer router serves every nested one).
///
/// ```
/// # use cookie_seal::{Key, Keyring, SessionManager, Sessions};
/// # let ring = Keyring::new("k1", Key::generate()?)?;
/// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
/// let layer = cookie_seal::axum::SessionLayer::new(sessions.clone());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SessionLayer {
    sessions: Sessions,
}

impl SessionLayer {
    /// The layer for `sessions`.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, Sessions};
    /// # let ring = Keyring::new("k1", Key::generate()?)?;
    /// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// let _ = cookie_seal::axum::SessionLayer::new(sessions);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn new(sessions: Sessions) -> SessionLayer {
        SessionLayer { sessions }
    }
}

impl<S> Layer<S> for SessionLayer {
    type Service = SessionService<S>;
    fn layer(&self, inner: S) -> SessionService<S> {
        SessionService {
            inner,
            sessions: self.sessions.clone(),
        }
    }
}

/// The service [`SessionLayer`] wraps around a router or handler.
#[derive(Clone, Debug)]
pub struct SessionService<S> {
    inner: S,
    sessions: Sessions,
}

impl<S, ReqBody, ResBody> Service<http::Request<ReqBody>> for SessionService<S>
where
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqBody: Send + 'static,
{
    type Response = http::Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<ReqBody>) -> Self::Future {
        let sessions = self.sessions.clone();
        let header = cookie_header(request.headers());
        // The inner service was made ready for this call; a clone takes its place, since
        // the call happens after the store has answered.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let shared = sessions.begin(header).await;
            request.extensions_mut().insert(Slot(Arc::clone(&shared)));
            let mut response = inner.call(request).await?;
            let writes = lock(&shared).take_writes();
            append_set_cookies(response.headers_mut(), &writes);
            Ok(response)
        })
    }
}

/// Every `Cookie` field joined with `"; "` (HTTP/2 sends one field per cookie). Bytes
/// that are not UTF-8 become U+FFFD: they can only be in other cookies, since a session
/// cookie is ASCII, and must not stop the session from being read.
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
        // The library writes visible ASCII only; anything else would be its bug, and is
        // dropped rather than turned into a panic.
        if let Ok(value) = HeaderValue::from_str(cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    // A shared cache must never store, and replay to others, a response that sets a
    // session cookie.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

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

fn slot(parts: &Parts) -> Result<Shared, SessionRejection> {
    match parts.extensions.get::<Slot>() {
        Some(Slot(shared)) => Ok(Arc::clone(shared)),
        None => Err(SessionRejection(Error::InvalidOption(
            "no SessionLayer around this route".into(),
        ))),
    }
}

/// The typed session: `get()` is `None` without one. A cookie that was sent but refused
/// (tampered, expired, revoked, retired key, or data that is not a `T`) rejects the
/// request with 401 and the error code, and the layer deletes the cookies.
impl<S, T> FromRequestParts<S> for SessionHandle<T>
where
    S: Send + Sync,
    T: Serialize + DeserializeOwned + Send,
{
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        SessionHandle::from_shared(slot(parts)?).map_err(SessionRejection)
    }
}

/// A [`SessionHandle`] that never rejects for the cookie: a refused cookie reads as no
/// session (and is still deleted), so a sign-in or sign-out route works for a browser
/// holding a stale cookie.
///
/// ```
/// use cookie_seal::{SignIn, axum::FreshSession};
/// async fn sign_in(mut session: FreshSession<u32>) -> Result<(), cookie_seal::axum::SessionRejection> {
///     session.sign_in(42, SignIn::default())?;
///     Ok(())
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

impl<S, T> FromRequestParts<S> for FreshSession<T>
where
    S: Send + Sync,
    T: Serialize + DeserializeOwned + Send,
{
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(FreshSession(SessionHandle::lenient(slot(parts)?)))
    }
}

/// Name of the form field, and of the header, that carry the anti-forgery token.
pub const CSRF_FIELD: &str = "csrf_token";
/// The header scripts send the token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A urlencoded form whose `csrf_token` field (or `X-CSRF-Token` header) must be a token
/// of the request's session; the handler gets the rest as `F` (serde ignores the token
/// field unless `F` denies unknown fields). Refused with 403 `CSRF` otherwise, including
/// when there is no session.
///
/// ```
/// use cookie_seal::axum::CsrfForm;
/// #[derive(serde::Deserialize)]
/// struct Transfer { amount: u32 }
/// async fn transfer(CsrfForm(form): CsrfForm<Transfer>) -> String {
///     format!("sent {}", form.amount)
/// }
/// ```
#[derive(Debug)]
pub struct CsrfForm<F>(pub F);

impl<S, F> FromRequest<S> for CsrfForm<F>
where
    S: Send + Sync,
    F: DeserializeOwned,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let shared = slot(&parts).map_err(IntoResponse::into_response)?;
        let from_header = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let bad_form = |err: serde_urlencoded::de::Error| {
            (StatusCode::UNPROCESSABLE_ENTITY, format!("form: {err}")).into_response()
        };
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(bad_form)?;
        let token = fields
            .iter()
            .find(|(name, _)| name == CSRF_FIELD)
            .map(|(_, value)| value.clone())
            .or(from_header)
            .unwrap_or_default();
        crate::web::verify_csrf(&shared, &token)
            .map_err(|err| SessionRejection(err).into_response())?;
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(bad_form)
    }
}

/// Refuses state-changing requests a browser sent from another origin (see
/// [`CrossOrigin`]) with 403 `CROSS_ORIGIN`, before they reach a handler.
///
/// ```
/// let layer = cookie_seal::axum::CrossOriginLayer::new(cookie_seal::CrossOrigin::same_host());
/// ```
#[derive(Clone, Debug)]
pub struct CrossOriginLayer {
    check: Arc<CrossOrigin>,
}

impl CrossOriginLayer {
    /// The layer applying `check`.
    ///
    /// ```
    /// let check = cookie_seal::CrossOrigin::for_origin("https://shop.example")?;
    /// let _ = cookie_seal::axum::CrossOriginLayer::new(check);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn new(check: CrossOrigin) -> CrossOriginLayer {
        CrossOriginLayer {
            check: Arc::new(check),
        }
    }
}

impl<S> Layer<S> for CrossOriginLayer {
    type Service = CrossOriginService<S>;
    fn layer(&self, inner: S) -> CrossOriginService<S> {
        CrossOriginService {
            inner,
            check: Arc::clone(&self.check),
        }
    }
}

/// The service [`CrossOriginLayer`] wraps.
#[derive(Clone, Debug)]
pub struct CrossOriginService<S> {
    inner: S,
    check: Arc<CrossOrigin>,
}

impl<S, ReqBody> Service<http::Request<ReqBody>> for CrossOriginService<S>
where
    S: Service<http::Request<ReqBody>>,
    S::Response: IntoResponse,
    S::Error: Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<ReqBody>) -> Self::Future {
        let headers = request.headers();
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let host = request.uri().authority().map(|a| a.as_str());
        let verdict = self.check.check(&OriginHeaders {
            method: request.method().as_str(),
            host: text("host").or(host),
            origin: text("origin"),
            sec_fetch_site: text("sec-fetch-site"),
            referer: text("referer"),
        });
        if let Err(err) = verdict {
            return Box::pin(std::future::ready(Ok(error_response(&err))));
        }
        let response = self.inner.call(request);
        Box::pin(async move { response.await.map(IntoResponse::into_response) })
    }
}

/// How [`RateLimitLayer`] names the client of a request.
type KeyFn = dyn Fn(&http::Extensions, &HeaderMap) -> Option<String> + Send + Sync;

/// Counts each request against a [`RateLimit`] and answers 429 with `Retry-After` and
/// `RATE_LIMITED` once the client is over budget. Put it on the routes to limit (with
/// `Router::route_layer`, or on a sub-router), such as sign-in.
///
/// The client is its address ([`client_key`]) from axum's `ConnectInfo`, so serve with
/// `into_make_service_with_connect_info::<SocketAddr>()`; behind a proxy give a key
/// function instead ([`with_key`](Self::with_key)) that reads the address the proxy sets.
/// Requests with no key count under one shared key: unnamed clients share one budget
/// rather than having none.
///
/// ```
/// use std::{sync::Arc, time::Duration};
/// use cookie_seal::{MemoryRateLimit, axum::RateLimitLayer};
/// let limiter = Arc::new(MemoryRateLimit::new(5, Duration::from_secs(60), 100_000)?);
/// let layer = RateLimitLayer::new(limiter);
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Clone)]
pub struct RateLimitLayer {
    limiter: Arc<dyn RateLimit>,
    key: Arc<KeyFn>,
}

impl std::fmt::Debug for RateLimitLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimitLayer").finish_non_exhaustive()
    }
}

impl RateLimitLayer {
    /// Limits by client address.
    ///
    /// ```
    /// # use std::{sync::Arc, time::Duration};
    /// # use cookie_seal::{MemoryRateLimit, axum::RateLimitLayer};
    /// let _ = RateLimitLayer::new(Arc::new(MemoryRateLimit::new(5, Duration::from_secs(60), 1_000)?));
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn new(limiter: Arc<dyn RateLimit>) -> RateLimitLayer {
        RateLimitLayer {
            limiter,
            key: Arc::new(|extensions, _| {
                let ConnectInfo(address) = extensions.get::<ConnectInfo<SocketAddr>>()?;
                Some(client_key(address.ip()))
            }),
        }
    }

    /// Limits by the key `key` gives for a request (for example the address in a header
    /// your proxy sets, or an API client id).
    ///
    /// ```
    /// # use std::{sync::Arc, time::Duration};
    /// # use cookie_seal::{MemoryRateLimit, axum::RateLimitLayer};
    /// # let limiter = Arc::new(MemoryRateLimit::new(5, Duration::from_secs(60), 1_000)?);
    /// let layer = RateLimitLayer::new(limiter).with_key(|_, headers| {
    ///     headers.get("x-real-ip")?.to_str().ok().map(str::to_owned)
    /// });
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn with_key(
        mut self,
        key: impl Fn(&http::Extensions, &HeaderMap) -> Option<String> + Send + Sync + 'static,
    ) -> RateLimitLayer {
        self.key = Arc::new(key);
        self
    }
}

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimitService<S>;
    fn layer(&self, inner: S) -> RateLimitService<S> {
        RateLimitService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`RateLimitLayer`] wraps.
#[derive(Clone, Debug)]
pub struct RateLimitService<S> {
    inner: S,
    layer: RateLimitLayer,
}

impl<S, ReqBody> Service<http::Request<ReqBody>> for RateLimitService<S>
where
    S: Service<http::Request<ReqBody>> + Clone + Send + 'static,
    S::Response: IntoResponse,
    S::Error: Send + 'static,
    S::Future: Send + 'static,
    ReqBody: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<ReqBody>) -> Self::Future {
        // Preflights are not requests to the endpoint; they must not spend its budget.
        if request.method() == Method::OPTIONS {
            let response = self.inner.call(request);
            return Box::pin(async move { response.await.map(IntoResponse::into_response) });
        }
        let key = (self.layer.key)(request.extensions(), request.headers())
            .unwrap_or_else(|| "unknown-client".to_owned());
        let limiter = Arc::clone(&self.layer.limiter);
        // The inner service was made ready for this call; a clone takes its place.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            if let Err(err) = limiter.check(&key).await {
                return Ok(error_response(&err));
            }
            inner.call(request).await.map(IntoResponse::into_response)
        })
    }
}
