package dev.syncjobs.core.port;

import dev.syncjobs.core.model.Job;
import java.time.Instant;

/**
 * Told of each scheduled occurrence this instance fires, with when it was due and when it fired
 * (the scheduler's lag), for monitoring. Called on the scheduler's thread after the occurrence is
 * recorded; must return quickly and must not throw.
 */
public interface OccurrenceListener {

  /** A listener that does nothing. */
  OccurrenceListener NONE = (job, due, firedAt, skipped) -> {};

  /**
   * @param job the job whose occurrence fired
   * @param due the occurrence's time
   * @param firedAt when this instance fired it
   * @param skipped true when it was recorded as a skipped run (the previous run was still active)
   */
  void fired(Job job, Instant due, Instant firedAt, boolean skipped);
}
