package dev.syncjobs.app.wiring;

import dev.syncjobs.core.model.ProgressEvent;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.port.ProgressPublisher;
import dev.syncjobs.persistence.Database;
import dev.syncjobs.persistence.PostgresProgressPublisher;
import java.util.function.Consumer;

/**
 * Progress across instances in cluster mode: this instance's events go out over PostgreSQL NOTIFY,
 * the other instances' events come in to the local bus (and so to this instance's WebSocket
 * clients). With SQLite it does nothing.
 */
final class ClusterProgress implements ProgressPublisher, AutoCloseable {
  private volatile Consumer<ProgressEvent> local = e -> {};
  private PostgresProgressPublisher postgres;

  static ClusterProgress start(Database db, String instanceId) {
    ClusterProgress c = new ClusterProgress();
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

  @Override
  public void publish(ProgressEvent event) {
    if (postgres != null) {
      postgres.publish(event);
    }
  }

  @Override
  public void close() {
    if (postgres != null) {
      postgres.close();
    }
  }
}
