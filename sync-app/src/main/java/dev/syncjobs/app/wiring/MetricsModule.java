package dev.syncjobs.app.wiring;

import dagger.Module;
import dagger.Provides;
import dev.syncjobs.app.config.ServerConfig;
import dev.syncjobs.app.metrics.Metrics;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The server's metrics: one registry per server, labelled by instance in cluster mode. */
@Module
final class MetricsModule {
  private MetricsModule() {}

  @Provides
  @Singleton
  static Metrics metrics(ServerConfig config, Clock clock) {
    boolean cluster = config.dbUrl().startsWith("jdbc:postgresql:");
    return new Metrics(cluster ? config.instanceId() : null, clock);
  }
}
