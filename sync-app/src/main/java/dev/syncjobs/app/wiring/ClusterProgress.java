package dev.syncjobs.app.wiring;

import dev.syncjobs.core.model.ProgressEvent;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.port.ProgressPublisher;
import dev.syncjobs.persistence.Database;
import dev.syncjobs.persistence.PostgresProgressPublisher;
import dev.syncjobs.persistence.PostgresWakeUps;
import java.util.function.Consumer;

/**
 * Progress across instances in cluster mode: this instance's events go out over PostgreSQL NOTIFY,
 * the other instances' events come in to the local bus (and so to this instance's WebSocket
 * clients); a run queued or a job changed on another instance wakes this instance's worker or
 * scheduler, and a settings change made on another instance is read again here. With SQLite it does
 * nothing.
 */
final class ClusterProgress implements ProgressPublisher, AutoCloseable {
  private volatile Consumer<ProgressEvent> local = e -> {};
  private PostgresProgressPublisher postgres;
  private Database db;
  private PostgresWakeUps wakeUps;

  static ClusterProgress start(Database db, String instanceId) {
    ClusterProgress c = new ClusterProgress();
    c.db = db;
    if (db.isPostgres()) {
      c.postgres = PostgresProgressPublisher.start(db, instanceId, e -> c.local.accept(e));
    }
    return c;
  }

  /** Where events of other instances go (the runtime's in-process bus). */
  void deliverRemoteTo(Consumer<ProgressEvent> bus) {
    this.local = bus;
  }

  /**
   * Calls {@code listener} with every run some instance asked to cancel, so the instance executing
   * it stops at once instead of at its next lease renewal.
   */
  void onCancelRequested(Consumer<RunId> listener) {
    if (postgres != null) {
      postgres.onCancelRequested(listener);
    }
  }

  /**
   * Calls {@code worker} when any instance queued a run, {@code scheduler} when any instance
   * created or changed a job, and {@code settings} when any instance changed the shared settings
   * (cluster mode; the loops' polls and the settings' periodic reload remain the fallback).
   */
  void wakeOnClusterChanges(Runnable worker, Runnable scheduler, Runnable settings) {
    if (db.isPostgres()) {
      wakeUps = PostgresWakeUps.start(db, worker, scheduler, settings);
    }
  }

  @Override
  public void publish(ProgressEvent event) {
    if (postgres != null) {
      postgres.publish(event);
    }
  }

  @Override
  public void close() {
    if (wakeUps != null) {
      wakeUps.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }
}
