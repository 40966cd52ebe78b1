package dev.syncjobs.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.syncjobs.core.model.AuditEntry;
import dev.syncjobs.core.model.NotFoundException;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.port.AuditScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The database behind the JDBC repositories, opened from a JDBC URL and migrated to the current
 * schema on open.
 *
 * <ul>
 *   <li>{@code jdbc:sqlite:<file>} (the embedded default): WAL journal, {@code synchronous=FULL}, a
 *       busy timeout, foreign keys on, and a single writer: write transactions are run by one
 *       thread of this process, and those submitted together share one commit (see {@link
 *       #transaction}). One process owns the file.
 *   <li>{@code jdbc:postgresql://...} (cluster mode): a HikariCP pool; several instances may share
 *       the database. The schema is the connection's current schema ({@code ?currentSchema=} in the
 *       URL), which also names the LISTEN/NOTIFY channels, so instances on one schema form one
 *       cluster.
 * </ul>
 *
 * Migrations are plain SQL files under {@code db/migration/<dialect>/} applied by Flyway; several
 * instances starting at once are serialised by Flyway's lock. Instants are stored at microsecond
 * precision in both dialects.
 */
public final class Database implements AutoCloseable {

  /**
   * How to reach the database.
   *
   * @param url {@code jdbc:sqlite:<file>} or {@code jdbc:postgresql://host:port/db}
   * @param user PostgreSQL user, null for SQLite or when the URL carries it
   * @param password PostgreSQL password, null when none
   * @param maxPoolSize connections of the pool (PostgreSQL; SQLite uses at most 4)
   */
  public record Settings(String url, String user, String password, int maxPoolSize) {
    public Settings {
      if (url == null || url.isBlank()) {
        throw new IllegalArgumentException("a database URL is required");
      }
      if (maxPoolSize < 1) {
        throw new IllegalArgumentException("maxPoolSize must be at least 1");
      }
    }
  }

  static final int SQLITE_BUSY_TIMEOUT_MILLIS = 10_000;

  private final Dialect dialect;
  private final HikariDataSource pool;
  private final Settings settings;

  /** SQLite: the write transactions waiting for the writer, and the writer. */
  private final GroupCommit<Write, Outcome> writes =
      new GroupCommit<>(
          "syncjobs-sqlite-writer", q -> GroupCommit.first(q, MAX_SHARED), this::write);

  /** At most this many SQLite write transactions share a commit. */
  private static final int MAX_SHARED = 256;

  /** Set on the SQLite writer thread while it runs a group. */
  private static final ThreadLocal<Boolean> WRITING = ThreadLocal.withInitial(() -> false);

  private final String schema;

  private Database(Settings settings) {
    this.settings = settings;
    this.dialect = Dialect.of(settings.url());
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
      this.pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new SyncException("cannot open the database: " + rootMessage(e), e);
    }
    try {
      this.schema = dialect == Dialect.POSTGRESQL ? currentSchema() : "main";
      migrate();
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  /** Opens (creating and migrating when needed) the database at {@code url} with no credentials. */
  public static Database open(String url) {
    return open(new Settings(url, null, null, 10));
  }

  /** Opens (creating and migrating when needed) the database at {@code url}. */
  public static Database open(String url, String user, String password) {
    return open(new Settings(url, user, password, 10));
  }

  /** Opens (creating and migrating when needed) the database described by {@code settings}. */
  public static Database open(Settings settings) {
    return new Database(settings);
  }

  /** 32 random bytes, a fresh key for {@link JdbcJobRepository}'s credential encryption. */
  public static byte[] newSecretKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }

  /** True for PostgreSQL (cluster mode), false for SQLite. */
  public boolean isPostgres() {
    return dialect == Dialect.POSTGRESQL;
  }

  /**
   * The clock due-checks and leases should use: the database's clock for PostgreSQL (so instances
   * with skewed clocks agree), the system clock for SQLite.
   */
  public Clock clock() {
    return isPostgres() ? new DatabaseClock(this) : Clock.systemUTC();
  }

  /** The pooled data source, for tools that need plain JDBC. */
  public DataSource dataSource() {
    return pool;
  }

  /** The schema the tables live in ({@code main} for SQLite). */
  public String schema() {
    return schema;
  }

  @Override
  public void close() {
    pool.close();
  }

  Dialect dialect() {
    return dialect;
  }

  Settings settings() {
    return settings;
  }

  /** Work done with one connection. */
  @FunctionalInterface
  interface SqlWork<T> {
    T apply(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction and returns once it is committed.
   *
   * <p>PostgreSQL: a transaction of its own, retried when PostgreSQL reports a deadlock.
   *
   * <p>SQLite: group commit. Only one transaction can write at a time, and with {@code
   * synchronous=FULL} each commit waits for the disk ({@code fsync}), so one writer thread runs the
   * transactions submitted while it was busy one after another in a single SQLite transaction, each
   * in a savepoint of its own, and commits them together. A transaction that fails is rolled back
   * to its savepoint and fails alone; one that succeeds returns only after the shared commit, so it
   * is as durable as before. When the commit itself fails (a full disk, say), each transaction of
   * the group is run again on its own, so each caller learns its own outcome. {@code work} runs on
   * the writer thread: it must not start another transaction, and it may be run again after a
   * failed commit, so it must do nothing but database work.
   */
  <T> T transaction(SqlWork<T> work) {
    if (dialect == Dialect.SQLITE) {
      return shared(work);
    }
    for (int attempt = 1; ; attempt++) {
      try (Connection c = pool.getConnection()) {
        return committed(c, work);
      } catch (SQLException e) {
        if (attempt < 3 && isRetryable(e)) {
          continue;
        }
        throw translate(e);
      }
    }
  }

  /**
   * {@link #transaction(SqlWork)} for a change the API may audit: when this thread's {@link
   * AuditScope} holds an entry of {@code auditAction}, it is written in the same transaction, if
   * {@code changed} says the work changed anything.
   *
   * @param resourceId the changed resource, named by the entry when it named none
   */
  <T> T transaction(String auditAction, String resourceId, Predicate<T> changed, SqlWork<T> work) {
    Optional<AuditEntry> entry = AuditScope.take(auditAction, resourceId);
    if (entry.isEmpty()) {
      return transaction(work);
    }
    return transaction(
        c -> {
          T result = work.apply(c);
          if (changed.test(result)) {
            JdbcAuditLog.insert(c, dialect, entry.get());
          }
          return result;
        });
  }

  /**
   * Runs {@code work} on {@code c} in one transaction: committed, or rolled back and rethrown. An
   * {@link Error} rolls back too: turning auto-commit back on would otherwise commit the half.
   */
  private static <T> T committed(Connection c, SqlWork<T> work) throws SQLException {
    c.setAutoCommit(false);
    try {
      T result = work.apply(c);
      c.commit();
      return result;
    } catch (SQLException | RuntimeException | Error e) {
      rollbackQuietly(c, e);
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** A write transaction waiting for the SQLite writer. */
  private record Write(SqlWork<?> work, CompletableFuture<Outcome> done)
      implements GroupCommit.Item<Outcome> {}

  /** What a transaction of a shared commit gave: its result, or why it failed. */
  private record Outcome(Object value, Exception failure) {}

  @SuppressWarnings("unchecked")
  private <T> T shared(SqlWork<T> work) {
    if (WRITING.get()) {
      throw new IllegalStateException("a transaction must not start another transaction");
    }
    Write mine = new Write(work, new CompletableFuture<>());
    writes.submit(List.of(mine));
    Outcome outcome;
    try {
      // not interruptible: the caller must learn whether its transaction was committed
      outcome = mine.done().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new SyncException("database error: " + rootMessage(e), e);
    }
    if (outcome.failure() == null) {
      return (T) outcome.value();
    }
    if (outcome.failure() instanceof SQLException e) {
      throw translate(e);
    }
    throw (RuntimeException) outcome.failure();
  }

  /** SQLite writer: runs a group of transactions, each in a savepoint, under one commit. */
  private List<Outcome> write(List<Write> group) {
    WRITING.set(true);
    try (Connection c = pool.getConnection()) {
      return committed(
          c,
          conn -> {
            List<Outcome> outcomes = new ArrayList<>(group.size());
            for (Write w : group) {
              outcomes.add(runInSavepoint(conn, w.work()));
            }
            return outcomes;
          });
    } catch (SQLException e) {
      throw translate(e);
    } finally {
      WRITING.set(false);
    }
  }

  /**
   * Runs one transaction of a group. Its failure is its own, unless the savepoint cannot be rolled
   * back (SQLite rolls the whole transaction back on some errors, a full disk among them): then the
   * group fails with the original error and is run again one transaction at a time.
   */
  private static Outcome runInSavepoint(Connection c, SqlWork<?> work) throws SQLException {
    Savepoint savepoint = c.setSavepoint();
    try {
      Object value = work.apply(c);
      c.releaseSavepoint(savepoint);
      return new Outcome(value, null);
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback(savepoint);
        c.releaseSavepoint(savepoint);
      } catch (SQLException gone) {
        e.addSuppressed(gone);
        throw e;
      }
      return new Outcome(null, e);
    }
  }

  /**
   * Runs {@code work} in auto-commit mode, retried when PostgreSQL reports a deadlock: for work
   * that is one statement (so atomic on its own) and needs no round trip for a commit.
   */
  <T> T statement(SqlWork<T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = pool.getConnection()) {
        return work.apply(c);
      } catch (SQLException e) {
        if (attempt < 3 && isRetryable(e)) {
          continue;
        }
        throw translate(e);
      }
    }
  }

  /** PostgreSQL: runs a bound query and returns the uuids of its first column. */
  static Set<UUID> uuids(PreparedStatement ps) throws SQLException {
    Set<UUID> found = new HashSet<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        found.add(rs.getObject(1, UUID.class));
      }
    }
    return found;
  }

  /** PostgreSQL: {@code ids} as a {@code uuid[]} parameter. */
  static Array uuidArray(Connection c, Stream<UUID> ids) throws SQLException {
    return c.createArrayOf("uuid", ids.toArray());
  }

  /** {@code n} JDBC parameter marks for an {@code IN (...)} list: {@code ?, ?, ?}. */
  static String placeholders(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }

  /** Runs read-only {@code work} in auto-commit mode. */
  <T> T query(SqlWork<T> work) {
    try (Connection c = pool.getConnection()) {
      return work.apply(c);
    } catch (SQLException e) {
      throw translate(e);
    }
  }

  SyncException translate(SQLException e) {
    if (dialect.isForeignKeyViolation(e)) {
      return new NotFoundException(
          "it refers to a job or run that does not exist (any more): " + rootMessage(e));
    }
    return new SyncException("database error: " + rootMessage(e), e);
  }

  private boolean isRetryable(SQLException e) {
    return dialect == Dialect.POSTGRESQL
        && ("40P01".equals(e.getSQLState()) || "40001".equals(e.getSQLState()));
  }

  private static void rollbackQuietly(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException suppressed) {
      cause.addSuppressed(suppressed);
    }
  }

  private String currentSchema() {
    return query(
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT current_schema()")) {
            rs.next();
            String name = rs.getString(1);
            if (name == null) {
              throw new SyncException(
                  "the database connection has no current schema: create it or fix"
                      + " ?currentSchema= in the URL");
            }
            return name;
          }
        });
  }

  private void migrate() {
    try {
      Flyway.configure(Database.class.getClassLoader())
          .dataSource(pool)
          .locations("classpath:db/migration/" + dialect.migrations)
          .loggers("slf4j")
          .load()
          .migrate();
    } catch (FlywayException e) {
      throw new SyncException("database migration failed: " + rootMessage(e), e);
    }
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
    config.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MILLIS);
    config.enforceForeignKeys(true);
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource ds = new SQLiteDataSource(config);
    ds.setUrl(url);
    return ds;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.replaceAll("password=[^&\\s]*", "password=***");
  }
}
