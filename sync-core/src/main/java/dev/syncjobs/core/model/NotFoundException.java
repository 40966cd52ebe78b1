package dev.syncjobs.core.model;

/** An id that names nothing (HTTP 404). */
public final class NotFoundException extends SyncException {
  public NotFoundException(String message) {
    super(message);
  }
}
