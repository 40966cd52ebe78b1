package dev.syncjobs.persistence;

import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.port.Persistence;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * syncjobs' durable state on SQLite or PostgreSQL, in one call: the database (migrated to the
 * current schema when opened), the job and run repositories, the run log, the shared settings, the
 * uploads and the clock of due checks, for {@code SyncRuntime.builder().persistence(…)}.
 *
 * <ul>
 *   <li>{@link #sqlite(Path)}: one process's data dir. The database {@code syncjobs.db} and the key
 *       file {@code secret.key} (both mode 0600, created when missing and reused after), and a lock
 *       ({@code syncjobs.db.lock}) that makes a second process on the same database fail at once.
 *   <li>{@link #postgres(DataSource)}: the application's PostgreSQL data source, which stays the
 *       application's (it is not closed here). Several processes may share the database.
 *   <li>{@link #builder()}: the same with options: a SQLite file or a URL or any data source, the
 *       secret key or its file, a table prefix and the Flyway history table.
 * </ul>
 *
 * {@link #close()} closes the pool opened here (never an application's data source) and releases
 * the lock; {@code SyncRuntime} calls it when it is closed, after its runs stopped.
 */
public final class JdbcPersistence implements Persistence {
  /** The database file of {@link #sqlite(Path)} in its data dir. */
  public static final String DATABASE_FILE = "syncjobs.db";

  /** The key file of {@link #sqlite(Path)} in its data dir. */
  public static final String SECRET_KEY_FILE = "secret.key";

  /** Appended to a SQLite database's file name to name its lock file. */
  public static final String LOCK_SUFFIX = ".lock";

  private final Database db;
  private final OwnerLock lock;
  private final Clock clock;
  private final JdbcJobRepository jobs;
  private final JdbcRunRepository runs;
  private final JdbcRunLog runLog;
  private final JdbcSettingsRepository settings;
  private final JdbcUploadRepository uploads;
  private final JdbcAuditLog audit;
  private final byte[] key;

  private JdbcPersistence(Database db, OwnerLock lock, byte[] key, long runLogMaxBytes) {
    this.db = db;
    this.lock = lock;
    this.clock = db.clock();
    this.jobs = new JdbcJobRepository(db, key);
    this.runs = new JdbcRunRepository(db, key);
    this.runLog = runLogMaxBytes > 0 ? new JdbcRunLog(db, runLogMaxBytes) : new JdbcRunLog(db);
    this.settings = new JdbcSettingsRepository(db, clock);
    this.uploads = new JdbcUploadRepository(db);
    this.audit = new JdbcAuditLog(db);
    this.key = key;
  }

  /**
   * Durable state in {@code dataDir} (created when missing): {@code syncjobs.db}, {@code
   * secret.key}, and the lock {@code syncjobs.db.lock} held until {@link #close()}.
   *
   * @throws OwnerLock.HeldException when another process uses the database
   * @throws SyncException when the database or the key file cannot be opened
   */
  public static JdbcPersistence sqlite(Path dataDir) {
    return builder().sqlite(dataDir).build();
  }

  /**
   * Durable state in the application's PostgreSQL {@code dataSource}, tables without prefix in the
   * connections' current schema. Give a key ({@link Builder#secretKeyFile}) when jobs carry
   * credentials.
   */
  public static JdbcPersistence postgres(DataSource dataSource) {
    return builder().dataSource(dataSource).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The database, for the cluster plumbing ({@link PostgresWakeUps}, {@link
   * PostgresProgressPublisher}).
   */
  public Database database() {
    return db;
  }

  @Override
  public JdbcJobRepository jobs() {
    return jobs;
  }

  @Override
  public JdbcRunRepository runs() {
    return runs;
  }

  @Override
  public JdbcRunLog runLog() {
    return runLog;
  }

  @Override
  public JdbcSettingsRepository settings() {
    return settings;
  }

  @Override
  public JdbcUploadRepository uploads() {
    return uploads;
  }

  @Override
  public JdbcAuditLog audit() {
    return audit;
  }

  /**
   * A copy of the secret key the repositories seal credentials with, for an application that seals
   * secrets of its own with the same key (the server's notification settings); null when none was
   * given.
   */
  public byte[] secretKey() {
    return key == null ? null : key.clone();
  }

  /** The database's clock on PostgreSQL (processes with skewed clocks agree), else the system's. */
  @Override
  public Clock clock() {
    return clock;
  }

  /** Closes the pool opened here (not an application's data source), then releases the lock. */
  @Override
  public void close() {
    try {
      db.close();
    } finally {
      if (lock != null) {
        lock.close();
      }
    }
  }

  /** Options of a {@link JdbcPersistence}; exactly one of the three ways to the database. */
  public static final class Builder {
    private Path dataDir;
    private String url;
    private String user;
    private String password;
    private int maxPoolSize = 10;
    private DataSource dataSource;
    private byte[] secretKey;
    private Path secretKeyFile;
    private String tablePrefix = "";
    private String historyTable;
    private long runLogMaxBytes;

    private Builder() {}

    /** SQLite in {@code dataDir}: {@code syncjobs.db}, key file {@code secret.key}, locked. */
    public Builder sqlite(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
      return this;
    }

    /**
     * A database by JDBC URL ({@code jdbc:sqlite:<file>}, locked as in {@link #sqlite}, or {@code
     * jdbc:postgresql://…}) in a pool opened here.
     */
    public Builder url(String url) {
      return url(url, null, null);
    }

    public Builder url(String url, String user, String password) {
      this.url = Objects.requireNonNull(url, "url");
      this.user = user;
      this.password = password;
      return this;
    }

    /** Connections of the pool opened for {@link #url} (default 10; SQLite uses at most 4). */
    public Builder maxPoolSize(int value) {
      this.maxPoolSize = value;
      return this;
    }

    /**
     * The application's data source (PostgreSQL or SQLite). It stays the application's: closing the
     * persistence does not close it. A SQLite database reached this way is locked too.
     */
    public Builder dataSource(DataSource value) {
      this.dataSource = Objects.requireNonNull(value, "dataSource");
      return this;
    }

    /** The key sealing stored credentials (32 bytes), instead of a key file. */
    public Builder secretKey(byte[] value) {
      if (value.length != SecretKeyFile.KEY_BYTES) {
        throw new IllegalArgumentException("secretKey must be 32 bytes, not " + value.length);
      }
      this.secretKey = value.clone();
      return this;
    }

    /**
     * The file keeping that key: read, or made once (mode 0600) when missing. Default: {@code
     * secret.key} in the {@link #sqlite} data dir; none otherwise (jobs then cannot store
     * credentials).
     */
    public Builder secretKeyFile(Path value) {
      this.secretKeyFile = Objects.requireNonNull(value, "secretKeyFile");
      return this;
    }

    /**
     * Put before every table and index name ({@code myapp_sync_} makes {@code myapp_sync_jobs},
     * {@code myapp_sync_runs}, …) and the PostgreSQL notification channels: lower-case letters,
     * digits and {@code _}, at most 40 characters. Default none.
     */
    public Builder tablePrefix(String value) {
      this.tablePrefix = Tables.checkPrefix(value);
      return this;
    }

    /**
     * The table Flyway records syncjobs' migrations in; default {@code flyway_schema_history}
     * without a prefix, {@code <prefix>schema_history} with one.
     */
    public Builder historyTable(String value) {
      this.historyTable = Objects.requireNonNull(value, "historyTable");
      return this;
    }

    /** The cap of each run's log in bytes (default: {@link JdbcRunLog}'s). */
    public Builder runLogMaxBytes(long value) {
      if (value < 1) {
        throw new IllegalArgumentException("runLogMaxBytes must be positive");
      }
      this.runLogMaxBytes = value;
      return this;
    }

    /**
     * Locks a SQLite database, opens and migrates the database, reads or makes the key.
     *
     * @throws IllegalArgumentException when no or several ways to the database were given
     * @throws OwnerLock.HeldException when another process uses the SQLite database
     * @throws SyncException when the database, its driver or the key file is missing or broken
     */
    public JdbcPersistence build() {
      int ways = (dataDir != null ? 1 : 0) + (url != null ? 1 : 0) + (dataSource != null ? 1 : 0);
      if (ways != 1) {
        throw new IllegalArgumentException(
            "give exactly one of sqlite(dataDir), url(...) and dataSource(...)");
      }
      Tables tables = new Tables(tablePrefix, historyTable);
      String jdbcUrl = dataDir != null ? "jdbc:sqlite:" + dataDir.resolve(DATABASE_FILE) : url;
      Path sqliteFile = jdbcUrl != null ? sqliteFile(jdbcUrl) : sqliteFile(dataSource);
      OwnerLock lock = null;
      Database db = null;
      try {
        if (sqliteFile != null) {
          lock =
              OwnerLock.acquire(
                  sqliteFile.resolveSibling(sqliteFile.getFileName() + LOCK_SUFFIX),
                  "the SQLite database " + sqliteFile,
                  "a SQLite database has one owner: stop the other process, or let processes share"
                      + " a PostgreSQL database");
          if (jdbcUrl != null) {
            privateDatabase(sqliteFile);
          }
        }
        db =
            jdbcUrl != null
                ? Database.open(new Database.Settings(jdbcUrl, user, password, maxPoolSize), tables)
                : Database.on(dataSource, tables);
        Path keyFile =
            secretKeyFile != null
                ? secretKeyFile
                : dataDir != null && secretKey == null ? dataDir.resolve(SECRET_KEY_FILE) : null;
        byte[] key =
            secretKey != null
                ? secretKey
                : keyFile != null ? SecretKeyFile.readOrCreate(keyFile) : null;
        return new JdbcPersistence(db, lock, key, runLogMaxBytes);
      } catch (RuntimeException e) {
        if (db != null) {
          db.close();
        }
        if (lock != null) {
          lock.close();
        }
        throw e;
      }
    }

    private static void privateDatabase(Path file) {
      try {
        PrivateFiles.sqliteDatabase(file);
      } catch (IOException e) {
        throw new SyncException("cannot make " + file + " private to its owner: " + e, e);
      }
    }

    /** The file of a {@code jdbc:sqlite:} URL; null for another database or an in-memory one. */
    static Path sqliteFile(String jdbcUrl) {
      String start = "jdbc:sqlite:";
      if (!jdbcUrl.toLowerCase(Locale.ROOT).startsWith(start)) {
        return null;
      }
      String rest = jdbcUrl.substring(start.length());
      int query = rest.indexOf('?');
      if (query >= 0) {
        rest = rest.substring(0, query);
      }
      if (rest.startsWith("file:")) {
        rest = rest.substring("file:".length());
      }
      if (rest.isEmpty() || rest.startsWith(":memory:") || rest.contains("mode=memory")) {
        return null;
      }
      return Path.of(rest).toAbsolutePath();
    }

    /** The file of an application's SQLite data source; null for PostgreSQL or in memory. */
    private static Path sqliteFile(DataSource dataSource) {
      try (Connection c = dataSource.getConnection()) {
        String product = c.getMetaData().getDatabaseProductName();
        if (Dialect.ofProduct(product) != Dialect.SQLITE) {
          return null;
        }
        try (Statement s = c.createStatement();
            ResultSet rs =
                s.executeQuery("SELECT file FROM pragma_database_list WHERE name = 'main'")) {
          String file = rs.next() ? rs.getString(1) : null;
          return file == null || file.isEmpty() ? null : Path.of(file).toAbsolutePath();
        }
      } catch (SQLException e) {
        throw new SyncException("cannot connect to the database: " + Database.rootMessage(e), e);
      }
    }
  }
}
