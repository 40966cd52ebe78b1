package dev.syncjobs.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.syncjobs.core.model.SyncException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The connection pool syncjobs opens itself when given a URL (HikariCP), and closes. Kept apart
 * from {@link Database} so that an application handing over its own data source needs neither
 * HikariCP nor the driver of the other database on its class path.
 */
final class Pool implements AutoCloseable {
  private final HikariDataSource pool;

  private Pool(HikariDataSource pool) {
    this.pool = pool;
  }

  static Pool open(Database.Settings settings, Dialect dialect) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("syncjobs-" + dialect.name().toLowerCase());
    if (dialect == Dialect.SQLITE) {
      config.setDataSource(sqlite(settings.url()));
      config.setMaximumPoolSize(Math.min(4, settings.maxPoolSize()));
    } else {
      config.setJdbcUrl(settings.url());
      if (settings.user() != null) {
        config.setUsername(settings.user());
      }
      if (settings.password() != null) {
        config.setPassword(settings.password());
      }
      config.setMaximumPoolSize(settings.maxPoolSize());
    }
    config.setMinimumIdle(1);
    config.setConnectionTimeout(30_000);
    try {
      return new Pool(new HikariDataSource(config));
    } catch (RuntimeException e) {
      throw new SyncException("cannot open the database: " + Database.rootMessage(e), e);
    }
  }

  DataSource dataSource() {
    return pool;
  }

  @Override
  public void close() {
    pool.close();
  }

  private static SQLiteDataSource sqlite(String url) {
    String file = url.substring("jdbc:sqlite:".length());
    int query = file.indexOf('?');
    String path = query >= 0 ? file.substring(0, query) : file;
    if (path.startsWith("file:")) {
      path = path.substring("file:".length());
    }
    if (!path.isEmpty() && !path.equals(":memory:")) {
      try {
        Path parent = Path.of(path).toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
      } catch (java.io.IOException | RuntimeException e) {
        throw new SyncException("cannot create the database folder for " + path, e);
      }
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(Database.SQLITE_BUSY_TIMEOUT_MILLIS);
    config.enforceForeignKeys(true);
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource ds = new SQLiteDataSource(config);
    ds.setUrl(url);
    return ds;
  }
}
