package dev.syncjobs.app.wiring;

import dagger.Binds;
import dagger.Module;
import dagger.Provides;
import dev.syncjobs.app.config.ServerConfig;
import dev.syncjobs.core.memory.InMemoryJobRepository;
import dev.syncjobs.core.memory.InMemoryRunLog;
import dev.syncjobs.core.memory.InMemoryRunRepository;
import dev.syncjobs.core.port.JobRepository;
import dev.syncjobs.core.port.RunLog;
import dev.syncjobs.core.port.RunRepository;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

/** The repositories behind the server. */
@Module
abstract class PersistenceModule {
  @Binds
  abstract JobRepository jobRepository(InMemoryJobRepository impl);

  @Binds
  abstract RunRepository runRepository(InMemoryRunRepository impl);

  @Provides
  @Singleton
  static InMemoryRunRepository inMemoryRuns() {
    return new InMemoryRunRepository();
  }

  @Provides
  @Singleton
  static InMemoryJobRepository inMemoryJobs(InMemoryRunRepository runs) {
    return new InMemoryJobRepository(runs);
  }

  @Provides
  @Singleton
  static RunLog runLog(ServerConfig config) {
    return new InMemoryRunLog(config.runLogMaxBytes());
  }

  /** What the server closes last on shutdown. */
  @Provides
  @Singleton
  @Named("database")
  static AutoCloseable database() {
    return () -> {};
  }
}
