-- Claiming takes the oldest pending runs that are due (ORDER BY created_at, id LIMIT n). The first
-- index led with not_before, so every claim read and sorted all pending runs: with a burst of
-- thousands pending, each claim cost milliseconds. This one is read in claim order and stops after
-- n entries; not_before is checked from the index.
DROP INDEX ${prefix}runs_claimable;
CREATE INDEX ${prefix}runs_claimable ON ${prefix}runs (created_at, id, not_before) WHERE status = 'PENDING';
