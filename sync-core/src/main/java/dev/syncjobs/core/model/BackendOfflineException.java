package dev.syncjobs.core.model;

/** A run or upload aimed at a storage backend that is not online; nothing was written. */
public final class BackendOfflineException extends SyncException {
  public BackendOfflineException(String message) {
    super(message);
  }
}
