package dev.syncjobs.persistence;

import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.port.AuditScope;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * The database behind the JDBC repositories, opened from a JDBC URL (in a pool of its own) and
 * migrated to the current schema on open.
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
 * Or on an application's own data source (either dialect, see {@link JdbcPersistence}), which it
 * uses and never closes. Table names may carry a prefix ({@link Tables}): statements name a table
 * as {@code {jobs}}, and the connections handed to the repositories write the prefixed name in. The
 * repositories' work runs on those connections through {@link Transactions} ({@link #transaction},
 * {@link #statement}, {@link #query}).
 *
 * <p>Opening migrates the schema to the current version ({@link SchemaMigrator}). Instants are
 * stored at microsecond precision in both dialects.
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
  private final DataSource pool;

  /** Closes the pool this class made; null for an application's data source (never closed here). */
  private final AutoCloseable ownPool;

  /** How to reach the database, when opened from a URL; null on an application's data source. */
  private final Settings settings;

  private final Tables tables;

  /** SQLite on an application's data source: connections get syncjobs' settings when handed out. */
  private final boolean configureSqliteConnections;

  /** Runs the repositories' work on connections of {@link #pool}. */
  private final Transactions transactions;

  private final String schema;

  /** Connections outside the pool, for LISTEN and advisory locks. */
  private final ListenConnections listenConnections;

  private Database(
      Dialect dialect,
      DataSource pool,
      AutoCloseable ownPool,
      Settings settings,
      Tables tables,
      boolean configureSqliteConnections) {
    this.dialect = dialect;
    this.pool = pool;
    this.ownPool = ownPool;
    this.settings = settings;
    this.tables = tables;
    this.configureSqliteConnections = configureSqliteConnections;
    this.transactions = new Transactions(dialect, this::connection);
    this.listenConnections = new ListenConnections(settings, pool);
    try {
      this.schema = dialect == Dialect.POSTGRESQL ? currentSchema() : "main";
      new SchemaMigrator(this).migrate();
    } catch (RuntimeException e) {
      closeOwnPool();
      throw e;
    }
  }

  /**
   * Opens the database at {@code settings.url()} in a pool of its own, tables named by {@code
   * tables}.
   */
  static Database open(Settings settings, Tables tables) {
    Dialect dialect = Dialect.of(settings.url());
    dialect.requireDriver();
    Pool pool = Pool.open(settings, dialect);
    return new Database(dialect, pool.dataSource(), pool, settings, tables, false);
  }

  /**
   * Uses an application's data source (PostgreSQL or SQLite, told apart by its connections), which
   * stays the application's: {@link #close()} does not close it.
   */
  static Database on(DataSource dataSource, Tables tables) {
    Dialect dialect;
    try (Connection c = dataSource.getConnection()) {
      dialect = Dialect.ofProduct(c.getMetaData().getDatabaseProductName());
    } catch (SQLException e) {
      throw new SyncException("cannot connect to the database: " + rootMessage(e), e);
    }
    return new Database(dialect, dataSource, null, null, tables, dialect == Dialect.SQLITE);
  }

  /** Opens (creating and migrating when needed) the database at {@code url} with no credentials. */
  public static Database open(String url) {
    return open(new Settings(url, null, null, 10));
  }

  /** Opens (creating and migrating when needed) the database at {@code url}. */
  public static Database open(String url, String user, String password) {
    return open(new Settings(url, user, password, 10));
  }

  /**
   * Opens (creating and migrating when needed) the database described by {@code settings}, with the
   * server's table names (no prefix, Flyway's default history table). An embedding application uses
   * {@link JdbcPersistence} instead.
   */
  public static Database open(Settings settings) {
    return open(settings, Tables.unprefixed());
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

  /**
   * The data source, for tools that need plain JDBC (its statements see the prefixed table names,
   * {@link #table}).
   */
  public DataSource dataSource() {
    return pool;
  }

  /** The schema the tables live in ({@code main} for SQLite). */
  public String schema() {
    return schema;
  }

  /**
   * The name of syncjobs' table {@code table} ({@code "jobs"}, {@code "runs"}, …) in this database.
   */
  public String table(String table) {
    if (!Tables.NAMES.contains(table)) {
      throw new IllegalArgumentException(
          "no syncjobs table " + table + "; tables: " + Tables.NAMES);
    }
    return tables.name(table);
  }

  /** The table Flyway records the applied migrations in. */
  public String historyTable() {
    return tables.historyTable();
  }

  /** Closes the pool this class opened; an application's data source is left open. */
  @Override
  public void close() {
    listenConnections.close();
    closeOwnPool();
  }

  private void closeOwnPool() {
    if (ownPool != null) {
      try {
        ownPool.close();
      } catch (Exception e) {
        throw new SyncException("cannot close the database: " + rootMessage(e), e);
      }
    }
  }

  Dialect dialect() {
    return dialect;
  }

  Tables tables() {
    return tables;
  }

  /** The notification channel of {@code kind} ({@code progress}, {@code work}, …). */
  String channel(String kind) {
    return tables.channel(schema, kind);
  }

  /**
   * A connection of its own for LISTEN or an advisory lock, named {@code applicationName} for
   * pg_stat_activity (see {@link ListenConnections}).
   */
  Connection listenConnection(String applicationName) throws SQLException {
    return listenConnections.take(applicationName);
  }

  /**
   * Starts opening {@code count} connections of their own in the background (PostgreSQL from a URL;
   * nothing otherwise), for the listeners a server starts next: they then find them ready instead
   * of logging in one after another.
   */
  public void openListenConnectionsAhead(int count) {
    if (isPostgres()) {
      listenConnections.openAhead(count);
    }
  }

  /**
   * A connection of the pool whose prepared statements name the tables with their prefix ({@code
   * {jobs}} in a statement's text becomes the prefixed name, see {@link Tables#sql}).
   */
  private Connection connection() throws SQLException {
    Connection c = pool.getConnection();
    if (configureSqliteConnections) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA foreign_keys = ON");
        s.execute("PRAGMA busy_timeout = " + SQLITE_BUSY_TIMEOUT_MILLIS);
      } catch (SQLException e) {
        c.close();
        throw e;
      }
    }
    return NamedTables.wrap(c, tables);
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
    return transactions.transaction(work);
  }

  /**
   * {@link #transaction(SqlWork)} for a change the API may audit: when this thread's {@link
   * AuditScope} holds an entry of {@code auditAction}, it is written in the same transaction, if
   * {@code changed} says the work changed anything.
   *
   * @param resourceId the changed resource, named by the entry when it named none
   */
  <T> T transaction(String auditAction, String resourceId, Predicate<T> changed, SqlWork<T> work) {
    return transactions.transaction(auditAction, resourceId, changed, work);
  }

  /**
   * Runs {@code work} in auto-commit mode, retried when PostgreSQL reports a deadlock: for work
   * that is one statement (so atomic on its own) and needs no round trip for a commit.
   */
  <T> T statement(SqlWork<T> work) {
    return transactions.statement(work);
  }

  /** Runs read-only {@code work} in auto-commit mode. */
  <T> T query(SqlWork<T> work) {
    return transactions.query(work);
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

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.replaceAll("password=[^&\\s]*", "password=***");
  }
}
