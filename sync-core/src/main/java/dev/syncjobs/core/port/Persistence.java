package dev.syncjobs.core.port;

import java.time.Clock;

/**
 * Everything syncjobs keeps durably, from one store: the jobs, their runs and run logs, the shared
 * settings, the uploads and the audit trail, and the clock due checks and leases read (the
 * database's own clock when several processes share the store). Give it to {@code
 * SyncRuntime.builder().persistence(…)}, which wires every repository from it and closes it when
 * the runtime is closed, after its worker and scheduler have stopped. An implementation opens its
 * store when it is made and releases it (connections, locks) in {@link #close()}; the repositories
 * must not be used after that.
 */
public interface Persistence extends AutoCloseable {

  /** The jobs. */
  JobRepository jobs();

  /** The runs of the jobs of {@link #jobs()}. */
  RunRepository runs();

  /** The runs' text logs. */
  RunLog runLog();

  /** The settings every process on this store shares. */
  SettingsRepository settings();

  /** The uploads. */
  UploadRepository uploads();

  /** The audit trail of changes, written by the repositories in the transaction of each change. */
  AuditLog audit();

  /** The clock of due checks and leases. */
  Clock clock();

  /** Releases the store; throws no checked exception. */
  @Override
  void close();
}
