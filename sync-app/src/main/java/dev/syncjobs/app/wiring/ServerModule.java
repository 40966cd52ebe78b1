package dev.syncjobs.app.wiring;

import dagger.Module;
import dagger.Provides;
import dev.syncjobs.app.config.DataDir;
import dev.syncjobs.app.config.ServerConfig;
import dev.syncjobs.app.config.SourceConfinement;
import dev.syncjobs.app.metrics.Metrics;
import dev.syncjobs.app.notify.DeliveringNotifier;
import dev.syncjobs.app.notify.NotificationSettingsStore;
import dev.syncjobs.app.web.Auth;
import dev.syncjobs.app.web.BandwidthFileImport;
import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.bandwidth.GlobalBandwidth;
import dev.syncjobs.core.job.SyncJobs;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.port.AuditLog;
import dev.syncjobs.core.port.JobRepository;
import dev.syncjobs.core.port.RunLog;
import dev.syncjobs.core.port.RunRepository;
import dev.syncjobs.core.port.SettingsRepository;
import dev.syncjobs.core.run.RunWorker;
import dev.syncjobs.core.schedule.Scheduler;
import dev.syncjobs.core.version.StorageBackends;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The data dir, the admin token, the backends and the runtime composed over the adapters, built
 * from the configuration; and the core services the web handlers are given. The handlers, the
 * WebSocket publisher, the engine's lifecycle and the server itself are built by their injected
 * constructors.
 */
@Module
final class ServerModule {
  private ServerModule() {}

  @Provides
  @Singleton
  static DataDir dataDir(ServerConfig config) {
    return DataDir.open(config.dataDir());
  }

  @Provides
  @Singleton
  static Auth auth(ServerConfig config, DataDir dataDir) {
    return new Auth(dataDir.adminToken(config.adminToken()), config.viewerToken());
  }

  @Provides
  @Singleton
  static List<StorageBackend> backends(ServerConfig config, DataDir dataDir) {
    List<StorageBackend> out = new ArrayList<>();
    for (ServerConfig.Backend b : config.backends()) {
      StorageBackend backend = new StorageBackend(b.name(), b.root());
      if (b.owned()) {
        StorageBackends.initialiseOwnRoot(backend);
      }
      out.add(backend);
    }
    return out;
  }

  @Provides
  @Singleton
  static SyncRuntime runtime(
      ServerConfig config,
      @Named("engine") Clock clock,
      ClusterProgress cluster,
      JobRepository jobs,
      RunRepository runs,
      RunLog runLog,
      List<StorageBackend> backends,
      SettingsRepository settings,
      AuditLog audit,
      DeliveringNotifier notifier,
      NotificationSettingsStore notificationSettings,
      DataDir dataDir,
      Metrics metrics) {
    BandwidthFileImport.importOnce(dataDir.root(), settings);
    SyncRuntime.Builder b =
        SyncRuntime.builder()
            .repositories(jobs, runs)
            .runLog(runLog)
            // this instance's own events only: each run is counted once across a cluster
            .publisher(
                event -> {
                  cluster.publish(event);
                  metrics.runs().publish(event);
                })
            .clock(clock)
            .workerSettings(
                RunWorker.Settings.builder(config.instanceId())
                    .maxConcurrentRuns(config.maxConcurrentRuns())
                    .lease(config.lease())
                    .build())
            .manualRunInterval(config.manualRunInterval())
            .runRetention(config.runRetention())
            .settings(settings)
            .audit(audit)
            .notifier(notifier)
            .bandwidthZone(config.timezone())
            .sourcePolicy(SourceConfinement.of(config));
    backends.forEach(b::backend);
    Transfers.all(config.rsyncPath(), config.httpConnections(), config.sourceDenyNetworks())
        .forEach(b::transfer);
    SyncRuntime runtime = b.build();
    runtime.scheduler().listen(metrics.runs());
    cluster.deliverRemoteTo(runtime.progress()::publish);
    // A repeated request is harmless: the repository announces a cancel only once.
    cluster.onCancelRequested(id -> runtime.worker().cancel(id));
    cluster.wakeOnClusterChanges(
        runtime.worker()::wakeUp,
        runtime.scheduler()::wakeUp,
        () -> {
          runtime.bandwidth().reload();
          notificationSettings.reload();
        });
    return runtime;
  }

  // The core services the handlers use, taken from the runtime that composed them.

  @Provides
  static SyncJobs syncJobs(SyncRuntime runtime) {
    return runtime.jobs();
  }

  @Provides
  static StorageBackends storageBackends(SyncRuntime runtime) {
    return runtime.engine().backends();
  }

  @Provides
  static Scheduler scheduler(SyncRuntime runtime) {
    return runtime.scheduler();
  }

  @Provides
  static GlobalBandwidth bandwidth(SyncRuntime runtime) {
    return runtime.bandwidth();
  }
}
