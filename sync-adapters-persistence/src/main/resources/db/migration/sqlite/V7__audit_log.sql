-- The audit trail: every change made through the API, written in the transaction of the change.
-- seq orders entries of one instant. Keep in step with ../postgresql/V7__audit_log.sql.
CREATE TABLE ${prefix}audit_log (
  seq            integer PRIMARY KEY AUTOINCREMENT,
  at             integer NOT NULL,
  actor          text NOT NULL,
  action         text NOT NULL,
  resource_type  text NOT NULL,
  resource_id    text NOT NULL,
  details        text NOT NULL
);
CREATE INDEX ${prefix}audit_log_at ON ${prefix}audit_log (at, seq);
CREATE INDEX ${prefix}audit_log_resource ON ${prefix}audit_log (resource_type, resource_id, at, seq);
