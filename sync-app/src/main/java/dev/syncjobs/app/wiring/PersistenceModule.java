package dev.syncjobs.app.wiring;

import dagger.Binds;
import dagger.Module;
import dagger.Provides;
import dev.syncjobs.app.config.ConfigException;
import dev.syncjobs.app.config.DataDir;
import dev.syncjobs.app.config.ServerConfig;
import dev.syncjobs.core.port.JobRepository;
import dev.syncjobs.core.port.RunLog;
import dev.syncjobs.core.port.RunRepository;
import dev.syncjobs.persistence.Database;
import dev.syncjobs.persistence.JdbcJobRepository;
import dev.syncjobs.persistence.JdbcRunLog;
import dev.syncjobs.persistence.JdbcRunRepository;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

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

  /** Opened after the data dir is locked, so two servers never share one SQLite file. */
  @Provides
  @Singleton
  static Database database(ServerConfig config, DataDir dataDir) {
    return Database.open(config.dbUrl());
  }

  @Provides
  @Singleton
  static JdbcJobRepository jobs(Database db, DataDir dataDir) {
    byte[] key = dataDir.secretKey(Database::newSecretKey);
    if (key.length != 32) {
      throw new ConfigException(
          dataDir.root().resolve(DataDir.SECRET_KEY_FILE) + " must hold a 32-byte key");
    }
    return new JdbcJobRepository(db, key);
  }

  @Provides
  @Singleton
  static JdbcRunRepository runs(Database db) {
    return new JdbcRunRepository(db);
  }

  @Provides
  @Singleton
  static JdbcRunLog jdbcRunLog(Database db, ServerConfig config) {
    return new JdbcRunLog(db, config.runLogMaxBytes());
  }

  /** What the server closes last on shutdown. */
  @Provides
  @Singleton
  @Named("database")
  static AutoCloseable closeable(Database db) {
    return db;
  }
}
