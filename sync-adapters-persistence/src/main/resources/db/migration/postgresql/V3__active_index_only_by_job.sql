-- The index that allows one pending-or-running run per job also served plans that do not look runs
-- up by job. Statistics taken while nothing was pending or running (between two bursts, which is
-- when autovacuum finds the time) make it look empty, and in a burst of 20,000 runs the claim then
-- read all of its entries and sorted them instead of reading runs_claimable in order: 11 ms a
-- claim. job_id is never null; the added term keeps the index to statements that name a job
-- (job_id = ?), which are the ones it is for, and to the list of active runs, which says the term
-- too. The uniqueness it enforces is unchanged.
DROP INDEX ${prefix}runs_one_active_per_job;
CREATE UNIQUE INDEX ${prefix}runs_one_active_per_job ON ${prefix}runs (job_id)
  WHERE status IN ('PENDING', 'RUNNING') AND job_id IS NOT NULL;
