//! The check of the headers browsers set on every request: where a state-changing
//! request was sent from.

use crate::Error;

/// Methods that must not change state, so the cross-origin check lets them through
/// (HTTP semantics, RFC 9110 §9.2.1).
const SAFE_METHODS: [&str; 3] = ["GET", "HEAD", "OPTIONS"];
/// Longest origin accepted in configuration or compared from a request: a scheme, a host
/// name of at most 253 bytes and a port.
const MAX_ORIGIN_LEN: usize = 300;
/// Trusted origins a [`CrossOrigin`] holds; each request compares against all of them.
pub const MAX_TRUSTED_ORIGINS: usize = 64;

/// The request headers the cross-origin check reads, each as the request carried it.
///
/// ```
/// let request = cookie_seal::OriginHeaders { method: "POST", host: Some("shop.example"), ..Default::default() };
/// assert_eq!(request.origin, None);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct OriginHeaders<'a> {
    /// The request method, such as `POST`.
    pub method: &'a str,
    /// `Host` (HTTP/1.1) or `:authority` (HTTP/2).
    pub host: Option<&'a str>,
    /// `Origin`.
    pub origin: Option<&'a str>,
    /// `Sec-Fetch-Site`.
    pub sec_fetch_site: Option<&'a str>,
    /// `Referer`, read only when a browser sent neither of the two above.
    pub referer: Option<&'a str>,
}

/// Refuses state-changing requests (any method but GET, HEAD and OPTIONS) that a browser
/// sent from another site.
///
/// The rules, in order:
///
/// 1. `Origin` equal to a trusted origin ([`trust`](Self::trust)): allowed, whatever else.
/// 2. `Sec-Fetch-Site: same-origin` or `none` (the user typed the address or used a
///    bookmark): allowed. `same-site`, `cross-site` or anything else: refused. Same-site is
///    refused too because a site is the registrable domain: `evil.shop.example` is
///    same-site with `shop.example`, and a sibling subdomain is exactly what `SameSite`
///    cookies do not guard against. Trust such an origin explicitly when it should post.
/// 3. No `Sec-Fetch-Site` but an `Origin`: allowed only when it is the site's own origin;
///    `Origin: null` (sandboxed frames, some redirects) is refused.
/// 4. Neither, but a `Referer`: its origin must be the site's. A referrer set by the
///    browser cannot be forged from another site; a missing one proves nothing, because
///    referrer policies remove it from legitimate requests too.
/// 5. None of the three: allowed. Only a browser without these headers, or a client that
///    is not a browser (which carries no ambient cookies), sends such a request: the
///    session-bound token ([`CsrfTokens`](crate::CsrfTokens)) is the defence there.
///
/// The site's own origin is either fixed ([`for_origin`](Self::for_origin)) or, with
/// [`same_host`](Self::same_host), whatever the request's `Host` says, which suits a site
/// served under several names or on a port chosen at start; behind a proxy that rewrites
/// `Host`, fix the origin.
///
/// ```
/// use cookie_seal::{CrossOrigin, OriginHeaders};
/// let check = CrossOrigin::for_origin("https://shop.example")?.trust("https://pay.example")?;
/// let post = |origin, site| OriginHeaders { method: "POST", origin, sec_fetch_site: site, ..Default::default() };
///
/// assert!(check.check(&post(Some("https://shop.example"), Some("same-origin"))).is_ok());
/// assert!(check.check(&post(Some("https://pay.example"), Some("cross-site"))).is_ok());
/// let err = check.check(&post(Some("https://evil.example"), Some("cross-site"))).unwrap_err();
/// assert_eq!(err.code(), "CROSS_ORIGIN");
/// // A sibling subdomain is same-site, and refused unless trusted.
/// assert!(check.check(&post(Some("https://blog.shop.example"), Some("same-site"))).is_err());
/// // Reading is always allowed.
/// let get = OriginHeaders { method: "GET", origin: Some("https://evil.example"), ..Default::default() };
/// assert!(check.check(&get).is_ok());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CrossOrigin {
    site: Option<String>,
    trusted: Vec<String>,
}

impl CrossOrigin {
    /// The site is `origin` (`https://shop.example`, with a port when it is not the
    /// scheme's default).
    ///
    /// ```
    /// use cookie_seal::CrossOrigin;
    /// assert!(CrossOrigin::for_origin("https://shop.example:8443").is_ok());
    /// assert_eq!(CrossOrigin::for_origin("shop.example").unwrap_err().code(), "INVALID_OPTION");
    /// assert!(CrossOrigin::for_origin("https://shop.example/path").is_err());
    /// ```
    pub fn for_origin(origin: &str) -> Result<CrossOrigin, Error> {
        Ok(CrossOrigin {
            site: Some(normalise_origin(origin)?),
            trusted: Vec::new(),
        })
    }

    /// The site is whatever host the request was sent to (its `Host` header); the
    /// scheme is not compared, since a server behind a TLS proxy cannot see it.
    ///
    /// ```
    /// use cookie_seal::{CrossOrigin, OriginHeaders};
    /// let check = CrossOrigin::same_host();
    /// let post = OriginHeaders { method: "POST", host: Some("127.0.0.1:8787"), origin: Some("http://127.0.0.1:8787"), ..Default::default() };
    /// assert!(check.check(&post).is_ok());
    /// assert!(check.check(&OriginHeaders { origin: Some("http://127.0.0.1:9999"), ..post }).is_err());
    /// ```
    pub fn same_host() -> CrossOrigin {
        CrossOrigin {
            site: None,
            trusted: Vec::new(),
        }
    }

    /// Also allows state-changing requests from `origin` (a partner site, an identity
    /// provider posting back, a sibling subdomain you control). At most
    /// [`MAX_TRUSTED_ORIGINS`].
    ///
    /// ```
    /// use cookie_seal::CrossOrigin;
    /// assert!(CrossOrigin::same_host().trust("https://accounts.example").is_ok());
    /// assert!(CrossOrigin::same_host().trust("null").is_err());
    /// ```
    pub fn trust(mut self, origin: &str) -> Result<CrossOrigin, Error> {
        if self.trusted.len() >= MAX_TRUSTED_ORIGINS {
            return Err(Error::InvalidOption(format!(
                "at most {MAX_TRUSTED_ORIGINS} trusted origins"
            )));
        }
        self.trusted.push(normalise_origin(origin)?);
        Ok(self)
    }

    /// `Ok` when the request may go on; [`Error::CrossOrigin`] (code `CROSS_ORIGIN`) when
    /// a browser sent it from elsewhere. See the type's rules.
    ///
    /// ```
    /// use cookie_seal::{CrossOrigin, OriginHeaders};
    /// let check = CrossOrigin::for_origin("https://shop.example")?;
    /// let from = |referer| OriginHeaders { method: "DELETE", referer, ..Default::default() };
    /// assert!(check.check(&from(Some("https://shop.example/cart?x=1"))).is_ok());
    /// assert!(check.check(&from(Some("https://evil.example/"))).is_err());
    /// assert!(check.check(&from(None)).is_ok()); // no evidence: the CSRF token decides
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn check(&self, request: &OriginHeaders<'_>) -> Result<(), Error> {
        if SAFE_METHODS.contains(&request.method) {
            return Ok(());
        }
        let origin = request.origin.map(str::trim);
        if let Some(origin) = origin {
            let lowered = origin.to_ascii_lowercase();
            if self.trusted.contains(&lowered) {
                return Ok(());
            }
        }
        if let Some(site) = request.sec_fetch_site {
            return match site.trim() {
                "same-origin" | "none" => Ok(()),
                "same-site" => Err(Error::CrossOrigin(
                    "sent from another origin of this site (Sec-Fetch-Site: same-site)",
                )),
                _ => Err(Error::CrossOrigin(
                    "sent from another site (Sec-Fetch-Site)",
                )),
            };
        }
        if let Some(origin) = origin {
            return if self.is_site(origin, request.host) {
                Ok(())
            } else {
                Err(Error::CrossOrigin("sent from another origin (Origin)"))
            };
        }
        if let Some(referer) = request.referer {
            let referer_origin = origin_of_url(referer.trim());
            return if referer_origin.is_some_and(|o| self.is_site(o, request.host)) {
                Ok(())
            } else {
                Err(Error::CrossOrigin("sent from another origin (Referer)"))
            };
        }
        Ok(())
    }

    fn is_site(&self, origin: &str, host: Option<&str>) -> bool {
        if origin.len() > MAX_ORIGIN_LEN {
            return false;
        }
        let origin = origin.to_ascii_lowercase();
        match &self.site {
            Some(site) => *site == origin,
            None => {
                let (Some(host), Some((scheme, authority))) = (host, origin.split_once("://"))
                else {
                    return false;
                };
                let host = host.trim().to_ascii_lowercase();
                host == authority || strip_default_port(scheme, &host) == authority
            }
        }
    }
}

/// `scheme://host[:port]`, lowercased, without the scheme's default port, as browsers
/// serialise `Origin`.
pub(crate) fn normalise_origin(origin: &str) -> Result<String, Error> {
    let invalid = || {
        Error::InvalidOption(
            "an origin is http(s)://host or http(s)://host:port, with no path".into(),
        )
    };
    let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, authority) = origin.split_once("://").ok_or_else(invalid)?;
    let valid = matches!(scheme, "http" | "https")
        && !authority.is_empty()
        && origin.len() <= MAX_ORIGIN_LEN
        && authority
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b));
    if !valid {
        return Err(invalid());
    }
    Ok(format!(
        "{scheme}://{}",
        strip_default_port(scheme, authority)
    ))
}

fn strip_default_port<'a>(scheme: &str, authority: &'a str) -> &'a str {
    let default = if scheme == "https" { ":443" } else { ":80" };
    authority.strip_suffix(default).unwrap_or(authority)
}

/// The `scheme://authority` part of an absolute URL.
pub(crate) fn origin_of_url(url: &str) -> Option<&str> {
    let after_scheme = url.find("://")? + 3;
    let end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after_scheme + i);
    Some(&url[..end])
}
