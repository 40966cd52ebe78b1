package dev.syncjobs.app.wiring;

import dagger.Module;
import dagger.Provides;
import dev.syncjobs.app.config.DataDir;
import dev.syncjobs.app.config.ServerConfig;
import dev.syncjobs.core.port.AuditLog;
import dev.syncjobs.core.port.ChunkLocks;
import dev.syncjobs.core.port.JobRepository;
import dev.syncjobs.core.port.RunLog;
import dev.syncjobs.core.port.RunRepository;
import dev.syncjobs.core.port.SettingsRepository;
import dev.syncjobs.persistence.Database;
import dev.syncjobs.persistence.JdbcPersistence;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * The JDBC repositories behind the server, on the database {@code SYNCJOBS_DB_URL} names (SQLite in
 * the data dir by default, PostgreSQL for cluster mode), opened by {@link JdbcPersistence} as an
 * embedding application's would be. Source credentials are sealed with the key in {@code
 * SYNCJOBS_SECRET_KEY_FILE} ({@code <data>/secret.key} by default).
 */
@Module
final class PersistenceModule {
  private PersistenceModule() {}

  /**
   * The repositories are the ones {@link JdbcPersistence} opened; the run repository's claims read
   * the claimed runs' jobs too (on PostgreSQL), opening them with the same key.
   */
  @Provides
  static JobRepository jobs(JdbcPersistence persistence) {
    return persistence.jobs();
  }

  @Provides
  static RunRepository runs(JdbcPersistence persistence) {
    return persistence.runs();
  }

  @Provides
  static RunLog runLog(JdbcPersistence persistence) {
    return persistence.runLog();
  }

  @Provides
  static SettingsRepository settings(JdbcPersistence persistence) {
    return persistence.settings();
  }

  /** The audit trail, in the database of the changes it records. */
  @Provides
  static AuditLog audit(JdbcPersistence persistence) {
    return persistence.audit();
  }

  /** The key that seals credentials, also sealing the notification settings' secrets. */
  @Provides
  @Named("secretKey")
  static byte[] secretKey(JdbcPersistence persistence) {
    return persistence.secretKey();
  }

  /**
   * The database and key, opened after the data dir is locked: a SQLite database is created private
   * to its owner and locked ({@code <file>.lock}), so two servers never share one file.
   */
  @Provides
  @Singleton
  static JdbcPersistence persistence(ServerConfig config, DataDir dataDir) {
    JdbcPersistence persistence =
        JdbcPersistence.builder()
            .url(config.dbUrl())
            .secretKeyFile(config.secretKeyFile())
            .runLogMaxBytes(config.runLogMaxBytes())
            .build();
    // In cluster mode the server listens on three connections of their own (wake-ups, progress,
    // upload lock requests): logging them in at once, while the rest is wired, shortens start-up.
    persistence.database().openListenConnectionsAhead(LISTENERS);
    return persistence;
  }

  /** The LISTEN connections of a server in cluster mode. */
  static final int LISTENERS = 3;

  @Provides
  static Database database(JdbcPersistence persistence) {
    return persistence.database();
  }

  @Provides
  @Singleton
  static ClusterProgress clusterProgress(Database db, ServerConfig config) {
    return ClusterProgress.start(db, config.instanceId());
  }

  /**
   * The clock of due checks and leases: the database's in cluster mode (so instances with skewed
   * clocks agree), else the given one.
   */
  @Provides
  @Singleton
  @Named("engine")
  static Clock engineClock(JdbcPersistence persistence, Clock clock) {
    return persistence.database().isPostgres() ? persistence.clock() : clock;
  }

  /** What the server closes last on shutdown. */
  @Provides
  @Singleton
  @Named("database")
  static AutoCloseable closeable(
      JdbcPersistence persistence, ClusterProgress cluster, ChunkLocks chunkLocks) {
    return () -> {
      try {
        cluster.close();
        if (chunkLocks instanceof AutoCloseable c) {
          c.close();
        }
      } finally {
        persistence.close();
      }
    };
  }
}
