package dev.syncjobs.core.model;

/**
 * An upload cannot fit on its backend: now ({@link #tooLargeEver} false, HTTP 507), or ever, being
 * larger than the backend's whole file system ({@link #tooLargeEver} true, HTTP 413).
 */
public final class InsufficientStorageException extends SyncException {
  private final boolean tooLargeEver;

  public InsufficientStorageException(String message, boolean tooLargeEver) {
    super(message);
    this.tooLargeEver = tooLargeEver;
  }

  public boolean tooLargeEver() {
    return tooLargeEver;
  }
}
