package dev.syncjobs.core.model;

/** What to do with occurrences missed while no instance was running. */
public enum MisfirePolicy {
  /** After downtime, one run now, however many occurrences were missed. */
  RUN_ONCE,
  /** Missed occurrences are dropped; the next one in the future fires as usual. */
  SKIP
}
