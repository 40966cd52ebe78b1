package dev.syncjobs.core.model;

/** A request body longer than the route takes (HTTP 413), naming the limit. */
public final class BodyTooLargeException extends SyncException {
  public BodyTooLargeException(String message) {
    super(message);
  }
}
