//! The session layer, and the extractors that hand its state to handlers.

use std::sync::Arc;
use std::task::{Context, Poll};

use ::axum::extract::FromRequestParts;
use ::axum::http::request::Parts;
use ::axum::http::{self, HeaderValue, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tower_layer::Layer;
use tower_service::Service;

use super::{
    BoxFuture, FreshSession, SessionHandle, SessionRejection, Sessions, append_set_cookies,
};
use crate::Error;
use crate::web::{Shared, cookie_header, lock};

/// The request's session state, where the layer leaves it for the extractors.
#[derive(Clone)]
pub(super) struct Slot(Shared);

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
        let header = cookie_header(
            request
                .headers()
                .get_all(header::COOKIE)
                .iter()
                .map(HeaderValue::as_bytes),
        );
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

pub(super) fn slot(parts: &Parts) -> Result<Shared, SessionRejection> {
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

/// [`FreshSession`] as an extractor: a refused cookie reads as no session (and is still
/// deleted), so a sign-in or sign-out route works for a browser holding a stale cookie.
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
