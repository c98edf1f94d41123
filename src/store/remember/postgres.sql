-- The Postgres store's remember-me series (docs/STORES.md), created on every connect after
-- postgres.sql. Every statement is idempotent.
CREATE TABLE IF NOT EXISTS cookie_seal_remember (
  series TEXT PRIMARY KEY, subject TEXT NOT NULL, current TEXT NOT NULL,
  previous TEXT NOT NULL, rotated_at BIGINT NOT NULL, keep_until BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS cookie_seal_remember_until ON cookie_seal_remember (keep_until);
CREATE INDEX IF NOT EXISTS cookie_seal_remember_subject ON cookie_seal_remember (subject, keep_until);
CREATE TABLE IF NOT EXISTS cookie_seal_remember_links (
  series TEXT NOT NULL, id TEXT NOT NULL, keep_until BIGINT NOT NULL, PRIMARY KEY (series, id));
CREATE INDEX IF NOT EXISTS cookie_seal_remember_links_until ON cookie_seal_remember_links (keep_until);

CREATE OR REPLACE FUNCTION cookie_seal_remember_prune(now_ BIGINT) RETURNS void LANGUAGE sql AS $$
  DELETE FROM cookie_seal_remember WHERE series IN
    (SELECT series FROM cookie_seal_remember WHERE keep_until < now_ LIMIT 64);
  DELETE FROM cookie_seal_remember_links WHERE (series, id) IN
    (SELECT series, id FROM cookie_seal_remember_links WHERE keep_until < now_ LIMIT 64);
$$;

CREATE OR REPLACE FUNCTION cookie_seal_remember_start(series_ TEXT, subject_ TEXT, current_ TEXT,
  previous_ TEXT, rotated_ BIGINT, keep_ BIGINT, now_ BIGINT, ids_ TEXT[], keeps_ BIGINT[], cap_ BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE old_ TEXT;
BEGIN
  -- One subject's starts one at a time, so the cap holds under concurrent sign-ins.
  PERFORM pg_advisory_xact_lock(hashtext('cookie_seal_remember:' || subject_));
  PERFORM cookie_seal_remember_prune(now_);
  DELETE FROM cookie_seal_remember WHERE series = series_;
  DELETE FROM cookie_seal_remember_links WHERE series = series_;
  IF (SELECT count(*) FROM cookie_seal_remember
      WHERE subject = subject_ AND keep_until >= now_) >= cap_ THEN
    -- The oldest live series: an expired row the prune has not reached yet would not
    -- free a place under the cap.
    SELECT series INTO old_ FROM cookie_seal_remember WHERE subject = subject_
      AND keep_until >= now_ ORDER BY keep_until, series LIMIT 1;
    DELETE FROM cookie_seal_remember WHERE series = old_;
    DELETE FROM cookie_seal_remember_links WHERE series = old_;
  END IF;
  INSERT INTO cookie_seal_remember (series, subject, current, previous, rotated_at, keep_until)
    VALUES (series_, subject_, current_, previous_, rotated_, keep_);
  INSERT INTO cookie_seal_remember_links (series, id, keep_until)
    SELECT series_, i, k FROM unnest(ids_, keeps_) AS t(i, k)
    ON CONFLICT (series, id) DO UPDATE SET keep_until = EXCLUDED.keep_until;
END $$;

-- The rule, on the series' row locked FOR UPDATE: two resumes of one series run one after
-- the other, each seeing what the other wrote.
CREATE OR REPLACE FUNCTION cookie_seal_remember_rotate(series_ TEXT, presented_ TEXT, next_ TEXT,
  now_ BIGINT, grace_ BIGINT, keep_ BIGINT)
RETURNS TABLE (outcome TEXT, subject TEXT, ids TEXT[], keeps BIGINT[]) LANGUAGE plpgsql AS $$
DECLARE r cookie_seal_remember%ROWTYPE;
BEGIN
  PERFORM cookie_seal_remember_prune(now_);
  SELECT * INTO r FROM cookie_seal_remember s WHERE s.series = series_ FOR UPDATE;
  IF NOT FOUND OR r.keep_until < now_ THEN
    RETURN QUERY SELECT 'missing'::TEXT, ''::TEXT, '{}'::TEXT[], '{}'::BIGINT[];
  ELSIF presented_ = r.current THEN
    UPDATE cookie_seal_remember s SET previous = s.current, current = next_, rotated_at = now_,
      keep_until = keep_ WHERE s.series = series_;
    RETURN QUERY SELECT 'rotated'::TEXT, r.subject, '{}'::TEXT[], '{}'::BIGINT[];
  ELSIF r.previous <> '' AND presented_ = r.previous AND now_ <= r.rotated_at + grace_ THEN
    RETURN QUERY SELECT 'grace'::TEXT, r.subject, '{}'::TEXT[], '{}'::BIGINT[];
  ELSE
    RETURN QUERY SELECT 'theft'::TEXT, r.subject,
      COALESCE(array_agg(l.id ORDER BY l.keep_until), '{}'::TEXT[]),
      COALESCE(array_agg(l.keep_until ORDER BY l.keep_until), '{}'::BIGINT[])
      FROM cookie_seal_remember_links l WHERE l.series = series_;
    DELETE FROM cookie_seal_remember s WHERE s.series = series_;
    DELETE FROM cookie_seal_remember_links l WHERE l.series = series_;
  END IF;
END $$;

CREATE OR REPLACE FUNCTION cookie_seal_remember_link(series_ TEXT, id_ TEXT, keep_ BIGINT,
  now_ BIGINT, most_ BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM cookie_seal_remember s WHERE s.series = series_ FOR UPDATE;
  IF NOT FOUND THEN RETURN; END IF;
  DELETE FROM cookie_seal_remember_links l WHERE l.series = series_ AND l.keep_until < now_;
  INSERT INTO cookie_seal_remember_links (series, id, keep_until) VALUES (series_, id_, keep_)
    ON CONFLICT (series, id) DO UPDATE SET keep_until = EXCLUDED.keep_until;
  DELETE FROM cookie_seal_remember_links l WHERE l.series = series_ AND l.id NOT IN
    (SELECT k.id FROM cookie_seal_remember_links k WHERE k.series = series_
     ORDER BY k.keep_until DESC, k.id DESC LIMIT most_);
END $$;
