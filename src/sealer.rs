//! `Sealer`: one cookie name, one purpose, one keyring; seals payloads and opens values.

use std::borrow::Cow;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use crate::clock::now;
use crate::cookie::check_cookie_name;
use crate::format::{
    self, BROWSER_COOKIE_LIMIT, ChunkPosition, Claims, PURPOSE_MAX_LEN, associated_data,
    capacity_for, parse_envelope,
};
use crate::xaes::{NONCE_LEN, TAG_LEN};
use crate::{Error, Keyring};

/// Default idle lifetime of a sealed value: 7 days.
///
/// ```
/// use cookie_seal::{DEFAULT_TTL, Key, Keyring, Sealer};
/// let sealer = Sealer::builder(Keyring::new("k1", Key::generate()?)?, "s").build()?;
/// let value = sealer.seal_bytes_at(b"{}", 0)?;
/// assert_eq!(sealer.open_bytes_at(&value, 0)?.expires_at, DEFAULT_TTL.as_secs());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const DEFAULT_TTL: Duration = Duration::from_secs(7 * 86_400);
/// Default allowance for clock skew between the machine that seals and the one that opens.
///
/// ```
/// assert_eq!(cookie_seal::DEFAULT_LEEWAY.as_secs(), 60);
/// ```
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);
/// Largest leeway a sealer accepts; more than this hides broken clocks and stretches expiry.
///
/// ```
/// use cookie_seal::{Key, Keyring, MAX_LEEWAY, Sealer};
/// let ring = Keyring::new("k1", Key::generate()?)?;
/// assert!(Sealer::builder(ring.clone(), "s").leeway(MAX_LEEWAY).build().is_ok());
/// assert!(Sealer::builder(ring, "s").leeway(MAX_LEEWAY * 2).build().is_err());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const MAX_LEEWAY: Duration = Duration::from_secs(3_600);
/// Default purpose string.
///
/// ```
/// use cookie_seal::{DEFAULT_PURPOSE, Key, Keyring, Sealer};
/// let sealer = Sealer::builder(Keyring::new("k1", Key::generate()?)?, "s").build()?;
/// assert_eq!(sealer.purpose(), DEFAULT_PURPOSE);
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const DEFAULT_PURPOSE: &str = "session";

/// Seals payloads into cookie values for one cookie name and purpose, and opens them again.
///
/// Build one at start-up with [`Sealer::builder`] and share it: it is immutable, `Send` and
/// `Sync`. A value sealed for one cookie name or purpose never opens under another.
///
/// ```
/// use cookie_seal::{Key, Keyring, Sealer};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize, PartialEq, Debug)]
/// struct Session { uid: u64, role: String }
///
/// let ring = Keyring::new("k1", Key::generate()?)?;
/// let sealer = Sealer::builder(ring, "__Host-session").build()?;
///
/// let value = sealer.seal(&Session { uid: 42, role: "admin".into() })?;
/// let opened = sealer.open::<Session>(&value)?;
/// assert_eq!(opened.data, Session { uid: 42, role: "admin".into() });
/// assert!(!opened.needs_reseal);
///
/// // A value changed in transit, or moved to another cookie, does not open.
/// let mut forged = value.clone();
/// forged.replace_range(60..61, if &value[60..61] == "A" { "B" } else { "A" });
/// assert_eq!(sealer.open::<Session>(&forged).unwrap_err().code(), "BAD_SEAL");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Sealer {
    keyring: Keyring,
    /// The associated data of an unchunked value under each key id, built once: it is the
    /// same for every value, and building it per call showed in the benchmark.
    unchunked_aad: Vec<(String, Vec<u8>)>,
    name: String,
    purpose: String,
    ttl: u64,
    leeway: u64,
    max_len: usize,
}

/// Options for a [`Sealer`]; every option has a secure default. Checked by [`build`](Self::build).
///
/// ```
/// use std::time::Duration;
/// use cookie_seal::{Key, Keyring, Sealer};
///
/// let sealer = Sealer::builder(Keyring::new("k1", Key::generate()?)?, "__Host-magic")
///     .purpose("magic-link")
///     .ttl(Duration::from_secs(15 * 60))
///     .leeway(Duration::from_secs(30))
///     .max_len(1024)
///     .build()?;
/// assert_eq!(sealer.purpose(), "magic-link");
///
/// let bad = Sealer::builder(Keyring::new("k1", Key::generate()?)?, "no spaces").build();
/// assert_eq!(bad.unwrap_err().code(), "INVALID_OPTION");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until .build() is called"]
pub struct SealerBuilder {
    keyring: Keyring,
    name: String,
    purpose: String,
    ttl: Duration,
    leeway: Duration,
    max_len: usize,
}

/// An opened value: the payload and the authenticated claims that came with it.
///
/// ```
/// use cookie_seal::{Key, Keyring, Sealer};
/// let sealer = Sealer::builder(Keyring::new("k1", Key::generate()?)?, "sid").build()?;
/// let value = sealer.seal_bytes_at(br#"{"uid":7}"#, 1_700_000_000)?;
/// let opened = sealer.open_bytes_at(&value, 1_700_000_100)?;
/// assert_eq!(opened.data, br#"{"uid":7}"#);
/// assert_eq!(opened.issued_at, 1_700_000_000);
/// assert_eq!(opened.expires_at, 1_700_000_000 + 7 * 86_400);
/// assert_eq!(opened.key_id, "k1");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Opened<T> {
    /// The payload.
    pub data: T,
    /// When it was sealed, seconds since the Unix epoch.
    pub issued_at: u64,
    /// When it stops opening (before leeway), seconds since the Unix epoch.
    pub expires_at: u64,
    /// The id of the key that opened it.
    pub key_id: String,
    /// True when it was sealed under a key that is no longer the primary: seal it again so
    /// the old key can be retired.
    pub needs_reseal: bool,
}

impl Sealer {
    /// Starts a sealer for the cookie called `cookie_name`, sealing with the keyring's
    /// primary key. Options are checked when [`SealerBuilder::build`] is called.
    ///
    /// ```
    /// use cookie_seal::{Key, Keyring, Sealer};
    /// let sealer = Sealer::builder(Keyring::new("k1", Key::generate()?)?, "__Host-session").build()?;
    /// assert_eq!(sealer.cookie_name(), "__Host-session");
    /// assert_eq!(sealer.purpose(), "session");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn builder(keyring: Keyring, cookie_name: &str) -> SealerBuilder {
        SealerBuilder {
            keyring,
            name: cookie_name.to_owned(),
            purpose: DEFAULT_PURPOSE.to_owned(),
            ttl: DEFAULT_TTL,
            leeway: DEFAULT_LEEWAY,
            max_len: BROWSER_COOKIE_LIMIT,
        }
    }

    /// The cookie name this sealer binds values to.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, Sealer};
    /// let sealer = Sealer::builder(Keyring::new("k1", Key::generate()?)?, "sid").build()?;
    /// assert_eq!(sealer.cookie_name(), "sid");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn cookie_name(&self) -> &str {
        &self.name
    }

    /// The purpose string this sealer binds values to.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, Sealer};
    /// let sealer = Sealer::builder(Keyring::new("k1", Key::generate()?)?, "sid").purpose("csrf").build()?;
    /// assert_eq!(sealer.purpose(), "csrf");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn purpose(&self) -> &str {
        &self.purpose
    }

    /// The keyring.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, Sealer};
    /// let sealer = Sealer::builder(Keyring::new("k9", Key::generate()?)?, "sid").build()?;
    /// assert_eq!(sealer.keyring().primary_id(), "k9");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// The largest payload, in bytes, that still fits `max_len` once sealed for this cookie
    /// name under the primary key.
    ///
    /// ```
    /// use cookie_seal::{Key, Keyring, Sealer};
    /// let sealer = Sealer::builder(Keyring::new("k1", Key::generate()?)?, "session").build()?;
    /// assert_eq!(sealer.capacity(), 3005);
    /// let fits = vec![b'x'; sealer.capacity()];
    /// let value = sealer.seal_bytes_at(&fits, 1_700_000_000)?;
    /// assert!("session=".len() + value.len() <= 4096);
    ///
    /// let err = sealer.seal_bytes_at(&vec![b'x'; sealer.capacity() + 1], 1_700_000_000).unwrap_err();
    /// assert_eq!(err, cookie_seal::Error::TooLarge { actual: 4098, limit: 4096 });
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn capacity(&self) -> usize {
        // build() guaranteed an empty payload fits.
        capacity_for(self.value_budget(), self.keyring.primary_id().len()).unwrap_or(0)
    }

    /// Seals `data` as JSON, issued now (the system clock).
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, Sealer};
    /// let sealer = Sealer::builder(Keyring::new("k1", Key::generate()?)?, "sid").build()?;
    /// let value = sealer.seal(&serde_json::json!({ "uid": 42 }))?;
    /// assert_eq!(sealer.open::<serde_json::Value>(&value)?.data["uid"], 42);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn seal<T: Serialize + ?Sized>(&self, data: &T) -> Result<String, Error> {
        self.seal_at(data, now()?)
    }

    /// Seals `data` as JSON, issued at `now` (seconds since the Unix epoch).
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, Sealer};
    /// let sealer = Sealer::builder(Keyring::new("k1", Key::generate()?)?, "sid").build()?;
    /// let value = sealer.seal_at(&[1, 2, 3], 1_700_000_000)?;
    /// assert_eq!(sealer.open_at::<Vec<u8>>(&value, 1_700_000_001)?.data, [1, 2, 3]);
    ///
    /// // A map with non-string keys has no JSON form.
    /// let map = std::collections::HashMap::from([((1, 2), 3)]);
    /// assert_eq!(sealer.seal_at(&map, 1_700_000_000).unwrap_err().code(), "PAYLOAD");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn seal_at<T: Serialize + ?Sized>(&self, data: &T, now: u64) -> Result<String, Error> {
        let json = Zeroizing::new(
            serde_json::to_vec(data).map_err(|err| Error::Payload(err.to_string()))?,
        );
        self.seal_bytes_at(&json, now)
    }

    /// Seals `payload` (UTF-8, usually JSON the caller produced) issued at `now`.
    /// The size is checked before any cryptographic work; a payload over
    /// [`capacity`](Self::capacity) is [`Error::TooLarge`].
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, Sealer};
    /// let sealer = Sealer::builder(Keyring::new("k1", Key::generate()?)?, "sid").build()?;
    /// let value = sealer.seal_bytes_at(br#"{"cart":[1,2]}"#, 1_700_000_000)?;
    /// assert_eq!(sealer.open_bytes_at(&value, 1_700_000_000)?.data, br#"{"cart":[1,2]}"#);
    /// assert_eq!(sealer.seal_bytes_at(&[0xff], 1_700_000_000).unwrap_err().code(), "PAYLOAD");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn seal_bytes_at(&self, payload: &[u8], now: u64) -> Result<String, Error> {
        let claims = self.claims_at(now)?;
        self.check_size(payload, &claims)?;
        self.seal_claims(payload, &claims, ChunkPosition::default())
    }

    /// Seals with a caller-chosen nonce, which destroys confidentiality if a nonce is ever
    /// reused. It exists only to produce the frozen known-answer vectors in `tests/vectors`
    /// and is compiled only with the `insecure-fixed-nonce` feature, which no server enables.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, Sealer};
    /// let sealer = Sealer::builder(Keyring::new("k1", Key::from_bytes(&[1; 32])?)?, "sid").build()?;
    /// let a = sealer.seal_bytes_with_fixed_nonce_at_insecure(b"{}", 1_700_000_000, [7; 24])?;
    /// let b = sealer.seal_bytes_with_fixed_nonce_at_insecure(b"{}", 1_700_000_000, [7; 24])?;
    /// assert_eq!(a, b); // deterministic, which is exactly why nothing real may use it
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    #[cfg(feature = "insecure-fixed-nonce")]
    pub fn seal_bytes_with_fixed_nonce_at_insecure(
        &self,
        payload: &[u8],
        now: u64,
        nonce: [u8; NONCE_LEN],
    ) -> Result<String, Error> {
        let claims = self.claims_at(now)?;
        self.check_size(payload, &claims)?;
        check_utf8(payload)?;
        self.seal_with_nonce(payload, &claims, ChunkPosition::default(), &nonce)
    }

    /// Opens a value as JSON into `T`, checking expiry against the system clock.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, Sealer};
    /// let sealer = Sealer::builder(Keyring::new("k1", Key::generate()?)?, "sid").build()?;
    /// let value = sealer.seal(&("ada", 36))?;
    /// assert_eq!(sealer.open::<(String, u8)>(&value)?.data, ("ada".to_string(), 36));
    /// // The right cookie, the wrong type: a payload error, not an authentication error.
    /// assert_eq!(sealer.open::<bool>(&value).unwrap_err().code(), "PAYLOAD");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn open<T: DeserializeOwned>(&self, value: &str) -> Result<Opened<T>, Error> {
        self.open_at(value, now()?)
    }

    /// Opens a value as JSON into `T`, checking expiry against `now`.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, Sealer};
    /// let sealer = Sealer::builder(Keyring::new("k1", Key::generate()?)?, "sid").build()?;
    /// let value = sealer.seal_at(&"hello", 1_700_000_000)?;
    /// assert_eq!(sealer.open_at::<String>(&value, 1_700_000_000)?.data, "hello");
    /// let week_later = 1_700_000_000 + 7 * 86_400 + 61;
    /// assert_eq!(sealer.open_at::<String>(&value, week_later).unwrap_err().code(), "EXPIRED");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn open_at<T: DeserializeOwned>(&self, value: &str, now: u64) -> Result<Opened<T>, Error> {
        let opened = self.open_bytes_at(value, now)?;
        // open_bytes_at has checked UTF-8; parsing a &str spares serde_json checking every
        // string again, and the repeated whole-buffer check here is a fast linear scan.
        let text = core::str::from_utf8(&opened.data)
            .map_err(|_| Error::Payload("payload is not UTF-8".into()))?;
        let data = serde_json::from_str(text).map_err(|err| Error::Payload(err.to_string()))?;
        Ok(Opened {
            data,
            issued_at: opened.issued_at,
            expires_at: opened.expires_at,
            key_id: opened.key_id,
            needs_reseal: opened.needs_reseal,
        })
    }

    /// Opens a value to its payload bytes, checking expiry against `now`. JSON is not parsed.
    ///
    /// Checks run cheapest first: the length before any decoding, then the structure, then
    /// the key id, then authentication, then the claims.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, Sealer};
    /// let sealer = Sealer::builder(Keyring::new("k1", Key::generate()?)?, "sid").build()?;
    /// assert_eq!(sealer.open_bytes_at("", 0).unwrap_err().code(), "MALFORMED");
    /// assert_eq!(sealer.open_bytes_at(&"A".repeat(5000), 0).unwrap_err().code(), "TOO_LARGE");
    /// let other = Sealer::builder(Keyring::new("k2", Key::generate()?)?, "sid").build()?;
    /// let value = other.seal_bytes_at(b"{}", 1_700_000_000)?;
    /// assert_eq!(sealer.open_bytes_at(&value, 1_700_000_000).unwrap_err().code(), "UNKNOWN_KEY");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn open_bytes_at(&self, value: &str, now: u64) -> Result<Opened<Vec<u8>>, Error> {
        let budget = self.value_budget();
        if value.len() > budget {
            return Err(Error::TooLarge {
                actual: self
                    .name
                    .len()
                    .saturating_add(1)
                    .saturating_add(value.len()),
                limit: self.max_len,
            });
        }
        let (claims, mut payload, key_id) =
            self.open_claims(value, now, ChunkPosition::default())?;
        Ok(Opened {
            // The caller owns the plaintext from here, as before; Zeroizing keeps an empty Vec.
            data: core::mem::take(&mut *payload),
            issued_at: claims.issued_at,
            expires_at: claims.expires_at,
            needs_reseal: key_id != self.keyring.primary_id(),
            key_id,
        })
    }

    /// Seals `payload` after `claims`, bound to `chunk`. The caller has checked the size.
    pub(crate) fn seal_claims(
        &self,
        payload: &[u8],
        claims: &Claims,
        chunk: ChunkPosition,
    ) -> Result<String, Error> {
        check_utf8(payload)?;
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| Error::RandomFailed)?;
        self.seal_with_nonce(payload, claims, chunk, &nonce)
    }

    /// Opens a value of any length bound to `chunk`: decode, structure, key id,
    /// authentication, claims, time, UTF-8. Returns the claims, payload and key id.
    pub(crate) fn open_claims(
        &self,
        value: &str,
        now: u64,
        chunk: ChunkPosition,
    ) -> Result<(Claims, Zeroizing<Vec<u8>>, String), Error> {
        let mut raw = format::decode(value)?;
        let envelope = parse_envelope(&raw)?;
        let key = self
            .keyring
            .get(envelope.key_id)
            .ok_or_else(|| Error::UnknownKey(envelope.key_id.to_owned()))?;
        let key_id = envelope.key_id.to_owned();
        let aad = self.associated_data(&key_id, chunk);
        let (nonce, tag, body_start) = (envelope.nonce, envelope.tag, envelope.body_start);
        let body_end = raw.len() - TAG_LEN;
        key.xaes
            .open_in_place(&nonce, &aad, &mut raw[body_start..body_end], &tag)
            .map_err(|_| Error::BadSeal)?;
        // From here on `raw` holds plaintext: drop it through Zeroizing.
        let mut raw = Zeroizing::new(raw);
        let (claims, payload) = Claims::read(&raw[body_start..body_end])?;
        self.check_time(&claims, now)?;
        // Sealing refuses non-UTF-8; a value from another implementation gets the same rule,
        // so JavaScript never sees bytes its TextDecoder would silently replace.
        check_utf8(payload)?;
        // The payload is the tail of the plaintext: move it to the front of the same buffer
        // and wipe only what it leaves behind, rather than copy it out and wipe everything.
        let payload_len = payload.len();
        raw.copy_within(body_end - payload_len..body_end, 0);
        zeroize::Zeroize::zeroize(&mut raw[payload_len..]);
        raw.truncate(payload_len);
        Ok((claims, raw, key_id))
    }

    /// Characters of the value for `payload_len` bytes after `claims`, under the primary key.
    pub(crate) fn value_len_for(&self, payload_len: usize, claims: &Claims) -> usize {
        let extra_claims = claims.encoded_len() - format::CLAIMS_BASE_LEN;
        format::sealed_len(
            self.keyring.primary_id().len(),
            payload_len.saturating_add(extra_claims),
        )
    }

    fn associated_data(&self, key_id: &str, chunk: ChunkPosition) -> Cow<'_, [u8]> {
        let cached = self.unchunked_aad.iter().find(|(id, _)| id == key_id);
        match cached {
            Some((_, aad)) if chunk == ChunkPosition::default() => Cow::Borrowed(aad),
            _ => Cow::Owned(associated_data(key_id, &self.name, &self.purpose, chunk)),
        }
    }

    pub(crate) fn max_len(&self) -> usize {
        self.max_len
    }

    pub(crate) fn leeway(&self) -> u64 {
        self.leeway
    }

    /// Characters the value may take: `max_len` less the name and the `=`.
    fn value_budget(&self) -> usize {
        self.max_len.saturating_sub(self.name.len() + 1)
    }

    fn claims_at(&self, now: u64) -> Result<Claims, Error> {
        let expires_at = now.checked_add(self.ttl).ok_or_else(|| {
            Error::InvalidOption(format!("now ({now}) + ttl overflows a 64-bit timestamp"))
        })?;
        Ok(Claims {
            issued_at: now,
            expires_at,
            ..Claims::default()
        })
    }

    /// Bytes the whole cookie (`name=value`) takes for `payload_len` bytes after `claims`.
    pub(crate) fn cookie_len_for(&self, payload_len: usize, claims: &Claims) -> usize {
        self.name
            .len()
            .saturating_add(1)
            .saturating_add(self.value_len_for(payload_len, claims))
    }

    fn check_size(&self, payload: &[u8], claims: &Claims) -> Result<(), Error> {
        let actual = self.cookie_len_for(payload.len(), claims);
        if actual > self.max_len {
            return Err(Error::TooLarge {
                actual,
                limit: self.max_len,
            });
        }
        Ok(())
    }

    fn seal_with_nonce(
        &self,
        payload: &[u8],
        claims: &Claims,
        chunk: ChunkPosition,
        nonce: &[u8; NONCE_LEN],
    ) -> Result<String, Error> {
        let (key_id, key) = self.keyring.primary();
        let body_start = 2 + key_id.len() + NONCE_LEN;
        // A plain Vec: once sealed it holds only what the cookie value shows anyway. The one
        // failure path, where plaintext is still in it, wipes it by hand.
        let mut raw =
            Vec::with_capacity(body_start + claims.encoded_len() + payload.len() + TAG_LEN);
        raw.push(format::VERSION);
        raw.push(key_id.len() as u8);
        raw.extend_from_slice(key_id.as_bytes());
        raw.extend_from_slice(nonce);
        claims.write(&mut raw);
        raw.extend_from_slice(payload);
        let aad = self.associated_data(key_id, chunk);
        let Ok(tag) = key.xaes.seal_in_place(nonce, &aad, &mut raw[body_start..]) else {
            zeroize::Zeroize::zeroize(&mut raw);
            return Err(Error::Payload("payload too long for AES-GCM".into()));
        };
        raw.extend_from_slice(&tag);
        Ok(URL_SAFE_NO_PAD.encode(raw.as_slice()))
    }

    pub(crate) fn check_time(&self, claims: &Claims, now: u64) -> Result<(), Error> {
        // Saturating: a claim near u64::MAX means "never", not an overflow.
        let latest_start = now.saturating_add(self.leeway);
        let valid_from = claims
            .not_before
            .map_or(claims.issued_at, |nbf| nbf.max(claims.issued_at));
        if valid_from > latest_start {
            return Err(Error::NotYetValid { valid_from });
        }
        if now > claims.expires_at.saturating_add(self.leeway) {
            return Err(Error::Expired {
                expires_at: claims.expires_at,
            });
        }
        Ok(())
    }
}

impl SealerBuilder {
    /// What the value is for, bound into it: a value sealed for `"magic-link"` never opens
    /// as a `"session"`. 1 to 255 bytes, no control characters. Default `"session"`.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, Sealer};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// let links = Sealer::builder(ring.clone(), "t").purpose("magic-link").build()?;
    /// let sessions = Sealer::builder(ring, "t").build()?;
    /// let value = links.seal(&"ada@example.com")?;
    /// assert_eq!(sessions.open::<String>(&value).unwrap_err().code(), "BAD_SEAL");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn purpose(mut self, purpose: &str) -> Self {
        purpose.clone_into(&mut self.purpose);
        self
    }

    /// How long a sealed value stays valid after sealing. Whole seconds, at least one.
    /// Default 7 days.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, Sealer};
    /// use std::time::Duration;
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// let sealer = Sealer::builder(ring.clone(), "t").ttl(Duration::from_secs(600)).build()?;
    /// let value = sealer.seal_at(&1, 1_000)?;
    /// assert_eq!(sealer.open_at::<u8>(&value, 1_000)?.expires_at, 1_600);
    /// assert!(Sealer::builder(ring, "t").ttl(Duration::ZERO).build().is_err());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Clock skew tolerated in both directions when checking expiry and issue time.
    /// At most one hour. Default 60 seconds.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, Sealer};
    /// use std::time::Duration;
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// assert!(Sealer::builder(ring.clone(), "t").leeway(Duration::ZERO).build().is_ok());
    /// let err = Sealer::builder(ring, "t").leeway(Duration::from_secs(86_400)).build().unwrap_err();
    /// assert_eq!(err.code(), "INVALID_OPTION");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The most bytes the cookie may take, counting the name, the `=` and the value.
    /// At most, and by default, 4096: browsers silently drop longer cookies.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, Sealer};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// let small = Sealer::builder(ring.clone(), "t").max_len(200).build()?;
    /// assert_eq!(small.capacity(), 87);
    /// assert!(Sealer::builder(ring.clone(), "t").max_len(50).build().is_err());
    /// assert!(Sealer::builder(ring, "t").max_len(5000).build().is_err());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn max_len(mut self, max_len: usize) -> Self {
        self.max_len = max_len;
        self
    }

    /// Checks every option and builds the sealer.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, Sealer};
    /// let ring = Keyring::new("k1", Key::generate()?)?;
    /// assert!(Sealer::builder(ring.clone(), "__Host-session").build().is_ok());
    /// for bad in ["", "a=b", "a;b", "caf\u{e9}", "tab\t"] {
    ///     assert_eq!(Sealer::builder(ring.clone(), bad).build().unwrap_err().code(), "INVALID_OPTION");
    /// }
    /// assert!(Sealer::builder(ring, "t").purpose("").build().is_err());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn build(self) -> Result<Sealer, Error> {
        check_cookie_name(&self.name)?;
        if self.purpose.is_empty()
            || self.purpose.len() > PURPOSE_MAX_LEN
            || self.purpose.chars().any(char::is_control)
        {
            return Err(Error::InvalidOption(format!(
                "purpose must be 1 to {PURPOSE_MAX_LEN} bytes without control characters"
            )));
        }
        if self.ttl.as_secs() == 0 {
            return Err(Error::InvalidOption(
                "ttl must be at least one second".into(),
            ));
        }
        if self.leeway > MAX_LEEWAY {
            return Err(Error::InvalidOption(format!(
                "leeway must be at most {} seconds",
                MAX_LEEWAY.as_secs()
            )));
        }
        if self.max_len > BROWSER_COOKIE_LIMIT {
            return Err(Error::InvalidOption(format!(
                "max_len {} exceeds {BROWSER_COOKIE_LIMIT}, the most browsers keep",
                self.max_len
            )));
        }
        let smallest = self.name.len() + 1 + format::sealed_len(self.keyring.primary_id().len(), 0);
        if smallest > self.max_len {
            return Err(Error::InvalidOption(format!(
                "max_len {} cannot hold even an empty payload ({smallest} bytes)",
                self.max_len
            )));
        }
        let unchunked_aad = self
            .keyring
            .ids()
            .map(|id| {
                let aad = associated_data(id, &self.name, &self.purpose, ChunkPosition::default());
                (id.to_owned(), aad)
            })
            .collect();
        Ok(Sealer {
            unchunked_aad,
            keyring: self.keyring,
            name: self.name,
            purpose: self.purpose,
            ttl: self.ttl.as_secs(),
            leeway: self.leeway.as_secs(),
            max_len: self.max_len,
        })
    }
}

fn check_utf8(payload: &[u8]) -> Result<(), Error> {
    core::str::from_utf8(payload)
        .map(|_| ())
        .map_err(|_| Error::Payload("payload is not UTF-8".into()))
}
