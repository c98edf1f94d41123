//! The one read path: every way of reading a session (the sync `read_at`, the manager's
//! [`Revocation`](crate::Revocation) hook, an asynchronous store, the JavaScript package)
//! drives a [`SessionReader`].

use std::collections::VecDeque;

use zeroize::Zeroizing;

use super::chunks::{chunk_name, join, readable_names};
use super::id::{SessionId, Subject};
use super::lifetimes::ReadState;
use super::revocation::SessionInfo;
use super::state::{Inner, SessionManager};
use super::types::Session;
use crate::Error;
use crate::cookie::cookie_pairs;
use crate::format::ChunkPosition;
use crate::limits::MAX_SAME_NAME;

/// The session candidates of one `Cookie` header, from [`SessionManager::reader`]: owned and
/// free of lifetimes, so it can be held across an `.await` or inside a JavaScript object.
///
/// The header is parsed once, when the reader is made. [`next_candidate`](Self::next_candidate)
/// then yields, in header order, each value that is authentic, unexpired, not refused by the
/// manager's sign-in cutoff or [`Revocation`](crate::Revocation) hook: at most
/// [`MAX_SAME_NAME`](crate::limits::MAX_SAME_NAME) cookies of the session's name, then the
/// chunked session if there is one. Each is decrypted once. The caller
/// [`accept`](Candidate::accept)s one, or [`reject`](Self::reject)s it (for instance, as
/// revoked by a store) and asks for the next; when none is left, [`finish`](Self::finish)
/// says `Ok(None)` (the header had no session cookie) or gives the first error in header
/// order. A tossed cookie that opens but is refused therefore never hides the real one.
///
/// An asynchronous revocation check, driven the way a store would:
///
/// ```
/// use std::future::Future;
/// use std::task::{Context, Poll, Waker};
/// use cookie_seal::{Error, Key, Keyring, Session, SessionId, SessionManager, SignIn};
///
/// /// Stands in for a network round trip to a shared store.
/// async fn revoked_in_store(revoked: &[SessionId], id: SessionId) -> bool {
///     revoked.contains(&id)
/// }
///
/// async fn read(
///     manager: &SessionManager,
///     header: &str,
///     revoked: &[SessionId],
///     now: u64,
/// ) -> Result<Option<Session<Vec<u8>>>, Error> {
///     let mut reader = manager.reader(header, now)?;
///     while let Some(candidate) = reader.next_candidate() {
///         if revoked_in_store(revoked, *candidate.info().id).await {
///             reader.reject(candidate, Error::Revoked);
///             continue;
///         }
///         return Ok(Some(candidate.accept()));
///     }
///     reader.finish()
/// }
///
/// let manager = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "s").build()?;
/// let cookie = |data: &[u8]| -> Result<_, Error> {
///     let session = manager.sign_in(data.to_vec(), SignIn::default(), 1_000)?;
///     let set_cookie = manager.set_cookies_bytes_at(&session, 1_000)?.remove(0);
///     Ok((session.id, set_cookie.split(';').next().unwrap_or_default().to_owned()))
/// };
/// let ((tossed_id, tossed), (_, real)) = (cookie(b"1")?, cookie(b"2")?);
/// let header = format!("{tossed}; {real}");
///
/// // Any executor runs it; here the futures are ready at once, so one poll does.
/// let poll = |revoked: &[SessionId]| {
///     let mut future = std::pin::pin!(read(&manager, &header, revoked, 1_000));
///     match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
///         Poll::Ready(result) => result,
///         Poll::Pending => unreachable!("nothing here waits"),
///     }
/// };
/// assert_eq!(poll(&[])?.unwrap().data, b"1");
/// assert_eq!(poll(&[tossed_id])?.unwrap().data, b"2"); // the revoked one hides nothing
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug)]
#[must_use = "a reader does nothing until next_candidate() is called"]
pub struct SessionReader {
    manager: SessionManager,
    now: u64,
    /// Names of the session's cookies the request carried, in reader order.
    present: Vec<String>,
    /// What is left to open: whole values, then the joined chunks (or why they did not join).
    pending: VecDeque<Pending>,
    first_error: Option<Error>,
}

#[derive(Debug)]
enum Pending {
    Whole(String),
    Chunked(Result<(String, u8), Error>),
}

/// An authentic, unexpired session the reader found, not yet accepted: decrypted once, its
/// payload wiped if it is dropped or rejected.
///
/// ```
/// # use cookie_seal::{Key, Keyring, SessionManager, SignIn};
/// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "s").build()?;
/// let s = m.sign_in(b"{}".to_vec(), SignIn::default(), 1_000)?;
/// let cookie = m.set_cookies_bytes_at(&s, 1_000)?[0].split(';').next().unwrap().to_owned();
/// let candidate = m.reader(&cookie, 1_000)?.next_candidate().expect("one candidate");
/// assert_eq!(*candidate.info().id, s.id);
/// assert_eq!(candidate.accept().data, b"{}");
/// # Ok::<(), cookie_seal::Error>(())
/// ```
#[derive(Debug)]
pub struct Candidate {
    session: Session<Zeroizing<Vec<u8>>>,
}

// The reader is held across `.await` points by asynchronous stores.
const _: () = {
    const fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<SessionReader>();
    send_and_sync::<Candidate>();
};

impl Candidate {
    /// The session as read, its payload not yet handed over: what the wasm binding shows
    /// JavaScript before the application decides.
    #[cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "js-sessions"))]
    pub(crate) fn session(&self) -> &Session<Zeroizing<Vec<u8>>> {
        &self.session
    }

    /// What revocation decides on: id, subject, sign-in time, absolute deadline.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, SignIn};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "s").build()?;
    /// # let s = m.sign_in(b"1".to_vec(), SignIn::default(), 1_000)?;
    /// # let cookie = m.set_cookies_bytes_at(&s, 1_000)?[0].split(';').next().unwrap().to_owned();
    /// let candidate = m.reader(&cookie, 1_000)?.next_candidate().unwrap();
    /// assert_eq!(candidate.info().signed_in_at, 1_000);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn info(&self) -> SessionInfo<'_> {
        self.session.info()
    }

    /// When a store last confirmed it, if ever: what a store's revalidation window decides on.
    pub(crate) fn validated_at(&self) -> Option<u64> {
        self.session.validated_at
    }

    /// Takes this candidate as the request's session.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager, SignIn};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "s").build()?;
    /// # let s = m.sign_in(b"1".to_vec(), SignIn::default(), 1_000)?;
    /// # let cookie = m.set_cookies_bytes_at(&s, 1_000)?[0].split(';').next().unwrap().to_owned();
    /// let session = m.reader(&cookie, 1_060)?.next_candidate().unwrap().accept();
    /// assert_eq!((session.data.as_slice(), session.issued_at), (&b"1"[..], 1_000));
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn accept(mut self) -> Session<Vec<u8>> {
        let data = core::mem::take(&mut *self.session.data);
        self.session.with_data(data)
    }
}

impl SessionReader {
    pub(super) fn new(manager: &SessionManager, header: &str, now: u64) -> Result<Self, Error> {
        let pairs = cookie_pairs(header)?;
        let inner = &manager.inner;
        let name = inner.codec.name();
        let present: Vec<String> = readable_names(name)
            .into_iter()
            .filter(|n| pairs.iter().any(|(p, _)| p == n))
            .collect();
        let mut pending: VecDeque<Pending> = pairs
            .iter()
            .filter(|(n, _)| *n == name)
            .take(MAX_SAME_NAME)
            .map(|(_, value)| Pending::Whole((*value).to_owned()))
            .collect();
        // Only chunk 0 makes a chunked candidate; later chunks alone are "present" (the next
        // write deletes them) but no session.
        if present.contains(&chunk_name(name, 0)) {
            let lookup = |n: &str| pairs.iter().find(|(p, _)| *p == n).map(|(_, v)| *v);
            let joined = join(name, inner.codec.max_len(), inner.max_chunks, lookup);
            pending.push_back(Pending::Chunked(joined));
        }
        Ok(SessionReader {
            manager: manager.clone(),
            now,
            present,
            pending,
            first_error: None,
        })
    }

    /// The next candidate in header order that passed every check the manager makes, or
    /// `None` when there is none left. Failed values are remembered for
    /// [`finish`](Self::finish).
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "s").build()?;
    /// let mut reader = m.reader("s=not-a-value; other=1", 1_000)?;
    /// assert!(reader.next_candidate().is_none());
    /// assert_eq!(reader.finish::<()>().unwrap_err().code(), "MALFORMED");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn next_candidate(&mut self) -> Option<Candidate> {
        while let Some(pending) = self.pending.pop_front() {
            let opened = match pending {
                Pending::Whole(value) => self.open(&value, ChunkPosition::default(), 1),
                Pending::Chunked(joined) => joined.and_then(|(value, count)| {
                    self.open(
                        &value,
                        ChunkPosition { index: 0, count },
                        usize::from(count),
                    )
                }),
            };
            match opened {
                Ok(candidate) => return Some(candidate),
                Err(err) => {
                    self.first_error.get_or_insert(err);
                }
            }
        }
        None
    }

    /// Refuses `candidate` with `err` (for instance [`Error::Revoked`] from a store); the
    /// first error in header order is what [`finish`](Self::finish) reports.
    ///
    /// ```
    /// # use cookie_seal::{Error, Key, Keyring, SessionManager, SignIn};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "s").build()?;
    /// # let s = m.sign_in(b"1".to_vec(), SignIn::default(), 1_000)?;
    /// # let cookie = m.set_cookies_bytes_at(&s, 1_000)?[0].split(';').next().unwrap().to_owned();
    /// let mut reader = m.reader(&cookie, 1_000)?;
    /// let candidate = reader.next_candidate().unwrap();
    /// reader.reject(candidate, Error::Revoked);
    /// assert!(reader.next_candidate().is_none());
    /// assert_eq!(reader.finish::<()>().unwrap_err(), Error::Revoked);
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn reject(&mut self, candidate: Candidate, err: Error) {
        drop(candidate);
        self.first_error.get_or_insert(err);
    }

    /// The outcome once no candidate was accepted (call it after
    /// [`next_candidate`](Self::next_candidate) gave `None`, or to give up early): `Ok(None)`
    /// when the header had no cookie of the session's names, otherwise the first error in
    /// header order. Generic so that a driver can `return reader.finish()` whatever its
    /// session type; it never gives `Some`.
    ///
    /// ```
    /// # use cookie_seal::{Key, Keyring, SessionManager};
    /// # let m = SessionManager::builder(Keyring::new("k1", Key::generate()?)?, "s").build()?;
    /// assert_eq!(m.reader("theme=dark", 1_000)?.finish::<()>(), Ok(None));
    /// // Only a later chunk, no chunk 0: there, but not a session.
    /// assert_eq!(m.reader("s.1=x", 1_000)?.finish::<()>().unwrap_err().code(), "MALFORMED");
    /// # Ok::<(), cookie_seal::Error>(())
    /// ```
    pub fn finish<T>(self) -> Result<Option<T>, Error> {
        if self.present.is_empty() {
            return Ok(None);
        }
        Err(self
            .first_error
            .unwrap_or(Error::Malformed("no session cookie")))
    }

    /// Opens one value and applies the lifecycle rules, the cutoff and the manager's hook.
    fn open(
        &self,
        value: &str,
        chunk: ChunkPosition,
        cookies_used: usize,
    ) -> Result<Candidate, Error> {
        let inner: &Inner = &self.manager.inner;
        let codec = &inner.codec;
        if chunk.count == 0 {
            let name_len = codec.name().len();
            if value.len() > codec.value_budget(name_len) {
                return Err(Error::TooLarge {
                    actual: name_len + 1 + value.len(),
                    limit: codec.max_len(),
                });
            }
        }
        let opened = codec.open(value, self.now, chunk)?;
        let claims = opened.claims;
        let (Some(sid), Some(signed_in_at)) = (claims.session_id, claims.signed_in_at) else {
            // Authentic, but sealed by a plain Sealer for this name and purpose.
            return Err(Error::NotASession);
        };
        if signed_in_at > claims.issued_at {
            // No writer issues a cookie before its sign-in: a sign-in time from the future
            // would move the absolute deadline forward and pass a later not-before cutoff.
            return Err(Error::Malformed("sign-in time later than the issue time"));
        }
        if claims
            .validated_at
            .is_some_and(|v| v > claims.issued_at.saturating_add(codec.leeway()))
        {
            // A validation from the future would be trusted by a store's window for longer
            // than anyone checked the session.
            return Err(Error::Malformed(
                "validation time later than the issue time (beyond the leeway)",
            ));
        }
        let lifetimes = &inner.lifetimes;
        let absolute_expires_at = lifetimes.absolute_deadline(signed_in_at, claims.remember_me);
        if self.now > absolute_expires_at.saturating_add(codec.leeway()) {
            return Err(Error::Expired {
                expires_at: absolute_expires_at,
            });
        }
        if signed_in_at < inner.signed_in_after {
            return Err(Error::Revoked);
        }
        let subject = claims
            .subject
            .map(|(id, generation)| Subject { id, generation });
        let state = ReadState {
            old_key: opened.key_id != codec.keyring().primary_id(),
            stale_cookies: self.present.len() > cookies_used,
        };
        let reseal = lifetimes.reseal_reason(
            state,
            self.now,
            claims.expires_at,
            signed_in_at,
            claims.remember_me,
        );
        let session = Session {
            data: opened.payload,
            id: SessionId(sid),
            subject,
            signed_in_at,
            issued_at: claims.issued_at,
            expires_at: claims.expires_at,
            absolute_expires_at,
            remember_me: claims.remember_me,
            validated_at: claims.validated_at,
            key_id: opened.key_id,
            reseal,
            present: self.present.clone(),
        };
        let hook = inner.revocation.as_ref();
        if hook.is_some_and(|r| r.is_revoked(&session.info(), self.now)) {
            return Err(Error::Revoked);
        }
        Ok(Candidate { session })
    }
}
