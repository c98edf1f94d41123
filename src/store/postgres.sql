-- The Postgres store's tables and functions, created on first use in the store's schema
-- (docs/STORES.md). Every statement is idempotent: it runs on every connect.
CREATE TABLE IF NOT EXISTS cookie_seal_meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS cookie_seal_revoked (id TEXT PRIMARY KEY, keep_until BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS cookie_seal_revoked_until ON cookie_seal_revoked (keep_until);
CREATE TABLE IF NOT EXISTS cookie_seal_generations (
  subject TEXT PRIMARY KEY, generation BIGINT NOT NULL, keep_until BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS cookie_seal_generations_until ON cookie_seal_generations (keep_until);
CREATE TABLE IF NOT EXISTS cookie_seal_sessions (
  subject TEXT NOT NULL, id TEXT NOT NULL, signed_in_at BIGINT NOT NULL,
  last_seen BIGINT NOT NULL, remember_me BOOLEAN NOT NULL, label TEXT NOT NULL,
  keep_until BIGINT NOT NULL, PRIMARY KEY (subject, id));
CREATE INDEX IF NOT EXISTS cookie_seal_sessions_until ON cookie_seal_sessions (keep_until);
CREATE TABLE IF NOT EXISTS cookie_seal_data (
  id TEXT PRIMARY KEY, data BYTEA NOT NULL, keep_until BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS cookie_seal_data_until ON cookie_seal_data (keep_until);
-- Rate-limit counters: one row per client key and fixed window.
CREATE TABLE IF NOT EXISTS cookie_seal_rate (
  key TEXT PRIMARY KEY, window_start BIGINT NOT NULL, count BIGINT NOT NULL,
  keep_until BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS cookie_seal_rate_until ON cookie_seal_rate (keep_until);
-- Redeemed hand-off token ids, each kept until no server can open its token any more.
CREATE TABLE IF NOT EXISTS cookie_seal_handoff (id TEXT PRIMARY KEY, keep_until BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS cookie_seal_handoff_until ON cookie_seal_handoff (keep_until);

CREATE OR REPLACE FUNCTION cookie_seal_prune(now_ BIGINT) RETURNS void LANGUAGE sql AS $$
  DELETE FROM cookie_seal_revoked WHERE id IN
    (SELECT id FROM cookie_seal_revoked WHERE keep_until < now_ LIMIT 64);
  DELETE FROM cookie_seal_generations WHERE subject IN
    (SELECT subject FROM cookie_seal_generations WHERE keep_until < now_ LIMIT 64);
  DELETE FROM cookie_seal_sessions WHERE (subject, id) IN
    (SELECT subject, id FROM cookie_seal_sessions WHERE keep_until < now_ LIMIT 64);
  DELETE FROM cookie_seal_data WHERE id IN
    (SELECT id FROM cookie_seal_data WHERE keep_until < now_ LIMIT 64);
  DELETE FROM cookie_seal_rate WHERE key IN
    (SELECT key FROM cookie_seal_rate WHERE keep_until < now_ LIMIT 64);
$$;

CREATE OR REPLACE FUNCTION cookie_seal_revoke(id_ TEXT, subject_ TEXT, keep_ BIGINT, now_ BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM cookie_seal_prune(now_);
  INSERT INTO cookie_seal_revoked (id, keep_until) VALUES (id_, keep_)
    ON CONFLICT (id) DO UPDATE
    SET keep_until = GREATEST(cookie_seal_revoked.keep_until, EXCLUDED.keep_until);
  IF subject_ IS NOT NULL THEN
    DELETE FROM cookie_seal_sessions WHERE subject = subject_ AND id = id_;
  END IF;
  DELETE FROM cookie_seal_data WHERE id = id_;
END $$;

CREATE OR REPLACE FUNCTION cookie_seal_everywhere(subject_ TEXT, keep_ BIGINT, now_ BIGINT)
RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE next_ BIGINT;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('cookie_seal:' || subject_));
  PERFORM cookie_seal_prune(now_);
  SELECT GREATEST(COALESCE(MAX(generation), 0) + 1, now_) INTO next_
    FROM cookie_seal_generations WHERE subject = subject_ AND keep_until >= now_;
  INSERT INTO cookie_seal_generations (subject, generation, keep_until)
    VALUES (subject_, next_, keep_)
    ON CONFLICT (subject) DO UPDATE SET generation = EXCLUDED.generation,
      keep_until = GREATEST(cookie_seal_generations.keep_until, EXCLUDED.keep_until);
  DELETE FROM cookie_seal_data WHERE id IN
    (SELECT id FROM cookie_seal_sessions WHERE subject = subject_);
  DELETE FROM cookie_seal_sessions WHERE subject = subject_;
  RETURN next_;
END $$;

CREATE OR REPLACE FUNCTION cookie_seal_record(subject_ TEXT, id_ TEXT, signed_ BIGINT,
  seen_ BIGINT, remember_ BOOLEAN, label_ TEXT, keep_ BIGINT, now_ BIGINT, cap_ BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE old_id TEXT; old_keep BIGINT;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('cookie_seal:' || subject_));
  PERFORM cookie_seal_prune(now_);
  IF NOT EXISTS (SELECT 1 FROM cookie_seal_sessions WHERE subject = subject_ AND id = id_)
     AND (SELECT count(*) FROM cookie_seal_sessions
          WHERE subject = subject_ AND keep_until >= now_) >= cap_ THEN
    SELECT id, keep_until INTO old_id, old_keep FROM cookie_seal_sessions
      WHERE subject = subject_ ORDER BY last_seen, signed_in_at LIMIT 1;
    PERFORM cookie_seal_revoke(old_id, subject_, old_keep, now_);
  END IF;
  INSERT INTO cookie_seal_sessions
    (subject, id, signed_in_at, last_seen, remember_me, label, keep_until)
    VALUES (subject_, id_, signed_, seen_, remember_, label_, keep_)
    ON CONFLICT (subject, id) DO UPDATE SET signed_in_at = EXCLUDED.signed_in_at,
      last_seen = EXCLUDED.last_seen, remember_me = EXCLUDED.remember_me,
      label = EXCLUDED.label, keep_until = EXCLUDED.keep_until;
END $$;
