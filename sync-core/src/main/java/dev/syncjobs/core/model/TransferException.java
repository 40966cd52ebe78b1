package dev.syncjobs.core.model;

/**
 * A transfer that could not complete: unreachable source, refused credentials, a checksum that
 * disagrees, a full disk. The message is shown to users as the run's error.
 */
public class TransferException extends SyncException {
  private final boolean retryable;

  public TransferException(String message) {
    this(message, true, null);
  }

  public TransferException(String message, Throwable cause) {
    this(message, true, cause);
  }

  public TransferException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** Whether trying again later may succeed (network faults) or not (a bad configuration). */
  public boolean retryable() {
    return retryable;
  }
}
