//! The cross-origin and rate-limit middleware: one gate service, which lets a request on
//! or answers it with the refusal.

use std::future::{Ready, ready};
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::EitherBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::{HttpRequest, ResponseError};

use super::{LocalBoxFuture, SessionRejection};
use crate::rate_limit::client_key;
use crate::web::{UNKNOWN_CLIENT, origin_headers};
use crate::{CrossOrigin, Error, RateLimit};

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
                check.check(&origin_headers(
                    request.method().as_str(),
                    request.uri().authority().map(|a| a.as_str()),
                    |name| headers.get(name).and_then(|v| v.to_str().ok()),
                ))
            }
            Gate::RateLimit(_) if request.method() == actix_web::http::Method::OPTIONS => Ok(()),
            Gate::RateLimit(layer) => {
                let key = (layer.key)(request).unwrap_or_else(|| UNKNOWN_CLIENT.to_owned());
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
