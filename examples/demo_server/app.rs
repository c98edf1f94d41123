//! The demo site: routes, shared state and pages. `main.rs` binds a port and serves it;
//! `tests/demo_server.rs` serves it on a free port and talks to it over a real socket.
//!
//! Pages are the HTML files in `www/`, compiled in with `include_str!`, with `{{slot}}`
//! placeholders that the handlers fill with escaped text. The npm package is read from
//! `pkg/` at request time (it is a build output, so it cannot be compiled in), through a
//! fixed allow-list of file names: no request path ever becomes a file path.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};

use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cookie_seal::defaults::DEFAULT_PURPOSE;
use cookie_seal::{Error, Key, Keyring, Sealer, Session, SessionManager, SignIn, clock};
use serde::Deserialize;
use serde_json::{Value, json};
use zeroize::Zeroizing;

/// The session cookie's name. Not `__Host-session`: browsers only accept `__Host-` cookies
/// with `Secure`, and `Secure` cookies are not sent back over plain `http://127.0.0.1`. The
/// demo therefore runs the manager in `insecure_dev_mode_for_localhost()`, which drops
/// `Secure` and refuses `__Host-` names; production uses `__Host-session` over HTTPS.
pub const COOKIE_NAME: &str = "demo-session";
/// Largest request body read. The biggest form (a 32-key keyring and a 4 KB value or
/// payload) is about 7 KB; anything larger is refused with 413 before it is buffered.
pub const BODY_LIMIT: usize = 16 * 1024;
/// Keys the server keeps when rotating: the new primary plus three older ones that still
/// open cookies. Rotating further retires the oldest (its cookies then get `UNKNOWN_KEY`).
pub const KEYS_KEPT: usize = 4;
/// Longest user name accepted at sign-in, in characters.
const NAME_MAX_CHARS: usize = 64;

/// What the server starts from.
pub struct Config {
    /// Keyring text (`k2:BASE64URL,k1:BASE64URL`), primary first.
    pub keys: Zeroizing<String>,
    /// The repository root, where `pkg/` lives.
    pub root: PathBuf,
}

/// The keyring and the manager built from it. Rotation replaces both at once under the
/// write lock, so a request always sees a manager that matches the keyring it displays.
struct Keys {
    /// The keyring as text, kept so a new key can be put in front of it (a `Keyring` does
    /// not hand its keys back out, by design).
    text: Zeroizing<String>,
    manager: Arc<SessionManager>,
}

struct AppState {
    keys: RwLock<Keys>,
    pkg_dir: PathBuf,
}

impl AppState {
    fn manager(&self) -> Arc<SessionManager> {
        // A poisoned lock only means another request panicked while holding it; the keys
        // inside are still whole (they are replaced in one assignment), so keep serving.
        let keys = self.keys.read().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(&keys.manager)
    }
}

/// The session manager the demo uses: the lifecycle defaults (2 h idle / 12 h absolute,
/// 14 / 30 days with remember-me, purpose `session`), plus dev mode for plain HTTP.
pub fn session_manager(keyring: Keyring) -> Result<SessionManager, Error> {
    SessionManager::builder(keyring, COOKIE_NAME)
        .insecure_dev_mode_for_localhost()
        .build()
}

/// Builds the whole site.
pub fn router(config: Config) -> Result<Router, Error> {
    let manager = session_manager(Keyring::parse(&config.keys)?)?;
    let state = Arc::new(AppState {
        keys: RwLock::new(Keys {
            text: config.keys,
            manager: Arc::new(manager),
        }),
        pkg_dir: config.root.join("pkg"),
    });
    let mut router = Router::new()
        .route("/", get(index))
        .route("/sign-in", post(sign_in))
        .route("/session", get(session_page))
        .route("/api/session", get(session_api))
        .route("/sign-out", post(sign_out))
        .route("/rotate-keys", post(rotate_keys))
        .route("/verify", get(verify_page).post(verify))
        .route("/seal", post(seal));
    for &(path, text, content_type) in WWW_FILES {
        router = router.route(
            path,
            get(move || async move { www_file(text, content_type) }),
        );
    }
    for &(file, content_type) in PKG_FILES {
        router = router.route(
            &format!("/pkg/{file}"),
            get(move |State(state): State<Arc<AppState>>| pkg_file(state, file, content_type)),
        );
    }
    Ok(router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state))
}

// ---------------------------------------------------------------------------------------
// Static files

/// `www/` files served as they are. Compiled in, so the site cannot drift from the binary.
const WWW_FILES: &[(&str, &str, &str)] = &[
    (
        "/style.css",
        include_str!("../../www/style.css"),
        "text/css; charset=utf-8",
    ),
    (
        "/playground.html",
        include_str!("../../www/playground.html"),
        "text/html; charset=utf-8",
    ),
    (
        "/playground.js",
        include_str!("../../www/playground.js"),
        "text/javascript; charset=utf-8",
    ),
];

/// The npm package's browser files, served from `pkg/` at `/pkg/`. Exactly these names.
const PKG_FILES: &[(&str, &str)] = &[
    ("browser.js", "text/javascript; charset=utf-8"),
    ("core.js", "text/javascript; charset=utf-8"),
    ("cookie_seal.js", "text/javascript; charset=utf-8"),
    ("cookie_seal_bg.wasm", "application/wasm"),
];

/// The playground may fetch its own files (the wasm) and nothing else: no form posts, no
/// other hosts. `'wasm-unsafe-eval'` lets it compile the WebAssembly module.
const PLAYGROUND_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
    connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'none'; \
    base-uri 'none'; frame-ancestors 'none'";
/// The server-rendered pages run no script at all.
const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
    form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

fn www_file(text: &'static str, content_type: &'static str) -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        text,
    )
        .into_response();
    harden(response.headers_mut(), PLAYGROUND_CSP);
    response
}

async fn pkg_file(
    state: Arc<AppState>,
    file: &'static str,
    content_type: &'static str,
) -> Response {
    match tokio::fs::read(state.pkg_dir.join(file)).await {
        Ok(bytes) => {
            let mut response = (
                [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
                bytes,
            )
                .into_response();
            harden(response.headers_mut(), PLAYGROUND_CSP);
            response
        }
        Err(err) => plain(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!(
                "pkg/{file} could not be read ({err}): build the npm package with \
                 scripts/build-pkg.sh (make demo does it for you)"
            ),
        ),
    }
}

/// Headers every response carries: a content security policy, no MIME sniffing, no
/// referrer (cookie values must not leak through it), and no caching of session pages.
fn harden(headers: &mut HeaderMap, csp: &'static str) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

async fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Not found",
        &notice("error", "There is no page here."),
    )
}

async fn method_not_allowed() -> Response {
    page(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed",
        &notice(
            "error",
            "This address does not take that method: sign-in, sign-out, key rotation, \
             verify and seal are forms (POST); pages are GET.",
        ),
    )
}

// ---------------------------------------------------------------------------------------
// Sign-in, the session page, sign-out, key rotation

#[derive(Deserialize)]
struct SignInForm {
    name: Option<String>,
    remember: Option<String>,
}

#[derive(Deserialize)]
struct Flash {
    rotated: Option<String>,
}

async fn index(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let manager = state.manager();
    let status = match cookie_header(&headers) {
        Ok(header) => match manager.read::<Value>(&header) {
            Ok(Some(session)) => notice(
                "ok",
                &format!(
                    "You are signed in as <strong>{}</strong>. <a href=\"/session\">See your session</a>.",
                    esc(user_name(&session))
                ),
            ),
            Ok(None) => String::new(),
            Err(err) => notice(
                "error",
                &format!(
                    "Your session cookie was refused ({}); sign in again.",
                    esc_err(&err)
                ),
            ),
        },
        Err(response) => return *response,
    };
    let body = fill(
        include_str!("../../www/index.html"),
        &[
            ("status", status),
            ("cookie_name", esc(COOKIE_NAME)),
            ("name_max", NAME_MAX_CHARS.to_string()),
        ],
    );
    page(StatusCode::OK, "Sign in", &body)
}

async fn sign_in(
    State(state): State<Arc<AppState>>,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return form_rejected(&rejection),
    };
    let name = match form.name.as_deref().map(str::trim) {
        None | Some("") => return bad_request("Sign-in needs a name (form field `name`)."),
        Some(name) if name.chars().count() > NAME_MAX_CHARS => {
            return bad_request(&format!("A name is at most {NAME_MAX_CHARS} characters."));
        }
        Some(name) if name.chars().any(char::is_control) => {
            return bad_request("A name cannot contain control characters.");
        }
        Some(name) => name.to_owned(),
    };
    // Only "on" (what a checked checkbox sends) or no field at all are meaningful.
    let remember = match form.remember.as_deref() {
        None => false,
        Some("on") => true,
        Some(_) => return bad_request("Form field `remember` is either absent or \"on\"."),
    };
    let manager = state.manager();
    let now = match clock::now() {
        Ok(now) => now,
        Err(err) => return server_error(&err),
    };
    let written = manager
        .sign_in(
            json!({ "name": name }),
            SignIn::default().remember_me(remember),
            now,
        )
        .and_then(|session| manager.set_cookies_at(&session, now));
    match written {
        Ok(set_cookies) => redirect("/session", &set_cookies),
        Err(err) => server_error(&err),
    }
}

async fn sign_out(State(state): State<Arc<AppState>>) -> Response {
    redirect("/", &state.manager().clear_cookies())
}

async fn rotate_keys(State(state): State<Arc<AppState>>) -> Response {
    let rotated = {
        let mut keys = state.keys.write().unwrap_or_else(PoisonError::into_inner);
        match rotated_keyring(&keys.text) {
            Ok((text, manager)) => {
                let old = primary_id(&keys.text).to_owned();
                let new = primary_id(&text).to_owned();
                *keys = Keys {
                    text,
                    manager: Arc::new(manager),
                };
                Ok(format!("{old}.{new}"))
            }
            Err(err) => Err(err),
        }
    };
    match rotated {
        Ok(flash) => redirect(&format!("/session?rotated={flash}"), &[]),
        Err(err) => server_error(&err),
    }
}

/// The keyring with a fresh primary key in front, at most [`KEYS_KEPT`] keys long, and the
/// manager for it. The new id is `k<N>` with the first N not already taken.
fn rotated_keyring(text: &str) -> Result<(Zeroizing<String>, SessionManager), Error> {
    let entries: Vec<&str> = text.split(',').map(str::trim).collect();
    let taken = |id: &str| entries.iter().any(|e| e.split(':').next() == Some(id));
    let id = (1..)
        .map(|n| format!("k{n}"))
        .find(|id| !taken(id))
        .unwrap_or_else(|| "k0".to_owned());
    let key = Key::generate()?;
    let mut new_text = Zeroizing::new(format!("{id}:{}", key.to_base64url()));
    for entry in entries.iter().take(KEYS_KEPT - 1) {
        new_text.push(',');
        new_text.push_str(entry);
    }
    let manager = session_manager(Keyring::parse(&new_text)?)?;
    Ok((new_text, manager))
}

fn primary_id(keyring_text: &str) -> &str {
    keyring_text.split(':').next().unwrap_or("").trim()
}

/// What one read of the session cookie came to, shared by the HTML page and the JSON API.
enum Read {
    /// No session cookie in the request.
    Missing,
    /// A session cookie that does not open.
    Refused(Error),
    /// An open session, and the `Set-Cookie` headers this response must carry (empty when
    /// the cookie needs no re-seal).
    Open {
        session: Box<Session<Value>>,
        set_cookies: Vec<String>,
        /// The cookie as the browser holds it after this response: `name=value`.
        cookie_now: String,
        /// Primary key id after this response.
        primary: String,
        keyring_ids: Vec<String>,
    },
}

fn read_session(state: &AppState, header: &str) -> Read {
    let (manager, keyring_ids) = {
        let keys = state.keys.read().unwrap_or_else(PoisonError::into_inner);
        let ids: Vec<String> = keys
            .text
            .split(',')
            .map(|entry| entry.split(':').next().unwrap_or("").trim().to_owned())
            .collect();
        (Arc::clone(&keys.manager), ids)
    };
    let now = match clock::now() {
        Ok(now) => now,
        Err(err) => return Read::Refused(err),
    };
    let session = match manager.read_at::<Value>(header, now) {
        Ok(Some(session)) => session,
        Ok(None) => return Read::Missing,
        Err(err) => return Read::Refused(err),
    };
    // For display only: the first cookie of the session's name, as the browser sent it.
    let request_cookie = header
        .split(';')
        .map(|pair| pair.trim_matches([' ', '\t']))
        .find(|pair| {
            pair.split_once('=')
                .is_some_and(|(name, _)| name == COOKIE_NAME)
        })
        .unwrap_or_default()
        .to_owned();
    let (set_cookies, cookie_now) = if session.needs_reseal() {
        match manager.set_cookies_at(&session, now) {
            Ok(headers) => {
                let first = headers
                    .first()
                    .and_then(|h| h.split(';').next())
                    .unwrap_or_default()
                    .to_owned();
                (headers, first)
            }
            Err(err) => return Read::Refused(err),
        }
    } else {
        (Vec::new(), request_cookie)
    };
    let primary = keyring_ids.first().cloned().unwrap_or_default();
    Read::Open {
        session: Box::new(session),
        set_cookies,
        cookie_now,
        primary,
        keyring_ids,
    }
}

/// The status for a cookie that does not open: 431 when it is too large (the request
/// header is what is too large), 401 otherwise.
fn refused_status(err: &Error) -> StatusCode {
    if err.code() == "TOO_LARGE" {
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    } else {
        StatusCode::UNAUTHORIZED
    }
}

async fn session_page(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    flash: Result<Query<Flash>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let header = match cookie_header(&headers) {
        Ok(header) => header,
        Err(response) => return *response,
    };
    let rotated = flash.ok().and_then(|Query(f)| f.rotated);
    match read_session(&state, &header) {
        Read::Missing => page(
            StatusCode::UNAUTHORIZED,
            "No session",
            &notice(
                "error",
                "No session cookie came with this request: <a href=\"/\">sign in</a> first.",
            ),
        ),
        Read::Refused(err) => {
            let mut response = page(
                refused_status(&err),
                "Session refused",
                &notice(
                    "error",
                    &format!(
                        "Your session cookie was refused: {}. The server has cleared it; \
                         <a href=\"/\">sign in again</a>.",
                        esc_err(&err)
                    ),
                ),
            );
            append_set_cookies(response.headers_mut(), &state.manager().clear_cookies());
            response
        }
        Read::Open {
            session,
            set_cookies,
            cookie_now,
            primary,
            keyring_ids,
        } => {
            let mut notices = String::new();
            if let Some(flash) = rotated {
                // `old.new`: "." never occurs in a key id. Escaped like any request text.
                if let Some((old, new)) = flash.split_once('.') {
                    notices += &notice(
                        "ok",
                        &format!(
                            "Keys rotated: the server now seals with <code>{}</code>; \
                             <code>{}</code> still opens cookies.",
                            esc(new),
                            esc(old)
                        ),
                    );
                }
            }
            let reseal = match session.reseal {
                Some(reason) => format!(
                    "<strong>{}</strong>: this response re-sealed the cookie under <code>{}</code>",
                    reason.as_str(),
                    esc(&primary)
                ),
                None => "none needed".to_owned(),
            };
            if session.reseal.is_some() {
                notices += &notice(
                    "ok",
                    &format!(
                        "Your cookie arrived sealed under <code>{}</code> and needed a re-seal \
                         ({}); the server sent a new one sealed under <code>{}</code>.",
                        esc(&session.key_id),
                        session.reseal.map_or("", |r| r.as_str()),
                        esc(&primary)
                    ),
                );
            }
            let ring = keyring_ids
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    let role = if i == 0 {
                        "primary: seals and opens"
                    } else {
                        "opens only"
                    };
                    format!("<code>{}</code> ({role})", esc(id))
                })
                .collect::<Vec<_>>()
                .join(", ");
            let key_after = if session.reseal.is_some() {
                &primary
            } else {
                &session.key_id
            };
            let (idle, absolute) = if session.remember_me {
                ("14 days", "30 days")
            } else {
                ("2 hours", "12 hours")
            };
            let body = fill(
                include_str!("../../www/session.html"),
                &[
                    ("notices", notices),
                    ("user", esc(user_name(&session))),
                    ("session_id", esc(&session.id.to_string())),
                    (
                        "remember",
                        if session.remember_me {
                            format!("yes: a persistent cookie, {idle} idle, {absolute} at most")
                        } else {
                            format!("no: a browser-session cookie, {idle} idle, {absolute} at most")
                        },
                    ),
                    ("signed_in_at", time_cell(session.signed_in_at)),
                    ("issued_at", time_cell(session.issued_at)),
                    ("expires_at", time_cell(session.expires_at)),
                    (
                        "absolute_expires_at",
                        time_cell(session.absolute_expires_at),
                    ),
                    ("key_before", esc(&session.key_id)),
                    ("reseal", reseal),
                    ("key_after", esc(key_after)),
                    ("cookie_len", cookie_now.len().to_string()),
                    ("cookie_name", esc(COOKIE_NAME)),
                    ("keyring", ring),
                    ("payload", esc(&session.data.to_string())),
                ],
            );
            let mut response = page(StatusCode::OK, "Your session", &body);
            append_set_cookies(response.headers_mut(), &set_cookies);
            response
        }
    }
}

/// The session as JSON, with the same statuses as the page: 200, 401 (no cookie, or one
/// that does not open), 431 (too large), 400 (an unreadable `Cookie` header).
async fn session_api(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let header = match cookie_header(&headers) {
        Ok(header) => header,
        Err(_) => {
            return json_error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "the Cookie header is not valid UTF-8",
            );
        }
    };
    match read_session(&state, &header) {
        Read::Missing => json_error(
            StatusCode::UNAUTHORIZED,
            "NO_SESSION",
            "no session cookie: sign in first",
        ),
        Read::Refused(err) => {
            let mut response = json_error(refused_status(&err), err.code(), &err.to_string());
            append_set_cookies(response.headers_mut(), &state.manager().clear_cookies());
            response
        }
        Read::Open {
            session,
            set_cookies,
            primary,
            cookie_now,
            ..
        } => {
            let body = json!({
                "data": session.data,
                "session_id": session.id.to_string(),
                "remember_me": session.remember_me,
                "signed_in_at": session.signed_in_at,
                "issued_at": session.issued_at,
                "expires_at": session.expires_at,
                "absolute_expires_at": session.absolute_expires_at,
                "key_id": session.key_id,
                "reseal": session.reseal.map(|r| r.as_str()),
                "primary_key_id": primary,
                "cookie_len": cookie_now.len(),
            });
            let mut response = json_response(StatusCode::OK, &body);
            append_set_cookies(response.headers_mut(), &set_cookies);
            response
        }
    }
}

fn user_name(session: &Session<Value>) -> &str {
    session.data["name"].as_str().unwrap_or("(unnamed)")
}

/// Every `Cookie` header of the request joined as one (HTTP/2 may split it). A header that
/// is not UTF-8 is a bad request: browsers never send one.
fn cookie_header(headers: &HeaderMap) -> Result<String, Box<Response>> {
    let mut joined = String::new();
    for value in headers.get_all(header::COOKIE) {
        let text = value.to_str().map_err(|_| {
            Box::new(bad_request(
                "The Cookie header is not valid text (visible ASCII).",
            ))
        })?;
        if !joined.is_empty() {
            joined.push_str("; ");
        }
        joined.push_str(text);
    }
    Ok(joined)
}

// ---------------------------------------------------------------------------------------
// The verify page: open or seal any value natively, for the playground's values

#[derive(Deserialize, Default)]
struct VerifyForm {
    name: Option<String>,
    purpose: Option<String>,
    keys: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize, Default)]
struct SealForm {
    name: Option<String>,
    purpose: Option<String>,
    keys: Option<String>,
    payload: Option<String>,
    ttl: Option<String>,
}

/// Defaults that match the playground's (the purpose is the crate's), so a value sealed there
/// opens here as it is.
const DEFAULT_NAME: &str = "playground";
const DEFAULT_TTL: &str = "3600";
const DEFAULT_PAYLOAD: &str = r#"{"hello":"from the Rust server"}"#;

async fn verify_page() -> Response {
    verify_response(
        StatusCode::OK,
        &VerifyForm::default(),
        &SealForm::default(),
        "",
        "",
    )
}

async fn verify(form: Result<Form<VerifyForm>, FormRejection>) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return form_rejected(&rejection),
    };
    let (status, result) = match open_form(&form) {
        Ok(result) => (StatusCode::OK, result),
        Err((status, message)) => (status, notice("error", &message)),
    };
    verify_response(status, &form, &SealForm::default(), &result, "")
}

async fn seal(form: Result<Form<SealForm>, FormRejection>) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return form_rejected(&rejection),
    };
    let (status, result) = match seal_form(&form) {
        Ok(result) => (StatusCode::OK, result),
        Err((status, message)) => (status, notice("error", &message)),
    };
    verify_response(status, &VerifyForm::default(), &form, "", &result)
}

type FormError = (StatusCode, String);

fn required<'a>(field: &'a Option<String>, name: &str) -> Result<&'a str, FormError> {
    match field.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => Ok(text),
        _ => Err((
            StatusCode::BAD_REQUEST,
            format!("The form field <code>{name}</code> is missing or empty."),
        )),
    }
}

/// A sealer from the form's keyring, name and purpose. A refused keyring or option is the
/// request's fault: 400 with the library's message (which never contains key text).
fn form_sealer(name: &str, purpose: &str, keys: &str, ttl: u64) -> Result<Sealer, FormError> {
    let ring = Keyring::parse(keys).map_err(|err| {
        (
            StatusCode::BAD_REQUEST,
            format!("Key ring refused: {}", esc_err(&err)),
        )
    })?;
    Sealer::builder(ring, name)
        .purpose(purpose)
        .ttl(std::time::Duration::from_secs(ttl))
        .build()
        .map_err(|err| {
            (
                StatusCode::BAD_REQUEST,
                format!("Options refused: {}", esc_err(&err)),
            )
        })
}

fn open_form(form: &VerifyForm) -> Result<String, FormError> {
    let name = required(&form.name, "name")?;
    let purpose = required(&form.purpose, "purpose")?;
    let keys = required(&form.keys, "keys")?;
    let value = required(&form.value, "value")?;
    let sealer = form_sealer(name, purpose, keys, 1)?;
    let opened = sealer.open_bytes_at(value, form_now()?).map_err(|err| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "The server could not open this value: {}. {}",
                esc_err(&err),
                hint(&err)
            ),
        )
    })?;
    // Shown byte for byte as sealed (open checked it is UTF-8): re-serialising it would
    // reorder keys and hide that both targets carry the same bytes.
    let shown = String::from_utf8_lossy(&opened.data);
    let mut out = notice(
        "ok",
        "Opened natively by the Rust server: authentic, unexpired, for this name and purpose.",
    );
    let _ = write!(
        out,
        "<h3>Payload, byte for byte as sealed</h3><pre data-testid=\"verify-payload\">{}</pre>\
         <table class=\"claims\">\
         <tr><th>Key id</th><td data-testid=\"verify-key-id\">{}</td></tr>\
         <tr><th>Sealed at</th><td>{}</td></tr>\
         <tr><th>Expires at</th><td>{}</td></tr>\
         <tr><th>Needs re-seal</th><td data-testid=\"verify-reseal\">{}</td></tr>\
         </table>",
        esc(&shown),
        esc(&opened.key_id),
        time_cell(opened.issued_at),
        time_cell(opened.expires_at),
        if opened.needs_reseal {
            "yes: sealed under an older key; seal it again under the primary"
        } else {
            "no"
        },
    );
    Ok(out)
}

fn seal_form(form: &SealForm) -> Result<String, FormError> {
    let name = required(&form.name, "name")?;
    let purpose = required(&form.purpose, "purpose")?;
    let keys = required(&form.keys, "keys")?;
    let payload = required(&form.payload, "payload")?;
    let ttl = match form.ttl.as_deref().map(str::trim) {
        None | Some("") => 3_600,
        Some(text) => text.parse::<u64>().map_err(|_| {
            (
                StatusCode::BAD_REQUEST,
                "The ttl is a whole number of seconds.".to_owned(),
            )
        })?,
    };
    if let Err(err) = serde_json::from_str::<serde::de::IgnoredAny>(payload) {
        return Err((
            StatusCode::BAD_REQUEST,
            format!("The payload is not JSON: {}", esc(&err.to_string())),
        ));
    }
    let sealer = form_sealer(name, purpose, keys, ttl)?;
    let value = sealer
        .seal_bytes_at(payload.as_bytes(), form_now()?)
        .map_err(|err| {
            let status = if err.code() == "TOO_LARGE" {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::BAD_REQUEST
            };
            (
                status,
                format!("The server could not seal it: {}", esc_err(&err)),
            )
        })?;
    let cookie_len = name.len() + 1 + value.len();
    let mut out = notice(
        "ok",
        "Sealed natively by the Rust server. Paste it into the playground's “Open” box with \
         the same key ring, name and purpose.",
    );
    let _ = write!(
        out,
        "<textarea readonly rows=\"4\" data-testid=\"sealed-value\">{}</textarea>\
         <p>{cookie_len} of 4096 bytes; {} more payload bytes would fit.</p>",
        esc(&value),
        sealer.capacity().saturating_sub(payload.len()),
    );
    Ok(out)
}

/// One sentence on what a failure code usually means, for people trying things out.
fn hint(err: &Error) -> &'static str {
    match err.code() {
        "MALFORMED" => "It is not a cookie-seal value: check that it was pasted whole.",
        "BAD_SEAL" => {
            "Authentication failed: a different key under the same id, a changed \
             character, or another cookie name or purpose. Deliberately nothing more."
        }
        "UNKNOWN_KEY" => "Its key id is not in this key ring.",
        "EXPIRED" => "It was authentic, but its lifetime is over.",
        "NOT_YET_VALID" => "It was sealed with a clock ahead of this server's.",
        "TOO_LARGE" => "It is longer than a browser would keep.",
        _ => "",
    }
}

fn verify_response(
    status: StatusCode,
    open: &VerifyForm,
    seal: &SealForm,
    open_result: &str,
    seal_result: &str,
) -> Response {
    let or = |field: &Option<String>, default: &str| esc(field.as_deref().unwrap_or(default));
    let body = fill(
        include_str!("../../www/verify.html"),
        &[
            ("open_name", or(&open.name, DEFAULT_NAME)),
            ("open_purpose", or(&open.purpose, DEFAULT_PURPOSE)),
            ("open_keys", or(&open.keys, "")),
            ("open_value", or(&open.value, "")),
            ("open_result", open_result.to_owned()),
            ("seal_name", or(&seal.name, DEFAULT_NAME)),
            ("seal_purpose", or(&seal.purpose, DEFAULT_PURPOSE)),
            ("seal_keys", or(&seal.keys, "")),
            ("seal_payload", or(&seal.payload, DEFAULT_PAYLOAD)),
            ("seal_ttl", or(&seal.ttl, DEFAULT_TTL)),
            ("seal_result", seal_result.to_owned()),
        ],
    );
    page(status, "Verify", &body)
}

// ---------------------------------------------------------------------------------------
// Responses

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = fill(
        include_str!("../../www/layout.html"),
        &[("title", esc(title)), ("body", body.to_owned())],
    );
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response();
    harden(response.headers_mut(), PAGE_CSP);
    response
}

fn notice(kind: &str, html: &str) -> String {
    format!("<p class=\"notice {kind}\" role=\"status\">{html}</p>")
}

fn bad_request(message: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Bad request",
        &notice("error", &esc(message)),
    )
}

/// axum's own rejections (wrong content type, body over the limit, undecodable form) keep
/// their status (415, 413, 400, 422) and get a page with their message.
fn form_rejected(rejection: &FormRejection) -> Response {
    let message = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        format!("The request body is larger than the {BODY_LIMIT}-byte limit.")
    } else {
        rejection.body_text()
    };
    page(
        rejection.status(),
        "Bad request",
        &notice("error", &esc(&message)),
    )
}

/// Only for failures that are the server's (the random generator failing).
fn server_error(err: &Error) -> Response {
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Server error",
        &notice("error", &esc_err(err)),
    )
}

fn plain(status: StatusCode, message: &str) -> Response {
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{message}\n"),
    )
        .into_response();
    harden(response.headers_mut(), PAGE_CSP);
    response
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response();
    harden(response.headers_mut(), PAGE_CSP);
    response
}

fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(status, &json!({ "error": code, "message": message }))
}

/// 303 See Other, so the browser follows a POST with a GET (a reload does not re-post).
fn redirect(location: &str, set_cookies: &[String]) -> Response {
    let mut response = (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response();
    harden(response.headers_mut(), PAGE_CSP);
    append_set_cookies(response.headers_mut(), set_cookies);
    response
}

fn append_set_cookies(headers: &mut HeaderMap, set_cookies: &[String]) {
    for cookie in set_cookies {
        // The library writes only visible ASCII; a value that is not would be a defect,
        // and is dropped rather than turned into a panic.
        if let Ok(value) = HeaderValue::from_str(cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Text

/// Fills `{{slot}}` placeholders in one pass. Values are inserted as given (callers escape
/// them) and are never scanned again, so a value cannot smuggle in a placeholder.
fn fill(template: &str, slots: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 1024);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let key = &after[..end];
                match slots.iter().find(|(k, _)| *k == key) {
                    Some((_, value)) => out.push_str(value),
                    // An unknown slot stays visible, so a test of the page catches it.
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// HTML-escapes text for element content and double-quoted attributes.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn esc_err(err: &Error) -> String {
    format!(
        "<code class=\"code\" data-testid=\"error-code\">{}</code> {}",
        err.code(),
        esc(&err.to_string())
    )
}

/// The clock for a playground form; a clock error is the server's fault, never a time of 0.
fn form_now() -> Result<u64, FormError> {
    clock::now().map_err(|err| (StatusCode::INTERNAL_SERVER_ERROR, esc_err(&err)))
}

/// A time as UTC text plus the raw seconds, e.g. `2026-11-22 12:52:33 UTC (1795870353)`.
fn time_cell(secs: u64) -> String {
    format!("{} <small>({secs})</small>", clock::Utc::from_unix(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_does_not_rescan_values() {
        let out = fill(
            "<p>{{a}}</p>{{b}}{{missing}}",
            &[("a", "{{b}}".into()), ("b", "x".into())],
        );
        assert_eq!(out, "<p>{{b}}</p>x{{missing}}");
        assert_eq!(fill("tail {{open", &[]), "tail {{open");
    }

    #[test]
    fn esc_escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn rotation_puts_a_new_primary_first_and_retires_the_oldest() {
        let mut text = Zeroizing::new(format!("k1:{}", Key::generate().unwrap().to_base64url()));
        for expected in ["k2", "k3", "k4", "k5"] {
            let (next, manager) = rotated_keyring(&text).unwrap();
            assert_eq!(primary_id(&next), expected);
            assert_eq!(manager.cookie_name(), COOKIE_NAME);
            text = next;
        }
        let ids: Vec<&str> = text.split(',').map(primary_id).collect();
        assert_eq!(ids, ["k5", "k4", "k3", "k2"]); // k1 retired: at most KEYS_KEPT keys
    }
}
