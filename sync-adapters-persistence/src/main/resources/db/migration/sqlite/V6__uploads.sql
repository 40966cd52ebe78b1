-- Resumable uploads (chunked API and tus). Keep in step with ../postgresql/V6__uploads.sql.
-- A chunk row exists only once its bytes were synced to the data file and matched their hash.
CREATE TABLE ${prefix}uploads (
  id                  text PRIMARY KEY,
  protocol            text NOT NULL CHECK (protocol IN ('CHUNKS', 'TUS')),
  backend_id          text NOT NULL,
  file_path           text NOT NULL,
  total_size          bigint NOT NULL,
  chunk_size          integer NOT NULL,
  sha256              text,
  status              text NOT NULL CHECK (status IN ('ACTIVE', 'COMPLETED', 'FAILED')),
  upload_offset       bigint NOT NULL DEFAULT 0,
  error               text,
  created_at          integer NOT NULL,
  expires_at          integer NOT NULL
);
CREATE INDEX ${prefix}uploads_expiry ON ${prefix}uploads (expires_at);

CREATE TABLE ${prefix}upload_chunks (
  upload_id           text NOT NULL REFERENCES ${prefix}uploads (id) ON DELETE CASCADE,
  chunk_number        integer NOT NULL,
  sha256              text NOT NULL,
  PRIMARY KEY (upload_id, chunk_number)
);

-- The lease of the daily upload clean-up: the instance whose update moves last_day runs it.
CREATE TABLE ${prefix}upload_cleanup (
  id                  integer PRIMARY KEY CHECK (id = 1),
  last_day            text NOT NULL
);
INSERT INTO ${prefix}upload_cleanup (id, last_day) VALUES (1, '');
