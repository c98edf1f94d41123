//! The axum integration through its real request path: `tower::ServiceExt::oneshot` on a
//! Router, and a real socket (axum::serve on 127.0.0.1:0, raw HTTP/1.1 over TcpStream).
//! Run with `cargo test --features axum,rate-limit --test axum`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use cookie_seal::axum::{
    CrossOriginLayer, CsrfForm, FreshSession, RateLimitLayer, SessionHandle, SessionLayer,
    SessionRejection, SignInForm,
};
use cookie_seal::{CrossOrigin, Key, MemoryRateLimit, Sessions, SignIn};
use serde::Deserialize;
use tower::ServiceExt;

mod common;
use common::ring;
use common::web::{
    Empty, Login, Rename, Reply, SAME_ORIGIN, User, manager, pre_session_scenario, raw, sessions,
    unix_now,
};

async fn sign_in(mut session: FreshSession<User>) -> Result<String, SessionRejection> {
    let user = User { name: "ada".into() };
    session.sign_in(user, SignIn::default())?;
    Ok(session.csrf_token()?)
}

async fn me(session: SessionHandle<User>) -> String {
    session
        .get()
        .map_or("nobody".into(), |s| s.data.name.clone())
}

async fn token(session: SessionHandle<User>) -> Result<String, SessionRejection> {
    Ok(session.csrf_token()?)
}

async fn rename(
    mut session: SessionHandle<User>,
    CsrfForm(form): CsrfForm<Rename>,
) -> Result<&'static str, SessionRejection> {
    session.set(User { name: form.name })?;
    Ok("renamed")
}

async fn sign_out(
    mut session: FreshSession<User>,
    CsrfForm(Empty {}): CsrfForm<Empty>,
) -> &'static str {
    session.sign_out();
    "bye"
}

pre_session_handlers!(SignInForm, SessionRejection);

/// Signs in, then fails: the cookie must still be written.
async fn sign_in_then_fail(mut session: FreshSession<User>) -> (StatusCode, &'static str) {
    let _ = session.sign_in(User { name: "eve".into() }, SignIn::default());
    (StatusCode::INTERNAL_SERVER_ERROR, "failed after sign-in")
}

/// A nested router with state of its own, under the one session layer.
async fn counted(
    State(hits): State<Arc<std::sync::atomic::AtomicU32>>,
    session: SessionHandle<User>,
) -> String {
    let n = hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        "{n}:{}",
        session.get().map_or("-", |s| s.data.name.as_str())
    )
}

fn app(sessions: Sessions, limiter: Arc<MemoryRateLimit>) -> Router {
    let limited = Router::new()
        .route("/sign-in", post(sign_in))
        .route_layer(RateLimitLayer::new(limiter));
    let stateful = Router::new()
        .route("/counted", get(counted))
        .with_state(Arc::new(std::sync::atomic::AtomicU32::new(0)));
    Router::new()
        .merge(limited)
        .nest("/api", stateful)
        .route("/me", get(me))
        .route("/token", get(token))
        .route("/rename", post(rename))
        .route("/sign-out", post(sign_out))
        .route("/fail", post(sign_in_then_fail))
        .route("/sign-in-form", get(sign_in_form))
        .route("/sign-in-checked", post(sign_in_checked))
        .layer(CrossOriginLayer::new(CrossOrigin::same_host()))
        .layer(SessionLayer::new(sessions))
}

fn roomy_limiter() -> Arc<MemoryRateLimit> {
    Arc::new(MemoryRateLimit::new(1_000, Duration::from_secs(1), 64).unwrap())
}

async fn call(
    app: &Router,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    extra: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "app.example");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    if method == "POST" {
        request = request.header("content-type", "application/x-www-form-urlencoded");
    }
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    Reply::new(status, headers, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn sign_in_writes_once_and_reads_need_no_write() {
    let app = app(sessions(), roomy_limiter());
    let signed_in = call(&app, "POST", "/sign-in", None, SAME_ORIGIN, "").await;
    assert_eq!(signed_in.status, 200);
    assert_eq!(signed_in.set_cookies.len(), 1);
    assert!(signed_in.set_cookies[0].starts_with("s="));
    assert_eq!(signed_in.header("cache-control"), Some("no-store"));

    let cookie = signed_in.cookie();
    let read = call(&app, "GET", "/me", Some(&cookie), &[], "").await;
    assert_eq!((read.status, read.body.as_str()), (200, "ada"));
    assert!(
        read.set_cookies.is_empty(),
        "nothing was due: {:?}",
        read.set_cookies
    );
    assert_eq!(read.header("cache-control"), None);

    let nobody = call(&app, "GET", "/me", Some("other=1"), &[], "").await;
    assert_eq!((nobody.status, nobody.body.as_str()), (200, "nobody"));
    assert!(nobody.set_cookies.is_empty());
}

#[tokio::test]
async fn a_refused_cookie_is_401_with_its_code_and_deleted() {
    let app = app(sessions(), roomy_limiter());
    let cookie = call(&app, "POST", "/sign-in", None, SAME_ORIGIN, "")
        .await
        .cookie();
    let mut tampered = cookie.clone().into_bytes();
    let last = tampered.len() - 3;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();

    let refused = call(&app, "GET", "/me", Some(&tampered), &[], "").await;
    assert_eq!((refused.status, refused.code().as_str()), (401, "BAD_SEAL"));
    assert_eq!(
        refused.set_cookies,
        ["s=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax"]
    );

    // A cookie from another server's keys: the same, with its own code.
    let foreign = Sessions::new(manager(ring("k9", 9)), ring("k9", 9)).unwrap();
    let other = app_cookie(&foreign).await;
    let refused = call(&app, "GET", "/me", Some(&other), &[], "").await;
    assert_eq!(
        (refused.status, refused.code().as_str()),
        (401, "UNKNOWN_KEY")
    );

    // Data that is not a User: PAYLOAD, and deleted too.
    let now = unix_now();
    let m = sessions().manager();
    let wrong = m.sign_in(vec![1, 2, 3], SignIn::default(), now).unwrap();
    let wrong = m.set_cookies_at(&wrong, now).unwrap()[0]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let refused = call(&app, "GET", "/me", Some(&wrong), &[], "").await;
    assert_eq!((refused.status, refused.code().as_str()), (401, "PAYLOAD"));
    assert_eq!(refused.set_cookies.len(), 1);

    // A sign-in route still works for the browser holding the stale cookie, and sends
    // only the new cookie.
    let fresh = call(&app, "POST", "/sign-in", Some(&tampered), SAME_ORIGIN, "").await;
    assert_eq!(fresh.status, 200);
    assert_eq!(fresh.set_cookies.len(), 1);
    assert!(!fresh.set_cookies[0].starts_with("s=;"));
}

async fn app_cookie(sessions: &Sessions) -> String {
    let app = app(sessions.clone(), roomy_limiter());
    call(&app, "POST", "/sign-in", None, SAME_ORIGIN, "")
        .await
        .cookie()
}

#[tokio::test]
async fn renewal_and_key_rotation_rewrite_the_cookie() {
    let sessions = sessions();
    let app = app(sessions.clone(), roomy_limiter());
    // Sealed 600 s ago with a 1000 s idle window: under half remains, so a read renews.
    let m = sessions.manager();
    let then = unix_now() - 600;
    let old = m
        .sign_in(User { name: "ada".into() }, SignIn::default(), then)
        .unwrap();
    let old = m.set_cookies_at(&old, then).unwrap()[0]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let renewed = call(&app, "GET", "/me", Some(&old), &[], "").await;
    assert_eq!((renewed.status, renewed.body.as_str()), (200, "ada"));
    assert_eq!(renewed.set_cookies.len(), 1);
    assert_ne!(renewed.cookie(), old);

    // Rotation: k2 seals, k1 still opens; the k1 cookie is re-sealed under k2, and a CSRF
    // token made under k1 still verifies.
    let cookie = call(&app, "POST", "/sign-in", None, SAME_ORIGIN, "").await;
    let token = cookie.body.clone();
    let cookie = cookie.cookie();
    let rotated = ring("k2", 2)
        .with_key("k1", Key::from_bytes(&[1; 32]).unwrap())
        .unwrap();
    sessions.replace(manager(rotated.clone()), rotated).unwrap();
    let read = call(&app, "GET", "/me", Some(&cookie), &[], "").await;
    assert_eq!(read.status, 200);
    assert_eq!(read.set_cookies.len(), 1, "re-sealed under the new key");
    let resealed = read.cookie();
    let again = call(&app, "GET", "/me", Some(&resealed), &[], "").await;
    assert!(
        again.set_cookies.is_empty(),
        "the re-sealed cookie is current"
    );
    let renamed = call(
        &app,
        "POST",
        "/rename",
        Some(&resealed),
        SAME_ORIGIN,
        &format!("name=bob&csrf_token={token}"),
    )
    .await;
    assert_eq!((renamed.status, renamed.body.as_str()), (200, "renamed"));
    let read = call(&app, "GET", "/me", Some(&renamed.cookie()), &[], "").await;
    assert_eq!(read.body, "bob");
}

#[tokio::test]
async fn sign_out_deletes_the_cookie_and_errors_still_write() {
    let app = app(sessions(), roomy_limiter());
    let signed_in = call(&app, "POST", "/sign-in", None, SAME_ORIGIN, "").await;
    let (cookie, token) = (signed_in.cookie(), signed_in.body.clone());
    let out = call(
        &app,
        "POST",
        "/sign-out",
        Some(&cookie),
        SAME_ORIGIN,
        &format!("csrf_token={token}"),
    )
    .await;
    assert_eq!((out.status, out.body.as_str()), (200, "bye"));
    assert_eq!(
        out.set_cookies,
        ["s=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax"]
    );

    let failed = call(&app, "POST", "/fail", None, SAME_ORIGIN, "").await;
    assert_eq!(failed.status, 500);
    assert_eq!(failed.set_cookies.len(), 1);
    let read = call(&app, "GET", "/me", Some(&failed.cookie()), &[], "").await;
    assert_eq!(read.body, "eve");
}

#[tokio::test]
async fn cross_site_posts_are_refused_before_the_handler() {
    let app = app(sessions(), roomy_limiter());
    let signed_in = call(&app, "POST", "/sign-in", None, SAME_ORIGIN, "").await;
    let (cookie, token) = (signed_in.cookie(), signed_in.body.clone());
    let form = format!("name=mallory&csrf_token={token}");
    for headers in [
        &[("sec-fetch-site", "cross-site")][..],
        &[("sec-fetch-site", "same-site")][..],
        &[("origin", "https://evil.example")][..],
        &[("origin", "null")][..],
        &[("referer", "https://evil.example/page")][..],
    ] {
        let refused = call(&app, "POST", "/rename", Some(&cookie), headers, &form).await;
        assert_eq!(
            (refused.status, refused.code().as_str()),
            (403, "CROSS_ORIGIN"),
            "{headers:?}"
        );
        assert!(refused.set_cookies.is_empty(), "the handler never ran");
    }
    let allowed = call(
        &app,
        "POST",
        "/rename",
        Some(&cookie),
        &[("origin", "http://app.example")],
        &form,
    )
    .await;
    assert_eq!(allowed.status, 200);
    // Reads are never refused.
    let read = call(
        &app,
        "GET",
        "/me",
        Some(&cookie),
        &[("sec-fetch-site", "cross-site")],
        "",
    )
    .await;
    assert_eq!(read.status, 200);
}

#[tokio::test]
async fn a_missing_or_foreign_csrf_token_is_refused() {
    let app = app(sessions(), roomy_limiter());
    let mine = call(&app, "POST", "/sign-in", None, SAME_ORIGIN, "").await;
    let theirs = call(&app, "POST", "/sign-in", None, SAME_ORIGIN, "").await;
    let cookie = mine.cookie();
    for form in [
        "name=x".to_owned(),
        "name=x&csrf_token=".to_owned(),
        "name=x&csrf_token=garbage".to_owned(),
        format!("name=x&csrf_token={}", theirs.body),
    ] {
        let refused = call(&app, "POST", "/rename", Some(&cookie), SAME_ORIGIN, &form).await;
        assert_eq!(
            (refused.status, refused.code().as_str()),
            (403, "CSRF"),
            "{form}"
        );
    }
    // No session at all: refused too.
    let refused = call(
        &app,
        "POST",
        "/rename",
        None,
        SAME_ORIGIN,
        &format!("name=x&csrf_token={}", mine.body),
    )
    .await;
    assert_eq!(refused.code(), "CSRF");
    // From a script: the header.
    let ok = call(
        &app,
        "POST",
        "/rename",
        Some(&cookie),
        &[
            ("sec-fetch-site", "same-origin"),
            ("x-csrf-token", &mine.body),
        ],
        "name=y",
    )
    .await;
    assert_eq!(ok.status, 200);
    // A fresh token per page, each valid.
    let page_token = call(&app, "GET", "/token", Some(&cookie), &[], "")
        .await
        .body;
    assert_ne!(page_token, mine.body);
    let ok = call(
        &app,
        "POST",
        "/rename",
        Some(&cookie),
        SAME_ORIGIN,
        &format!("name=z&csrf_token={page_token}"),
    )
    .await;
    assert_eq!(ok.status, 200);
    // A new session id (signing in again in the same browser) voids the old tokens.
    let again = call(&app, "POST", "/sign-in", Some(&cookie), SAME_ORIGIN, "")
        .await
        .cookie();
    let refused = call(
        &app,
        "POST",
        "/rename",
        Some(&again),
        SAME_ORIGIN,
        &format!("name=z&csrf_token={page_token}"),
    )
    .await;
    assert_eq!((refused.status, refused.code().as_str()), (403, "CSRF"));
}

#[tokio::test]
async fn a_sign_in_form_needs_its_pre_session_token_and_cookie() {
    let app = app(sessions(), roomy_limiter());
    pre_session_scenario(async |method, path, cookie, extra, body| {
        call(&app, method, path, cookie, extra, body).await
    })
    .await;
}

#[tokio::test]
async fn nested_routers_with_state_share_the_layer() {
    let app = app(sessions(), roomy_limiter());
    let cookie = call(&app, "POST", "/sign-in", None, SAME_ORIGIN, "")
        .await
        .cookie();
    assert_eq!(
        call(&app, "GET", "/api/counted", Some(&cookie), &[], "")
            .await
            .body,
        "0:ada"
    );
    assert_eq!(
        call(&app, "GET", "/api/counted", None, &[], "").await.body,
        "1:-"
    );
}

#[tokio::test]
async fn without_the_layer_the_extractor_says_so() {
    let app: Router = Router::new().route("/me", get(me));
    let reply = call(&app, "GET", "/me", None, &[], "").await;
    assert_eq!(
        (reply.status, reply.code().as_str()),
        (500, "INVALID_OPTION")
    );
}

async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

#[tokio::test]
async fn over_a_socket_the_rate_limit_is_reached_and_resets() {
    let limiter = Arc::new(MemoryRateLimit::new(2, Duration::from_secs(1), 64).unwrap());
    let addr = serve(app(sessions(), limiter)).await;
    let sign_in = format!(
        "POST /sign-in HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let first = raw(addr, &sign_in).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.set_cookies.len(), 1);
    assert_eq!(raw(addr, &sign_in).await.status, 200);
    let limited = raw(addr, &sign_in).await;
    assert_eq!(
        (limited.status, limited.code().as_str()),
        (429, "RATE_LIMITED")
    );
    assert_eq!(limited.header("retry-after"), Some("1"));
    assert!(limited.set_cookies.is_empty());
    // Other routes are not limited.
    let me = format!(
        "GET /me HTTP/1.1\r\nHost: {addr}\r\nCookie: {}\r\nConnection: close\r\n\r\n",
        first.cookie()
    );
    assert_eq!(raw(addr, &me).await.body, "ada");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(
        raw(addr, &sign_in).await.status,
        200,
        "the budget came back"
    );

    // Cross-site over the socket too.
    let evil = format!(
        "POST /sign-out HTTP/1.1\r\nHost: {addr}\r\nOrigin: https://evil.example\r\nCookie: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        first.cookie()
    );
    let refused = raw(addr, &evil).await;
    assert_eq!(
        (refused.status, refused.code().as_str()),
        (403, "CROSS_ORIGIN")
    );
}

#[tokio::test]
async fn over_a_socket_cookies_split_over_several_fields_are_joined() {
    let addr = serve(app(sessions(), roomy_limiter())).await;
    let sign_in = format!(
        "POST /sign-in HTTP/1.1\r\nHost: {addr}\r\nSec-Fetch-Site: same-origin\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let cookie = raw(addr, &sign_in).await.cookie();
    let me = format!(
        "GET /me HTTP/1.1\r\nHost: {addr}\r\nCookie: a=1\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    );
    assert_eq!(raw(addr, &me).await.body, "ada");
    let expired = format!(
        "GET /me HTTP/1.1\r\nHost: {addr}\r\nCookie: s=garbage\r\nConnection: close\r\n\r\n"
    );
    let refused = raw(addr, &expired).await;
    assert_eq!(
        (refused.status, refused.code().as_str()),
        (401, "MALFORMED")
    );
    assert_eq!(refused.set_cookies.len(), 1);
}

/// The cross-domain hand-off through two apps: the source issues a token for the target's
/// origin, the target redeems it once (through its async single-use record) and signs in.
#[tokio::test]
async fn a_handoff_token_signs_in_on_the_target_once() {
    use axum::Form;
    use cookie_seal::handoff::{Handoff, MemorySingleUse};

    #[derive(Deserialize)]
    struct Redeem {
        token: String,
    }
    #[derive(Clone)]
    struct Target {
        handoff: Handoff,
        used: Arc<MemorySingleUse>,
    }
    async fn redeem(
        State(target): State<Target>,
        mut session: FreshSession<User>,
        Form(form): Form<Redeem>,
    ) -> Result<&'static str, SessionRejection> {
        let name: String = target
            .handoff
            .redeem_at(
                &form.token,
                "https://accounts.example",
                target.used.as_ref(),
                unix_now(),
            )
            .await?;
        session.sign_in(User { name }, SignIn::default())?;
        Ok("welcome")
    }

    let handoff = Handoff::new(ring("h1", 5)).unwrap();
    let target_sessions = Sessions::new(manager(ring("t1", 6)), ring("t1", 6)).unwrap();
    let target = Router::new()
        .route("/handoff", post(redeem))
        .route("/me", get(me))
        .with_state(Target {
            handoff: handoff.clone(),
            used: Arc::new(MemorySingleUse::new(1_000)),
        })
        .layer(SessionLayer::new(target_sessions));

    // The source site (another app, its own keys) issued this for the target's origin.
    let token = handoff
        .issue_at("https://accounts.example", &"grace", unix_now())
        .unwrap();
    let form = format!("token={token}");
    let welcomed = call(&target, "POST", "/handoff", None, SAME_ORIGIN, &form).await;
    assert_eq!((welcomed.status, welcomed.body.as_str()), (200, "welcome"));
    let me = call(&target, "GET", "/me", Some(&welcomed.cookie()), &[], "").await;
    assert_eq!(me.body, "grace");

    let replayed = call(&target, "POST", "/handoff", None, SAME_ORIGIN, &form).await;
    assert_eq!(
        (replayed.status, replayed.code().as_str()),
        (401, "REVOKED")
    );
    assert!(replayed.set_cookies.is_empty());

    let elsewhere = handoff
        .issue_at("https://other.example", &"grace", unix_now())
        .unwrap();
    let refused = call(
        &target,
        "POST",
        "/handoff",
        None,
        SAME_ORIGIN,
        &format!("token={elsewhere}"),
    )
    .await;
    assert_eq!((refused.status, refused.code().as_str()), (401, "BAD_SEAL"));
}

// The layer with a store: sign-in lists the session, sign-out revokes it on every server
// reading the same store, and the next read of the old cookie is 401 REVOKED.

async fn listed_sign_in(mut session: FreshSession<User>) -> Result<String, SessionRejection> {
    let user = User { name: "ada".into() };
    session
        .sign_in_listed(user, "ada", false, "test browser")
        .await?;
    Ok(session.csrf_token()?)
}

async fn listed(session: SessionHandle<User>) -> Result<String, SessionRejection> {
    let stored = session.stored().expect("a store");
    let Some(me) = session.get() else {
        return Ok("nobody".into());
    };
    let subject = me.subject.as_ref().unwrap().id.clone();
    let list = stored.sessions(&subject, session.now()).await?;
    Ok(list
        .iter()
        .map(|e| e.label.clone())
        .collect::<Vec<_>>()
        .join(","))
}

async fn revoke(mut session: SessionHandle<User>) -> Result<&'static str, SessionRejection> {
    session.revoke().await?;
    Ok("revoked")
}

async fn everywhere(session: SessionHandle<User>) -> Result<&'static str, SessionRejection> {
    let stored = session.stored().expect("a store");
    stored.sign_out_everywhere("ada", session.now()).await?;
    Ok("everywhere")
}

fn stored_app(sessions: Sessions) -> Router {
    Router::new()
        .route("/sign-in", post(listed_sign_in))
        .route("/sessions", get(listed))
        .route("/me", get(me))
        .route("/revoke", post(revoke))
        .route("/everywhere", post(everywhere))
        .layer(SessionLayer::new(sessions))
}

fn cookie_of(reply: &Reply) -> String {
    reply.set_cookies[0].split(';').next().unwrap().to_owned()
}

/// Two "servers" (two routers, two `Sessions`) over one store.
async fn store_suite(store: Arc<dyn cookie_seal::store::SessionStore>) {
    let one = stored_app(sessions().with_store(Arc::clone(&store)));
    let two = stored_app(sessions().with_store(store));

    let first = call(&one, "POST", "/sign-in", None, SAME_ORIGIN, "").await;
    assert_eq!(first.status, 200, "{}", first.body);
    let a = cookie_of(&first);
    let b = cookie_of(&call(&one, "POST", "/sign-in", None, SAME_ORIGIN, "").await);
    assert_eq!(
        call(&two, "GET", "/me", Some(&a), &[], "").await.body,
        "ada"
    );
    let list = call(&two, "GET", "/sessions", Some(&a), &[], "").await;
    assert_eq!(list.body, "test browser,test browser");

    // Signed out on one server: the other refuses the cookie and deletes it.
    let out = call(&one, "POST", "/revoke", Some(&a), SAME_ORIGIN, "").await;
    assert_eq!(out.status, 200, "{}", out.body);
    assert!(out.set_cookies[0].contains("Max-Age=0"));
    let refused = call(&two, "GET", "/me", Some(&a), &[], "").await;
    assert_eq!((refused.status, refused.code().as_str()), (401, "REVOKED"));
    assert!(refused.set_cookies[0].contains("Max-Age=0"));
    assert_eq!(
        call(&two, "GET", "/sessions", Some(&b), &[], "").await.body,
        "test browser"
    );

    // Everywhere: the other session goes too, and a new sign-in works again.
    let all = call(&two, "POST", "/everywhere", Some(&b), SAME_ORIGIN, "").await;
    assert_eq!(all.status, 200, "{}", all.body);
    let refused = call(&one, "GET", "/me", Some(&b), &[], "").await;
    assert_eq!((refused.status, refused.code().as_str()), (401, "REVOKED"));
    // A later sign-in seals with the new generation (one second on: a generation is the
    // sign-out's time, and only sessions sealed before it are refused).
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let c = cookie_of(&call(&two, "POST", "/sign-in", None, SAME_ORIGIN, "").await);
    assert_eq!(
        call(&one, "GET", "/me", Some(&c), &[], "").await.body,
        "ada"
    );
}

#[tokio::test]
async fn with_a_memory_store_sign_out_reaches_every_server() {
    store_suite(Arc::new(cookie_seal::store::MemoryStore::new())).await;
}

#[cfg(feature = "store-sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_sqlite_store_sign_out_reaches_every_server() {
    let dir = std::env::temp_dir().join(format!("cookie-seal-axum-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sessions.sqlite3");
    let _ = std::fs::remove_file(&path);
    let store = cookie_seal::store::SqliteStore::open(&path).await.unwrap();
    store_suite(Arc::new(store)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_detached_handle_refuses_sessions_with_a_store() {
    let sessions = sessions().with_store(Arc::new(cookie_seal::store::MemoryStore::new()));
    let err = SessionHandle::<User>::detached(&sessions, "").unwrap_err();
    assert_eq!(err.code(), "INVALID_OPTION");
}
