//! The session middleware, and the extractors that hand its state to handlers.

use std::future::{Ready, ready};
use std::rc::Rc;
use std::sync::Arc;

use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{
    FreshSession, LocalBoxFuture, SessionHandle, SessionRejection, Sessions, append_set_cookies,
};
use crate::Error;
use crate::web::{Shared, cookie_header, lock};

/// The request's session state, where the middleware leaves it for the extractors.
#[derive(Clone)]
pub(super) struct Slot(Shared);

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
            let header = cookie_header(
                request
                    .headers()
                    .get_all(header::COOKIE)
                    .map(HeaderValue::as_bytes),
            );
            let shared = sessions.begin(header).await;
            request.extensions_mut().insert(Slot(Arc::clone(&shared)));
            let mut response = service.call(request).await?;
            let writes = lock(&shared).take_writes();
            append_set_cookies(response.headers_mut(), &writes);
            Ok(response)
        })
    }
}

pub(super) fn slot(request: &HttpRequest) -> Result<Shared, SessionRejection> {
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

/// [`FreshSession`] as an extractor: a refused cookie reads as no session (and is still
/// deleted), so a sign-in or sign-out route works for a browser holding a stale cookie.
impl<T: Serialize + DeserializeOwned> FromRequest for FreshSession<T> {
    type Error = SessionRejection;
    type Future = Ready<Result<Self, SessionRejection>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(slot(request).map(|shared| FreshSession(SessionHandle::lenient(shared))))
    }
}
