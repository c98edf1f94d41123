//! The actix-web integration through actix's own request path: `actix_web::test`'s
//! service (the full App with middleware and extractors), and a real HttpServer on
//! 127.0.0.1:0 spoken to in raw HTTP/1.1. Run with
//! `cargo test --features actix,rate-limit --test actix`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Service, ServiceResponse};
use actix_web::{App, HttpResponse, HttpServer, test, web};
use cookie_seal::actix::{
    CrossOriginMiddleware, CsrfForm, FreshSession, RateLimitMiddleware, SessionHandle,
    SessionMiddleware, SessionRejection, SignInForm,
};
use cookie_seal::{CrossOrigin, Key, MemoryRateLimit, Sessions, SignIn};

mod common;
use common::ring;
use common::web::{
    Empty, Login, Rename, Reply, SAME_ORIGIN, User, manager, pre_session_scenario, raw, sessions,
    unix_now,
};

fn run<F: Future>(future: F) -> F::Output {
    actix_web::rt::System::new().block_on(future)
}

async fn sign_in(mut session: FreshSession<User>) -> Result<String, SessionRejection> {
    session.sign_in(User { name: "ada".into() }, SignIn::default())?;
    Ok(session.csrf_token()?)
}

async fn me(session: SessionHandle<User>) -> String {
    session
        .get()
        .map_or("nobody".into(), |s| s.data.name.clone())
}

async fn rename(
    mut session: SessionHandle<User>,
    CsrfForm(form): CsrfForm<Rename>,
) -> Result<&'static str, SessionRejection> {
    session.set(User { name: form.name })?;
    Ok("renamed")
}

async fn sign_out(mut session: FreshSession<User>, _: CsrfForm<Empty>) -> &'static str {
    session.sign_out();
    "bye"
}

async fn sign_in_then_fail(mut session: FreshSession<User>) -> HttpResponse {
    let _ = session.sign_in(User { name: "eve".into() }, SignIn::default());
    HttpResponse::InternalServerError().body("failed after sign-in")
}

pre_session_handlers!(SignInForm, SessionRejection);

fn app(
    sessions: Sessions,
    limiter: Arc<MemoryRateLimit>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(CrossOriginMiddleware::new(CrossOrigin::same_host()))
        .wrap(SessionMiddleware::new(sessions))
        .service(
            web::resource("/sign-in")
                .wrap(RateLimitMiddleware::new(limiter))
                .route(web::post().to(sign_in)),
        )
        .route("/me", web::get().to(me))
        .route("/rename", web::post().to(rename))
        .route("/sign-out", web::post().to(sign_out))
        .route("/fail", web::post().to(sign_in_then_fail))
        .route("/sign-in-form", web::get().to(sign_in_form))
        .route("/sign-in-checked", web::post().to(sign_in_checked))
}

fn roomy() -> Arc<MemoryRateLimit> {
    Arc::new(MemoryRateLimit::new(1_000, Duration::from_secs(1), 64).unwrap())
}

async fn call<S, B>(
    app: &S,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    extra: &[(&str, &str)],
    body: &str,
) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    let mut request = match method {
        "POST" => test::TestRequest::post()
            .insert_header(("content-type", "application/x-www-form-urlencoded")),
        _ => test::TestRequest::get(),
    }
    .uri(path)
    .insert_header(("host", "app.example"))
    .peer_addr("203.0.113.7:5000".parse().unwrap())
    .set_payload(body.to_owned());
    if let Some(cookie) = cookie {
        request = request.insert_header(("cookie", cookie));
    }
    for header in extra {
        request = request.insert_header(*header);
    }
    let response = test::call_service(app, request.to_request()).await;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    let body = test::read_body(response).await;
    Reply::new(status, headers, String::from_utf8(body.to_vec()).unwrap())
}

#[test]
fn sign_in_read_renewal_rotation_and_sign_out() {
    run(async {
        let sessions = sessions();
        let app = test::init_service(app(sessions.clone(), roomy())).await;
        let signed_in = call(&app, "POST", "/sign-in", None, SAME_ORIGIN, "").await;
        assert_eq!(signed_in.status, 200);
        assert_eq!(signed_in.set_cookies.len(), 1);
        assert_eq!(signed_in.header("cache-control"), Some("no-store"));
        let (cookie, token) = (signed_in.cookie(), signed_in.body.clone());

        let read = call(&app, "GET", "/me", Some(&cookie), &[], "").await;
        assert_eq!((read.status, read.body.as_str()), (200, "ada"));
        assert!(read.set_cookies.is_empty());

        // Renewal: sealed 600 s ago with a 1000 s idle window.
        let m = sessions.manager();
        let then = unix_now() - 600;
        let old = m
            .sign_in(User { name: "old".into() }, SignIn::default(), then)
            .unwrap();
        let old = m.set_cookies_at(&old, then).unwrap()[0]
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let renewed = call(&app, "GET", "/me", Some(&old), &[], "").await;
        assert_eq!(
            (renewed.body.as_str(), renewed.set_cookies.len()),
            ("old", 1)
        );

        // Rotation: the k1 cookie is re-sealed under k2; its k1 token still verifies.
        let rotated = ring("k2", 2)
            .with_key("k1", Key::from_bytes(&[1; 32]).unwrap())
            .unwrap();
        sessions.replace(manager(rotated.clone()), rotated).unwrap();
        let read = call(&app, "GET", "/me", Some(&cookie), &[], "").await;
        assert_eq!(read.set_cookies.len(), 1);
        let cookie = read.cookie();
        assert!(
            call(&app, "GET", "/me", Some(&cookie), &[], "")
                .await
                .set_cookies
                .is_empty()
        );
        let form = format!("name=bob&csrf_token={token}");
        let renamed = call(&app, "POST", "/rename", Some(&cookie), SAME_ORIGIN, &form).await;
        assert_eq!((renamed.status, renamed.body.as_str()), (200, "renamed"));
        let cookie = renamed.cookie();
        assert_eq!(
            call(&app, "GET", "/me", Some(&cookie), &[], "").await.body,
            "bob"
        );

        let form = format!("csrf_token={token}");
        let out = call(&app, "POST", "/sign-out", Some(&cookie), SAME_ORIGIN, &form).await;
        assert_eq!(out.body, "bye");
        assert_eq!(
            out.set_cookies,
            ["s=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax"]
        );

        let failed = call(&app, "POST", "/fail", None, SAME_ORIGIN, "").await;
        assert_eq!((failed.status, failed.set_cookies.len()), (500, 1));
    });
}

#[test]
fn refused_cookies_cross_site_posts_and_bad_tokens() {
    run(async {
        let service = test::init_service(app(sessions(), roomy())).await;
        let refused = call(&service, "GET", "/me", Some("s=forged"), &[], "").await;
        assert_eq!(
            (refused.status, refused.code().as_str()),
            (401, "MALFORMED")
        );
        assert_eq!(refused.set_cookies.len(), 1);
        let foreign = Sessions::new(manager(ring("k9", 9)), ring("k9", 9)).unwrap();
        let foreign_app = test::init_service(app(foreign, roomy())).await;
        let other = call(&foreign_app, "POST", "/sign-in", None, SAME_ORIGIN, "")
            .await
            .cookie();
        let refused = call(&service, "GET", "/me", Some(&other), &[], "").await;
        assert_eq!(refused.code(), "UNKNOWN_KEY");

        let mine = call(&service, "POST", "/sign-in", None, SAME_ORIGIN, "").await;
        let theirs = call(&service, "POST", "/sign-in", None, SAME_ORIGIN, "").await;
        let good = format!("name=x&csrf_token={}", mine.body);
        for headers in [
            &[("sec-fetch-site", "cross-site")][..],
            &[("origin", "https://evil.example")][..],
            &[("referer", "https://evil.example/")][..],
        ] {
            let refused = call(
                &service,
                "POST",
                "/rename",
                Some(&mine.cookie()),
                headers,
                &good,
            )
            .await;
            assert_eq!(
                (refused.status, refused.code().as_str()),
                (403, "CROSS_ORIGIN")
            );
            assert!(refused.set_cookies.is_empty());
        }
        for form in [
            "name=x".to_owned(),
            "name=x&csrf_token=nope".to_owned(),
            format!("name=x&csrf_token={}", theirs.body),
        ] {
            let refused = call(
                &service,
                "POST",
                "/rename",
                Some(&mine.cookie()),
                SAME_ORIGIN,
                &form,
            )
            .await;
            assert_eq!(
                (refused.status, refused.code().as_str()),
                (403, "CSRF"),
                "{form}"
            );
        }
        let header = [
            ("origin", "http://app.example"),
            ("x-csrf-token", mine.body.as_str()),
        ];
        let ok = call(
            &service,
            "POST",
            "/rename",
            Some(&mine.cookie()),
            &header,
            "name=y",
        )
        .await;
        assert_eq!(ok.status, 200);
    });
}

#[test]
fn a_sign_in_form_needs_its_pre_session_token_and_cookie() {
    run(async {
        let service = test::init_service(app(sessions(), roomy())).await;
        pre_session_scenario(async |method, path, cookie, extra, body| {
            call(&service, method, path, cookie, extra, body).await
        })
        .await;
    });
}

#[test]
fn over_a_socket_the_rate_limit_is_reached_and_resets() {
    run(async {
        let limiter = Arc::new(MemoryRateLimit::new(2, Duration::from_secs(1), 64).unwrap());
        let sessions = sessions();
        let server = HttpServer::new(move || app(sessions.clone(), Arc::clone(&limiter)))
            .workers(1)
            .bind(("127.0.0.1", 0))
            .unwrap();
        let addr = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);

        let sign_in = format!(
            "POST /sign-in HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        let first = raw(addr, &sign_in).await;
        assert_eq!((first.status, first.set_cookies.len()), (200, 1));
        assert_eq!(raw(addr, &sign_in).await.status, 200);
        let limited = raw(addr, &sign_in).await;
        assert_eq!(
            (limited.status, limited.code().as_str()),
            (429, "RATE_LIMITED")
        );
        assert_eq!(limited.header("retry-after"), Some("1"));
        let me = format!(
            "GET /me HTTP/1.1\r\nHost: {addr}\r\nCookie: {}\r\nConnection: close\r\n\r\n",
            first.cookie()
        );
        assert_eq!(
            raw(addr, &me).await.body,
            "ada",
            "other routes are not limited"
        );
        actix_web::rt::time::sleep(Duration::from_millis(1_100)).await;
        assert_eq!(
            raw(addr, &sign_in).await.status,
            200,
            "the budget came back"
        );
        handle.stop(true).await;
    });
}
