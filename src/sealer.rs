//! `Sealer`: one cookie name, one purpose, one keyring; seals payloads and opens values.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use crate::clock::now;
use crate::codec::{Codec, CodecOptions, codec_setters};
use crate::format::{ChunkPosition, Claims, capacity_for};
#[cfg(feature = "insecure-fixed-nonce")]
use crate::xaes::NONCE_LEN;
use crate::{Error, Keyring, defaults};

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
    codec: Codec,
    ttl: u64,
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
    codec: CodecOptions,
    ttl: Duration,
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
            codec: CodecOptions::new(keyring, cookie_name),
            ttl: defaults::DEFAULT_TTL,
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
        self.codec.name()
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
        self.codec.purpose()
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
        self.codec.keyring()
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
        let budget = self.codec.value_budget(self.cookie_name().len());
        capacity_for(budget, self.keyring().primary_id().len()).unwrap_or(0)
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
        self.codec.check_len(self.cookie_len_for(payload.len()))?;
        self.codec.seal(payload, &claims, ChunkPosition::default())
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
        self.codec.check_len(self.cookie_len_for(payload.len()))?;
        self.codec
            .seal_with_nonce(payload, &claims, ChunkPosition::default(), &nonce)
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
        let name_len = self.cookie_name().len();
        if value.len() > self.codec.value_budget(name_len) {
            let actual = name_len.saturating_add(1).saturating_add(value.len());
            return Err(Error::TooLarge {
                actual,
                limit: self.codec.max_len(),
            });
        }
        let mut opened = self.codec.open(value, now, ChunkPosition::default())?;
        Ok(Opened {
            // The caller owns the plaintext from here, as before; Zeroizing keeps an empty Vec.
            data: core::mem::take(&mut *opened.payload),
            issued_at: opened.claims.issued_at,
            expires_at: opened.claims.expires_at,
            needs_reseal: opened.key_id != self.keyring().primary_id(),
            key_id: opened.key_id,
        })
    }

    /// Bytes the whole cookie (`name=value`) takes for a payload of `payload_len` bytes, as
    /// `seal` writes it: lets the wasm binding report `TOO_LARGE` without copying a huge
    /// payload into wasm memory.
    pub(crate) fn cookie_len_for(&self, payload_len: usize) -> usize {
        self.codec.cookie_len(payload_len, &Claims::default())
    }

    /// The most bytes the cookie may take.
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    pub(crate) fn max_len(&self) -> usize {
        self.codec.max_len()
    }

    fn claims_at(&self, now: u64) -> Result<Claims, Error> {
        let expires_at = now
            .checked_add(self.ttl)
            .ok_or(Error::TimeOverflow { now })?;
        Ok(Claims {
            issued_at: now,
            expires_at,
            ..Claims::default()
        })
    }
}

impl SealerBuilder {
    codec_setters!();

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
        self.codec.max_len = max_len;
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
        let codec = self.codec.build()?;
        if self.ttl.as_secs() == 0 {
            return Err(Error::InvalidOption(
                "ttl must be at least one second".into(),
            ));
        }
        Ok(Sealer {
            codec,
            ttl: self.ttl.as_secs(),
        })
    }
}
