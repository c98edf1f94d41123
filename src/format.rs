//! The wire format, version 1. `docs/FORMAT.md` is the full reference; this module is
//! where the bytes are put together, and its constants are the ones the docs quote.
//!
//! ```text
//! value = base64url-without-padding( raw )
//! raw   = version (1) | kid_len (1) | kid (kid_len) | nonce (24) | ciphertext | tag (16)
//!         ciphertext = XAES-256-GCM(key[kid], nonce, plaintext, aad)
//!         plaintext  = claims | payload
//! claims = flags (1) | issued_at (8, BE) | expires_at (8, BE)
//!          [ not_before (8, BE) if flags & 0x01 ] [ session_id (16) if flags & 0x02 ]
//!          [ signed_in_at (8, BE) if flags & 0x04 ] (0x08: remember-me, no bytes)
//!          [ subject_generation (8, BE) | subject_len (1) | subject_id if flags & 0x10 ]
//!          [ validated_at (8, BE) if flags & 0x20, only beside 0x02 and 0x04 ]
//! aad   = "cookie-seal" | version (1) | kid_len (1) | kid | name_len (2, BE) | name
//!         | purpose_len (2, BE) | purpose | chunk_index (1) | chunk_count (1)
//! ```
//!
//! ```
//! use cookie_seal::format::{sealed_len, encoded_len};
//! // A 62-byte payload under a 2-character key id:
//! assert_eq!(sealed_len(2, 62), encoded_len(1 + 1 + 2 + 24 + 17 + 62 + 16));
//! assert_eq!(sealed_len(2, 62), 164);
//! ```

use crate::Error;
use crate::xaes::{NONCE_LEN, TAG_LEN};

/// The format version this build writes (and the only one it reads).
///
/// ```
/// let value = cookie_seal::Sealer::builder(
///     cookie_seal::Keyring::new("k1", cookie_seal::Key::generate()?)?, "s").build()?
///     .seal_bytes_at(b"{}", 0)?;
/// assert_eq!(cookie_seal::format::inspect(&value)?.version, cookie_seal::format::VERSION);
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const VERSION: u8 = 1;
/// Longest key id, in bytes.
///
/// ```
/// use cookie_seal::{Key, Keyring, format::KEY_ID_MAX_LEN};
/// assert!(Keyring::new(&"k".repeat(KEY_ID_MAX_LEN), Key::generate()?).is_ok());
/// assert!(Keyring::new(&"k".repeat(KEY_ID_MAX_LEN + 1), Key::generate()?).is_err());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const KEY_ID_MAX_LEN: usize = 16;
/// Bytes of claims every value carries: flags, issued-at, expires-at.
///
/// ```
/// assert_eq!(cookie_seal::format::CLAIMS_BASE_LEN, 17);
/// ```
pub const CLAIMS_BASE_LEN: usize = 1 + 8 + 8;
/// Bytes of fixed overhead besides the key id and the payload:
/// version, key id length, nonce, base claims and tag.
///
/// ```
/// use cookie_seal::format::{FIXED_OVERHEAD, encoded_len, sealed_len};
/// assert_eq!(sealed_len(2, 100), encoded_len(FIXED_OVERHEAD + 2 + 100));
/// ```
pub const FIXED_OVERHEAD: usize = 1 + 1 + NONCE_LEN + CLAIMS_BASE_LEN + TAG_LEN;
/// What browsers keep of one cookie, name and `=` included (RFC 6265bis §5.6).
///
/// ```
/// use cookie_seal::{Key, Keyring, Sealer, format::BROWSER_COOKIE_LIMIT};
/// let ring = Keyring::new("k1", Key::generate()?)?;
/// assert!(Sealer::builder(ring, "s").max_len(BROWSER_COOKIE_LIMIT + 1).build().is_err());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const BROWSER_COOKIE_LIMIT: usize = 4096;
/// Domain-separation label at the start of the associated data.
///
/// ```
/// assert_eq!(cookie_seal::format::AAD_LABEL, b"cookie-seal");
/// ```
pub const AAD_LABEL: &[u8] = b"cookie-seal";
/// Longest purpose string, in bytes.
///
/// ```
/// use cookie_seal::{Key, Keyring, Sealer, format::PURPOSE_MAX_LEN};
/// let ring = Keyring::new("k1", Key::generate()?)?;
/// assert!(Sealer::builder(ring.clone(), "s").purpose(&"p".repeat(PURPOSE_MAX_LEN)).build().is_ok());
/// assert!(Sealer::builder(ring, "s").purpose(&"p".repeat(PURPOSE_MAX_LEN + 1)).build().is_err());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const PURPOSE_MAX_LEN: usize = 255;

/// Claims flag: an 8-byte not-before time follows expires-at.
pub(crate) const FLAG_NOT_BEFORE: u8 = 0x01;
/// Claims flag: a 16-byte session id follows.
pub(crate) const FLAG_SESSION_ID: u8 = 0x02;
/// Claims flag: the 8-byte sign-in time follows; it survives every re-seal.
pub(crate) const FLAG_SIGNED_IN_AT: u8 = 0x04;
/// Claims flag (no bytes): the user asked to be remembered.
pub(crate) const FLAG_REMEMBER_ME: u8 = 0x08;
/// Claims flag: a subject follows: generation (8, BE), length (1), UTF-8 id.
pub(crate) const FLAG_SUBJECT: u8 = 0x10;
/// Claims flag: the 8-byte time a store last confirmed the session follows the subject.
/// Known only beside [`FLAG_SESSION_ID`] and [`FLAG_SIGNED_IN_AT`]: frozen vectors pin
/// 0x20 on a value without them as unsupported, and a validation means nothing off a session.
pub(crate) const FLAG_VALIDATED_AT: u8 = 0x20;
/// Bit 0x40 is free for a later claim; 0x80 stays reserved so the flags byte can one day
/// announce an extension byte.
const KNOWN_FLAGS: u8 = FLAG_NOT_BEFORE
    | FLAG_SESSION_ID
    | FLAG_SIGNED_IN_AT
    | FLAG_REMEMBER_ME
    | FLAG_SUBJECT
    | FLAG_VALIDATED_AT;
/// The claims [`FLAG_VALIDATED_AT`] needs beside it.
const SESSION_FLAGS: u8 = FLAG_SESSION_ID | FLAG_SIGNED_IN_AT;
/// Bytes of a session id.
///
/// ```
/// assert_eq!(cookie_seal::SessionId::generate()?.as_bytes().len(), cookie_seal::format::SESSION_ID_LEN);
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const SESSION_ID_LEN: usize = 16;
/// Longest subject id, in bytes.
///
/// ```
/// use cookie_seal::{Subject, format::SUBJECT_MAX_LEN};
/// assert!(Subject::new(&"u".repeat(SUBJECT_MAX_LEN), 0).is_ok());
/// assert!(Subject::new(&"u".repeat(SUBJECT_MAX_LEN + 1), 0).is_err());
/// ```
pub const SUBJECT_MAX_LEN: usize = 128;

const _: () = assert!(FIXED_OVERHEAD == 59);
const _: () = assert!(NONCE_LEN == 24 && TAG_LEN == 16);
// The smallest possible cookie must fit the browser limit with room for a real payload.
const _: () = assert!(sealed_len(KEY_ID_MAX_LEN, 0) < BROWSER_COOKIE_LIMIT / 8);

/// Characters of unpadded base64url for `raw_len` bytes.
///
/// ```
/// use cookie_seal::format::encoded_len;
/// assert_eq!([0, 1, 2, 3, 4].map(encoded_len), [0, 2, 3, 4, 6]);
/// ```
pub const fn encoded_len(raw_len: usize) -> usize {
    let tail = match raw_len % 3 {
        0 => 0,
        1 => 2,
        _ => 3,
    };
    (raw_len / 3).saturating_mul(4).saturating_add(tail)
}

/// Characters of the cookie value for a payload of `payload_len` bytes sealed under a key id
/// of `key_id_len` bytes, with the base claims. A pure function of the two lengths, so the
/// size check happens before any encryption. Saturates rather than overflowing.
///
/// ```
/// use cookie_seal::format::sealed_len;
/// assert_eq!(sealed_len(2, 0), 82);
/// assert_eq!(sealed_len(2, 600), 882);
/// assert_eq!(sealed_len(2, usize::MAX), usize::MAX);
/// ```
pub const fn sealed_len(key_id_len: usize, payload_len: usize) -> usize {
    let raw = FIXED_OVERHEAD
        .saturating_add(key_id_len)
        .saturating_add(payload_len);
    if raw == usize::MAX {
        return usize::MAX;
    }
    encoded_len(raw)
}

/// The largest payload whose value fits in `value_budget` characters under a key id of
/// `key_id_len` bytes: the inverse of [`sealed_len`]. `None` if not even an empty one fits.
///
/// ```
/// use cookie_seal::format::{capacity_for, sealed_len};
/// let cap = capacity_for(4096 - "session=".len(), 2).unwrap();
/// assert!(sealed_len(2, cap) <= 4088 && sealed_len(2, cap + 1) > 4088);
/// assert_eq!(capacity_for(10, 2), None);
/// ```
pub const fn capacity_for(value_budget: usize, key_id_len: usize) -> Option<usize> {
    // encoded_len(n) <= b  exactly when  n <= floor(3b / 4).
    let raw_max = (value_budget / 4) * 3 + (value_budget % 4) * 3 / 4;
    raw_max.checked_sub(FIXED_OVERHEAD + key_id_len)
}

pub(crate) fn is_key_id_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Which chunk of how many a value is; `(0, 0)` for an unchunked cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct ChunkPosition {
    pub index: u8,
    pub count: u8,
}

/// The associated data: everything the value is bound to besides the key.
/// Each variable field carries its length, so no two distinct contexts encode the same.
pub(crate) fn associated_data(
    key_id: &str,
    name: &str,
    purpose: &str,
    chunk: ChunkPosition,
) -> Vec<u8> {
    let mut aad =
        Vec::with_capacity(AAD_LABEL.len() + 2 + key_id.len() + 4 + name.len() + purpose.len() + 2);
    aad.extend_from_slice(AAD_LABEL);
    aad.push(VERSION);
    // Lengths were bounded when the keyring and sealer were built (16, 4096, 255).
    aad.push(key_id.len() as u8);
    aad.extend_from_slice(key_id.as_bytes());
    aad.extend_from_slice(&(name.len() as u16).to_be_bytes());
    aad.extend_from_slice(name.as_bytes());
    aad.extend_from_slice(&(purpose.len() as u16).to_be_bytes());
    aad.extend_from_slice(purpose.as_bytes());
    aad.push(chunk.index);
    aad.push(chunk.count);
    aad
}

/// The authenticated claims that travel inside the ciphertext, ahead of the payload.
/// Optional claims are announced by flag bits and written in flag-bit order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Claims {
    pub issued_at: u64,
    pub expires_at: u64,
    pub not_before: Option<u64>,
    pub session_id: Option<[u8; SESSION_ID_LEN]>,
    pub signed_in_at: Option<u64>,
    pub remember_me: bool,
    /// Subject id (1 to [`SUBJECT_MAX_LEN`] bytes of UTF-8) and its generation.
    pub subject: Option<(String, u64)>,
    /// When a store last confirmed the session; only written on a session.
    pub validated_at: Option<u64>,
}

impl Claims {
    pub(crate) fn encoded_len(&self) -> usize {
        CLAIMS_BASE_LEN
            + self.not_before.map_or(0, |_| 8)
            + self.session_id.map_or(0, |_| SESSION_ID_LEN)
            + self.signed_in_at.map_or(0, |_| 8)
            + self.subject.as_ref().map_or(0, |(id, _)| 8 + 1 + id.len())
            + self.validated_at.map_or(0, |_| 8)
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        let flags = [
            (self.not_before.is_some(), FLAG_NOT_BEFORE),
            (self.session_id.is_some(), FLAG_SESSION_ID),
            (self.signed_in_at.is_some(), FLAG_SIGNED_IN_AT),
            (self.remember_me, FLAG_REMEMBER_ME),
            (self.subject.is_some(), FLAG_SUBJECT),
            (self.validated_at.is_some(), FLAG_VALIDATED_AT),
        ]
        .iter()
        .filter(|(set, _)| *set)
        .fold(0, |acc, (_, bit)| acc | bit);
        out.push(flags);
        out.extend_from_slice(&self.issued_at.to_be_bytes());
        out.extend_from_slice(&self.expires_at.to_be_bytes());
        if let Some(nbf) = self.not_before {
            out.extend_from_slice(&nbf.to_be_bytes());
        }
        if let Some(sid) = self.session_id {
            out.extend_from_slice(&sid);
        }
        if let Some(t) = self.signed_in_at {
            out.extend_from_slice(&t.to_be_bytes());
        }
        if let Some((id, generation)) = &self.subject {
            out.extend_from_slice(&generation.to_be_bytes());
            // Bounded by SUBJECT_MAX_LEN when the session was made.
            out.push(id.len() as u8);
            out.extend_from_slice(id.as_bytes());
        }
        if let Some(t) = self.validated_at {
            out.extend_from_slice(&t.to_be_bytes());
        }
    }

    /// Splits authenticated plaintext into claims and payload.
    pub(crate) fn read(plaintext: &[u8]) -> Result<(Claims, &[u8]), Error> {
        let mut r = Reader(plaintext);
        let [flags] = r.take::<1>()?;
        let lone_validation =
            flags & FLAG_VALIDATED_AT != 0 && flags & SESSION_FLAGS != SESSION_FLAGS;
        if flags & !KNOWN_FLAGS != 0 || lone_validation {
            // Authentic, so written by a newer cookie-seal with claims this build cannot honour.
            return Err(Error::UnsupportedClaims(flags));
        }
        let has = |bit: u8| flags & bit != 0;
        let mut claims = Claims {
            issued_at: r.u64()?,
            expires_at: r.u64()?,
            remember_me: has(FLAG_REMEMBER_ME),
            ..Claims::default()
        };
        if has(FLAG_NOT_BEFORE) {
            claims.not_before = Some(r.u64()?);
        }
        if has(FLAG_SESSION_ID) {
            claims.session_id = Some(r.take()?);
        }
        if has(FLAG_SIGNED_IN_AT) {
            claims.signed_in_at = Some(r.u64()?);
        }
        if has(FLAG_SUBJECT) {
            let generation = r.u64()?;
            let [len] = r.take::<1>()?;
            let id = r.bytes(len as usize)?;
            let id =
                core::str::from_utf8(id).map_err(|_| Error::Malformed("subject is not UTF-8"))?;
            if id.is_empty() || id.len() > SUBJECT_MAX_LEN {
                return Err(Error::Malformed("subject length out of range"));
            }
            claims.subject = Some((id.to_owned(), generation));
        }
        if has(FLAG_VALIDATED_AT) {
            claims.validated_at = Some(r.u64()?);
        }
        Ok((claims, r.0))
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let (head, rest) = self
            .0
            .split_first_chunk::<N>()
            .ok_or(Error::Malformed("claims truncated"))?;
        self.0 = rest;
        Ok(*head)
    }

    fn u64(&mut self) -> Result<u64, Error> {
        self.take().map(u64::from_be_bytes)
    }

    fn bytes(&mut self, n: usize) -> Result<&[u8], Error> {
        if self.0.len() < n {
            return Err(Error::Malformed("claims truncated"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
}

/// The public fields of a decoded value, borrowed from the raw bytes.
pub(crate) struct Envelope<'a> {
    pub key_id: &'a str,
    pub nonce: [u8; NONCE_LEN],
    /// Offset of the ciphertext within the raw bytes.
    pub body_start: usize,
    pub tag: [u8; TAG_LEN],
}

/// Reads the cleartext fields of a decoded value, checking structure only.
pub(crate) fn parse_envelope(raw: &[u8]) -> Result<Envelope<'_>, Error> {
    let (&version, rest) = raw.split_first().ok_or(Error::Malformed("empty value"))?;
    if version != VERSION {
        return Err(Error::UnsupportedVersion(version));
    }
    let (&kid_len, rest) = rest.split_first().ok_or(Error::Malformed("truncated"))?;
    let kid_len = kid_len as usize;
    if kid_len == 0 || kid_len > KEY_ID_MAX_LEN {
        return Err(Error::Malformed("key id length out of range"));
    }
    if rest.len() < kid_len + NONCE_LEN + CLAIMS_BASE_LEN + TAG_LEN {
        return Err(Error::Malformed("truncated"));
    }
    let kid = &rest[..kid_len];
    if !kid.iter().copied().all(is_key_id_byte) {
        return Err(Error::Malformed(
            "key id has characters outside A-Z a-z 0-9 _ -",
        ));
    }
    // Checked above: every byte is ASCII.
    let key_id = core::str::from_utf8(kid).map_err(|_| Error::Malformed("key id"))?;
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&rest[kid_len..kid_len + NONCE_LEN]);
    let mut tag = [0u8; TAG_LEN];
    tag.copy_from_slice(&raw[raw.len() - TAG_LEN..]);
    Ok(Envelope {
        key_id,
        nonce,
        body_start: 2 + kid_len + NONCE_LEN,
        tag,
    })
}

/// What anyone can read from a value without its key: the cleartext fields and sizes.
///
/// ```
/// use cookie_seal::{Key, Keyring, Sealer, format};
/// let sealer = Sealer::builder(Keyring::new("k7", Key::generate()?)?, "sid").build()?;
/// let value = sealer.seal_bytes_at(b"{}", 1_700_000_000)?;
/// let info = format::inspect(&value)?;
/// assert_eq!((info.version, info.key_id.as_str()), (1, "k7"));
/// assert_eq!(info.value_len, value.len());
/// // Claims (17 bytes here) and payload are encrypted together: only their sum shows.
/// assert_eq!(info.encrypted_len, 17 + 2);
/// assert_eq!(format::inspect("!!").unwrap_err().code(), "MALFORMED");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Inspection {
    /// Format version byte.
    pub version: u8,
    /// Id of the key it was sealed under.
    pub key_id: String,
    /// Characters of the value.
    pub value_len: usize,
    /// Bytes after base64url decoding.
    pub raw_len: usize,
    /// Bytes of encrypted claims plus payload.
    pub encrypted_len: usize,
}

/// Reads the cleartext fields of a value without a key. Refuses values over 64 KiB.
/// See [`Inspection`].
///
/// ```
/// assert_eq!(cookie_seal::format::inspect(&"A".repeat(70_000)).unwrap_err().code(), "TOO_LARGE");
/// assert_eq!(cookie_seal::format::inspect("AAAA").unwrap_err().code(), "UNSUPPORTED_VERSION");
/// ```
pub fn inspect(value: &str) -> Result<Inspection, Error> {
    const LIMIT: usize = 64 * 1024;
    if value.len() > LIMIT {
        return Err(Error::TooLarge {
            actual: value.len(),
            limit: LIMIT,
        });
    }
    let raw = decode(value)?;
    let envelope = parse_envelope(&raw)?;
    Ok(Inspection {
        version: VERSION,
        key_id: envelope.key_id.to_owned(),
        value_len: value.len(),
        raw_len: raw.len(),
        encrypted_len: raw.len() - envelope.body_start - TAG_LEN,
    })
}

/// Canonical unpadded base64url, the only encoding a value may use.
pub(crate) fn decode(value: &str) -> Result<Vec<u8>, Error> {
    crate::b64::decode(value).ok_or(Error::Malformed("not canonical unpadded base64url"))
}
