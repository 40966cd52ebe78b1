package dev.syncjobs.persistence;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * Connections of their own, outside the pool, for what holds a session: LISTEN, advisory locks. A
 * new one from the URL, or one taken from an application's data source for as long as it is held.
 *
 * <p>A new connection costs a login (SCRAM-SHA-256 on a cold JVM) and a backend, and a server wants
 * several while it starts, each asked for by a component that waits for it. So the server can ask
 * for them ahead ({@link #openAhead}): they are opened in parallel while it wires itself up, and
 * the components take them ready. A connection opened ahead and never taken is closed with the
 * database.
 */
final class ListenConnections implements AutoCloseable {
  /** How long a request waits for a connection being opened ahead before opening its own. */
  private static final long AHEAD_WAIT_SECONDS = 5;

  private final Database.Settings settings;
  private final DataSource applicationSource;
  private final BlockingQueue<Connection> ready = new LinkedBlockingQueue<>();
  private final AtomicInteger opening = new AtomicInteger();
  private volatile boolean closed;

  /**
   * @param settings how to reach the database; null on an application's data source
   * @param applicationSource the application's data source, when {@code settings} is null
   */
  ListenConnections(Database.Settings settings, DataSource applicationSource) {
    this.settings = settings;
    this.applicationSource = applicationSource;
  }

  /**
   * Starts opening {@code count} connections in the background, for the next requests. Nothing on
   * an application's data source, whose connections are its pool's.
   */
  void openAhead(int count) {
    if (settings == null) {
      return;
    }
    for (int i = 0; i < count; i++) {
      opening.incrementAndGet();
      Thread t = new Thread(this::openOneAhead, "syncjobs-pg-connect");
      t.setDaemon(true);
      t.start();
    }
  }

  private void openOneAhead() {
    try {
      Connection c = open(PostgresListener.APPLICATION_NAME);
      ready.add(c);
      if (closed) {
        closeReady();
      }
    } catch (SQLException | RuntimeException e) {
      // the request opens its own, and reports its failure
    } finally {
      opening.decrementAndGet();
    }
  }

  /** A connection named {@code applicationName} for pg_stat_activity, in auto-commit mode. */
  Connection take(String applicationName) throws SQLException {
    if (settings == null) {
      Connection c = applicationSource.getConnection();
      try {
        c.setClientInfo("ApplicationName", applicationName);
      } catch (SQLException ignored) {
        // only a label for operators
      }
      c.setAutoCommit(true);
      return c;
    }
    Connection ahead = takeAhead();
    if (ahead != null) {
      try {
        if (!applicationName.equals(PostgresListener.APPLICATION_NAME)) {
          ahead.setClientInfo("ApplicationName", applicationName);
        }
        return ahead;
      } catch (SQLException e) {
        quietly(ahead); // lost meanwhile: open a new one
      }
    }
    return open(applicationName);
  }

  private Connection takeAhead() {
    Connection c = ready.poll();
    if (c != null || opening.get() == 0) {
      return c;
    }
    try {
      return ready.poll(AHEAD_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private Connection open(String applicationName) throws SQLException {
    Properties props = new Properties();
    props.setProperty("ApplicationName", applicationName);
    if (settings.user() != null) {
      props.setProperty("user", settings.user());
    }
    if (settings.password() != null) {
      props.setProperty("password", settings.password());
    }
    Connection c = DriverManager.getConnection(settings.url(), props);
    c.setAutoCommit(true);
    return c;
  }

  /** How many connections opened ahead wait to be taken. */
  int ready() {
    return ready.size();
  }

  /** Closes the connections opened ahead and not taken. */
  @Override
  public void close() {
    closed = true;
    closeReady();
  }

  private void closeReady() {
    for (Connection c; (c = ready.poll()) != null; ) {
      quietly(c);
    }
  }

  private static void quietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // closing anyway
    }
  }
}
