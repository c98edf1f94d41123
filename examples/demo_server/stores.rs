//! The demo's session store and the pages on it: the store `SESSION_STORE` names (the
//! embedded SQLite file by default), the session list, and signing out one session, the
//! other devices, or everywhere. Every server started on the same keys and the same Redis
//! or Postgres sees the same sessions and sign-outs.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::Form;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use cookie_seal::store::{MAX_LABEL_LEN, MemoryStore, SessionStore};
use cookie_seal::{Error, SessionId};
use serde::Deserialize;

use super::{
    Handle, check_token, esc, esc_err, fill, no_session_page, notice, page, redirect, time_cell,
};

/// The SQLite file the demo keeps its sessions in when `SESSION_STORE` is not set, inside
/// `DEMO_DATA_DIR` (default `target/demo-data` under the repository).
pub const SQLITE_FILE: &str = "sessions.sqlite3";

/// Opens the store `spec` names: `memory`, `sqlite:PATH`, `redis://HOST:PORT`,
/// `postgres://...`; `None` is the SQLite file in `data_dir`. Returns it and a line that
/// says which one it is (without a password).
pub async fn open(
    spec: Option<&str>,
    data_dir: &Path,
) -> Result<(Arc<dyn SessionStore>, String), String> {
    let sqlite = |path: PathBuf| async move {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|err| format!("cannot create {}: {err}", parent.display()))?;
        }
        let store = cookie_seal::store::SqliteStore::open(&path)
            .await
            .map_err(|err| format!("SQLite store {}: {err}", path.display()))?;
        let store: Arc<dyn SessionStore> = Arc::new(store);
        Ok::<_, String>((store, format!("SQLite file {}", path.display())))
    };
    match spec {
        None => sqlite(data_dir.join(SQLITE_FILE)).await,
        Some("memory") => Ok((
            Arc::new(MemoryStore::new()),
            "memory (this process only)".to_owned(),
        )),
        Some(spec) if spec.starts_with("sqlite:") => sqlite(PathBuf::from(&spec[7..])).await,
        Some(spec) if spec.starts_with("redis://") => {
            let store = cookie_seal::store::RedisStore::builder(spec)
                .connect()
                .await
                .map_err(|err| format!("Redis store: {err}"))?;
            Ok((Arc::new(store), format!("Redis {}", without_password(spec))))
        }
        Some(spec) if spec.starts_with("postgres://") || spec.starts_with("postgresql://") => {
            let store = cookie_seal::store::PostgresStore::builder(spec)
                .connect()
                .await
                .map_err(|err| format!("Postgres store: {err}"))?;
            Ok((
                Arc::new(store),
                format!("Postgres {}", without_password(spec)),
            ))
        }
        Some(other) => Err(format!(
            "SESSION_STORE {other:?}: expected memory, sqlite:PATH, redis://HOST:PORT or postgres://..."
        )),
    }
}

/// The URL with anything between `://` and `@` (user and password) left out.
fn without_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// The session-list label for a request: its `User-Agent`, cut to what a store keeps
/// (whole characters, no control characters), or "unknown browser".
pub fn label(headers: &HeaderMap) -> String {
    let agent = headers
        .get(header::USER_AGENT)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let mut label = String::new();
    for c in agent.trim().chars().filter(|c| !c.is_control()) {
        if label.len() + c.len_utf8() > MAX_LABEL_LEN {
            break;
        }
        label.push(c);
    }
    if label.is_empty() {
        "unknown browser".to_owned()
    } else {
        label
    }
}

/// A page for a store that cannot answer: 503, nothing changed.
pub fn store_down(err: &Error) -> Response {
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Store unavailable",
        &notice(
            "error",
            &format!(
                "The session store cannot answer ({}); try again shortly.",
                esc_err(err)
            ),
        ),
    )
}

/// What a store failure at a request's one read, or in a handler, answers.
pub fn failed(err: &Error) -> Response {
    match err {
        Error::StoreUnavailable(_) => store_down(err),
        other => super::server_error(other),
    }
}

/// The signed-in user's subject (the sign-in name) and the request's time, or the page to
/// answer instead.
fn subject(session: &Handle) -> Result<String, Box<Response>> {
    if let Some(err @ Error::StoreUnavailable(_)) = session.refused() {
        return Err(Box::new(store_down(&err)));
    }
    match session.get().and_then(|s| s.subject.as_ref()) {
        Some(subject) => Ok(subject.id.clone()),
        None => Err(Box::new(no_session_page())),
    }
}

/// `GET /sessions`: the user's sessions, newest sign-in first, each with a sign-out
/// button, and the forms for the other devices and everywhere.
pub async fn list_page(session: Handle) -> Response {
    let subject = match subject(&session) {
        Ok(subject) => subject,
        Err(page) => return *page,
    };
    let (Some(stored), Some(me)) = (session.stored(), session.get()) else {
        return no_session_page();
    };
    let token = match session.csrf_token() {
        Ok(token) => token,
        Err(err) => return failed(&err),
    };
    let list = match stored.sessions(&subject, session.now()).await {
        Ok(list) => list,
        Err(err) => return failed(&err),
    };
    let mut rows = String::new();
    for entry in &list {
        let this = entry.id == me.id;
        let button = if this {
            "<em>this device</em>".to_owned()
        } else {
            format!(
                "<form method=\"post\" action=\"/sessions/sign-out\">\
                 <input type=\"hidden\" name=\"csrf_token\" value=\"{}\">\
                 <input type=\"hidden\" name=\"id\" value=\"{}\">\
                 <button type=\"submit\" class=\"secondary\" data-testid=\"sign-out-session\">Sign out</button></form>",
                esc(&token),
                esc(&entry.id.to_string())
            )
        };
        rows.push_str(&format!(
            "<tr data-testid=\"session-row\"{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            if this { " class=\"current\"" } else { "" },
            esc(&entry.label),
            time_cell(entry.signed_in_at),
            time_cell(entry.last_seen),
            if entry.remember_me { "yes" } else { "no" },
            button
        ));
    }
    let body = fill(
        include_str!("../../www/sessions.html"),
        &[
            ("user", esc(&subject)),
            ("count", list.len().to_string()),
            ("rows", rows),
            ("csrf_token", esc(&token)),
        ],
    );
    page(StatusCode::OK, "Your sessions", &body)
}

#[derive(Deserialize)]
pub struct SignOutOne {
    csrf_token: Option<String>,
    id: Option<String>,
}

#[derive(Deserialize)]
pub struct TokenOnly {
    csrf_token: Option<String>,
}

/// `POST /sessions/sign-out`: signs out one of the user's sessions (only one of theirs:
/// the id must be in their list).
pub async fn sign_out_one(
    mut session: Handle,
    form: Result<Form<SignOutOne>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return super::bad_request("The form needs csrf_token and id.");
    };
    let subject = match subject(&session) {
        Ok(subject) => subject,
        Err(page) => return *page,
    };
    if let Err(refused) = check_token(&session, form.csrf_token.as_deref()) {
        return *refused;
    }
    let Some(id) = form
        .id
        .as_deref()
        .and_then(|id| id.parse::<SessionId>().ok())
    else {
        return super::bad_request("Form field `id` is not a session id.");
    };
    let Some(stored) = session.stored() else {
        return no_session_page();
    };
    if session.get().is_some_and(|me| me.id == id) {
        return match session.revoke().await {
            Ok(()) => redirect("/"),
            Err(err) => failed(&err),
        };
    }
    let now = session.now();
    let result = async {
        let list = stored.sessions(&subject, now).await?;
        match list.iter().find(|entry| entry.id == id) {
            Some(entry) => {
                stored
                    .store()
                    .revoke(&id, Some(&subject), entry.keep_until, now)
                    .await
            }
            None => Ok(()), // already signed out, or not theirs: nothing to do either way
        }
    }
    .await;
    match result {
        Ok(()) => redirect("/sessions"),
        Err(err) => failed(&err),
    }
}

/// `POST /sign-out-others`: every session of the user but this one.
pub async fn sign_out_others(
    session: Handle,
    form: Result<Form<TokenOnly>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return super::bad_request("The form needs csrf_token.");
    };
    if let Err(page) = subject(&session) {
        return *page;
    }
    if let Err(refused) = check_token(&session, form.csrf_token.as_deref()) {
        return *refused;
    }
    let (Some(stored), Some(me)) = (session.stored(), session.get()) else {
        return no_session_page();
    };
    match stored.sign_out_others(me, session.now()).await {
        Ok(_) => redirect("/sessions"),
        Err(err) => failed(&err),
    }
}

/// `POST /sign-out-everywhere`: the user is signed out on every device and every server.
pub async fn sign_out_everywhere(
    mut session: Handle,
    form: Result<Form<TokenOnly>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return super::bad_request("The form needs csrf_token.");
    };
    let subject = match subject(&session) {
        Ok(subject) => subject,
        Err(page) => return *page,
    };
    if let Err(refused) = check_token(&session, form.csrf_token.as_deref()) {
        return *refused;
    }
    let Some(stored) = session.stored() else {
        return no_session_page();
    };
    match stored.sign_out_everywhere(&subject, session.now()).await {
        Ok(_) => {
            session.sign_out();
            redirect("/")
        }
        Err(err) => failed(&err),
    }
}
