package dev.syncjobs.core.model;

/**
 * Root of every failure syncjobs raises. Adapters translate {@code IOException}, {@code
 * SQLException} and process failures into a subtype at their boundary; the web layer maps the
 * subtypes to status codes in one place.
 */
public class SyncException extends RuntimeException {
  public SyncException(String message) {
    super(message);
  }

  public SyncException(String message, Throwable cause) {
    super(message, cause);
  }
}
