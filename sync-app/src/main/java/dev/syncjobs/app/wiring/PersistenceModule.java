package dev.syncjobs.app.wiring;

import dagger.Binds;
import dagger.Module;
import dagger.Provides;
import dev.syncjobs.app.config.ConfigException;
import dev.syncjobs.app.config.DataDir;
import dev.syncjobs.app.config.PrivateFiles;
import dev.syncjobs.app.config.ServerConfig;
import dev.syncjobs.core.port.AuditLog;
import dev.syncjobs.core.port.JobRepository;
import dev.syncjobs.core.port.RunLog;
import dev.syncjobs.core.port.RunRepository;
import dev.syncjobs.core.port.SettingsRepository;
import dev.syncjobs.persistence.Database;
import dev.syncjobs.persistence.JdbcAuditLog;
import dev.syncjobs.persistence.JdbcJobRepository;
import dev.syncjobs.persistence.JdbcRunLog;
import dev.syncjobs.persistence.JdbcRunRepository;
import dev.syncjobs.persistence.JdbcSettingsRepository;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * The JDBC repositories behind the server, on the database {@code SYNCJOBS_DB_URL} names (SQLite in
 * the data dir by default, PostgreSQL for cluster mode). Source credentials are sealed with the key
 * in {@code <data>/secret.key}.
 */
@Module
abstract class PersistenceModule {
  @Binds
  abstract JobRepository jobRepository(JdbcJobRepository impl);

  @Binds
  abstract RunRepository runRepository(JdbcRunRepository impl);

  @Binds
  abstract RunLog bindRunLog(JdbcRunLog impl);

  @Binds
  abstract SettingsRepository settingsRepository(JdbcSettingsRepository impl);

  @Binds
  abstract AuditLog auditLog(JdbcAuditLog impl);

  /** The audit trail, in the database of the changes it records. */
  @Provides
  @Singleton
  static JdbcAuditLog audit(Database db) {
    return new JdbcAuditLog(db);
  }

  /** Opened after the data dir is locked, so two servers never share one SQLite file. */
  @Provides
  @Singleton
  static Database database(ServerConfig config, DataDir dataDir) {
    PrivateFiles.sqliteDatabase(config.dbUrl());
    return Database.open(config.dbUrl());
  }

  /** The key source credentials are sealed with, kept in the data dir (created once). */
  @Provides
  @Singleton
  @Named("secretKey")
  static byte[] secretKey(DataDir dataDir, ServerConfig config) {
    byte[] key = dataDir.secretKey(config.secretKeyFile(), Database::newSecretKey);
    if (key.length != 32) {
      throw new ConfigException(config.secretKeyFile() + " must hold a 32-byte key");
    }
    return key;
  }

  @Provides
  @Singleton
  static JdbcJobRepository jobs(Database db, @Named("secretKey") byte[] key) {
    return new JdbcJobRepository(db, key);
  }

  /** Its claims read the claimed runs' jobs too (on PostgreSQL), opening them with the same key. */
  @Provides
  @Singleton
  static JdbcRunRepository runs(Database db, @Named("secretKey") byte[] key) {
    return new JdbcRunRepository(db, key);
  }

  @Provides
  @Singleton
  static JdbcRunLog jdbcRunLog(Database db, ServerConfig config) {
    return new JdbcRunLog(db, config.runLogMaxBytes());
  }

  @Provides
  @Singleton
  static JdbcSettingsRepository settings(Database db) {
    return new JdbcSettingsRepository(db);
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
  static Clock engineClock(Database db, Clock clock) {
    return db.isPostgres() ? db.clock() : clock;
  }

  /** What the server closes last on shutdown. */
  @Provides
  @Singleton
  @Named("database")
  static AutoCloseable closeable(Database db, ClusterProgress cluster) {
    return () -> {
      try {
        cluster.close();
      } finally {
        db.close();
      }
    };
  }
}
