package dev.syncjobs.core.model;

/**
 * A request that contradicts the current state: a duplicate name, an overlapping destination, a job
 * that is already running (HTTP 409).
 */
public final class ConflictException extends SyncException {
  private final String field;

  public ConflictException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** The input field the conflict is about, or {@code null} when it is about the whole request. */
  public String field() {
    return field;
  }
}
