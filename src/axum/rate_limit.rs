//! The rate-limit layer.

use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};

use ::axum::extract::ConnectInfo;
use ::axum::http::{self, HeaderMap, Method};
use ::axum::response::{IntoResponse, Response};
use tower_layer::Layer;
use tower_service::Service;

use super::{BoxFuture, error_response};
use crate::RateLimit;
use crate::rate_limit::client_key;
use crate::web::UNKNOWN_CLIENT;

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
            .unwrap_or_else(|| UNKNOWN_CLIENT.to_owned());
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
