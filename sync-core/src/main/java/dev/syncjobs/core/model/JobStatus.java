package dev.syncjobs.core.model;

/** What a job's last run left behind. */
public enum JobStatus {
  IDLE,
  RUNNING,
  SYNCED,
  FAILED
}
