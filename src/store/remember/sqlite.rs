//! The SQLite store's series: two tables of their own, created when the store opens (with
//! its other tables), each call one IMMEDIATE transaction (SQLite's write lock), so the rule is atomic.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{
    MAX_SERIES_PER_SUBJECT, REMEMBER_LINKS, RememberRecord, RememberStore, Rotation, Series, Step,
    check_rotate, check_series, step,
};
use crate::SessionId;
use crate::store::backend::{int, ready_err};
use crate::store::{SqliteStore, StoreFuture};

/// Run by `SqliteStore::open` after the store's own schema.
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS cookie_seal_remember (
  series TEXT PRIMARY KEY, subject TEXT NOT NULL, current TEXT NOT NULL,
  previous TEXT NOT NULL, rotated_at INTEGER NOT NULL, keep_until INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cookie_seal_remember_until ON cookie_seal_remember (keep_until);
CREATE INDEX IF NOT EXISTS cookie_seal_remember_subject ON cookie_seal_remember (subject, keep_until);
CREATE TABLE IF NOT EXISTS cookie_seal_remember_links (
  series TEXT NOT NULL, id TEXT NOT NULL, keep_until INTEGER NOT NULL,
  PRIMARY KEY (series, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cookie_seal_remember_links_until ON cookie_seal_remember_links (keep_until);
";

fn begin(conn: &mut Connection, now: i64) -> rusqlite::Result<rusqlite::Transaction<'_>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // A bounded batch of expired rows per write, through the keep_until indexes.
    for prune in [
        "DELETE FROM cookie_seal_remember WHERE series IN \
         (SELECT series FROM cookie_seal_remember WHERE keep_until < ?1 LIMIT 64)",
        "DELETE FROM cookie_seal_remember_links WHERE (series, id) IN \
         (SELECT series, id FROM cookie_seal_remember_links WHERE keep_until < ?1 LIMIT 64)",
    ] {
        tx.prepare_cached(prune)?.execute([now])?;
    }
    Ok(tx)
}

fn delete(tx: &Connection, series: &str) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM cookie_seal_remember WHERE series = ?1",
        [series],
    )?;
    tx.execute(
        "DELETE FROM cookie_seal_remember_links WHERE series = ?1",
        [series],
    )?;
    Ok(())
}

fn links(tx: &Connection, series: &str) -> rusqlite::Result<Vec<(String, i64)>> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, keep_until FROM cookie_seal_remember_links WHERE series = ?1 ORDER BY keep_until",
    )?;
    let rows = stmt.query_map([series], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

impl RememberStore for SqliteStore {
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
        let (series, record) = (series.to_owned(), record.clone());
        self.call(move |conn, _| {
            let now = int(now);
            let tx = begin(conn, now)?;
            delete(&tx, &series)?;
            let count: i64 = tx.query_row(
                "SELECT count(*) FROM cookie_seal_remember WHERE subject = ?1 AND keep_until >= ?2",
                params![record.subject, now],
                |r| r.get(0),
            )?;
            if count >= MAX_SERIES_PER_SUBJECT as i64 {
                let oldest: Option<String> = tx
                    .query_row(
                        // Among the live ones counted: an expired row left for the
                        // pruning must not be the one dropped, or the cap is exceeded.
                        "SELECT series FROM cookie_seal_remember WHERE subject = ?1
                         AND keep_until >= ?2 ORDER BY keep_until, series LIMIT 1",
                        params![record.subject, now],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(old) = oldest {
                    delete(&tx, &old)?;
                }
            }
            tx.execute(
                "INSERT INTO cookie_seal_remember
                 (series, subject, current, previous, rotated_at, keep_until)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    series,
                    record.subject,
                    record.current,
                    record.previous,
                    int(record.rotated_at),
                    int(keep_until)
                ],
            )?;
            for (id, keep) in &record.sessions {
                tx.execute(
                    "INSERT OR REPLACE INTO cookie_seal_remember_links (series, id, keep_until)
                     VALUES (?1, ?2, ?3)",
                    params![series, id.to_string(), int(*keep)],
                )?;
            }
            tx.commit()
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
        let (series, presented, next) = (series.to_owned(), presented.to_owned(), next.to_owned());
        let answer = self.call(move |conn, _| {
            let tx = begin(conn, int(now))?;
            let found: Option<Series> = tx
                .query_row(
                    "SELECT subject, current, previous, rotated_at, keep_until
                     FROM cookie_seal_remember WHERE series = ?1",
                    [&series],
                    |r| {
                        Ok(Series {
                            subject: r.get(0)?,
                            current: r.get(1)?,
                            previous: r.get(2)?,
                            rotated_at: r.get::<_, i64>(3)?.max(0) as u64,
                            keep_until: r.get::<_, i64>(4)?.max(0) as u64,
                            sessions: Vec::new(),
                        })
                    },
                )
                .optional()?;
            let outcome = step(found.as_ref(), &presented, now, grace);
            let mut stolen = Vec::new();
            match outcome {
                Step::Rotate => {
                    tx.execute(
                        "UPDATE cookie_seal_remember SET previous = current, current = ?2,
                         rotated_at = ?3, keep_until = ?4 WHERE series = ?1",
                        params![series, next, int(now), int(keep_until)],
                    )?;
                }
                Step::Theft => {
                    stolen = links(&tx, &series)?;
                    delete(&tx, &series)?;
                }
                Step::Grace | Step::Missing => {}
            }
            tx.commit()?;
            Ok((outcome, found.map(|s| s.subject), stolen))
        });
        Box::pin(async move {
            let (outcome, subject, stolen) = answer.await?;
            let subject = subject.unwrap_or_default();
            Ok(match outcome {
                Step::Rotate => Rotation::Rotated { subject },
                Step::Grace => Rotation::Grace { subject },
                Step::Missing => Rotation::Missing,
                Step::Theft => Rotation::Theft {
                    subject,
                    sessions: stolen
                        .into_iter()
                        .filter_map(|(id, k)| {
                            Some((id.parse::<SessionId>().ok()?, k.max(0) as u64))
                        })
                        .collect(),
                },
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
        let (series, id) = (series.to_owned(), id.to_string());
        self.call(move |conn, _| {
            let now = int(now);
            let tx = begin(conn, now)?;
            let live: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM cookie_seal_remember WHERE series = ?1)",
                [&series],
                |r| r.get(0),
            )?;
            if live {
                tx.execute(
                    "DELETE FROM cookie_seal_remember_links WHERE series = ?1 AND keep_until < ?2",
                    params![series, now],
                )?;
                tx.execute(
                    "INSERT OR REPLACE INTO cookie_seal_remember_links (series, id, keep_until)
                     VALUES (?1, ?2, ?3)",
                    params![series, id, int(keep_until)],
                )?;
                // The newest REMEMBER_LINKS by keep_until stay, as in the Redis sorted set.
                tx.execute(
                    "DELETE FROM cookie_seal_remember_links WHERE series = ?1 AND id NOT IN
                     (SELECT id FROM cookie_seal_remember_links WHERE series = ?1
                      ORDER BY keep_until DESC, id DESC LIMIT ?2)",
                    params![series, REMEMBER_LINKS as i64],
                )?;
            }
            tx.commit()
        })
    }

    fn remember_forget<'a>(&'a self, series: &'a str, now: u64) -> StoreFuture<'a, ()> {
        if let Err(err) = check_series(series) {
            return ready_err(err);
        }
        let series = series.to_owned();
        self.call(move |conn, _| {
            let tx = begin(conn, int(now))?;
            delete(&tx, &series)?;
            tx.commit()
        })
    }
}
