//! Cookie headers: `Set-Cookie` values with secure defaults, and bounded `Cookie` parsing
//! (RFC 6265bis). No cryptography here.

use crate::Error;
use crate::format::BROWSER_COOKIE_LIMIT;
use crate::limits::{MAX_AGE_CAP, MAX_COOKIE_HEADER_LEN, MAX_COOKIE_PAIRS};

/// The `SameSite` attribute.
///
/// ```
/// use cookie_seal::SameSite;
/// assert_eq!(SameSite::default(), SameSite::Lax);
/// assert_eq!(SameSite::Strict.as_str(), "Strict");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SameSite {
    /// Sent only on same-site requests.
    Strict,
    /// Sent on same-site requests and top-level cross-site navigations (the default:
    /// it blocks cross-site form posts while keeping links into the site signed in).
    #[default]
    Lax,
    /// Sent on every request; requires `Secure`.
    None,
}

impl SameSite {
    /// The attribute value as written in `Set-Cookie`.
    ///
    /// ```
    /// assert_eq!(cookie_seal::SameSite::None.as_str(), "None");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Strict => "Strict",
            SameSite::Lax => "Lax",
            SameSite::None => "None",
        }
    }
}

/// The `Priority` attribute: which cookies Chromium evicts last when a site holds more
/// than its per-domain cookie limit (other browsers ignore it). Not written by default.
///
/// ```
/// assert_eq!(cookie_seal::Priority::High.as_str(), "High");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// Evicted first.
    Low,
    /// What a cookie without the attribute gets.
    Medium,
    /// Evicted last: a session cookie usually wants this.
    High,
}

impl Priority {
    /// The attribute value as written in `Set-Cookie`.
    ///
    /// ```
    /// assert_eq!(cookie_seal::Priority::Low.as_str(), "Low");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "Low",
            Priority::Medium => "Medium",
            Priority::High => "High",
        }
    }
}

/// The attributes every `Set-Cookie` of a session carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CookieAttributes {
    pub same_site: SameSite,
    pub domain: Option<String>,
    pub path: String,
    pub secure: bool,
    /// `Partitioned` (CHIPS): the browser keeps a separate cookie per top-level site.
    pub partitioned: bool,
    pub priority: Option<Priority>,
}

impl Default for CookieAttributes {
    fn default() -> Self {
        CookieAttributes {
            same_site: SameSite::Lax,
            domain: None,
            path: "/".into(),
            secure: true,
            partitioned: false,
            priority: None,
        }
    }
}

impl CookieAttributes {
    /// Refuses combinations browsers would reject or that weaken the cookie, so a bad
    /// configuration fails at start-up rather than as a silently dropped cookie.
    pub(crate) fn check(&self, name: &str) -> Result<(), Error> {
        check_cookie_name(name)?;
        let invalid = |why: &str| Err(Error::InvalidOption(why.into()));
        if has_prefix(name, "__Host-") {
            if !self.secure {
                return invalid(
                    "a __Host- cookie needs Secure; development mode needs another name",
                );
            }
            if self.domain.is_some() {
                return invalid("a __Host- cookie cannot have a Domain");
            }
            if self.path != "/" {
                return invalid("a __Host- cookie must have Path=/");
            }
        }
        if has_prefix(name, "__Secure-") && !self.secure {
            return invalid("a __Secure- cookie needs Secure; development mode needs another name");
        }
        if self.same_site == SameSite::None && !self.secure {
            return invalid("SameSite=None needs Secure");
        }
        // Browsers drop a Partitioned cookie that is not Secure.
        if self.partitioned && !self.secure {
            return invalid("a Partitioned cookie needs Secure; development mode cannot use it");
        }
        if let Some(domain) = &self.domain {
            let ok = !domain.is_empty()
                && domain.len() <= 253
                && domain
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
                && !domain.starts_with('.')
                && !domain.ends_with('.');
            if !ok {
                return invalid("domain must be a host name such as example.com");
            }
        }
        let path_ok = self.path.starts_with('/')
            && self.path.len() <= 1024
            && self.path.bytes().all(|b| b.is_ascii_graphic() && b != b';');
        if !path_ok {
            return invalid("path must start with / and hold visible ASCII without ;");
        }
        Ok(())
    }

    /// `name=value; attributes`, with `Max-Age` when `max_age` is given (capped at 400 days).
    pub(crate) fn set_cookie(&self, name: &str, value: &str, max_age: Option<u64>) -> String {
        let mut header = format!("{name}={value}");
        if let Some(age) = max_age {
            header.push_str(&format!("; Max-Age={}", age.min(MAX_AGE_CAP)));
        }
        if let Some(domain) = &self.domain {
            header.push_str("; Domain=");
            header.push_str(domain);
        }
        header.push_str("; Path=");
        header.push_str(&self.path);
        if self.secure {
            header.push_str("; Secure");
        }
        header.push_str("; HttpOnly; SameSite=");
        header.push_str(self.same_site.as_str());
        // A deletion carries these too: a partitioned cookie is only reached by a
        // Set-Cookie that is itself Partitioned.
        if self.partitioned {
            header.push_str("; Partitioned");
        }
        if let Some(priority) = self.priority {
            header.push_str("; Priority=");
            header.push_str(priority.as_str());
        }
        header
    }

    /// A `Set-Cookie` that makes the browser delete `name` (same Domain and Path, or the
    /// browser would keep the original).
    pub(crate) fn expire(&self, name: &str) -> String {
        self.set_cookie(name, "", Some(0))
    }
}

/// Whether `name` carries the cookie prefix `prefix`. Browsers compare prefixes without regard
/// to ASCII case (RFC 6265bis §4.1.3), so `__host-` gets the `__Host-` rules: judged
/// case-sensitively, such a name would pass here and then be dropped by the browser.
fn has_prefix(name: &str, prefix: &str) -> bool {
    name.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// A cookie name must be an RFC 6265 token: visible ASCII without separators.
pub(crate) fn check_cookie_name(name: &str) -> Result<(), Error> {
    const SEPARATORS: &[u8] = b"()<>@,;:\\\"/[]?={} \t";
    let valid = !name.is_empty()
        && name.len() < BROWSER_COOKIE_LIMIT
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !SEPARATORS.contains(&b));
    if valid {
        Ok(())
    } else {
        Err(Error::InvalidOption(
            "cookie name must be 1 or more visible ASCII characters without ()<>@,;:\\\"/[]?={} or spaces"
                .into(),
        ))
    }
}

/// The name/value pairs of a `Cookie` request header, in order, parsed the way RFC 6265bis
/// §5.7 tells user agents to: split on `;`, trim spaces, split at the first `=`. Pairs with
/// no `=`, an empty name, or control characters are skipped; a value in double quotes loses
/// them. At most [`MAX_COOKIE_PAIRS`] pairs are read.
pub(crate) fn cookie_pairs(header: &str) -> Result<Vec<(&str, &str)>, Error> {
    if header.len() > MAX_COOKIE_HEADER_LEN {
        return Err(Error::TooLarge {
            actual: header.len(),
            limit: MAX_COOKIE_HEADER_LEN,
        });
    }
    let pairs = header
        .split(';')
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            let name = name.trim_matches([' ', '\t']);
            let mut value = value.trim_matches([' ', '\t']);
            // strip_*, not `&value[1..len - 1]`: the same cut, without a panicking slice
            // whose message code (char escaping) would otherwise ship in the wasm module.
            if let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                value = inner;
            }
            let clean = |s: &str| !s.bytes().any(|b| b.is_ascii_control());
            (!name.is_empty() && clean(name) && clean(value)).then_some((name, value))
        })
        .take(MAX_COOKIE_PAIRS)
        .collect();
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    // In wasm these run under wasm-bindgen-test, which sees only its own attribute.
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn cookie_pairs_split_trim_unquote_and_skip() {
        let pairs = cookie_pairs(r#"a=1; b="2";junk; A=3"#).unwrap();
        assert_eq!(pairs, [("a", "1"), ("b", "2"), ("A", "3")]);
        assert_eq!(
            cookie_pairs("a=\"\"; b=\"x").unwrap(),
            [("a", ""), ("b", "\"x")]
        );
        let many = "a=1; ".repeat(MAX_COOKIE_PAIRS + 5);
        assert_eq!(cookie_pairs(&many).unwrap().len(), MAX_COOKIE_PAIRS);
        assert!(cookie_pairs(&"a".repeat(MAX_COOKIE_HEADER_LEN)).is_ok());
        let err = cookie_pairs(&"x".repeat(MAX_COOKIE_HEADER_LEN + 1)).unwrap_err();
        assert_eq!(err.code(), "TOO_LARGE");
    }
}
