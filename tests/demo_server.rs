//! The demo server over HTTP: each test serves the demo's router on a free 127.0.0.1 port
//! and sends raw HTTP/1.1 requests, so what is checked is what a browser or curl gets:
//! missing, tampered, expired, foreign and oversized cookies, key rotation (an admin action),
//! bad forms, cross-site posts, CSRF tokens and the sign-in rate limit.
//! Run with `cargo test --features demo --test demo_server` (scripts/test-e2e.sh does).

#[path = "../examples/demo_server/app.rs"]
#[allow(dead_code)]
mod app;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

use cookie_seal::{Key, Keyring, SignIn, format};
use serde_json::{Value, json};
use zeroize::Zeroizing;

/// Serves the demo with `keys` on a free port, on a thread of its own that lives as long as
/// the test process.
fn serve(keys: &str) -> SocketAddr {
    serve_with(keys, Some("memory"))
}

/// Serves the demo with `keys` and the store `spec` names (as `SESSION_STORE` does; `None`
/// is the SQLite file of a data folder of this test's own), opened in the server's runtime.
fn serve_with(keys: &str, spec: Option<&str>) -> SocketAddr {
    let (keys, spec) = (keys.to_owned(), spec.map(str::to_owned));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener
        .set_nonblocking(true)
        .expect("non-blocking listener");
    let addr = listener.local_addr().expect("its address");
    let data_dir = std::env::temp_dir().join(format!(
        "cookie-seal-demo-test-{}-{}",
        std::process::id(),
        addr.port()
    ));
    let (opened, ready) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let store = match app::stores::open(spec.as_deref(), &data_dir).await {
                Ok((store, _)) => store,
                Err(err) => return opened.send(Err(err)).unwrap(),
            };
            opened.send(Ok(())).unwrap();
            let router = app::router(app::Config {
                keys: Zeroizing::new(keys),
                root: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
                admin_token: Zeroizing::new(ADMIN_TOKEN.to_owned()),
                store,
            })
            .expect("the demo router builds");
            let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
            let service = router.into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, service).await.expect("serving");
        });
    });
    // The store is open before the first request is sent.
    if let Err(err) = ready.recv().expect("the server thread answers") {
        panic!("the store does not open: {err}");
    }
    addr
}

/// The admin token the test servers are started with.
const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

fn new_keys(id: &str) -> String {
    format!("{id}:{}", Key::generate().unwrap().to_base64url())
}

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// `demo-session=VALUE` from the first Set-Cookie, as the browser would send it back.
    fn session_cookie(&self) -> String {
        let first = self.set_cookies()[0];
        first.split(';').next().unwrap().to_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// One request on a fresh connection (`Connection: close`), raw bytes in and out, so a test
/// can send what no HTTP client library would (non-UTF-8 headers, huge cookies).
fn send(addr: SocketAddr, head: &[u8], body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(head).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the response");
    let text = String::from_utf8(raw).expect("a text response");
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete response");
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(": ").unwrap();
            (n.to_owned(), v.to_owned())
        })
        .collect();
    assert!(
        !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("transfer-encoding")),
        "responses have a known length"
    );
    Reply {
        status,
        headers,
        body: body.to_owned(),
    }
}

fn get(addr: SocketAddr, path: &str, cookie: Option<&str>) -> Reply {
    let cookie = cookie.map_or(String::new(), |c| format!("Cookie: {c}\r\n"));
    let head = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Connection: close\r\n\r\n");
    send(addr, head.as_bytes(), b"")
}

fn post_form(addr: SocketAddr, path: &str, body: &str) -> Reply {
    post_as(addr, path, body, None, "")
}

/// A form post with a cookie and extra header lines (each ending in CRLF).
fn post_as(addr: SocketAddr, path: &str, body: &str, cookie: Option<&str>, extra: &str) -> Reply {
    let cookie = cookie.map_or(String::new(), |c| format!("Cookie: {c}\r\n"));
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         {cookie}{extra}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    send(addr, head.as_bytes(), body.as_bytes())
}

/// The CSRF token the session page puts in its forms for this cookie.
fn csrf_token(addr: SocketAddr, cookie: &str) -> String {
    let page = get(addr, "/session", Some(cookie));
    let marker = r#"name="csrf_token" value=""#;
    let start = page.body.find(marker).expect("a token in the page") + marker.len();
    let len = page.body[start..].find('"').unwrap();
    page.body[start..start + len].to_owned()
}

/// Rotates the keys as the admin of the signed-in session `cookie`.
fn rotate(addr: SocketAddr, cookie: &str) -> Reply {
    let token = csrf_token(addr, cookie);
    let form = format!("csrf_token={token}&admin_token={ADMIN_TOKEN}");
    post_as(addr, "/rotate-keys", &form, Some(cookie), "")
}

/// Percent-encodes a form value (everything but unreserved characters).
fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The sign-in page's pre-session cookie (`csrf=...`, no `Secure` in development mode)
/// and the token in its form, as a fresh browser gets them.
fn sign_in_page(addr: SocketAddr) -> (String, String) {
    let page = get(addr, "/", None);
    let cookie = page
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("csrf="))
        .expect("the sign-in page sets its pre-session cookie");
    assert!(
        cookie.ends_with("; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax"),
        "{cookie}"
    );
    let cookie = cookie.split(';').next().unwrap().to_owned();
    (cookie, form_token(&page.body))
}

/// A sign-in post as the page's form sends it: its fields, the pre-session token, and the
/// cookie it is bound to.
fn post_sign_in(addr: SocketAddr, form: &str, extra: &str) -> Reply {
    let (cookie, token) = sign_in_page(addr);
    let form = match form {
        "" => format!("csrf_token={token}"),
        form => format!("{form}&csrf_token={token}"),
    };
    post_as(addr, "/sign-in", &form, Some(&cookie), extra)
}

fn sign_in(addr: SocketAddr, form: &str) -> Reply {
    let reply = post_sign_in(addr, form, "");
    assert_eq!(reply.status, 303, "{}", reply.body);
    assert_eq!(reply.header("location"), Some("/session"));
    reply
}

fn unix_now() -> u64 {
    cookie_seal::clock::now().unwrap()
}

/// A session cookie sealed with the demo's own manager at `at`, as if signed in then.
fn cookie_signed_in_at(keys: &str, at: u64, remember: bool) -> String {
    let manager = app::session_manager(Keyring::parse(keys).unwrap()).unwrap();
    let session = manager
        .sign_in(
            json!({"name": "Old"}),
            SignIn::default().remember_me(remember),
            at,
        )
        .unwrap();
    let headers = manager.set_cookies_at(&session, at).unwrap();
    headers[0].split(';').next().unwrap().to_owned()
}

/// Asserts a refusal of the session cookie: the status, the code and message in JSON, and
/// a Set-Cookie that deletes the cookie so the browser stops sending it.
fn assert_refused(reply: &Reply, status: u16, code: &str, message: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains(message),
        "{body}"
    );
    let cleared = reply.set_cookies();
    assert_eq!(cleared.len(), 1, "{cleared:?}");
    assert!(
        cleared[0].starts_with("demo-session=; Max-Age=0;"),
        "{cleared:?}"
    );
}

#[test]
fn a_sign_in_cookie_opens_and_needs_no_reseal() {
    let addr = serve(&new_keys("k1"));
    let reply = sign_in(addr, "name=Ada");
    let set = reply.set_cookies();
    assert_eq!(set.len(), 1);
    // Dev mode on plain http: no Secure, and no __Host- name; the rest are the defaults.
    assert!(set[0].starts_with("demo-session="), "{set:?}");
    assert!(
        set[0].ends_with("; Path=/; HttpOnly; SameSite=Lax"),
        "{set:?}"
    );
    assert!(
        !set[0].contains("Max-Age"),
        "a browser-session cookie: {set:?}"
    );

    let cookie = reply.session_cookie();
    let api = get(addr, "/api/session", Some(&format!("theme=dark; {cookie}")));
    assert_eq!(api.status, 200, "{}", api.body);
    let body = api.json();
    assert_eq!(body["data"], json!({"name": "Ada"}));
    assert_eq!(body["remember_me"], false);
    assert_eq!(body["key_id"], "k1");
    assert_eq!(body["reseal"], Value::Null);
    let idle = body["expires_at"].as_u64().unwrap() - body["issued_at"].as_u64().unwrap();
    assert_eq!(idle, 2 * 3_600, "the lifecycle's default idle timeout");
    assert_eq!(
        api.set_cookies().len(),
        0,
        "nothing to re-seal, nothing sent"
    );

    let page = get(addr, "/session", Some(&cookie));
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"<td data-testid="user">Ada</td>"#));
    assert!(
        !page.body.contains("{{"),
        "every slot of the page is filled"
    );
}

#[test]
fn remember_me_gives_a_persistent_cookie() {
    let addr = serve(&new_keys("k1"));
    let reply = sign_in(addr, "name=Grace&remember=on");
    assert!(
        reply.set_cookies()[0].contains("; Max-Age=1209600;"),
        "14 days"
    );
    let body = get(addr, "/api/session", Some(&reply.session_cookie())).json();
    assert_eq!(body["remember_me"], true);
    let absolute =
        body["absolute_expires_at"].as_u64().unwrap() - body["signed_in_at"].as_u64().unwrap();
    assert_eq!(absolute, 30 * 86_400);
}

#[test]
fn a_missing_cookie_is_401() {
    let addr = serve(&new_keys("k1"));
    for cookie in [None, Some("theme=dark"), Some("Demo-Session=x")] {
        let api = get(addr, "/api/session", cookie);
        assert_eq!(api.status, 401, "{cookie:?}");
        assert_eq!(api.json()["code"], "NO_SESSION");
        assert!(api.set_cookies().is_empty(), "nothing to clear");
    }
    let page = get(addr, "/session", None);
    assert_eq!(page.status, 401);
    assert!(
        page.body
            .contains("No session cookie came with this request")
    );
}

#[test]
fn a_tampered_cookie_is_401_bad_seal_and_cleared() {
    let addr = serve(&new_keys("k1"));
    let cookie = sign_in(addr, "name=Ada").session_cookie();
    let (name, value) = cookie.split_once('=').unwrap();
    // One character changed in the middle: base64url stays canonical, authentication fails.
    let mut bytes = value.as_bytes().to_vec();
    let i = bytes.len() / 2;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    let tampered = format!("{name}={}", String::from_utf8(bytes).unwrap());
    let reply = get(addr, "/api/session", Some(&tampered));
    assert_refused(&reply, 401, "BAD_SEAL", "cookie failed authentication");

    // The HTML page says the same, with the same status.
    let page = get(addr, "/session", Some(&tampered));
    assert_eq!(page.status, 401);
    assert!(
        page.body
            .contains(r#"data-testid="error-code">BAD_SEAL</code>"#)
    );
    assert!(page.set_cookies()[0].contains("Max-Age=0"));

    // Not a cookie-seal value at all, or cut short.
    let reply = get(addr, "/api/session", Some("demo-session=not*base64"));
    assert_refused(&reply, 401, "MALFORMED", "malformed cookie value");
    // Twelve characters (nine bytes) cut from the middle: still canonical, no longer authentic.
    let mid = cookie.len() / 2;
    let short = format!("{}{}", &cookie[..mid], &cookie[mid + 12..]);
    assert_refused(
        &get(addr, "/api/session", Some(&short)),
        401,
        "BAD_SEAL",
        "",
    );
}

#[test]
fn a_cookie_from_another_server_is_401() {
    let addr = serve(&new_keys("k1"));
    // Same key id, different key: authentication fails.
    let same_id = cookie_signed_in_at(&new_keys("k1"), unix_now(), false);
    assert_refused(
        &get(addr, "/api/session", Some(&same_id)),
        401,
        "BAD_SEAL",
        "",
    );
    // A key id this server never had.
    let other_id = cookie_signed_in_at(&new_keys("zz"), unix_now(), false);
    assert_refused(
        &get(addr, "/api/session", Some(&other_id)),
        401,
        "UNKNOWN_KEY",
        "no key with id \"zz\"",
    );
}

#[test]
fn an_expired_cookie_is_401_expired() {
    let keys = new_keys("k1");
    let addr = serve(&keys);
    let now = unix_now();
    // Past the 2-hour idle timeout, within the 12-hour absolute lifetime.
    let idle = cookie_signed_in_at(&keys, now - 3 * 3_600, false);
    assert_refused(
        &get(addr, "/api/session", Some(&idle)),
        401,
        "EXPIRED",
        "cookie expired at",
    );
    // Past the absolute lifetime too.
    let old = cookie_signed_in_at(&keys, now - 13 * 3_600, false);
    assert_refused(
        &get(addr, "/api/session", Some(&old)),
        401,
        "EXPIRED",
        "cookie expired at",
    );
    let page = get(addr, "/session", Some(&old));
    assert_eq!(page.status, 401);
    assert!(
        page.body
            .contains(r#"data-testid="error-code">EXPIRED</code>"#)
    );

    // The same age with remember-me is still inside its 14-day idle window.
    let remembered = cookie_signed_in_at(&keys, now - 13 * 3_600, true);
    let reply = get(addr, "/api/session", Some(&remembered));
    assert_eq!(reply.status, 200, "{}", reply.body);
    // Under half of the idle window has passed, so no renewal yet.
    assert_eq!(reply.json()["reseal"], Value::Null);
}

#[test]
fn an_oversized_cookie_is_431() {
    let addr = serve(&new_keys("k1"));
    let value = "A".repeat(5_000);
    let reply = get(addr, "/api/session", Some(&format!("demo-session={value}")));
    assert_refused(
        &reply,
        431,
        "TOO_LARGE",
        "cookie is 5013 bytes, more than the 4096-byte limit",
    );
    let page = get(addr, "/session", Some(&format!("demo-session={value}")));
    assert_eq!(page.status, 431);

    // A whole Cookie header over the library's 64 KiB bound is refused before parsing.
    let huge = format!("pad={}; demo-session=x", "p".repeat(70 * 1024));
    let reply = get(addr, "/api/session", Some(&huge));
    assert_eq!(reply.status, 431, "{}", reply.body);
    assert_eq!(reply.json()["code"], "TOO_LARGE");
}

#[test]
fn bytes_that_are_not_text_in_the_cookie_header_do_not_hide_the_session() {
    let addr = serve(&new_keys("k1"));
    let cookie = sign_in(addr, "name=Ada").session_cookie();
    let mut head =
        format!("GET /api/session HTTP/1.1\r\nHost: {addr}\r\nCookie: junk=").into_bytes();
    head.extend_from_slice(b"\xff\xfe; ");
    head.extend_from_slice(cookie.as_bytes());
    head.extend_from_slice(b"\r\nConnection: close\r\n\r\n");
    let reply = send(addr, &head, b"");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["data"]["name"], "Ada");
    // A session cookie made of such bytes is simply not one: refused and cleared.
    let mut head =
        format!("GET /api/session HTTP/1.1\r\nHost: {addr}\r\nCookie: demo-session=").into_bytes();
    head.extend_from_slice(b"\xff\xfe\r\nConnection: close\r\n\r\n");
    let reply = send(addr, &head, b"");
    assert_eq!(reply.status, 401);
    assert_eq!(reply.set_cookies().len(), 1);
}

#[test]
fn rotating_keys_reseals_the_old_cookie_under_the_new_key() {
    let addr = serve(&new_keys("k1"));
    let old = sign_in(addr, "name=Ada").session_cookie();
    let id = get(addr, "/api/session", Some(&old)).json()["session_id"].clone();

    let rotated = rotate(addr, &old);
    assert_eq!(rotated.status, 303, "{}", rotated.body);
    assert_eq!(rotated.header("location"), Some("/session?rotated=k1.k2"));

    let reply = get(addr, "/api/session", Some(&old));
    assert_eq!(reply.status, 200, "the old key still opens it");
    let body = reply.json();
    assert_eq!(body["key_id"], "k1");
    assert_eq!(body["reseal"], "key-rotation");
    assert_eq!(body["primary_key_id"], "k2");
    assert_eq!(body["session_id"], id, "the same session");
    let new = reply.session_cookie();
    let value = new.strip_prefix("demo-session=").unwrap();
    assert_eq!(format::inspect(value).unwrap().key_id, "k2");

    let again = get(addr, "/api/session", Some(&new)).json();
    assert_eq!(
        (again["key_id"].as_str(), &again["reseal"]),
        (Some("k2"), &Value::Null)
    );

    // The page shows both key ids.
    let page = get(addr, "/session?rotated=k1.k2", Some(&old));
    assert!(
        page.body
            .contains(r#"<code data-testid="key-before">k1</code>"#)
    );
    assert!(
        page.body
            .contains(r#"<code data-testid="key-after">k2</code>"#)
    );
    assert!(
        page.body
            .contains("Keys rotated: the server now seals with <code>k2</code>")
    );

    // Four rotations later k1 is retired: its cookies no longer open.
    for _ in 0..3 {
        assert_eq!(rotate(addr, &new).status, 303);
    }
    assert_refused(
        &get(addr, "/api/session", Some(&old)),
        401,
        "UNKNOWN_KEY",
        "\"k1\"",
    );
}

/// The sign-in form's pre-session token: missing, of another browser, or without its
/// cookie, it is a 403 page and nobody is signed in; the page's own token signs in.
#[test]
fn a_sign_in_needs_the_pages_pre_session_token() {
    let addr = serve(&new_keys("k1"));
    let (cookie, token) = sign_in_page(addr);
    let (other_cookie, _) = sign_in_page(addr);
    let form = format!("name=Mallory&csrf_token={token}");
    for (case, form, cookie) in [
        ("no token", "name=Mallory", Some(cookie.as_str())),
        (
            "another browser's cookie",
            form.as_str(),
            Some(other_cookie.as_str()),
        ),
        ("no cookie", form.as_str(), None),
    ] {
        let reply = post_as(addr, "/sign-in", form, cookie, "");
        assert_eq!(reply.status, 403, "{case}: {}", reply.body);
        assert!(
            reply.body.contains(">CSRF</code> anti-forgery token"),
            "{case}: {}",
            reply.body
        );
        assert!(reply.set_cookies().is_empty(), "{case}: nobody signed in");
    }
    let reply = post_as(addr, "/sign-in", &form, Some(&cookie), "");
    assert_eq!(reply.status, 303, "{}", reply.body);
}

#[test]
fn bad_sign_in_requests_are_4xx_with_a_message() {
    let addr = serve(&new_keys("k1"));
    let cases = [
        ("", 400, "Sign-in needs a name"),
        ("name=%20%20", 400, "Sign-in needs a name"),
        ("name=Ada&remember=yes", 400, "either absent or"),
        (
            &format!("name={}", "x".repeat(65)),
            400,
            "at most 64 characters",
        ),
        ("name=a%07b", 400, "control characters"),
    ];
    for (form, status, message) in cases {
        let reply = post_sign_in(addr, form, "");
        assert_eq!(reply.status, status, "{form}: {}", reply.body);
        assert!(reply.body.contains(message), "{form}: {}", reply.body);
        assert!(reply.set_cookies().is_empty());
    }
    // Not a form at all.
    let head = format!(
        "POST /sign-in HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: 2\r\nConnection: close\r\n\r\n"
    );
    assert_eq!(send(addr, head.as_bytes(), b"{}").status, 415);
    // Bodies over the limit are refused, whatever they hold.
    let big = format!("name={}", "x".repeat(app::BODY_LIMIT));
    let reply = post_form(addr, "/sign-in", &big);
    assert_eq!(reply.status, 413);
    assert!(
        reply.body.contains("larger than the 16384-byte limit"),
        "{}",
        reply.body
    );
    // Markup in a name is shown as text.
    let cookie = sign_in(addr, "name=%3Cscript%3Ealert(1)%3C%2Fscript%3E").session_cookie();
    let page = get(addr, "/session", Some(&cookie));
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.body.contains("<script>"));
}

#[test]
fn verify_opens_what_seal_sealed_and_refuses_the_rest() {
    let addr = serve(&new_keys("server"));
    let keys = format!("{},{}", new_keys("p2"), new_keys("p1"));
    let payload = r#"{"hello":"from the Rust server"}"#;
    let sealed = post_form(
        addr,
        "/seal",
        &format!(
            "name=playground&purpose=session&ttl=600&keys={}&payload={}",
            enc(&keys),
            enc(payload)
        ),
    );
    assert_eq!(sealed.status, 200, "{}", sealed.body);
    let start = sealed.body.find(r#"data-testid="sealed-value">"#).unwrap() + 27;
    let value = &sealed.body[start..start + sealed.body[start..].find('<').unwrap()];
    assert_eq!(format::inspect(value).unwrap().key_id, "p2");

    let open = |keys: &str, value: &str, purpose: &str| {
        post_form(
            addr,
            "/verify",
            &format!(
                "name=playground&purpose={purpose}&keys={}&value={}",
                enc(keys),
                enc(value)
            ),
        )
    };
    let opened = open(&keys, value, "session");
    assert_eq!(opened.status, 200, "{}", opened.body);
    // The payload comes back byte for byte, as sealed.
    assert!(opened.body.contains(&format!(
        r#"<pre data-testid="verify-payload">{}</pre>"#,
        payload.replace('"', "&quot;")
    )));
    assert!(
        opened
            .body
            .contains(r#"<td data-testid="verify-key-id">p2</td>"#)
    );
    assert!(
        opened
            .body
            .contains(r#"<td data-testid="verify-reseal">no</td>"#)
    );

    // Failures to open are 422 with the code; bad input is 400.
    let code = |reply: &Reply| {
        let at = reply
            .body
            .find(r#"data-testid="error-code">"#)
            .map(|i| i + 25);
        at.map(|i| reply.body[i..i + reply.body[i..].find('<').unwrap()].to_owned())
    };
    let other_purpose = open(&keys, value, "magic-link");
    assert_eq!(
        (other_purpose.status, code(&other_purpose).as_deref()),
        (422, Some("BAD_SEAL"))
    );
    let other_keys = open(&new_keys("p2"), value, "session");
    assert_eq!(
        (other_keys.status, code(&other_keys).as_deref()),
        (422, Some("BAD_SEAL"))
    );
    let retired = open(&new_keys("p3"), value, "session");
    assert_eq!(
        (retired.status, code(&retired).as_deref()),
        (422, Some("UNKNOWN_KEY"))
    );
    let long = open(&keys, &"A".repeat(5_000), "session");
    assert_eq!(
        (long.status, code(&long).as_deref()),
        (422, Some("TOO_LARGE"))
    );
    let bad_keys = open("p1:tooshort", value, "session");
    assert_eq!(
        (bad_keys.status, code(&bad_keys).as_deref()),
        (400, Some("INVALID_KEY"))
    );
    assert!(
        !bad_keys.body.contains("tooshort</code>"),
        "key text is not quoted in the error"
    );
    let missing = post_form(
        addr,
        "/verify",
        &format!("name=playground&purpose=session&keys={}", enc(&keys)),
    );
    assert_eq!(missing.status, 400);
    assert!(
        missing
            .body
            .contains("The form field <code>value</code> is missing or empty.")
    );

    let not_json = post_form(
        addr,
        "/seal",
        &format!(
            "name=playground&purpose=session&keys={}&payload=%7Bnope",
            enc(&keys)
        ),
    );
    assert_eq!(not_json.status, 400);
    assert!(not_json.body.contains("The payload is not JSON"));
    let too_big = post_form(
        addr,
        "/seal",
        &format!(
            "name=playground&purpose=session&keys={}&payload={}",
            enc(&keys),
            enc(&format!("\"{}\"", "x".repeat(3_500)))
        ),
    );
    assert_eq!(
        (too_big.status, code(&too_big).as_deref()),
        (422, Some("TOO_LARGE"))
    );
    let bad_ttl = post_form(
        addr,
        "/seal",
        &format!(
            "name=playground&purpose=session&ttl=soon&keys={}&payload=1",
            enc(&keys)
        ),
    );
    assert_eq!(bad_ttl.status, 400);
}

#[test]
fn only_listed_files_are_served() {
    let addr = serve(&new_keys("k1"));
    for (path, content_type) in [
        ("/playground.html", "text/html; charset=utf-8"),
        ("/playground.js", "text/javascript; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
    ] {
        let reply = get(addr, path, None);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some(content_type));
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert!(
            reply
                .header("content-security-policy")
                .unwrap()
                .contains("form-action 'none'")
        );
    }
    // pkg/ is a build output: served when built, a clear 503 when not.
    let wasm = get(addr, "/pkg/core.js", None);
    match wasm.status {
        200 => assert_eq!(
            wasm.header("content-type"),
            Some("text/javascript; charset=utf-8")
        ),
        503 => assert!(wasm.body.contains("scripts/build-pkg.sh")),
        other => panic!("unexpected status {other}"),
    }
    for path in [
        "/pkg/package.json",
        "/pkg/../Cargo.toml",
        "/pkg/%2e%2e/Cargo.toml",
        "/www/index.html",
        "/layout.html",
        "/nope",
    ] {
        assert_eq!(get(addr, path, None).status, 404, "{path}");
    }
    let wrong_method = get(addr, "/sign-in", None);
    assert_eq!(wrong_method.status, 405);
    assert!(wrong_method.body.contains("are forms (POST)"));
}

#[test]
fn rotating_keys_is_an_admin_action() {
    let addr = serve(&new_keys("k1"));
    // No session: refused.
    let form = format!("admin_token={ADMIN_TOKEN}");
    assert_eq!(post_form(addr, "/rotate-keys", &form).status, 401);
    let cookie = sign_in(addr, "name=Ada").session_cookie();
    let token = csrf_token(addr, &cookie);
    // A session but no CSRF token, or a wrong one: refused.
    let reply = post_as(addr, "/rotate-keys", &form, Some(&cookie), "");
    assert_eq!(reply.status, 403);
    assert!(reply.body.contains(">CSRF<"), "{}", reply.body);
    let other = sign_in(addr, "name=Eve").session_cookie();
    let theirs = csrf_token(addr, &other);
    let reply = post_as(
        addr,
        "/rotate-keys",
        &format!("{form}&csrf_token={theirs}"),
        Some(&cookie),
        "",
    );
    assert_eq!(reply.status, 403);
    // The right CSRF token but a wrong or missing admin token: refused.
    for admin in ["", "admin_token=guess-guess-guess-guess"] {
        let reply = post_as(
            addr,
            "/rotate-keys",
            &format!("csrf_token={token}&{admin}"),
            Some(&cookie),
            "",
        );
        assert_eq!(reply.status, 403, "{admin}");
        assert!(reply.body.contains("admin action"));
    }
    // Still k1: nothing rotated.
    assert_eq!(
        get(addr, "/api/session", Some(&cookie)).json()["primary_key_id"],
        "k1"
    );
    // Guessing the admin token is rate limited (the burst of 5 is spent: 1 + 1 + 2 above).
    let guess = format!("csrf_token={token}&admin_token=guess-guess-guess-guess");
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(post_as(addr, "/rotate-keys", &guess, Some(&cookie), "").status);
    }
    assert!(statuses.contains(&429), "{statuses:?}");
}

#[test]
fn cross_site_posts_are_refused() {
    let addr = serve(&new_keys("k1"));
    let cookie = sign_in(addr, "name=Ada").session_cookie();
    let token = csrf_token(addr, &cookie);
    for (path, form) in [
        ("/sign-in", "name=Mallory".to_owned()),
        ("/sign-out", format!("csrf_token={token}")),
        (
            "/rotate-keys",
            format!("csrf_token={token}&admin_token={ADMIN_TOKEN}"),
        ),
        ("/verify", "name=a&purpose=b&keys=c&value=d".to_owned()),
        ("/seal", "name=a&purpose=b&keys=c&payload=1".to_owned()),
    ] {
        for extra in [
            "Sec-Fetch-Site: cross-site\r\n".to_owned(),
            "Origin: https://evil.example\r\n".to_owned(),
            "Referer: https://evil.example/page\r\n".to_owned(),
        ] {
            let reply = post_as(addr, path, &form, Some(&cookie), &extra);
            assert_eq!(reply.status, 403, "{path} {extra}");
            assert_eq!(reply.json()["code"], "CROSS_ORIGIN");
            assert!(reply.set_cookies().is_empty(), "nothing ran: {path}");
        }
    }
    // The same origin is welcome.
    let same = format!("Origin: http://{addr}\r\nSec-Fetch-Site: same-origin\r\n");
    let out = post_as(
        addr,
        "/sign-out",
        &format!("csrf_token={token}"),
        Some(&cookie),
        &same,
    );
    assert_eq!(out.status, 303);
    assert!(out.set_cookies()[0].starts_with("demo-session=; Max-Age=0"));
}

#[test]
fn signed_in_forms_need_the_sessions_csrf_token() {
    let addr = serve(&new_keys("k1"));
    let cookie = sign_in(addr, "name=Ada").session_cookie();
    let token = csrf_token(addr, &cookie);
    let other = sign_in(addr, "name=Eve").session_cookie();
    let theirs = csrf_token(addr, &other);
    for bad in ["", "csrf_token=", "csrf_token=garbage"]
        .map(str::to_owned)
        .into_iter()
        .chain([format!("csrf_token={theirs}")])
    {
        let reply = post_as(addr, "/sign-out", &bad, Some(&cookie), "");
        assert_eq!(reply.status, 403, "{bad}");
        assert!(reply.set_cookies().is_empty(), "still signed in: {bad}");
        let seal = format!("{bad}&name=a&purpose=b&keys=c&payload=1");
        assert_eq!(post_as(addr, "/seal", &seal, Some(&cookie), "").status, 403);
    }
    // The verify page gives a signed-in user a token in each form, and it works.
    let page = get(addr, "/verify", Some(&cookie));
    assert_eq!(page.body.matches(r#"name="csrf_token""#).count(), 2);
    let keys = new_keys("k1");
    let form = format!(
        "csrf_token={token}&name=a&purpose=b&keys={}&payload=1",
        enc(&keys)
    );
    assert_eq!(post_as(addr, "/seal", &form, Some(&cookie), "").status, 200);
    let out = post_as(
        addr,
        "/sign-out",
        &format!("csrf_token={token}"),
        Some(&cookie),
        "",
    );
    assert_eq!(out.status, 303);
    // Signed out, the forms need no token.
    assert!(!get(addr, "/verify", None).body.contains("csrf_token"));
}

#[test]
fn sign_in_is_rate_limited_per_client() {
    let addr = serve(&new_keys("k1"));
    let mut statuses = Vec::new();
    for _ in 0..app::SIGN_IN_BURST + 2 {
        statuses.push(post_sign_in(addr, "name=Ada", "").status);
    }
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert!((1..=2).contains(&limited), "{statuses:?}");
    let reply = post_sign_in(addr, "name=Ada", "");
    assert_eq!(reply.status, 429);
    assert_eq!(reply.json()["code"], "RATE_LIMITED");
    let wait: u64 = reply.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=app::SIGN_IN_EVERY.as_secs()).contains(&wait), "{wait}");
    // Reading is not limited.
    assert_eq!(get(addr, "/", None).status, 200);
    std::thread::sleep(Duration::from_secs(wait));
    assert_eq!(
        post_sign_in(addr, "name=Ada", "").status,
        303,
        "a sign-in came back"
    );
}

// The session list and sign-outs, on the demo's default store (an SQLite file).

/// The CSRF token of the first form in `page`.
fn form_token(page: &str) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = page.find(marker).expect("a token in the page") + marker.len();
    let len = page[start..].find('"').unwrap();
    page[start..start + len].to_owned()
}

/// Signs in as `name` with a User-Agent; returns the session cookie.
fn sign_in_from(addr: SocketAddr, name: &str, agent: &str) -> String {
    let body = format!("name={name}");
    let reply = post_sign_in(addr, &body, &format!("User-Agent: {agent}\r\n"));
    assert_eq!(reply.status, 303, "{}", reply.body);
    reply.session_cookie()
}

#[test]
fn the_session_list_shows_every_device_and_signs_one_out() {
    let addr = serve_with(&new_keys("k1"), None);
    let laptop = sign_in_from(addr, "Grace", "Laptop Browser");
    let long_agent = format!("Phone {}", "x".repeat(500));
    let phone = sign_in_from(addr, "Grace", &long_agent);
    let other = sign_in_from(addr, "Alan", "Elsewhere");

    let page = get(addr, "/sessions", Some(&laptop));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains(r#"data-testid="session-count">2<"#),
        "{}",
        page.body
    );
    assert!(page.body.contains("Laptop Browser"));
    assert!(
        !page.body.contains("Elsewhere"),
        "another user's session is not listed"
    );
    // The label is bounded: the 500-byte agent is cut to what a store keeps.
    assert!(page.body.contains(&format!("Phone {}", "x".repeat(58))));
    assert!(!page.body.contains(&"x".repeat(59)));
    assert_eq!(
        page.body
            .matches(r#"data-testid="sign-out-session""#)
            .count(),
        1
    );

    // Sign out the phone from the laptop: the phone's cookie is refused, the laptop's not.
    let token = form_token(&page.body);
    let phone_id = get(addr, "/api/session", Some(&phone)).json()["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let form = format!("csrf_token={token}&id={phone_id}");
    let reply = post_as(addr, "/sessions/sign-out", &form, Some(&laptop), "");
    assert_eq!(reply.status, 303, "{}", reply.body);
    let refused = get(addr, "/api/session", Some(&phone));
    assert_eq!(refused.status, 401);
    assert_eq!(refused.json()["code"], "REVOKED");
    assert_eq!(get(addr, "/api/session", Some(&laptop)).status, 200);
    assert_eq!(get(addr, "/api/session", Some(&other)).status, 200);

    // Without the form's token, or cross-site, nothing is signed out.
    let reply = post_as(
        addr,
        "/sign-out-others",
        "csrf_token=wrong",
        Some(&laptop),
        "",
    );
    assert_eq!(reply.status, 403);
    let cross = post_as(
        addr,
        "/sign-out-everywhere",
        &format!("csrf_token={token}"),
        Some(&laptop),
        "Sec-Fetch-Site: cross-site\r\n",
    );
    assert_eq!(cross.status, 403);
    assert_eq!(get(addr, "/api/session", Some(&laptop)).status, 200);
    // Without a session the page says so.
    assert_eq!(get(addr, "/sessions", None).status, 401);
}

#[test]
fn sign_out_others_and_everywhere() {
    let addr = serve_with(&new_keys("k1"), None);
    let a = sign_in_from(addr, "Edsger", "A");
    let b = sign_in_from(addr, "Edsger", "B");
    let c = sign_in_from(addr, "Edsger", "C");
    let token = form_token(&get(addr, "/sessions", Some(&c)).body);
    let reply = post_as(
        addr,
        "/sign-out-others",
        &format!("csrf_token={token}"),
        Some(&c),
        "",
    );
    assert_eq!(reply.status, 303, "{}", reply.body);
    for old in [&a, &b] {
        assert_eq!(
            get(addr, "/api/session", Some(old)).json()["code"],
            "REVOKED"
        );
    }
    let page = get(addr, "/sessions", Some(&c));
    assert!(
        page.body.contains(r#"data-testid="session-count">1<"#),
        "{}",
        page.body
    );

    // Everywhere, this one included; the cookie is cleared on the way out.
    let token = form_token(&page.body);
    let reply = post_as(
        addr,
        "/sign-out-everywhere",
        &format!("csrf_token={token}"),
        Some(&c),
        "",
    );
    assert_eq!(reply.status, 303, "{}", reply.body);
    assert!(reply.set_cookies().iter().any(|c| c.contains("Max-Age=0")));
    let refused = get(addr, "/api/session", Some(&c));
    assert_eq!(
        (refused.status, refused.json()["code"].as_str()),
        (401, Some("REVOKED"))
    );
    // Signing in again (a second later: sessions sealed before the sign-out are refused).
    std::thread::sleep(Duration::from_millis(1_100));
    let again = sign_in_from(addr, "Edsger", "A");
    assert_eq!(get(addr, "/api/session", Some(&again)).status, 200);
}

#[test]
fn sign_out_revokes_the_cookie_in_the_store() {
    let addr = serve_with(&new_keys("k1"), Some("memory"));
    let cookie = sign_in_from(addr, "Barbara", "A");
    let token = csrf_token(addr, &cookie);
    let reply = post_as(
        addr,
        "/sign-out",
        &format!("csrf_token={token}"),
        Some(&cookie),
        "",
    );
    assert_eq!(reply.status, 303);
    // A copy of the cookie kept by someone else no longer opens.
    assert_eq!(
        get(addr, "/api/session", Some(&cookie)).json()["code"],
        "REVOKED"
    );
}

// Two demo servers on the same keys and the same Redis, then the same Postgres, as one
// site. They need those servers: scripts/test-stores.sh starts them and runs these with
// `--ignored` (it also stops and restarts them for the outage part).

fn control(what: &str) {
    let script = std::env::var("COOKIE_SEAL_STORE_CONTROL")
        .expect("COOKIE_SEAL_STORE_CONTROL: run these through scripts/test-stores.sh");
    let status = std::process::Command::new(script)
        .arg(what)
        .status()
        .unwrap();
    assert!(status.success(), "{what} failed");
}

fn env_url(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name}: run through scripts/test-stores.sh"))
}

/// GET /api/session until it answers `status` (a reconnecting client takes a moment).
fn eventually(addr: SocketAddr, cookie: &str, status: u16) -> Reply {
    let mut reply = get(addr, "/api/session", Some(cookie));
    for _ in 0..100 {
        if reply.status == status {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        reply = get(addr, "/api/session", Some(cookie));
    }
    reply
}

fn two_servers_act_as_one(url: &str, stop: &str, start: &str) {
    let keys = new_keys("k1");
    let (one, two) = (serve_with(&keys, Some(url)), serve_with(&keys, Some(url)));
    let name = format!("fleet-{}", unix_now() % 100_000 + u64::from(one.port()));
    let cookie = sign_in_from(one, &name, "Server one");
    let second = sign_in_from(two, &name, "Server two");
    assert_eq!(get(two, "/api/session", Some(&cookie)).status, 200);
    let list = get(one, "/sessions", Some(&second));
    assert!(
        list.body.contains(r#"data-testid="session-count">2<"#),
        "{}",
        list.body
    );

    // Sign out everywhere on the second server: the first refuses the cookie.
    let token = form_token(&get(two, "/sessions", Some(&second)).body);
    let reply = post_as(
        two,
        "/sign-out-everywhere",
        &format!("csrf_token={token}"),
        Some(&second),
        "",
    );
    assert_eq!(reply.status, 303, "{}", reply.body);
    let refused = get(one, "/api/session", Some(&cookie));
    assert_eq!(
        (refused.status, refused.json()["code"].as_str()),
        (401, Some("REVOKED"))
    );

    // The store goes down: both servers refuse with 503, and keep the cookie.
    std::thread::sleep(Duration::from_millis(1_100));
    let fresh = sign_in_from(one, &name, "Server one");
    control(stop);
    for addr in [one, two] {
        let down = get(addr, "/api/session", Some(&fresh));
        assert_eq!(down.status, 503, "{}", down.body);
        assert_eq!(down.json()["code"], "STORE_UNAVAILABLE");
        assert!(down.set_cookies().is_empty(), "the cookie is kept");
    }
    // Back up: the same cookie works again on both, no restart of the demo.
    control(start);
    for addr in [one, two] {
        let back = eventually(addr, &fresh, 200);
        assert_eq!(back.status, 200, "{}", back.body);
    }
}

#[test]
#[ignore = "needs the Redis scripts/test-stores.sh starts"]
fn two_servers_on_one_redis_act_as_one_site() {
    two_servers_act_as_one(
        &env_url("COOKIE_SEAL_REDIS_URL"),
        "redis-stop",
        "redis-start",
    );
}

#[test]
#[ignore = "needs the Postgres scripts/test-stores.sh starts"]
fn two_servers_on_one_postgres_act_as_one_site() {
    two_servers_act_as_one(&env_url("COOKIE_SEAL_POSTGRES_URL"), "pg-stop", "pg-start");
}
