//! The two form extractors that check an anti-forgery token: [`CsrfForm`] the session's,
//! [`SignInForm`] the pre-session one.

use actix_web::dev::Payload;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use super::session::slot;
use super::{CSRF_HEADER, LocalBoxFuture, SessionRejection};
use crate::Error;
use crate::web::{FormRefusal, Shared, checked_form, verify_csrf, verify_pre_session};

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
        let form = token_form(request, payload, verify_csrf);
        Box::pin(async move { form.await.map(CsrfForm) })
    }
}

/// A urlencoded form posted before there is a session (sign-in, sign-up), whose
/// `csrf_token` field (or `X-CSRF-Token` header) must be the pre-session token its page
/// got from [`SessionHandle::pre_session_token`](crate::SessionHandle::pre_session_token),
/// matching this browser's pre-session cookie; 403 `CSRF` when it is missing, expired or
/// made for another browser. A stale session cookie does not stop it.
///
/// ```
/// use cookie_seal::actix::{FreshSession, SessionRejection, SignInForm};
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

impl<F: DeserializeOwned + 'static> FromRequest for SignInForm<F> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<Result<Self, actix_web::Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let form = token_form(request, payload, verify_pre_session);
        Box::pin(async move { form.await.map(SignInForm) })
    }
}

/// The form of the request once `verify` accepts its token.
fn token_form<F: DeserializeOwned + 'static>(
    request: &HttpRequest,
    payload: &mut Payload,
    verify: fn(&Shared, &str) -> Result<(), Error>,
) -> LocalBoxFuture<Result<F, actix_web::Error>> {
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
        checked_form(&bytes, from_header.as_deref(), |token| {
            verify(&shared, token)
        })
        .map_err(|refusal| match refusal {
            FormRefusal::Token(err) => SessionRejection(err).into(),
            FormRefusal::Form(text) => actix_web::error::ErrorUnprocessableEntity(text),
        })
    })
}
