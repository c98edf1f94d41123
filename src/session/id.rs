//! Session identity: the id and the subject. A leaf module: revocation and the lifecycle
//! both build on it, and it depends on neither.

use std::fmt;

use crate::Error;
use crate::format::{SESSION_ID_LEN, SUBJECT_MAX_LEN};

/// A random 128-bit session id: fresh at sign-in and at every privilege change, kept
/// across ordinary renewals. Shown as 22 characters of base64url.
///
/// ```
/// use cookie_seal::SessionId;
/// let id = SessionId::generate()?;
/// assert_eq!(id.to_string().len(), 22);
/// assert_eq!(id.to_string().parse::<SessionId>()?, id);
/// assert_ne!(SessionId::generate()?, id);
/// assert_eq!("short".parse::<SessionId>().unwrap_err().code(), "MALFORMED");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionId(pub(crate) [u8; SESSION_ID_LEN]);

impl SessionId {
    /// A new random id.
    ///
    /// ```
    /// assert!(cookie_seal::SessionId::generate().is_ok());
    /// ```
    pub fn generate() -> Result<SessionId, Error> {
        let mut bytes = [0u8; SESSION_ID_LEN];
        getrandom::fill(&mut bytes).map_err(|_| Error::RandomFailed)?;
        Ok(SessionId(bytes))
    }

    /// The 16 bytes.
    ///
    /// ```
    /// assert_eq!(cookie_seal::SessionId::generate()?.as_bytes().len(), 16);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8; SESSION_ID_LEN] {
        &self.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::b64::encode(&self.0))
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({self})")
    }
}

impl std::str::FromStr for SessionId {
    type Err = Error;
    fn from_str(text: &str) -> Result<SessionId, Error> {
        if text.len() != 22 {
            return Err(Error::Malformed("a session id is 22 base64url characters"));
        }
        let bytes = crate::format::decode(text)?;
        bytes
            .try_into()
            .map(SessionId)
            .map_err(|_| Error::Malformed("session id length"))
    }
}

/// Who a session belongs to, for revocation: an application id (1 to 128 bytes) and a
/// generation the application bumps to sign that subject out everywhere.
///
/// ```
/// let s = cookie_seal::Subject::new("user-42", 3)?;
/// assert_eq!((s.id.as_str(), s.generation), ("user-42", 3));
/// assert_eq!(cookie_seal::Subject::new("", 0).unwrap_err().code(), "INVALID_OPTION");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The application's id for the user (or device, or API client).
    pub id: String,
    /// Sessions sealed with a lower generation than the revoked one are refused.
    pub generation: u64,
}

impl Subject {
    /// Checks the id's length.
    ///
    /// ```
    /// assert!(cookie_seal::Subject::new(&"x".repeat(129), 0).is_err());
    /// ```
    pub fn new(id: &str, generation: u64) -> Result<Subject, Error> {
        if id.is_empty() || id.len() > SUBJECT_MAX_LEN {
            return Err(Error::InvalidOption(format!(
                "subject id must be 1 to {SUBJECT_MAX_LEN} bytes"
            )));
        }
        Ok(Subject {
            id: id.to_owned(),
            generation,
        })
    }
}
