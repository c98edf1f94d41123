//! The sealing engine under both public types: one cookie name, purpose and keyring, sealing
//! claims and a payload for a chunk position and opening them again. [`Sealer`] adds a ttl
//! and typed JSON; the session manager adds the lifecycle. Neither reaches into the other.
//!
//! [`Sealer`]: crate::Sealer

use std::borrow::Cow;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::cookie::check_cookie_name;
use crate::format::{
    self, BROWSER_COOKIE_LIMIT, ChunkPosition, Claims, PURPOSE_MAX_LEN, associated_data,
    parse_envelope,
};
use crate::limits::MAX_LEEWAY;
use crate::xaes::{NONCE_LEN, TAG_LEN};
use crate::{Error, Keyring, defaults};

/// The options both builders share, checked once by [`CodecOptions::build`].
#[derive(Debug, Clone)]
pub(crate) struct CodecOptions {
    pub keyring: Keyring,
    pub name: String,
    pub purpose: String,
    pub leeway: Duration,
    pub max_len: usize,
}

impl CodecOptions {
    pub(crate) fn new(keyring: Keyring, name: &str) -> Self {
        CodecOptions {
            keyring,
            name: name.to_owned(),
            purpose: defaults::DEFAULT_PURPOSE.to_owned(),
            leeway: defaults::DEFAULT_LEEWAY,
            max_len: BROWSER_COOKIE_LIMIT,
        }
    }

    pub(crate) fn build(self) -> Result<Codec, Error> {
        check_cookie_name(&self.name)?;
        if self.purpose.is_empty()
            || self.purpose.len() > PURPOSE_MAX_LEN
            || self.purpose.chars().any(char::is_control)
        {
            return Err(Error::InvalidOption(format!(
                "purpose must be 1 to {PURPOSE_MAX_LEN} bytes without control characters"
            )));
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
        Ok(Codec {
            unchunked_aad,
            keyring: self.keyring,
            name: self.name,
            purpose: self.purpose,
            leeway: self.leeway.as_secs(),
            max_len: self.max_len,
        })
    }
}

/// The `purpose` and `leeway` setters, written once for [`SealerBuilder`] and
/// [`SessionManagerBuilder`]: both keep those options in a `codec: CodecOptions` field.
///
/// [`SealerBuilder`]: crate::SealerBuilder
/// [`SessionManagerBuilder`]: crate::SessionManagerBuilder
macro_rules! codec_setters {
    () => {
        /// What the value is for, bound into it: a value sealed for `"magic-link"` never
        /// opens as a `"session"`. 1 to 255 bytes, no control characters. Default `"session"`.
        ///
        /// ```
        /// # use cookie_seal::{Key, Keyring, Sealer, SessionManager};
        /// let ring = Keyring::new("k1", Key::generate()?)?;
        /// let links = Sealer::builder(ring.clone(), "t").purpose("magic-link").build()?;
        /// let sessions = Sealer::builder(ring.clone(), "t").build()?;
        /// let value = links.seal(&"ada@example.com")?;
        /// assert_eq!(sessions.open::<String>(&value).unwrap_err().code(), "BAD_SEAL");
        /// assert!(SessionManager::builder(ring, "t").purpose("").build().is_err());
        /// # Ok::<(), cookie_seal::Error>(())
        /// ```
        pub fn purpose(mut self, purpose: &str) -> Self {
            purpose.clone_into(&mut self.codec.purpose);
            self
        }

        /// Clock skew tolerated in both directions when checking expiry and issue time.
        /// At most one hour. Default 60 seconds.
        ///
        /// ```
        /// # use cookie_seal::{Key, Keyring, Sealer, SessionManager};
        /// use std::time::Duration;
        /// let ring = Keyring::new("k1", Key::generate()?)?;
        /// assert!(Sealer::builder(ring.clone(), "t").leeway(Duration::ZERO).build().is_ok());
        /// let err = SessionManager::builder(ring, "t").leeway(Duration::from_secs(86_400)).build();
        /// assert_eq!(err.unwrap_err().code(), "INVALID_OPTION");
        /// # Ok::<(), cookie_seal::Error>(())
        /// ```
        pub fn leeway(mut self, leeway: Duration) -> Self {
            self.codec.leeway = leeway;
            self
        }
    };
}
pub(crate) use codec_setters;

/// What [`Codec::open`] gives back: the authenticated claims, the payload (wiped on drop)
/// and the id of the key that opened it.
pub(crate) struct OpenedValue {
    pub claims: Claims,
    pub payload: Zeroizing<Vec<u8>>,
    pub key_id: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Codec {
    keyring: Keyring,
    /// The associated data of an unchunked value under each key id, built once: it is the
    /// same for every value, and building it per call showed in the benchmark.
    unchunked_aad: Vec<(String, Vec<u8>)>,
    name: String,
    purpose: String,
    leeway: u64,
    max_len: usize,
}

impl Codec {
    pub(crate) fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn purpose(&self) -> &str {
        &self.purpose
    }

    pub(crate) fn leeway(&self) -> u64 {
        self.leeway
    }

    pub(crate) fn max_len(&self) -> usize {
        self.max_len
    }

    /// Characters a value may take in a cookie whose name is `name_len` bytes.
    pub(crate) fn value_budget(&self, name_len: usize) -> usize {
        self.max_len.saturating_sub(name_len.saturating_add(1))
    }

    /// Characters of the value for `payload_len` bytes after `claims`, under the primary key.
    pub(crate) fn value_len(&self, payload_len: usize, claims: &Claims) -> usize {
        let extra_claims = claims.encoded_len() - format::CLAIMS_BASE_LEN;
        format::sealed_len(
            self.keyring.primary_id().len(),
            payload_len.saturating_add(extra_claims),
        )
    }

    /// Bytes the whole cookie (`name=value`) takes for `payload_len` bytes after `claims`.
    pub(crate) fn cookie_len(&self, payload_len: usize, claims: &Claims) -> usize {
        self.name
            .len()
            .saturating_add(1)
            .saturating_add(self.value_len(payload_len, claims))
    }

    /// `TOO_LARGE` for a cookie of `actual` bytes when that is over `max_len`.
    pub(crate) fn check_len(&self, actual: usize) -> Result<(), Error> {
        if actual > self.max_len {
            return Err(Error::TooLarge {
                actual,
                limit: self.max_len,
            });
        }
        Ok(())
    }

    /// Seals `payload` after `claims`, bound to `chunk`, under a fresh random nonce. The
    /// caller has checked the size.
    pub(crate) fn seal(
        &self,
        payload: &[u8],
        claims: &Claims,
        chunk: ChunkPosition,
    ) -> Result<String, Error> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| Error::RandomFailed)?;
        self.seal_with_nonce(payload, claims, chunk, &nonce)
    }

    pub(crate) fn seal_with_nonce(
        &self,
        payload: &[u8],
        claims: &Claims,
        chunk: ChunkPosition,
        nonce: &[u8; NONCE_LEN],
    ) -> Result<String, Error> {
        check_utf8(payload)?;
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
            return Err(Error::AeadLimit);
        };
        raw.extend_from_slice(&tag);
        Ok(crate::b64::encode(&raw))
    }

    /// Opens a value of any length bound to `chunk`: decode, structure, key id,
    /// authentication, claims, time, UTF-8. Checks run cheapest first.
    pub(crate) fn open(
        &self,
        value: &str,
        now: u64,
        chunk: ChunkPosition,
    ) -> Result<OpenedValue, Error> {
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
        Ok(OpenedValue {
            claims,
            payload: raw,
            key_id,
        })
    }

    fn associated_data(&self, key_id: &str, chunk: ChunkPosition) -> Cow<'_, [u8]> {
        let cached = self.unchunked_aad.iter().find(|(id, _)| id == key_id);
        match cached {
            Some((_, aad)) if chunk == ChunkPosition::default() => Cow::Borrowed(aad),
            _ => Cow::Owned(associated_data(key_id, &self.name, &self.purpose, chunk)),
        }
    }

    fn check_time(&self, claims: &Claims, now: u64) -> Result<(), Error> {
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

fn check_utf8(payload: &[u8]) -> Result<(), Error> {
    core::str::from_utf8(payload)
        .map(|_| ())
        .map_err(|_| Error::Payload("payload is not UTF-8".into()))
}
