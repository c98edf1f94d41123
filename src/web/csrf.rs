//! The anti-forgery tokens of the integrations: the session-bound token of a signed-in
//! form, the pre-session token of a sign-in form, and the form reading both extractors
//! share.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{SessionHandle, Shared, lock};
use crate::Error;
use crate::csrf::CSRF_FIELD;

impl<T: Serialize + DeserializeOwned> SessionHandle<T> {
    /// A CSRF token for this session, to put in every form (and in an `X-CSRF-Token`
    /// header from scripts). `CSRF` when there is no session.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions};
    /// # let ring = Keyring::new("k1", Key::generate()?)?;
    /// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// let handle = SessionHandle::<u32>::detached(&sessions, "")?;
    /// assert_eq!(handle.csrf_token().unwrap_err().code(), "CSRF");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn csrf_token(&self) -> Result<String, Error> {
        let session = self
            .session
            .as_ref()
            .ok_or(Error::Csrf("needs a session"))?;
        let state = lock(&self.shared);
        state.current.csrf.token_at(&session.id, state.now)
    }

    /// `Ok` when `token` was made for this session (see [`CsrfTokens`](crate::CsrfTokens)); `CSRF` otherwise,
    /// and when there is no session.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions, SignIn};
    /// # let ring = Keyring::new("k1", Key::generate()?)?;
    /// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// let mut mine = SessionHandle::<u32>::detached(&sessions, "")?;
    /// let mut theirs = SessionHandle::<u32>::detached(&sessions, "")?;
    /// mine.sign_in(1, SignIn::default())?;
    /// theirs.sign_in(2, SignIn::default())?;
    /// assert_eq!(mine.verify_csrf(&theirs.csrf_token()?).unwrap_err().code(), "CSRF");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn verify_csrf(&self, token: &str) -> Result<(), Error> {
        let session = self
            .session
            .as_ref()
            .ok_or(Error::Csrf("needs a session"))?;
        let state = lock(&self.shared);
        state.current.csrf.verify_at(token, &session.id, state.now)
    }
    /// A pre-session token for a form posted before there is a session (sign-in, sign-up),
    /// bound to this browser's pre-session cookie ([`PreSessionTokens`](crate::PreSessionTokens)),
    /// which is written on the way out: put it in the form's hidden `csrf_token` field, and
    /// take the post with the integration's `SignInForm`. The cookie is `__Host-csrf` and
    /// lives an hour (`csrf`, without `Secure`, when the manager is in development mode).
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions};
    /// # let ring = Keyring::new("k1", Key::generate()?)?;
    /// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "__Host-s").build()?, ring)?;
    /// let mut page = SessionHandle::<u32>::detached(&sessions, "")?;
    /// let token = page.pre_session_token()?;
    /// let set_cookie = page.take_writes();
    /// assert!(set_cookie[0].starts_with("__Host-csrf="));
    ///
    /// // The post comes back with the cookie.
    /// let cookie = set_cookie[0].split(';').next().unwrap();
    /// let post = SessionHandle::<u32>::detached(&sessions, cookie)?;
    /// assert!(post.verify_pre_session(&token).is_ok());
    /// let elsewhere = SessionHandle::<u32>::detached(&sessions, "")?;
    /// assert_eq!(elsewhere.verify_pre_session(&token).unwrap_err().code(), "CSRF");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn pre_session_token(&mut self) -> Result<String, Error> {
        let mut state = lock(&self.shared);
        let issued = state
            .current
            .pre_session
            .issue_at(&state.cookie_header, state.now)?;
        state.pre_session_write = Some(issued.set_cookie);
        Ok(issued.token)
    }

    /// `Ok` when `token` is a pre-session token of this browser's pre-session cookie (see
    /// [`pre_session_token`](Self::pre_session_token)); `CSRF` otherwise. Whether there is
    /// a session does not matter.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionHandle, SessionManager, Sessions};
    /// # let ring = Keyring::new("k1", Key::generate()?)?;
    /// # let sessions = Sessions::new(SessionManager::builder(ring.clone(), "s").build()?, ring)?;
    /// let handle = SessionHandle::<u32>::detached(&sessions, "")?;
    /// assert_eq!(handle.verify_pre_session("").unwrap_err().code(), "CSRF");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn verify_pre_session(&self, token: &str) -> Result<(), Error> {
        verify_pre_session(&self.shared, token)
    }
}

/// Checks `token` against the request's session without typing its data: what a CSRF
/// extractor needs before the handler runs.
pub(crate) fn verify_csrf(shared: &Shared, token: &str) -> Result<(), Error> {
    let state = lock(shared);
    if let Some(err) = state.refused() {
        return Err(err.clone());
    }
    let session = state
        .session
        .as_ref()
        .ok_or(Error::Csrf("needs a session"))?;
    state.current.csrf.verify_at(token, &session.id, state.now)
}

/// Checks `token` against the request's pre-session cookie: what a sign-in form extractor
/// needs before the handler runs. The session cookie plays no part: a stale one must not
/// stop a sign-in.
pub(crate) fn verify_pre_session(shared: &Shared, token: &str) -> Result<(), Error> {
    let state = lock(shared);
    state
        .current
        .pre_session
        .verify_at(token, &state.cookie_header, state.now)
}

/// Why a form with an anti-forgery token was refused.
pub(crate) enum FormRefusal {
    /// The token (403 with its code).
    Token(Error),
    /// The body is not a urlencoded form of the expected shape (422 with this text).
    Form(String),
}

/// A urlencoded form body whose token (its `csrf_token` field, else the `X-CSRF-Token`
/// header) `check` accepts, decoded as `F`.
pub(crate) fn checked_form<F: DeserializeOwned>(
    body: &[u8],
    header_token: Option<&str>,
    check: impl FnOnce(&str) -> Result<(), Error>,
) -> Result<F, FormRefusal> {
    let bad_form = |err: serde_urlencoded::de::Error| FormRefusal::Form(format!("form: {err}"));
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(bad_form)?;
    let token = fields
        .iter()
        .find(|(name, _)| name == CSRF_FIELD)
        .map(|(_, value)| value.as_str())
        .or(header_token)
        .unwrap_or_default();
    check(token).map_err(FormRefusal::Token)?;
    serde_urlencoded::from_bytes(body).map_err(bad_form)
}
