package dev.syncjobs.core.model;

/** Thrown by a transfer that stopped because its run was cancelled. */
public final class CancelledException extends SyncException {
  public CancelledException() {
    super("cancelled");
  }
}
