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
use std::time::Duration;

use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cookie_seal::axum::{CrossOriginLayer, FreshSession, RateLimitLayer, SessionLayer};
use cookie_seal::defaults::DEFAULT_PURPOSE;
use cookie_seal::{
    CrossOrigin, Error, Key, Keyring, MemoryRateLimit, Sealer, Session, SessionManager, Sessions,
    clock,
};
use serde::Deserialize;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

#[path = "stores.rs"]
pub mod stores;

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
/// Sign-ins one client address may make at once, then one more every
/// [`SIGN_IN_EVERY`]: enough for people, too few for password guessing.
pub const SIGN_IN_BURST: u32 = 10;
/// How often a client earns one more sign-in once its burst is spent.
pub const SIGN_IN_EVERY: Duration = Duration::from_secs(6);
/// Key rotations (right or wrong admin token) one client may try at once, then one per
/// [`SIGN_IN_EVERY`]: the admin token cannot be guessed by brute force.
pub const ROTATE_BURST: u32 = 5;
/// Client addresses the rate limiters keep a counter for (past that, clients share).
const LIMITER_SLOTS: usize = 65_536;
/// Longest user name accepted at sign-in, in characters.
const NAME_MAX_CHARS: usize = 64;

/// What the server starts from.
pub struct Config {
    /// Keyring text (`k2:BASE64URL,k1:BASE64URL`), primary first.
    pub keys: Zeroizing<String>,
    /// The repository root, where `pkg/` lives.
    pub root: PathBuf,
    /// The secret the key-rotation form asks for: an admin action, not a visitor's.
    pub admin_token: Zeroizing<String>,
    /// Where sessions are listed and revoked, shared by every server on the same store.
    pub store: Arc<dyn cookie_seal::store::SessionStore>,
}

struct AppState {
    /// The manager and CSRF tokens every request uses; rotation replaces both.
    sessions: Sessions,
    /// The keyring as text, kept so a new key can be put in front of it (a `Keyring` does
    /// not hand its keys back out, by design). Its lock is held across a rotation, so two
    /// rotations cannot interleave.
    keys: RwLock<Zeroizing<String>>,
    admin_token: Zeroizing<String>,
    pkg_dir: PathBuf,
}

impl AppState {
    fn keyring_ids(&self) -> Vec<String> {
        // A poisoned lock only means another request panicked while holding it; the text
        // inside is still whole (it is replaced in one assignment), so keep serving.
        let keys = self.keys.read().unwrap_or_else(PoisonError::into_inner);
        keys.split(',')
            .map(|entry| primary_id(entry).to_owned())
            .collect()
    }
}

/// The session manager the demo uses: the lifecycle defaults (2 h idle / 12 h absolute,
/// 14 / 30 days with remember-me, purpose `session`), plus dev mode for plain HTTP.
pub fn session_manager(keyring: Keyring) -> Result<SessionManager, Error> {
    SessionManager::builder(keyring, COOKIE_NAME)
        .insecure_dev_mode_for_localhost()
        .build()
}

/// Builds the whole site. Serve it with `into_make_service_with_connect_info::<SocketAddr>()`:
/// the rate limits count per client address.
pub fn router(config: Config) -> Result<Router, Error> {
    let keyring = Keyring::parse(&config.keys)?;
    let sessions =
        Sessions::new(session_manager(keyring.clone())?, keyring)?.with_store(config.store);
    if config.admin_token.len() < 16 {
        return Err(Error::InvalidOption(
            "the admin token must be at least 16 characters".into(),
        ));
    }
    let state = Arc::new(AppState {
        sessions: sessions.clone(),
        keys: RwLock::new(config.keys),
        admin_token: config.admin_token,
        pkg_dir: config.root.join("pkg"),
    });
    let limit = |burst| -> Result<RateLimitLayer, Error> {
        let limiter = MemoryRateLimit::new(burst, SIGN_IN_EVERY, LIMITER_SLOTS)?;
        Ok(RateLimitLayer::new(Arc::new(limiter)))
    };
    let mut router = Router::new()
        .route("/sign-in", post(sign_in).route_layer(limit(SIGN_IN_BURST)?))
        .route(
            "/rotate-keys",
            post(rotate_keys).route_layer(limit(ROTATE_BURST)?),
        )
        .route("/", get(index))
        .route("/session", get(session_page))
        .route("/api/session", get(session_api))
        .route("/sign-out", post(sign_out))
        .route("/sessions", get(stores::list_page))
        .route("/sessions/sign-out", post(stores::sign_out_one))
        .route("/sign-out-others", post(stores::sign_out_others))
        .route("/sign-out-everywhere", post(stores::sign_out_everywhere))
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
    // Every state-changing route sits behind the cross-origin check; the session layer,
    // outermost, writes cookies on every response, refusals included.
    Ok(router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CrossOriginLayer::new(CrossOrigin::same_host()))
        .layer(SessionLayer::new(sessions))
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
    ("text-checks.js", "text/javascript; charset=utf-8"),
    ("aes-backend.js", "text/javascript; charset=utf-8"),
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

/// The handle every page takes: lenient, so a refused cookie reads as signed out (and is
/// deleted by the layer) and the page can say why.
pub(crate) type Handle = FreshSession<Value>;

#[derive(Deserialize)]
struct SignInForm {
    name: Option<String>,
    remember: Option<String>,
    csrf_token: Option<String>,
}

#[derive(Deserialize)]
struct Flash {
    rotated: Option<String>,
}

/// The CSRF token field of the forms a signed-in user posts.
#[derive(Deserialize)]
struct TokenForm {
    csrf_token: Option<String>,
}

#[derive(Deserialize)]
struct RotateForm {
    csrf_token: Option<String>,
    admin_token: Option<String>,
}

async fn index(mut session: Handle) -> Response {
    // The sign-in form's pre-session token; its cookie goes out with this page.
    let token = match session.pre_session_token() {
        Ok(token) => token,
        Err(err) => return server_error(&err),
    };
    let status = match (session.get(), session.refused()) {
        (Some(session), _) => notice(
            "ok",
            &format!(
                "You are signed in as <strong>{}</strong>. <a href=\"/session\">See your session</a>.",
                esc(user_name(session))
            ),
        ),
        (None, Some(err)) => notice(
            "error",
            &format!(
                "Your session cookie was refused ({}); sign in again.",
                esc_err(&err)
            ),
        ),
        (None, None) => String::new(),
    };
    let body = fill(
        include_str!("../../www/index.html"),
        &[
            ("status", status),
            ("cookie_name", esc(COOKIE_NAME)),
            ("name_max", NAME_MAX_CHARS.to_string()),
            ("csrf_token", esc(&token)),
        ],
    );
    page(StatusCode::OK, "Sign in", &body)
}

/// Sign-in has no session yet, so its form carries a pre-session token, bound to the
/// browser's pre-session cookie: a forged sign-in (which would sign the victim into the
/// attacker's name) is refused even from a browser the cross-origin check cannot judge.
/// The rate limit caps how often one address may try.
async fn sign_in(
    mut session: Handle,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return form_rejected(&rejection),
    };
    if let Err(err) = session.verify_pre_session(form.csrf_token.as_deref().unwrap_or("")) {
        return refused_page(&err);
    }
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
    // The sign-in name is the subject the store lists sessions under (at most 128 bytes).
    if name.len() > 128 {
        return bad_request("A name is at most 128 bytes of UTF-8.");
    }
    let label = stores::label(&headers);
    match session
        .sign_in_listed(json!({ "name": name }), &name, remember, &label)
        .await
    {
        Ok(_) => redirect("/session"),
        Err(err) => stores::failed(&err),
    }
}

/// Checks the form's CSRF token against the session: a 403 page when it does not match.
pub(crate) fn check_token(session: &Handle, token: Option<&str>) -> Result<(), Box<Response>> {
    session
        .verify_csrf(token.unwrap_or(""))
        .map_err(|err| Box::new(refused_page(&err)))
}

/// The 403 page for a form whose anti-forgery token was refused.
fn refused_page(err: &Error) -> Response {
    page(
        StatusCode::FORBIDDEN,
        "Refused",
        &notice(
            "error",
            &format!(
                "This form was refused: {}. Reload the page and try again.",
                esc_err(err)
            ),
        ),
    )
}

async fn sign_out(mut session: Handle, form: Result<Form<TokenForm>, FormRejection>) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return form_rejected(&rejection),
    };
    // Without a session there is nothing to protect: the cookies are deleted either way.
    if session.get().is_some() {
        if let Err(refused) = check_token(&session, form.csrf_token.as_deref()) {
            return *refused;
        }
    }
    if session.get().is_none() {
        session.sign_out();
        return redirect("/");
    }
    // Revoked in the store, so no server opens this cookie again.
    match session.revoke().await {
        Ok(()) => redirect("/"),
        Err(err) => stores::failed(&err),
    }
}

/// An admin action: a signed-in session, its CSRF token, and the admin token (printed at
/// start or set in `DEMO_ADMIN_TOKEN`), compared in constant time; the route is rate
/// limited, so the admin token cannot be guessed.
async fn rotate_keys(
    State(state): State<Arc<AppState>>,
    session: Handle,
    form: Result<Form<RotateForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return form_rejected(&rejection),
    };
    if session.get().is_none() {
        return no_session_page();
    }
    if let Err(refused) = check_token(&session, form.csrf_token.as_deref()) {
        return *refused;
    }
    let given = form.admin_token.unwrap_or_default();
    if !bool::from(given.as_bytes().ct_eq(state.admin_token.as_bytes())) {
        return page(
            StatusCode::FORBIDDEN,
            "Refused",
            &notice(
                "error",
                "Rotating keys is an admin action: the admin token is the one the server \
                 printed when it started (or <code>DEMO_ADMIN_TOKEN</code>).",
            ),
        );
    }
    let rotated = {
        let mut keys = state.keys.write().unwrap_or_else(PoisonError::into_inner);
        rotated_keyring(&keys).and_then(|(text, keyring)| {
            let manager = session_manager(keyring.clone())?;
            state.sessions.replace(manager, keyring)?;
            let flash = format!("{}.{}", primary_id(&keys), primary_id(&text));
            *keys = text;
            Ok(flash)
        })
    };
    match rotated {
        Ok(flash) => redirect(&format!("/session?rotated={flash}")),
        Err(err) => server_error(&err),
    }
}

/// The keyring with a fresh primary key in front, at most [`KEYS_KEPT`] keys long, and the
/// keyring parsed. The new id is `k<N>` with the first N not already taken.
fn rotated_keyring(text: &str) -> Result<(Zeroizing<String>, Keyring), Error> {
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
    let keyring = Keyring::parse(&new_text)?;
    Ok((new_text, keyring))
}

fn primary_id(keyring_text: &str) -> &str {
    keyring_text.split(':').next().unwrap_or("").trim()
}

/// The status for a cookie that does not open: 431 when it is too large (the request
/// header is what is too large), 500 for the server's own failures, 503 when the store
/// cannot answer (the cookie is kept), 401 otherwise.
fn refused_status(err: &Error) -> StatusCode {
    match err.code() {
        "TOO_LARGE" => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "CLOCK" | "RANDOM_FAILED" => StatusCode::INTERNAL_SERVER_ERROR,
        "STORE_UNAVAILABLE" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::UNAUTHORIZED,
    }
}

pub(crate) fn no_session_page() -> Response {
    page(
        StatusCode::UNAUTHORIZED,
        "No session",
        &notice(
            "error",
            "No session cookie came with this request: <a href=\"/\">sign in</a> first.",
        ),
    )
}

/// The cookie the browser holds after this response, `name=value`: the one this response
/// writes, or else the one the request sent (for its size on the page).
fn cookie_now(session: &Handle, headers: &HeaderMap) -> String {
    if let Some(written) = session.writes_due().first() {
        return written.split(';').next().unwrap_or_default().to_owned();
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(|pair| pair.trim_matches([' ', '\t']))
        .find(|pair| pair.split_once('=').is_some_and(|(n, _)| n == COOKIE_NAME))
        .unwrap_or_default()
        .to_owned()
}

async fn session_page(
    State(state): State<Arc<AppState>>,
    session: Handle,
    headers: HeaderMap,
    flash: Result<Query<Flash>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let rotated = flash.ok().and_then(|Query(f)| f.rotated);
    let Some(open) = session.get() else {
        return match session.refused() {
            None => no_session_page(),
            Some(err @ Error::StoreUnavailable(_)) => stores::store_down(&err),
            Some(err) => page(
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
            ),
        };
    };
    let keyring_ids = state.keyring_ids();
    let primary = keyring_ids.first().cloned().unwrap_or_default();
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
    let reseal = match open.reseal {
        Some(reason) => format!(
            "<strong>{}</strong>: this response re-sealed the cookie under <code>{}</code>",
            reason.as_str(),
            esc(&primary)
        ),
        None => "none needed".to_owned(),
    };
    if let Some(reason) = open.reseal {
        notices += &notice(
            "ok",
            &format!(
                "Your cookie arrived sealed under <code>{}</code> and needed a re-seal \
                 ({}); the server sent a new one sealed under <code>{}</code>.",
                esc(&open.key_id),
                reason.as_str(),
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
    let key_after = if open.reseal.is_some() {
        &primary
    } else {
        &open.key_id
    };
    let (idle, absolute) = if open.remember_me {
        ("14 days", "30 days")
    } else {
        ("2 hours", "12 hours")
    };
    let remember = if open.remember_me {
        format!("yes: a persistent cookie, {idle} idle, {absolute} at most")
    } else {
        format!("no: a browser-session cookie, {idle} idle, {absolute} at most")
    };
    let token = match session.csrf_token() {
        Ok(token) => token,
        Err(err) => return server_error(&err),
    };
    let body = fill(
        include_str!("../../www/session.html"),
        &[
            ("notices", notices),
            ("user", esc(user_name(open))),
            ("session_id", esc(&open.id.to_string())),
            ("remember", remember),
            ("signed_in_at", time_cell(open.signed_in_at)),
            ("issued_at", time_cell(open.issued_at)),
            ("expires_at", time_cell(open.expires_at)),
            ("absolute_expires_at", time_cell(open.absolute_expires_at)),
            ("key_before", esc(&open.key_id)),
            ("reseal", reseal),
            ("key_after", esc(key_after)),
            (
                "cookie_len",
                cookie_now(&session, &headers).len().to_string(),
            ),
            ("cookie_name", esc(COOKIE_NAME)),
            ("keyring", ring),
            ("payload", esc(&open.data.to_string())),
            ("csrf_token", esc(&token)),
        ],
    );
    page(StatusCode::OK, "Your session", &body)
}

/// The session as JSON, with the same statuses as the page: 200, 401 (no cookie, or one
/// that does not open), 431 (too large).
async fn session_api(
    State(state): State<Arc<AppState>>,
    session: Handle,
    headers: HeaderMap,
) -> Response {
    let Some(open) = session.get() else {
        return match session.refused() {
            None => json_error(
                StatusCode::UNAUTHORIZED,
                "NO_SESSION",
                "no session cookie: sign in first",
            ),
            Some(err) => json_error(refused_status(&err), err.code(), &err.to_string()),
        };
    };
    let body = json!({
        "data": open.data,
        "session_id": open.id.to_string(),
        "remember_me": open.remember_me,
        "signed_in_at": open.signed_in_at,
        "issued_at": open.issued_at,
        "expires_at": open.expires_at,
        "absolute_expires_at": open.absolute_expires_at,
        "key_id": open.key_id,
        "reseal": open.reseal.map(|r| r.as_str()),
        "primary_key_id": state.keyring_ids().first(),
        "cookie_len": cookie_now(&session, &headers).len(),
    });
    json_response(StatusCode::OK, &body)
}

fn user_name(session: &Session<Value>) -> &str {
    session.data["name"].as_str().unwrap_or("(unnamed)")
}

// ---------------------------------------------------------------------------------------
// The verify page: open or seal any value natively, for the playground's values

#[derive(Deserialize, Default)]
struct VerifyForm {
    csrf_token: Option<String>,
    name: Option<String>,
    purpose: Option<String>,
    keys: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize, Default)]
struct SealForm {
    csrf_token: Option<String>,
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

async fn verify_page(session: Handle) -> Response {
    verify_response(
        &session,
        StatusCode::OK,
        &VerifyForm::default(),
        &SealForm::default(),
        "",
        "",
    )
}

/// A signed-in user's forms carry the session's CSRF token and it is checked; before
/// sign-in there is no session to forge requests with, and the cross-origin check is
/// the guard (these forms change no state anyway).
fn check_form_token(session: &Handle, token: Option<&str>) -> Result<(), Box<Response>> {
    match session.get() {
        Some(_) => check_token(session, token),
        None => Ok(()),
    }
}

async fn verify(session: Handle, form: Result<Form<VerifyForm>, FormRejection>) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return form_rejected(&rejection),
    };
    if let Err(refused) = check_form_token(&session, form.csrf_token.as_deref()) {
        return *refused;
    }
    let (status, result) = match open_form(&form) {
        Ok(result) => (StatusCode::OK, result),
        Err((status, message)) => (status, notice("error", &message)),
    };
    verify_response(&session, status, &form, &SealForm::default(), &result, "")
}

async fn seal(session: Handle, form: Result<Form<SealForm>, FormRejection>) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return form_rejected(&rejection),
    };
    if let Err(refused) = check_form_token(&session, form.csrf_token.as_deref()) {
        return *refused;
    }
    let (status, result) = match seal_form(&form) {
        Ok(result) => (StatusCode::OK, result),
        Err((status, message)) => (status, notice("error", &message)),
    };
    verify_response(&session, status, &VerifyForm::default(), &form, "", &result)
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
    session: &Handle,
    status: StatusCode,
    open: &VerifyForm,
    seal: &SealForm,
    open_result: &str,
    seal_result: &str,
) -> Response {
    let or = |field: &Option<String>, default: &str| esc(field.as_deref().unwrap_or(default));
    // Signed in: each form carries a fresh token of the session.
    let csrf_field = match session.get().map(|_| session.csrf_token()) {
        Some(Ok(token)) => format!(
            "<input type=\"hidden\" name=\"csrf_token\" value=\"{}\">",
            esc(&token)
        ),
        Some(Err(err)) => return server_error(&err),
        None => String::new(),
    };
    let body = fill(
        include_str!("../../www/verify.html"),
        &[
            ("csrf_field", csrf_field),
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

pub(crate) fn page(status: StatusCode, title: &str, body: &str) -> Response {
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

pub(crate) fn notice(kind: &str, html: &str) -> String {
    format!("<p class=\"notice {kind}\" role=\"status\">{html}</p>")
}

pub(crate) fn bad_request(message: &str) -> Response {
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
pub(crate) fn server_error(err: &Error) -> Response {
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

/// `{"code", "message"}`, the shape the cookie-seal layers' own refusals have.
fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(status, &json!({ "code": code, "message": message }))
}

/// 303 See Other, so the browser follows a POST with a GET (a reload does not re-post).
/// The session layer adds whatever cookies are due.
pub(crate) fn redirect(location: &str) -> Response {
    let mut response = (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response();
    harden(response.headers_mut(), PAGE_CSP);
    response
}

// ---------------------------------------------------------------------------------------
// Text

/// Fills `{{slot}}` placeholders in one pass. Values are inserted as given (callers escape
/// them) and are never scanned again, so a value cannot smuggle in a placeholder.
pub(crate) fn fill(template: &str, slots: &[(&str, String)]) -> String {
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
pub(crate) fn esc(text: &str) -> String {
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

pub(crate) fn esc_err(err: &Error) -> String {
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
pub(crate) fn time_cell(secs: u64) -> String {
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
            let (next, keyring) = rotated_keyring(&text).unwrap();
            assert_eq!(primary_id(&next), expected);
            assert_eq!(keyring.primary_id(), expected);
            text = next;
        }
        let ids: Vec<&str> = text.split(',').map(primary_id).collect();
        assert_eq!(ids, ["k5", "k4", "k3", "k2"]); // k1 retired: at most KEYS_KEPT keys
    }
}
