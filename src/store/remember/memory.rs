//! The memory store's series: a map, an expiry index and a per-subject index, all under
//! one mutex of their own (never held together with the store's other one).

use std::collections::{BTreeSet, HashMap};
use std::future::ready;
use std::sync::MutexGuard;

use super::{
    MAX_SERIES_PER_SUBJECT, RememberRecord, RememberStore, Rotation, Series, Step, check_rotate,
    check_series, linked, step,
};
use crate::store::expiring::PRUNE_BATCH;
use crate::store::{MemoryStore, StoreFuture};
use crate::{Error, SessionId};

#[derive(Debug, Default)]
pub(in crate::store) struct MemorySeries {
    series: HashMap<String, Series>,
    /// (keep until, series id): one row per series.
    expiry: BTreeSet<(u64, String)>,
    /// Subject → its series as (keep until, series id), at most MAX_SERIES_PER_SUBJECT.
    by_subject: HashMap<String, BTreeSet<(u64, String)>>,
}

impl MemorySeries {
    fn remove(&mut self, id: &str) -> Option<Series> {
        let series = self.series.remove(id)?;
        let row = (series.keep_until, id.to_owned());
        self.expiry.remove(&row);
        if let Some(set) = self.by_subject.get_mut(&series.subject) {
            set.remove(&row);
            if set.is_empty() {
                self.by_subject.remove(&series.subject);
            }
        }
        Some(series)
    }

    fn insert(&mut self, id: &str, series: Series) {
        let row = (series.keep_until, id.to_owned());
        self.expiry.insert(row.clone());
        self.by_subject
            .entry(series.subject.clone())
            .or_default()
            .insert(row);
        self.series.insert(id.to_owned(), series);
    }

    fn prune(&mut self, now: u64) {
        for _ in 0..PRUNE_BATCH {
            match self.expiry.first() {
                Some((until, id)) if *until < now => {
                    let id = id.clone();
                    self.remove(&id);
                }
                _ => break,
            }
        }
    }
}

impl MemoryStore {
    fn series_lock(&self) -> MutexGuard<'_, MemorySeries> {
        // Nothing under this lock panics half-way; a poisoned guard is still consistent.
        self.remember.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn start_now(
        &self,
        id: &str,
        record: &RememberRecord,
        keep_until: u64,
        now: u64,
    ) -> Result<(), Error> {
        check_series(id)?;
        record.check()?;
        let mut all = self.series_lock();
        all.prune(now);
        all.remove(id);
        let oldest = all
            .by_subject
            .get(&record.subject)
            .and_then(|set| (set.len() >= MAX_SERIES_PER_SUBJECT).then(|| set.first().cloned())?);
        if let Some((_, old)) = oldest {
            all.remove(&old);
        }
        if all.series.len() >= self.capacity() {
            return Err(Error::StoreUnavailable(
                "memory: full of remember-me series that are all still live".into(),
            ));
        }
        let series = Series {
            subject: record.subject.clone(),
            current: record.current.clone(),
            previous: record.previous.clone(),
            rotated_at: record.rotated_at,
            keep_until,
            sessions: record.sessions.clone(),
        };
        all.insert(id, series);
        Ok(())
    }

    fn rotate_now(
        &self,
        id: &str,
        presented: &str,
        next: &str,
        now: u64,
        grace: u64,
        keep_until: u64,
    ) -> Result<Rotation, Error> {
        check_rotate(id, presented, next)?;
        let mut all = self.series_lock();
        all.prune(now);
        Ok(match step(all.series.get(id), presented, now, grace) {
            Step::Missing => Rotation::Missing,
            Step::Grace => Rotation::Grace {
                subject: all.series[id].subject.clone(),
            },
            Step::Theft => {
                let gone = all.remove(id).expect("the rule saw it");
                Rotation::Theft {
                    subject: gone.subject,
                    sessions: gone.sessions,
                }
            }
            Step::Rotate => {
                let mut s = all.remove(id).expect("the rule saw it");
                s.previous = std::mem::replace(&mut s.current, next.to_owned());
                s.rotated_at = now;
                s.keep_until = keep_until;
                let subject = s.subject.clone();
                all.insert(id, s);
                Rotation::Rotated { subject }
            }
        })
    }

    fn link_now(
        &self,
        id: &str,
        session: SessionId,
        keep_until: u64,
        now: u64,
    ) -> Result<(), Error> {
        check_series(id)?;
        let mut all = self.series_lock();
        if let Some(s) = all.series.get_mut(id) {
            s.sessions = linked(std::mem::take(&mut s.sessions), session, keep_until, now);
        }
        Ok(())
    }
}

impl RememberStore for MemoryStore {
    fn remember_start<'a>(
        &'a self,
        series: &'a str,
        record: &'a RememberRecord,
        keep_until: u64,
        now: u64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(ready(self.start_now(series, record, keep_until, now)))
    }

    fn remember_rotate<'a>(
        &'a self,
        series: &'a str,
        presented: &'a str,
        next: &'a str,
        now: u64,
        grace: u64,
        keep_until: u64,
    ) -> StoreFuture<'a, Rotation> {
        Box::pin(ready(
            self.rotate_now(series, presented, next, now, grace, keep_until),
        ))
    }

    fn remember_link<'a>(
        &'a self,
        series: &'a str,
        id: &'a SessionId,
        keep_until: u64,
        now: u64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(ready(self.link_now(series, *id, keep_until, now)))
    }

    fn remember_forget<'a>(&'a self, series: &'a str, _now: u64) -> StoreFuture<'a, ()> {
        let result = check_series(series).map(|()| {
            self.series_lock().remove(series);
        });
        Box::pin(ready(result))
    }
}
