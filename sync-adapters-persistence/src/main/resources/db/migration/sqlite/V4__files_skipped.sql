-- Names of the source the backend cannot hold (too long, '.' or '..', a NUL) are left out of a
-- version and counted here instead of failing the run.
ALTER TABLE ${prefix}runs ADD COLUMN files_skipped bigint NOT NULL DEFAULT 0;
