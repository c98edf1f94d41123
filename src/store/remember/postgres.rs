//! The Postgres store's series: each operation is one call of a function of
//! `remember/postgres.sql`, so it is atomic on the shared connection; the rule runs on the
//! series' row locked `FOR UPDATE`, and starts of one subject take an advisory lock.

use super::{
    MAX_SERIES_PER_SUBJECT, REMEMBER_LINKS, RememberRecord, RememberStore, Rotation, check_rotate,
    check_series,
};
use crate::SessionId;
use crate::store::backend::{int, ready_err};
use crate::store::{PostgresStore, StoreFuture};

impl RememberStore for PostgresStore {
    fn remember_start<'a>(
        &'a self,
        series: &'a str,
        record: &'a RememberRecord,
        keep_until: u64,
        now: u64,
    ) -> StoreFuture<'a, ()> {
        if let Err(err) = check_series(series).and_then(|()| record.check()) {
            return ready_err(err);
        }
        let ids: Vec<String> = record
            .sessions
            .iter()
            .map(|(id, _)| id.to_string())
            .collect();
        let keeps: Vec<i64> = record.sessions.iter().map(|&(_, k)| int(k)).collect();
        self.run(move |c| async move {
            c.execute(
                "SELECT cookie_seal_remember_start($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[
                    &series,
                    &record.subject,
                    &record.current,
                    &record.previous,
                    &int(record.rotated_at),
                    &int(keep_until),
                    &int(now),
                    &ids,
                    &keeps,
                    &(MAX_SERIES_PER_SUBJECT as i64),
                ],
            )
            .await
            .map(drop)
        })
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
        if let Err(err) = check_rotate(series, presented, next) {
            return ready_err(err);
        }
        self.run(move |c| async move {
            let row = c
                .query_one(
                    "SELECT outcome, subject, ids, keeps
                     FROM cookie_seal_remember_rotate($1, $2, $3, $4, $5, $6)",
                    &[
                        &series,
                        &presented,
                        &next,
                        &int(now),
                        &int(grace),
                        &int(keep_until),
                    ],
                )
                .await?;
            let outcome: String = row.get(0);
            let subject: String = row.get(1);
            Ok(match outcome.as_str() {
                "rotated" => Rotation::Rotated { subject },
                "grace" => Rotation::Grace { subject },
                "theft" => {
                    let ids: Vec<String> = row.get(2);
                    let keeps: Vec<i64> = row.get(3);
                    let sessions = ids
                        .iter()
                        .zip(keeps)
                        .filter_map(|(id, k)| {
                            Some((id.parse::<SessionId>().ok()?, k.max(0) as u64))
                        })
                        .collect();
                    Rotation::Theft { subject, sessions }
                }
                _ => Rotation::Missing,
            })
        })
    }

    fn remember_link<'a>(
        &'a self,
        series: &'a str,
        id: &'a SessionId,
        keep_until: u64,
        now: u64,
    ) -> StoreFuture<'a, ()> {
        if let Err(err) = check_series(series) {
            return ready_err(err);
        }
        let id = id.to_string();
        self.run(move |c| async move {
            c.execute(
                "SELECT cookie_seal_remember_link($1, $2, $3, $4, $5)",
                &[
                    &series,
                    &id,
                    &int(keep_until),
                    &int(now),
                    &(REMEMBER_LINKS as i64),
                ],
            )
            .await
            .map(drop)
        })
    }

    fn remember_forget<'a>(&'a self, series: &'a str, _now: u64) -> StoreFuture<'a, ()> {
        if let Err(err) = check_series(series) {
            return ready_err(err);
        }
        self.run(move |c| async move {
            c.execute(
                "WITH gone AS (DELETE FROM cookie_seal_remember WHERE series = $1)
                 DELETE FROM cookie_seal_remember_links WHERE series = $1",
                &[&series],
            )
            .await
            .map(drop)
        })
    }
}
