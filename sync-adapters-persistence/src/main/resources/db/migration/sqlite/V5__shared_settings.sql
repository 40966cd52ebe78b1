-- Settings every instance shares (bandwidth limits, notification settings), one row per setting:
-- a bandwidth field per row ('bandwidth.download_speed_limit' ...), the notification settings as
-- one JSON text. Keep in step with ../postgresql/V5__shared_settings.sql.
CREATE TABLE ${prefix}settings (
  name        text PRIMARY KEY,
  value       text,
  updated_at  integer NOT NULL
);

-- When each job was last started by hand: the manual-run rate limit, granted by a conditional
-- upsert so that of two instances granting at once only one wins.
CREATE TABLE ${prefix}manual_run_grants (
  job_id      text PRIMARY KEY REFERENCES ${prefix}jobs (id) ON DELETE CASCADE,
  granted_at  integer NOT NULL
);
