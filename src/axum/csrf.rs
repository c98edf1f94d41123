//! The cross-origin layer and the two form extractors that check an anti-forgery token:
//! [`CsrfForm`] the session's, [`SignInForm`] the pre-session one.

use std::sync::Arc;
use std::task::{Context, Poll};

use ::axum::body::Bytes;
use ::axum::extract::{FromRequest, Request};
use ::axum::http::{self, StatusCode};
use ::axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use tower_layer::Layer;
use tower_service::Service;

use super::session::slot;
use super::{BoxFuture, CSRF_HEADER, SessionRejection, error_response};
use crate::web::{
    FormRefusal, Shared, checked_form, origin_headers, verify_csrf, verify_pre_session,
};
use crate::{CrossOrigin, Error};

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
        token_form(request, state, verify_csrf).await.map(CsrfForm)
    }
}

/// A urlencoded form posted before there is a session (sign-in, sign-up), whose
/// `csrf_token` field (or `X-CSRF-Token` header) must be the pre-session token the form's
/// page got from [`SessionHandle::pre_session_token`](crate::SessionHandle::pre_session_token),
/// matching this browser's pre-session cookie. Refused with 403 `CSRF` when it is
/// missing, expired, or made for another browser's cookie (the login CSRF an attacker
/// needs). A stale session cookie does not stop it.
///
/// ```
/// use cookie_seal::axum::{FreshSession, SessionRejection, SignInForm};
/// use cookie_seal::SignIn;
/// #[derive(serde::Deserialize)]
/// struct Credentials { name: String }
/// async fn sign_in(
///     mut session: FreshSession<String>,
///     SignInForm(form): SignInForm<Credentials>,
/// ) -> Result<&'static str, SessionRejection> {
///     session.sign_in(form.name, SignIn::default())?;
///     Ok("signed in")
/// }
/// ```
#[derive(Debug)]
pub struct SignInForm<F>(pub F);

impl<S, F> FromRequest<S> for SignInForm<F>
where
    S: Send + Sync,
    F: DeserializeOwned,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        token_form(request, state, verify_pre_session)
            .await
            .map(SignInForm)
    }
}

/// The form of `request` once `verify` accepts its token.
async fn token_form<S: Send + Sync, F: DeserializeOwned>(
    request: Request,
    state: &S,
    verify: fn(&Shared, &str) -> Result<(), Error>,
) -> Result<F, Response> {
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
    checked_form(&bytes, from_header.as_deref(), |token| {
        verify(&shared, token)
    })
    .map_err(|refusal| match refusal {
        FormRefusal::Token(err) => SessionRejection(err).into_response(),
        FormRefusal::Form(text) => (StatusCode::UNPROCESSABLE_ENTITY, text).into_response(),
    })
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
        let verdict = self.check.check(&origin_headers(
            request.method().as_str(),
            request.uri().authority().map(|a| a.as_str()),
            |name| headers.get(name).and_then(|v| v.to_str().ok()),
        ));
        if let Err(err) = verdict {
            return Box::pin(std::future::ready(Ok(error_response(&err))));
        }
        let response = self.inner.call(request);
        Box::pin(async move { response.await.map(IntoResponse::into_response) })
    }
}
