//! The one read of a request: its state before the handler runs.

use std::sync::{Arc, Mutex};

use super::{RequestState, Sessions, Shared};
use crate::clock::now;
use crate::store::StoredSessions;
use crate::{Error, Session};

impl Sessions {
    /// Reads the request's `Cookie` header (all its fields joined) as of the clock, and
    /// decides the writes due with no help from the handler: a re-seal (renewal, key
    /// rotation, stale chunks) or, for a refused cookie, the deletion of every cookie of
    /// the session. Never waits, so it cannot ask a store: with one it refuses, and the
    /// integrations call the asynchronous `begin` instead.
    pub(crate) fn begin_sync(&self, cookie_header: &str) -> Shared {
        let mut state = match self.start(cookie_header.to_owned()) {
            Ok(state) => state,
            Err(state) => return Arc::new(Mutex::new(state)),
        };
        if state.stored.is_some() {
            state.refused = Some(Error::InvalidOption(
                "these sessions have a store: read them through an integration's layer".into(),
            ));
            return Arc::new(Mutex::new(state));
        }
        let read = state
            .current
            .manager
            .read_bytes_at(&state.cookie_header, state.now);
        state.opened(read);
        Arc::new(Mutex::new(state))
    }

    /// A request's state before its cookie is read; `Err` holds one refused for the clock.
    fn start(&self, cookie_header: String) -> Result<RequestState, RequestState> {
        let current = self.current();
        let stored = self
            .store
            .as_ref()
            .map(|store| StoredSessions::new((*current.manager).clone(), Arc::clone(store)));
        let (now, clock_error) = match now() {
            Ok(now) => (now, None),
            Err(err) => (0, Some(err)),
        };
        let mut state = RequestState {
            current,
            stored,
            now,
            session: None,
            refused: None,
            write: None,
            cookie_header,
            pre_session_write: None,
        };
        match clock_error {
            // The server's fault, not the cookie's: refuse the request, keep the cookie.
            Some(err) => {
                state.refused = Some(err);
                Err(state)
            }
            None => Ok(state),
        }
    }

    /// [`begin_sync`](Self::begin_sync), asking the store (when there is one) about each
    /// candidate; a re-seal also moves the session list's last-seen time.
    // Only the framework integrations read asynchronously.
    #[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]
    pub(crate) async fn begin(&self, cookie_header: String) -> Shared {
        let mut state = match self.start(cookie_header) {
            Ok(state) => state,
            Err(state) => return Arc::new(Mutex::new(state)),
        };
        let read = match &state.stored {
            Some(stored) => stored.read_bytes_at(&state.cookie_header, state.now).await,
            None => state
                .current
                .manager
                .read_bytes_at(&state.cookie_header, state.now),
        };
        state.opened(read);
        let touch = match (&state.stored, &state.session, &state.write) {
            (Some(stored), Some(session), Some(_)) => session
                .subject
                .as_ref()
                .map(|subject| (stored.clone(), subject.id.clone(), session.id)),
            _ => None,
        };
        if let Some((stored, subject, id)) = touch {
            // A store that cannot take the sign of life refuses the request, like a read
            // it could not answer.
            if let Err(err) = stored.store().touch(&subject, &id, state.now).await {
                state.refuse(err);
            }
        }
        Arc::new(Mutex::new(state))
    }
}

impl RequestState {
    /// Takes the result of the request's one read: the handles type this session, never
    /// read again.
    fn opened(&mut self, read: Result<Option<Session<Vec<u8>>>, Error>) {
        match read {
            Ok(Some(session)) if session.needs_reseal() => {
                match self
                    .current
                    .manager
                    .set_cookies_bytes_at(&session, self.now)
                {
                    Ok(headers) => {
                        self.write = Some(headers);
                        self.session = Some(session);
                    }
                    Err(err) => self.refuse(err),
                }
            }
            Ok(session) => self.session = session,
            Err(err) => self.refuse(err),
        }
    }
}
