package dev.syncjobs.app.wiring;

import dagger.Module;
import dagger.Provides;
import dagger.multibindings.IntoSet;
import dev.syncjobs.app.config.DataDir;
import dev.syncjobs.app.config.ServerConfig;
import dev.syncjobs.app.metrics.Metrics;
import dev.syncjobs.app.notify.DeliveringNotifier;
import dev.syncjobs.app.web.AuditApi;
import dev.syncjobs.app.web.AuditTrail;
import dev.syncjobs.app.web.Auth;
import dev.syncjobs.app.web.EngineLifecycle;
import dev.syncjobs.app.web.HealthApi;
import dev.syncjobs.app.web.JobJson;
import dev.syncjobs.app.web.JobsApi;
import dev.syncjobs.app.web.NotificationSettingsApi;
import dev.syncjobs.app.web.OpenApiDocs;
import dev.syncjobs.app.web.RouteGroup;
import dev.syncjobs.app.web.SettingsApi;
import dev.syncjobs.app.web.SyncServer;
import dev.syncjobs.app.web.TusApi;
import dev.syncjobs.app.web.UploadsApi;
import dev.syncjobs.app.web.WebSocketProgressPublisher;
import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.bandwidth.GlobalBandwidth;
import dev.syncjobs.core.job.SyncJobs;
import dev.syncjobs.core.port.AuditLog;
import dev.syncjobs.core.port.JobRepository;
import dev.syncjobs.core.port.RunRepository;
import dev.syncjobs.core.port.SettingsRepository;
import dev.syncjobs.core.schedule.Scheduler;
import dev.syncjobs.core.upload.Uploads;
import dev.syncjobs.core.version.StorageBackends;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Set;

/**
 * The web front: each handler class, built over the core services it uses, provided into the set of
 * {@link RouteGroup}s the server registers (a new handler class is one method here); the WebSocket
 * publisher the progress bus feeds; the engine's lifecycle; and the server.
 */
@Module
final class WebModule {
  private WebModule() {}

  @Provides
  @IntoSet
  static RouteGroup jobsApi(SyncJobs jobs, StorageBackends backends, ServerConfig config) {
    return new JobsApi(jobs, backends, new JobJson(config.timezone(), backends));
  }

  @Provides
  @IntoSet
  static RouteGroup settingsApi(SettingsRepository settings, GlobalBandwidth bandwidth) {
    return new SettingsApi(settings, bandwidth);
  }

  @Provides
  @IntoSet
  static RouteGroup uploadsApi(Uploads uploads) {
    return new UploadsApi(uploads);
  }

  @Provides
  @IntoSet
  static RouteGroup tusApi(Uploads uploads, StorageBackends backends) {
    return new TusApi(uploads, backends);
  }

  @Provides
  @IntoSet
  static RouteGroup healthApi(
      JobRepository jobs, Scheduler scheduler, StorageBackends backends, Clock clock) {
    return new HealthApi(jobs, scheduler, backends, clock);
  }

  @Provides
  @IntoSet
  static RouteGroup notificationSettingsApi(NotificationSettingsApi api) {
    return api;
  }

  @Provides
  @IntoSet
  static RouteGroup auditApi(AuditLog audit) {
    return new AuditApi(audit);
  }

  @Provides
  @IntoSet
  static RouteGroup openApiDocs() {
    return new OpenApiDocs();
  }

  @Provides
  @Singleton
  static AuditTrail auditTrail(
      AuditLog audit,
      Clock clock,
      SyncJobs jobs,
      SettingsRepository settings,
      NotificationSettingsApi notifications) {
    return AuditTrail.of(audit, clock, jobs, settings, notifications);
  }

  @Provides
  @IntoSet
  static RouteGroup socketRoutes(WebSocketProgressPublisher sockets) {
    return sockets;
  }

  @Provides
  @Singleton
  static WebSocketProgressPublisher sockets(SyncJobs jobs, RunRepository runs) {
    return new WebSocketProgressPublisher(jobs, runs);
  }

  @Provides
  @Singleton
  static EngineLifecycle lifecycle(
      ServerConfig config,
      SyncRuntime runtime,
      WebSocketProgressPublisher sockets,
      Uploads uploads,
      @Named("database") AutoCloseable database) {
    return new EngineLifecycle(config, runtime, sockets, uploads, database);
  }

  @Provides
  @Singleton
  static SyncServer server(
      ServerConfig config,
      DataDir dataDir,
      SyncRuntime runtime,
      Auth auth,
      EngineLifecycle lifecycle,
      Set<RouteGroup> groups,
      WebSocketProgressPublisher sockets,
      Uploads uploads,
      AuditTrail audit,
      DeliveringNotifier notifier,
      Metrics metrics) {
    return new SyncServer(
        config, dataDir, runtime, auth, lifecycle, groups, sockets, uploads, audit, notifier,
        metrics);
  }
}
