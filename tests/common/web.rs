//! What the axum and actix-web tests share: the session data their handlers use, the
//! replies they read, raw HTTP/1.1 over a socket, and the pre-session token scenario both
//! run through their framework's request path.

use std::net::SocketAddr;
use std::time::Duration;

use cookie_seal::{Keyring, SessionManager, Sessions};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::ring;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct User {
    pub name: String,
}

#[derive(Deserialize)]
pub struct Rename {
    pub name: String,
}

#[derive(Deserialize)]
pub struct Empty {}

/// What the sign-in form posts.
#[derive(Deserialize)]
pub struct Login {
    pub name: String,
}

/// The handlers of the pre-session routes [`pre_session_scenario`] drives, the same code in
/// each framework's test, on its own `SignInForm` and `SessionRejection`.
#[macro_export]
macro_rules! pre_session_handlers {
    ($sign_in_form:ident, $rejection:ident) => {
        /// The sign-in page: its pre-session token (the layer writes the cookie).
        async fn sign_in_form(
            mut session: cookie_seal::FreshSession<User>,
        ) -> Result<String, $rejection> {
            Ok(session.pre_session_token()?)
        }

        /// Sign-in with the pre-session token checked first.
        async fn sign_in_checked(
            mut session: cookie_seal::FreshSession<User>,
            $sign_in_form(login): $sign_in_form<Login>,
        ) -> Result<String, $rejection> {
            let user =
                session.sign_in(User { name: login.name }, cookie_seal::SignIn::default())?;
            Ok(user.data.name.clone())
        }
    };
}

/// The headers of a same-origin form post from a current browser.
pub const SAME_ORIGIN: &[(&str, &str)] = &[("sec-fetch-site", "same-origin")];

/// Cookie `s`, a 1000 s idle window (so a cookie sealed 600 s ago is due for renewal).
pub fn manager(ring: Keyring) -> SessionManager {
    SessionManager::builder(ring, "s")
        .idle_timeout(Duration::from_secs(1_000))
        .build()
        .unwrap()
}

pub fn sessions() -> Sessions {
    Sessions::new(manager(ring("k1", 1)), ring("k1", 1)).unwrap()
}

pub fn unix_now() -> u64 {
    cookie_seal::clock::now().unwrap()
}

/// A response as the tests read it.
pub struct Reply {
    pub status: u16,
    pub set_cookies: Vec<String>,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// A reply from its status, its headers (lowercase names) and its body.
    pub fn new(status: u16, headers: Vec<(String, String)>, body: String) -> Reply {
        let set_cookies = headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .map(|(_, v)| v.clone())
            .collect();
        Reply {
            status,
            set_cookies,
            headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first cookie set, `name=VALUE`, as the browser sends it back.
    pub fn cookie(&self) -> String {
        self.set_cookies[0].split(';').next().unwrap().to_owned()
    }

    /// The cookie `name` this reply set, as the browser sends it back.
    pub fn cookie_named(&self, name: &str) -> String {
        let prefix = format!("{name}=");
        self.set_cookies
            .iter()
            .find(|c| c.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no {name} cookie in {:?}", self.set_cookies))
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    }

    pub fn code(&self) -> String {
        let json: serde_json::Value = serde_json::from_str(&self.body).unwrap();
        json["code"].as_str().unwrap().to_owned()
    }
}

/// One raw HTTP/1.1 request on a fresh connection.
pub async fn raw(addr: SocketAddr, request: &str) -> Reply {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).await.unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(": ").unwrap();
            (n.to_ascii_lowercase(), v.to_owned())
        })
        .collect();
    Reply::new(status, headers, body.to_owned())
}

/// The pre-session token through an app's real request path. The app has `GET
/// /sign-in-form` (answers a pre-session token, sets its cookie), `POST /sign-in-checked`
/// (a `SignInForm<Login>` that signs in as the form's name and answers it) and `POST
/// /sign-in` (signs in unchecked, answers a session-bound token). `call(method, path,
/// cookie, extra headers, body)` sends a request to it.
pub async fn pre_session_scenario(
    call: impl AsyncFn(&str, &str, Option<&str>, &[(&str, &str)], &str) -> Reply,
) {
    let page = call("GET", "/sign-in-form", None, &[], "").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.set_cookies.len(), 1, "{:?}", page.set_cookies);
    assert!(
        page.set_cookies[0].ends_with("; Max-Age=3600; Path=/; Secure; HttpOnly; SameSite=Lax"),
        "{}",
        page.set_cookies[0]
    );
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let (browser, token) = (page.cookie_named("__Host-csrf"), page.body.clone());
    let sign_in = async |cookie: Option<&str>, extra: &[(&str, &str)], body: &str| {
        call("POST", "/sign-in-checked", cookie, extra, body).await
    };

    // The right token with its cookie: signed in.
    let form = format!("name=ada&csrf_token={token}");
    let ok = sign_in(Some(&browser), SAME_ORIGIN, &form).await;
    assert_eq!((ok.status, ok.body.as_str()), (200, "ada"), "{}", ok.body);
    assert!(ok.cookie_named("s").len() > 2);
    // From a script: the header.
    let header = [
        ("sec-fetch-site", "same-origin"),
        ("x-csrf-token", token.as_str()),
    ];
    let ok = sign_in(Some(&browser), &header, "name=bob").await;
    assert_eq!((ok.status, ok.body.as_str()), (200, "bob"));

    // Another browser, whose cookie the first browser's token was not made for.
    let other = call("GET", "/sign-in-form", None, &[], "").await;
    let other_browser = other.cookie_named("__Host-csrf");
    assert_ne!(other_browser, browser);
    // A session-bound token is not a pre-session token.
    let session_token = call("POST", "/sign-in", None, SAME_ORIGIN, "").await.body;
    let mut forged = token.clone().into_bytes();
    let at = forged.len() / 2;
    forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    let refused_cases = [
        (
            "missing token",
            Some(browser.as_str()),
            "name=eve".to_owned(),
        ),
        (
            "empty token",
            Some(&browser),
            "name=eve&csrf_token=".to_owned(),
        ),
        (
            "garbage token",
            Some(&browser),
            "name=eve&csrf_token=nope".to_owned(),
        ),
        (
            "altered token",
            Some(&browser),
            format!("name=eve&csrf_token={forged}"),
        ),
        ("no cookie", None, form.clone()),
        (
            "moved to another browser",
            Some(&other_browser),
            form.clone(),
        ),
        (
            "a session-bound token",
            Some(&browser),
            format!("name=eve&csrf_token={session_token}"),
        ),
        (
            "a planted cookie value",
            Some("__Host-csrf=chosen-by-the-attacker"),
            form.clone(),
        ),
    ];
    for (case, cookie, body) in refused_cases {
        let refused = sign_in(cookie, SAME_ORIGIN, &body).await;
        assert_eq!(
            (refused.status, refused.code().as_str()),
            (403, "CSRF"),
            "{case}"
        );
        assert!(
            refused.set_cookies.is_empty(),
            "{case}: no session was made"
        );
    }

    // Reloading the form keeps the browser's value, so a form open in another tab stays
    // good, and the new token is good too.
    let again = call("GET", "/sign-in-form", Some(&browser), &[], "").await;
    assert_eq!(again.cookie_named("__Host-csrf"), browser);
    for token in [&token, &again.body] {
        let form = format!("name=ada&csrf_token={token}");
        let ok = sign_in(Some(&browser), SAME_ORIGIN, &form).await;
        assert_eq!(ok.status, 200);
    }
    // A stale session cookie next to it does not stop a sign-in.
    let stale = format!("s=stale; {browser}");
    let ok = sign_in(Some(&stale), SAME_ORIGIN, &form).await;
    assert_eq!((ok.status, ok.body.as_str()), (200, "ada"));
    // The cross-origin check still comes first.
    let cross = [("sec-fetch-site", "cross-site")];
    let refused = sign_in(Some(&browser), &cross, &form).await;
    assert_eq!(refused.code(), "CROSS_ORIGIN");
}
