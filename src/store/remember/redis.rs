//! The Redis store's series, in the npm package's layout (`docs/STORES.md`): a hash
//! `<prefix>:{r:<series>}:rm` with the fields `subject`, `current`, `previous`,
//! `rotated_at`, `keep_until`, and a sorted set `<prefix>:{r:<series>}:rm:s` of the sessions
//! it started (score: the last second each can open). Both share the series' hash tag, so
//! each script touches one slot (Redis Cluster safe).
//!
//! The bound on series per subject lives in a third key under the subject's tag,
//! `<prefix>:{u:<subject>}:rm` (series id, score: when it expires): another slot, so it is
//! kept by separate calls after the series' own script.

use std::sync::LazyLock;

use redis::{Script, Value};

use super::{
    MAX_SERIES_PER_SUBJECT, REMEMBER_LINKS, RememberRecord, RememberStore, Rotation, check_rotate,
    check_series,
};
use crate::SessionId;
use crate::store::backend::ready_err;
use crate::store::{RedisStore, StoreFuture};

/// KEYS: series hash, its sessions. ARGV: subject, current, previous, rotated at, expire
/// at, then pairs of session id and keep until.
static START: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'subject', ARGV[1], 'current', ARGV[2], 'previous', ARGV[3],
  'rotated_at', ARGV[4], 'keep_until', tonumber(ARGV[5]) - 1)
redis.call('EXPIREAT', KEYS[1], ARGV[5])
for i = 6, #ARGV, 2 do redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[i]) end
redis.call('EXPIREAT', KEYS[2], ARGV[5])
return 1",
    )
});

/// KEYS: series hash, its sessions. ARGV: presented hash, next hash, now, grace, expire at.
/// Returns {outcome, subject[, id, keep, id, keep...]} (the sessions only on theft). The
/// npm package's `rememberRotate`, statement for statement.
static ROTATE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "local f = redis.call('HMGET', KEYS[1], 'subject', 'current', 'previous', 'rotated_at', 'keep_until')
local now = tonumber(ARGV[3])
if not f[1] or tonumber(f[5]) < now then return {'missing', ''} end
if ARGV[1] == f[2] then
  redis.call('HSET', KEYS[1], 'previous', f[2], 'current', ARGV[2], 'rotated_at', ARGV[3],
    'keep_until', tonumber(ARGV[5]) - 1)
  redis.call('EXPIREAT', KEYS[1], ARGV[5])
  redis.call('EXPIREAT', KEYS[2], ARGV[5])
  return {'rotated', f[1]}
end
if f[3] ~= '' and ARGV[1] == f[3] and now <= tonumber(f[4]) + tonumber(ARGV[4]) then
  return {'grace', f[1]}
end
local out = {'theft', f[1]}
for _, v in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')) do table.insert(out, v) end
redis.call('DEL', KEYS[1], KEYS[2])
return out",
    )
});

/// KEYS: series hash, its sessions. ARGV: id, keep until, now, most kept.
static LINK: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[4]) + 1))
redis.call('EXPIREAT', KEYS[2], redis.call('EXPIRETIME', KEYS[1]))
return 1",
    )
});

/// KEYS: the subject's series index. ARGV: series, expire at, now, cap. Lists the series
/// (or moves its expiry later) and returns those dropped past the cap, soonest to expire
/// first.
static INDEX: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
local out = {}
if extra > 0 then
  out = redis.call('ZRANGE', KEYS[1], 0, extra - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, extra - 1)
end
if redis.call('EXPIRETIME', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('EXPIREAT', KEYS[1], ARGV[2])
end
return out",
    )
});

fn text(value: &Value) -> String {
    match value {
        Value::BulkString(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        Value::SimpleString(s) => s.clone(),
        Value::Int(n) => n.to_string(),
        _ => String::new(),
    }
}

impl RedisStore {
    fn series_keys(&self, series: &str) -> [String; 2] {
        let base = format!("{}:{{r:{series}}}:", self.prefix);
        [format!("{base}rm"), format!("{base}rm:s")]
    }

    fn series_index(&self, subject: &str) -> String {
        format!(
            "{}:{{u:{}}}:rm",
            self.prefix,
            crate::b64::encode(subject.as_bytes())
        )
    }

    /// Lists `series` under its subject and deletes the series the cap pushes out.
    async fn index(
        &self,
        subject: &str,
        series: &str,
        expire_at: u64,
        now: u64,
    ) -> redis::RedisResult<()> {
        let mut conn = self.conn.clone();
        let dropped: Vec<String> = INDEX
            .key(self.series_index(subject))
            .arg(series)
            .arg(expire_at)
            .arg(now)
            .arg(MAX_SERIES_PER_SUBJECT)
            .invoke_async(&mut conn)
            .await?;
        for old in dropped.iter().filter(|old| check_series(old).is_ok()) {
            let _: i64 = redis::cmd("DEL")
                .arg(&self.series_keys(old))
                .query_async(&mut conn)
                .await?;
        }
        Ok(())
    }
}

impl RememberStore for RedisStore {
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
        let [hash, sessions] = self.series_keys(series);
        let expire_at = keep_until.saturating_add(1);
        let mut conn = self.conn.clone();
        self.run(async move {
            let mut call = START.key(&hash);
            call.key(&sessions)
                .arg(&record.subject)
                .arg(&record.current)
                .arg(&record.previous)
                .arg(record.rotated_at)
                .arg(expire_at);
            for (id, keep) in &record.sessions {
                call.arg(id.to_string()).arg(*keep);
            }
            call.invoke_async::<i64>(&mut conn).await?;
            self.index(&record.subject, series, expire_at, now).await
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
        let [hash, sessions] = self.series_keys(series);
        let expire_at = keep_until.saturating_add(1);
        let mut conn = self.conn.clone();
        self.run(async move {
            let answer: Vec<Value> = ROTATE
                .key(&hash)
                .key(&sessions)
                .arg(presented)
                .arg(next)
                .arg(now)
                .arg(grace)
                .arg(expire_at)
                .invoke_async(&mut conn)
                .await?;
            let outcome = answer.first().map(text).unwrap_or_default();
            let subject = answer.get(1).map(text).unwrap_or_default();
            Ok(match outcome.as_str() {
                "rotated" => {
                    // The series lives on: so does its place under the subject's cap.
                    self.index(&subject, series, expire_at, now).await?;
                    Rotation::Rotated { subject }
                }
                "grace" => Rotation::Grace { subject },
                "theft" => {
                    let sessions = answer
                        .get(2..)
                        .unwrap_or_default()
                        .chunks_exact(2)
                        .filter_map(|pair| {
                            let id = text(&pair[0]).parse::<SessionId>().ok()?;
                            Some((id, text(&pair[1]).parse::<u64>().ok()?))
                        })
                        .take(REMEMBER_LINKS * 4)
                        .collect();
                    let _: i64 = redis::cmd("ZREM")
                        .arg(self.series_index(&subject))
                        .arg(series)
                        .query_async(&mut conn)
                        .await?;
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
        let [hash, sessions] = self.series_keys(series);
        let mut conn = self.conn.clone();
        self.run(async move {
            LINK.key(&hash)
                .key(&sessions)
                .arg(id.to_string())
                .arg(keep_until)
                .arg(now)
                .arg(REMEMBER_LINKS)
                .invoke_async::<i64>(&mut conn)
                .await
                .map(drop)
        })
    }

    fn remember_forget<'a>(&'a self, series: &'a str, _now: u64) -> StoreFuture<'a, ()> {
        if let Err(err) = check_series(series) {
            return ready_err(err);
        }
        let [hash, sessions] = self.series_keys(series);
        let mut conn = self.conn.clone();
        self.run(async move {
            let subject: Option<String> = redis::cmd("HGET")
                .arg(&hash)
                .arg("subject")
                .query_async(&mut conn)
                .await?;
            let _: i64 = redis::cmd("DEL")
                .arg(&hash)
                .arg(&sessions)
                .query_async(&mut conn)
                .await?;
            if let Some(subject) = subject {
                let _: i64 = redis::cmd("ZREM")
                    .arg(self.series_index(&subject))
                    .arg(series)
                    .query_async(&mut conn)
                    .await?;
            }
            Ok(())
        })
    }
}
