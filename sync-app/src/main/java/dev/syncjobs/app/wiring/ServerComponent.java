package dev.syncjobs.app.wiring;

import dagger.BindsInstance;
import dagger.Component;
import dev.syncjobs.app.config.ServerConfig;
import dev.syncjobs.app.web.SyncServer;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The server's object graph, built at compile time from configuration and a clock. */
@Singleton
@Component(
    modules = {
      ServerModule.class,
      PersistenceModule.class,
      UploadModule.class,
      NotificationModule.class,
      MetricsModule.class,
      WebModule.class
    })
public interface ServerComponent {

  /** The server, not yet started. */
  SyncServer server();

  /** Builds the graph. */
  @Component.Factory
  interface Factory {
    ServerComponent create(@BindsInstance ServerConfig config, @BindsInstance Clock clock);
  }

  /** A server for {@code config} on the system clock, not yet started. */
  static SyncServer server(ServerConfig config) {
    return DaggerServerComponent.factory().create(config, Clock.systemUTC()).server();
  }
}
