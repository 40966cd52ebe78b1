-- syncjobs schema, SQLite dialect (embedded default). Keep in step with ../postgresql/V1__schema.sql.
-- Instants are microseconds since the epoch (UTC); booleans are 0/1.

CREATE TABLE ${prefix}jobs (
  id                  text PRIMARY KEY,
  name                text NOT NULL,
  source_url          text NOT NULL,
  auth_sealed         blob,
  ca_bundle           text,
  backend_id          text NOT NULL,
  destination_path    text NOT NULL,
  include_pattern     text,
  exclude_pattern     text,
  filters             text NOT NULL,
  schedule_kind       text NOT NULL,
  schedule_time       text,
  schedule_day        integer,
  cron_expression     text,
  zone                text NOT NULL,
  verify_checksums    integer NOT NULL,
  compare_checksums   integer NOT NULL,
  delete_removed      integer NOT NULL,
  max_delete_percent  integer NOT NULL,
  keep_versions       integer NOT NULL,
  bandwidth_limit     bigint,
  max_retries         integer NOT NULL,
  enabled             integer NOT NULL,
  misfire_policy      text NOT NULL,
  status              text NOT NULL,
  last_run_at         integer,
  last_error          text,
  next_run_at         integer,
  created_at          integer NOT NULL,
  updated_at          integer NOT NULL
);
-- Job names are unique ignoring case.
CREATE UNIQUE INDEX ${prefix}jobs_name_key ON ${prefix}jobs (lower(name));
CREATE INDEX ${prefix}jobs_due ON ${prefix}jobs (next_run_at) WHERE enabled = 1;

CREATE TABLE ${prefix}runs (
  id                  text PRIMARY KEY,
  job_id              text NOT NULL REFERENCES ${prefix}jobs (id) ON DELETE CASCADE,
  trigger             text NOT NULL,
  scheduled_for       integer,
  status              text NOT NULL
                      CHECK (status IN ('PENDING', 'RUNNING', 'SUCCESS', 'FAILED', 'CANCELLED', 'SKIPPED')),
  created_at          integer NOT NULL,
  not_before          integer NOT NULL,
  started_at          integer,
  completed_at        integer,
  files_done          bigint NOT NULL DEFAULT 0,
  files_total         bigint NOT NULL DEFAULT 0,
  bytes_done          bigint NOT NULL DEFAULT 0,
  bytes_total         bigint NOT NULL DEFAULT 0,
  current_file        text,
  bytes_per_second    bigint NOT NULL DEFAULT 0,
  error               text,
  version             text,
  owner               text,
  lease_until         integer,
  fence               bigint NOT NULL DEFAULT 0,
  attempt             integer NOT NULL DEFAULT 0,
  cancel_requested    integer NOT NULL DEFAULT 0,
  -- One run per scheduled occurrence (manual runs and retries have no occurrence: NULLs are distinct).
  CONSTRAINT ${prefix}runs_one_per_occurrence UNIQUE (job_id, scheduled_for)
);
-- At most one active (pending or running) run per job.
CREATE UNIQUE INDEX ${prefix}runs_one_active_per_job ON ${prefix}runs (job_id) WHERE status IN ('PENDING', 'RUNNING');
CREATE INDEX ${prefix}runs_claimable ON ${prefix}runs (not_before, created_at) WHERE status = 'PENDING';
CREATE INDEX ${prefix}runs_leases ON ${prefix}runs (lease_until) WHERE status = 'RUNNING';
CREATE INDEX ${prefix}runs_history ON ${prefix}runs (job_id, created_at DESC);
CREATE INDEX ${prefix}runs_finished ON ${prefix}runs (completed_at) WHERE status NOT IN ('PENDING', 'RUNNING');

-- A run's log: the first lines up to half the cap ("head"), then a window of the latest lines up to
-- the other half ("tail"); lines dropped between them are counted here.
CREATE TABLE ${prefix}run_logs (
  run_id              text PRIMARY KEY REFERENCES ${prefix}runs (id) ON DELETE CASCADE,
  head_bytes          bigint NOT NULL DEFAULT 0,
  tail_bytes          bigint NOT NULL DEFAULT 0,
  dropped_lines       bigint NOT NULL DEFAULT 0,
  dropped_bytes       bigint NOT NULL DEFAULT 0,
  next_seq            bigint NOT NULL DEFAULT 0
);
CREATE TABLE ${prefix}run_log_lines (
  run_id              text NOT NULL REFERENCES ${prefix}run_logs (run_id) ON DELETE CASCADE,
  seq                 bigint NOT NULL,
  in_head             integer NOT NULL,
  bytes               integer NOT NULL,
  line                text NOT NULL,
  PRIMARY KEY (run_id, seq)
);
