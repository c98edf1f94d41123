//! The session lifecycle on top of the sealing engine: sign-in, reading the `Cookie`
//! header, sliding and absolute expiry, remember-me, chunking, revocation, and the
//! `Set-Cookie` headers for each step.
//!
//! `id.rs` (who a session is) is a leaf; `revocation.rs` builds on it alone; `types.rs`,
//! `lifetimes.rs` and `chunks.rs` hold the parts this file and the reader combine;
//! `state.rs` what a built manager holds, so that the builder, the reader and this file
//! all depend on it and not on each other.

mod builder;
mod chunks;
mod id;
mod lifetimes;
mod reader;
mod revocation;
mod state;
mod types;

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

pub use builder::SessionManagerBuilder;
pub use id::{SessionId, Subject};
pub use reader::{Candidate, SessionReader};
pub use revocation::{Revocation, SessionInfo};
pub use types::{ResealReason, Session, SignIn};

use crate::Error;
use crate::clock::now;
use crate::format::{ChunkPosition, Claims, SESSION_ID_LEN, capacity_for};
pub use state::SessionManager;

impl SessionManager {
    /// Starts a manager for the cookie `cookie_name` (use a `__Host-` name in production).
    ///
    /// ```
    /// use cookie_seal::{Key, Keyring, SessionManager};
    /// let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// assert_eq!(manager.cookie_name(), "__Host-s");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn builder(keyring: crate::Keyring, cookie_name: &str) -> SessionManagerBuilder {
        SessionManagerBuilder::new(keyring, cookie_name)
    }

    /// The session cookie's name (chunks are `name.0`, `name.1`, …).
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// assert_eq!(m.cookie_name(), "__Host-s");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn cookie_name(&self) -> &str {
        self.inner.codec.name()
    }

    /// The longest a session can live after sign-in (the larger absolute lifetime), for
    /// sizing revocation storage.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// assert_eq!(m.longest_session().as_secs(), 30 * 86_400);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn longest_session(&self) -> Duration {
        Duration::from_secs(self.inner.lifetimes.longest())
    }

    /// The largest payload (bytes of JSON) one cookie holds for a session with no subject
    /// and no `validated_at` claim. A subject costs 9 bytes plus its id; the validation time
    /// that [`StoredSessions`](crate::store::StoredSessions) writes when it has a revalidation
    /// window costs 8 (only when present). With chunking, about `max_chunks` times as much fits.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-session").build()?;
    /// assert_eq!(m.capacity(), 2_975);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn capacity(&self) -> usize {
        let session_claims = SESSION_ID_LEN + 8; // id and sign-in time
        let codec = &self.inner.codec;
        let budget = codec.value_budget(self.cookie_name().len());
        capacity_for(budget, codec.keyring().primary_id().len())
            .map_or(0, |cap| cap.saturating_sub(session_claims))
    }

    /// Starts a session at sign-in: a fresh random id, the sign-in time, remember-me and
    /// subject from `options`. Nothing is sealed until [`set_cookies_at`](Self::set_cookies_at).
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, SignIn};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let s = m.sign_in("ada", SignIn::default().remember_me(true), 1_000)?;
    /// assert!(s.remember_me);
    /// assert_eq!(s.absolute_expires_at, 1_000 + 30 * 86_400);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn sign_in<T>(&self, data: T, options: SignIn, now: u64) -> Result<Session<T>, Error> {
        let lifetimes = &self.inner.lifetimes;
        let remember_me = options.remember_me;
        Ok(Session {
            data,
            id: SessionId::generate()?,
            subject: options.subject,
            signed_in_at: now,
            issued_at: now,
            expires_at: lifetimes.idle_deadline(now, now, remember_me),
            absolute_expires_at: lifetimes.absolute_deadline(now, remember_me),
            remember_me,
            validated_at: None,
            key_id: String::new(),
            reseal: Some(ResealReason::NewId),
            present: Vec::new(),
        })
    }

    /// [`read_at`](Self::read_at) with the system clock.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// assert!(m.read::<u32>("other=1")?.is_none());
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn read<T: DeserializeOwned>(
        &self,
        cookie_header: &str,
    ) -> Result<Option<Session<T>>, Error> {
        self.read_at(cookie_header, now()?)
    }

    /// Finds the session in a `Cookie` request header and opens it. `Ok(None)` when the
    /// header has no session cookie; an error when one is there but does not open (treat
    /// the user as signed out, and send [`clear_cookies`](Self::clear_cookies)).
    ///
    /// Several cookies of the session's name (cookie tossing) are tried in order, at most
    /// three; names are case-sensitive.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// assert!(m.read_at::<u32>("", 1_000)?.is_none());
    /// assert!(m.read_at::<u32>("__host-s=abc", 1_000)?.is_none()); // another name
    /// assert_eq!(m.read_at::<u32>("__Host-s=%%", 1_000).unwrap_err().code(), "MALFORMED");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn read_at<T: DeserializeOwned>(
        &self,
        cookie_header: &str,
        now: u64,
    ) -> Result<Option<Session<T>>, Error> {
        self.read_bytes_at(cookie_header, now)?
            .map(Session::into_json)
            .transpose()
    }

    /// [`read_at`](Self::read_at) without JSON: the payload as bytes.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, SignIn};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let s = m.sign_in(b"{}".to_vec(), SignIn::default(), 1_000)?;
    /// let cookie = m.set_cookies_bytes_at(&s, 1_000)?[0].split(';').next().unwrap().to_owned();
    /// assert_eq!(m.read_bytes_at(&cookie, 1_000)?.unwrap().data, b"{}");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn read_bytes_at(
        &self,
        cookie_header: &str,
        now: u64,
    ) -> Result<Option<Session<Vec<u8>>>, Error> {
        let mut reader = self.reader(cookie_header, now)?;
        let read = match reader.next_candidate() {
            Some(candidate) => Ok(Some(candidate.accept())),
            None => reader.finish(),
        };
        if let Err(err) = &read {
            crate::event::emit(self.inner.hook.as_ref(), || {
                crate::event::SessionEvent::Refused {
                    code: err.code(),
                    message: err.to_string(),
                }
            });
        }
        read
    }

    /// The session candidates of a `Cookie` header, for a caller that checks each one itself
    /// before accepting it, such as an asynchronous revocation store; see [`SessionReader`].
    /// [`read_bytes_at`](Self::read_bytes_at) is this reader, accepting the first candidate.
    /// Fails only for a header over
    /// [`MAX_COOKIE_HEADER_LEN`](crate::limits::MAX_COOKIE_HEADER_LEN) (`TOO_LARGE`).
    ///
    /// ```
    /// # use cookie_seal::{Error, Key, Keyring, SessionManager, SignIn};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let s = m.sign_in(b"{}".to_vec(), SignIn::default(), 1_000)?;
    /// let cookie = m.set_cookies_bytes_at(&s, 1_000)?[0].split(';').next().unwrap().to_owned();
    /// let revoked_here = [s.id]; // e.g. fetched for this request
    /// let mut reader = m.reader(&cookie, 1_000)?;
    /// while let Some(candidate) = reader.next_candidate() {
    ///     if revoked_here.contains(candidate.info().id) {
    ///         reader.reject(candidate, Error::Revoked);
    ///     } else {
    ///         unreachable!("the only candidate is revoked");
    ///     }
    /// }
    /// assert_eq!(reader.finish::<()>().unwrap_err().code(), "REVOKED");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn reader(&self, cookie_header: &str, now: u64) -> Result<SessionReader, Error> {
        SessionReader::new(self, cookie_header, now)
    }

    /// [`set_cookies_at`](Self::set_cookies_at) with the system clock.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, SignIn};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    /// let s = m.sign_in(1, SignIn::default(), now)?;
    /// assert_eq!(m.set_cookies(&s)?.len(), 1);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn set_cookies<T: Serialize>(&self, session: &Session<T>) -> Result<Vec<String>, Error> {
        self.set_cookies_at(session, now()?)
    }

    /// Seals the session as of `now` and returns the `Set-Cookie` header values: one per
    /// cookie written, plus deletions of cookies the request had that this write no longer
    /// uses. The idle deadline moves to `now + idle timeout`, never past the absolute one.
    /// Whatever reads at `now` can be written at `now` (up to the absolute deadline plus the
    /// leeway); a sign-in time later than `now` plus the leeway is `INVALID_OPTION`.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, SignIn};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let s = m.sign_in(serde_json::json!({"uid": 1}), SignIn::default().remember_me(true), 1_000)?;
    /// let headers = m.set_cookies_at(&s, 1_000)?;
    /// assert!(headers[0].starts_with("__Host-s="));
    /// assert!(headers[0].contains("; Max-Age=1209600;")); // 14 days: a persistent cookie
    ///
    /// // Past the absolute lifetime (and the leeway) there is nothing left to write.
    /// let err = m.set_cookies_at(&s, 1_000 + 31 * 86_400).unwrap_err();
    /// assert_eq!(err.code(), "EXPIRED");
    ///
    /// // A sign-in time from the future is not trusted: it would move the absolute deadline.
    /// let mut forged = s;
    /// forged.signed_in_at = 1_000 + 86_400;
    /// assert_eq!(m.set_cookies_at(&forged, 1_000).unwrap_err().code(), "INVALID_OPTION");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn set_cookies_at<T: Serialize>(
        &self,
        session: &Session<T>,
        now: u64,
    ) -> Result<Vec<String>, Error> {
        let json = Zeroizing::new(
            serde_json::to_vec(&session.data).map_err(|err| Error::Payload(err.to_string()))?,
        );
        self.write(session, &json, now)
    }

    /// [`set_cookies_at`](Self::set_cookies_at) for a payload that is already JSON bytes.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, SignIn};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").build()?;
    /// let s = m.sign_in(br#"{"a":1}"#.to_vec(), SignIn::default(), 1_000)?;
    /// assert_eq!(m.set_cookies_bytes_at(&s, 1_000)?.len(), 1);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn set_cookies_bytes_at(
        &self,
        session: &Session<Vec<u8>>,
        now: u64,
    ) -> Result<Vec<String>, Error> {
        self.write(session, &session.data, now)
    }

    /// `Set-Cookie` values that delete the session: the cookie and every possible chunk.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "__Host-s").max_chunks(3).build()?;
    /// let headers = m.clear_cookies();
    /// assert_eq!(headers.len(), 4);
    /// assert_eq!(headers[3], "__Host-s.2=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn clear_cookies(&self) -> Vec<String> {
        let inner = &self.inner;
        chunks::writable_names(self.cookie_name(), inner.max_chunks)
            .iter()
            .map(|n| inner.cookie.expire(n))
            .collect()
    }

    /// A `Set-Cookie` of another cookie (the remember-me token's) with this manager's
    /// attributes.
    pub(crate) fn companion_cookie(&self, name: &str, value: &str, max_age: u64) -> String {
        self.inner.cookie.set_cookie(name, value, Some(max_age))
    }

    /// Whether this manager's cookies carry `Secure` (all but development mode's), for the
    /// integrations' other cookies to follow. Only they ask, and they are not in the wasm
    /// build.
    #[cfg(any(feature = "axum", feature = "actix"))]
    pub(crate) fn is_secure(&self) -> bool {
        self.inner.cookie.secure
    }

    /// The hook set with [`SessionManagerBuilder::on_event`], if any.
    pub(crate) fn event_hook(&self) -> Option<&crate::event::EventHook> {
        self.inner.hook.as_ref()
    }

    /// Refuses a companion cookie name these attributes do not allow (`__Host-` rules).
    pub(crate) fn check_companion_name(&self, name: &str) -> Result<(), Error> {
        self.inner.cookie.check(name)
    }

    fn write<T>(
        &self,
        session: &Session<T>,
        payload: &[u8],
        now: u64,
    ) -> Result<Vec<String>, Error> {
        let inner = &self.inner;
        let (codec, lifetimes) = (&inner.codec, &inner.lifetimes);
        let leeway = codec.leeway();
        // The session's fields are public, and a JavaScript session is a plain object: a
        // sign-in time from the future would move the absolute deadline forward.
        if session.signed_in_at > now.saturating_add(leeway) {
            return Err(Error::InvalidOption(
                "the session's sign-in time is later than now (beyond the leeway)".into(),
            ));
        }
        let absolute_expires_at =
            lifetimes.absolute_deadline(session.signed_in_at, session.remember_me);
        // The reader's own bound, so a session that reads as valid can always be written.
        if now > absolute_expires_at.saturating_add(leeway) {
            return Err(Error::Expired {
                expires_at: absolute_expires_at,
            });
        }
        if let Some(subject) = &session.subject {
            // Subject's fields are public: re-check what Subject::new checked.
            Subject::new(&subject.id, subject.generation)?;
        }
        // Never before the sign-in time, which may be up to the leeway ahead of `now`.
        let issued_at = now.max(session.signed_in_at);
        // The reader's bound on the value written: a validation from the future would let a
        // store's window trust the cookie longer than anyone checked it.
        if session
            .validated_at
            .is_some_and(|v| v > issued_at.saturating_add(leeway))
        {
            return Err(Error::InvalidOption(
                "the session's validation time is later than now (beyond the leeway)".into(),
            ));
        }
        // Past the absolute deadline (inside the leeway) this is already in the past: the
        // value opens only for what is left of the leeway.
        let expires_at = lifetimes.idle_deadline(now, session.signed_in_at, session.remember_me);
        let claims = Claims {
            issued_at,
            expires_at,
            not_before: None,
            session_id: Some(session.id.0),
            signed_in_at: Some(session.signed_in_at),
            remember_me: session.remember_me,
            subject: session
                .subject
                .as_ref()
                .map(|s| (s.id.clone(), s.generation)),
            validated_at: session.validated_at,
        };
        let max_age = session.remember_me.then(|| expires_at.saturating_sub(now));
        let name = self.cookie_name();
        let value_len = codec.value_len(payload.len(), &claims);

        let written = if value_len <= codec.value_budget(name.len()) {
            let value = codec.seal(payload, &claims, ChunkPosition::default())?;
            vec![(name.to_owned(), value)]
        } else {
            let max_len = codec.max_len();
            if inner.max_chunks <= 1 {
                return Err(Error::TooLarge {
                    actual: name.len() + 1 + value_len,
                    limit: max_len,
                });
            }
            let count = chunks::count_needed(name.len(), max_len, value_len);
            if count > inner.max_chunks {
                return Err(Error::TooManyChunks {
                    needed: count,
                    max: inner.max_chunks,
                });
            }
            // At most MAX_CHUNKS_LIMIT.
            let position = ChunkPosition {
                index: 0,
                count: count as u8,
            };
            let value = codec.seal(payload, &claims, position)?;
            chunks::split(name, max_len, &value, count)
        };

        let mut headers: Vec<String> = written
            .iter()
            .map(|(n, v)| inner.cookie.set_cookie(n, v, max_age))
            .collect();
        // A session that never came from a request (fresh from sign_in) cannot know what
        // the browser holds, so with chunking on it deletes every name it did not write.
        let possible = if session.key_id.is_empty() && inner.max_chunks > 1 {
            chunks::writable_names(name, inner.max_chunks)
        } else {
            session.present.clone()
        };
        for stale in possible
            .iter()
            .filter(|p| !written.iter().any(|(n, _)| n == *p))
        {
            headers.push(inner.cookie.expire(stale));
        }
        Ok(headers)
    }
}

#[cfg(test)]
mod tests;
