package dev.syncjobs.core.model;

/**
 * A source the configured rules do not allow a run to read: a local path outside the allowed roots,
 * or a network address in a denied range. Never retried: trying again reaches the same answer until
 * the job or the rules change.
 */
public class SourceRefusedException extends TransferException {
  public SourceRefusedException(String message) {
    super(message, false, null);
  }
}
