//! Keys and keyrings: where secret bytes live, and the only place that touches them.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::Error;
use crate::format::{KEY_ID_MAX_LEN, is_key_id_byte};
use crate::xaes::{KEY_LEN, XaesKey};

/// Most keys one keyring holds. Opening looks a key up by id among these, so the bound keeps
/// that lookup (and a hostile keyring string) cheap.
///
/// ```
/// use cookie_seal::{Key, Keyring, limits::MAX_KEYS};
/// let mut ring = Keyring::new("k0", Key::generate()?)?;
/// for i in 1..MAX_KEYS {
///     ring = ring.with_key(&format!("k{i}"), Key::generate()?)?;
/// }
/// assert_eq!(ring.with_key("one-more", Key::generate()?).unwrap_err().code(), "INVALID_KEY");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub const MAX_KEYS: usize = 32;

/// A 256-bit XAES-256-GCM key.
///
/// Its bytes never appear in `Debug` output, are wiped from memory when the key is dropped,
/// and are compared in constant time.
///
/// ```
/// use cookie_seal::Key;
///
/// let key = Key::generate()?;
/// let text = key.to_base64url();          // 43 characters, store it as a secret
/// assert_eq!(Key::from_base64url(&text)?, key);
/// assert!(!format!("{key:?}").contains(&text));
///
/// // The failure path says what was wrong, never what the bytes were.
/// let err = Key::from_bytes(&[7u8; 16]).unwrap_err();
/// assert_eq!(err.code(), "INVALID_KEY");
/// assert!(err.to_string().contains("got 16"));
/// # Ok::<(), cookie_seal::Error>(())
/// ```
pub struct Key {
    // On the heap and written in place: a key array on the stack would be copied by every
    // move, and the copies left behind are never wiped (in wasm, linear memory the host
    // can read long after `free()`).
    bytes: Box<Zeroizing<[u8; KEY_LEN]>>,
    // The key schedule is the key in another form: boxed too, so moving a Key (or the
    // keyring's Vec growing) copies a pointer, never the round keys.
    pub(crate) xaes: Box<XaesKey>,
}

impl Key {
    /// A new random key from the operating system's generator (`crypto.getRandomValues` in
    /// wasm). Fails with [`Error::RandomFailed`] rather than ever returning a weak key.
    ///
    /// ```
    /// let a = cookie_seal::Key::generate()?;
    /// let b = cookie_seal::Key::generate()?;
    /// assert_ne!(a, b);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn generate() -> Result<Key, Error> {
        let mut bytes = Box::new(Zeroizing::new([0u8; KEY_LEN]));
        getrandom::fill(bytes.as_mut_slice()).map_err(|_| Error::RandomFailed)?;
        Ok(Key::from_box(bytes))
    }

    /// A key from exactly 32 bytes.
    ///
    /// ```
    /// use cookie_seal::Key;
    /// assert!(Key::from_bytes(&[1u8; 32]).is_ok());
    /// let err = Key::from_bytes(&[1u8; 31]).unwrap_err();
    /// assert_eq!(err.to_string(), "invalid key: expected 32 bytes, got 31");
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Key, Error> {
        if bytes.len() != KEY_LEN {
            return Err(Error::InvalidKey(format!(
                "expected {KEY_LEN} bytes, got {}",
                bytes.len()
            )));
        }
        let mut copy = Box::new(Zeroizing::new([0u8; KEY_LEN]));
        copy.copy_from_slice(bytes);
        Ok(Key::from_box(copy))
    }

    /// A key from its unpadded base64url text (43 characters), as [`Key::to_base64url`]
    /// writes it. Only the canonical form is accepted.
    ///
    /// ```
    /// use cookie_seal::Key;
    /// let text = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE";
    /// assert_eq!(Key::from_base64url(text)?.to_base64url(), text);
    /// assert_eq!(Key::from_base64url("AQEB").unwrap_err().code(), "INVALID_KEY");
    /// assert_eq!(Key::from_base64url("not base64!").unwrap_err().code(), "INVALID_KEY");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn from_base64url(text: &str) -> Result<Key, Error> {
        // 32 bytes are 43 characters; refusing anything longer first bounds the decode.
        if text.len() > 64 {
            return Err(Error::InvalidKey(format!(
                "expected 43 base64url characters, got {}",
                text.len()
            )));
        }
        let bytes = Zeroizing::new(
            crate::b64::decode(text)
                .ok_or_else(|| Error::InvalidKey("not canonical unpadded base64url".into()))?,
        );
        Key::from_bytes(&bytes)
    }

    /// The key as unpadded base64url, for storing in a secret manager or environment variable.
    ///
    /// ```
    /// let key = cookie_seal::Key::from_bytes(&[0u8; 32])?;
    /// assert_eq!(key.to_base64url(), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn to_base64url(&self) -> String {
        crate::b64::encode(self.bytes.as_slice())
    }

    fn from_box(bytes: Box<Zeroizing<[u8; KEY_LEN]>>) -> Key {
        let xaes = XaesKey::new(&bytes);
        Key { bytes, xaes }
    }
}

impl Clone for Key {
    fn clone(&self) -> Key {
        // Through from_box, so the copy is made on the heap too (no array on the stack).
        let mut bytes = Box::new(Zeroizing::new([0u8; KEY_LEN]));
        bytes.copy_from_slice(self.bytes.as_slice());
        Key::from_box(bytes)
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.bytes.as_slice().ct_eq(other.bytes.as_slice()).into()
    }
}

impl Eq for Key {}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(***)")
    }
}

/// The keys a sealer may use, each under a short public id. The first key is the primary:
/// it seals. The others only open, so keys can be rotated without logging anybody out.
///
/// Key ids are 1 to 16 characters from `[A-Za-z0-9_-]`; they travel in the clear in every
/// cookie, and opening looks the id up exactly (there is never trial decryption).
///
/// ```
/// use cookie_seal::{Key, Keyring};
///
/// // Usually from an environment variable: "new:BASE64URL,old:BASE64URL".
/// let old = Key::generate()?;
/// let ring = Keyring::new("new", Key::generate()?)?.with_key("old", old)?;
/// assert_eq!(ring.primary_id(), "new");
/// assert_eq!(ring.ids().collect::<Vec<_>>(), ["new", "old"]);
///
/// // Ids are checked, and duplicates refused.
/// assert_eq!(Keyring::new("has space", Key::generate()?).unwrap_err().code(), "INVALID_KEY");
/// assert!(ring.with_key("new", Key::generate()?).is_err());
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Clone)]
pub struct Keyring {
    entries: Vec<(String, Key)>,
}

impl Keyring {
    /// A keyring whose primary (sealing) key is `key`, under the id `id`.
    ///
    /// ```
    /// use cookie_seal::{Key, Keyring};
    /// let ring = Keyring::new("2026-11", Key::generate()?)?;
    /// assert_eq!(ring.primary_id(), "2026-11");
    /// assert!(Keyring::new("", Key::generate()?).is_err());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn new(id: &str, key: Key) -> Result<Keyring, Error> {
        check_key_id(id)?;
        Ok(Keyring {
            entries: vec![(id.to_owned(), key)],
        })
    }

    /// Adds a key that opens cookies but never seals them (a previous primary, typically).
    ///
    /// ```
    /// use cookie_seal::{Key, Keyring};
    /// let ring = Keyring::new("k2", Key::generate()?)?.with_key("k1", Key::generate()?)?;
    /// assert_eq!(ring.primary_id(), "k2");
    /// let err = ring.with_key("k1", Key::generate()?).unwrap_err();
    /// assert_eq!(err.to_string(), r#"invalid key: duplicate key id "k1""#);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn with_key(mut self, id: &str, key: Key) -> Result<Keyring, Error> {
        check_key_id(id)?;
        if self.get(id).is_some() {
            // Checked above, so quoting by hand is what `{id:?}` would print (see Error's
            // Display for why not Debug).
            return Err(Error::InvalidKey(format!("duplicate key id \"{id}\"")));
        }
        if self.entries.len() >= MAX_KEYS {
            return Err(Error::InvalidKey(format!("more than {MAX_KEYS} keys")));
        }
        self.entries.push((id.to_owned(), key));
        Ok(self)
    }

    /// Reads `id:base64url` pairs separated by commas; the first pair is the primary.
    /// Whitespace around a pair is ignored, so a value split over lines still reads.
    ///
    /// ```
    /// use cookie_seal::{Key, Keyring};
    /// let (k2, k1) = (Key::generate()?, Key::generate()?);
    /// let text = format!("k2:{},k1:{}", k2.to_base64url(), k1.to_base64url());
    /// let ring = Keyring::parse(&text)?;
    /// assert_eq!(ring.primary_id(), "k2");
    ///
    /// assert_eq!(Keyring::parse("").unwrap_err().code(), "INVALID_KEY");
    /// assert_eq!(Keyring::parse("k1").unwrap_err().code(), "INVALID_KEY");
    /// assert_eq!(Keyring::parse("k1:short").unwrap_err().code(), "INVALID_KEY");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<Keyring, Error> {
        let mut ring: Option<Keyring> = None;
        for (n, pair) in text.split(',').enumerate() {
            if n >= MAX_KEYS {
                return Err(Error::InvalidKey(format!("more than {MAX_KEYS} keys")));
            }
            let pair = pair.trim();
            let Some((id, key)) = pair.split_once(':') else {
                return Err(Error::InvalidKey(format!(
                    "entry {} is not of the form id:base64url",
                    n + 1
                )));
            };
            check_key_id(id)?;
            let key = Key::from_base64url(key).map_err(|err| match err {
                Error::InvalidKey(why) => Error::InvalidKey(format!("key \"{id}\": {why}")),
                other => other,
            })?;
            ring = Some(match ring {
                None => Keyring::new(id, key)?,
                Some(ring) => ring.with_key(id, key)?,
            });
        }
        ring.ok_or_else(|| Error::InvalidKey("no keys".into()))
    }

    /// The id of the key that seals.
    ///
    /// ```
    /// use cookie_seal::{Key, Keyring};
    /// assert_eq!(Keyring::new("a", Key::generate()?)?.primary_id(), "a");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn primary_id(&self) -> &str {
        &self.entries[0].0
    }

    /// Every key id, primary first.
    ///
    /// ```
    /// use cookie_seal::{Key, Keyring};
    /// let ring = Keyring::new("a", Key::generate()?)?.with_key("b", Key::generate()?)?;
    /// assert_eq!(ring.ids().collect::<Vec<_>>(), ["a", "b"]);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(id, _)| id.as_str())
    }

    pub(crate) fn primary(&self) -> (&str, &Key) {
        let (id, key) = &self.entries[0];
        (id, key)
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Key> {
        self.entries
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, key)| key)
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("ids", &self.ids().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

fn check_key_id(id: &str) -> Result<(), Error> {
    if id.is_empty() || id.len() > KEY_ID_MAX_LEN || !id.bytes().all(is_key_id_byte) {
        // The id is not echoed: a key pasted into the id position must not reach a log.
        return Err(Error::InvalidKey(format!(
            "key id must be 1 to {KEY_ID_MAX_LEN} characters from A-Z a-z 0-9 _ -, got {} bytes",
            id.len()
        )));
    }
    Ok(())
}
