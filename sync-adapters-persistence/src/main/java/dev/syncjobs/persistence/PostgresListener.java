package dev.syncjobs.persistence;

import dev.syncjobs.core.model.SyncException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread that LISTENs on channels of a PostgreSQL database, on a connection of its own, and hands
 * each batch of notifications it receives to a handler: what {@link PostgresWakeUps}, {@link
 * PostgresProgressPublisher} and {@link PostgresChunkLocks} hear the other instances by. After a
 * lost connection it reconnects (backing off up to 5 s) and then calls its reconnection handler,
 * since notifications sent meanwhile are lost.
 */
final class PostgresListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostgresListener.class);

  /** The {@code application_name} of the listening connections, for operators' pg_stat_activity. */
  static final String APPLICATION_NAME = "syncjobs-listener";

  private final Database db;
  private final String name;
  private final List<String> channels;
  private final Consumer<PGNotification[]> received;
  private final Runnable reconnected;
  private final CountDownLatch listening = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean closed;
  private volatile Connection connection;

  private PostgresListener(
      Database db,
      String name,
      List<String> channels,
      Consumer<PGNotification[]> received,
      Runnable reconnected) {
    if (!db.isPostgres()) {
      throw new IllegalArgumentException("LISTEN/NOTIFY needs PostgreSQL");
    }
    this.db = db;
    this.name = name;
    this.channels = List.copyOf(channels);
    this.received = received;
    this.reconnected = reconnected;
    this.thread = new Thread(this::listen, "syncjobs-pg-" + name);
    this.thread.setDaemon(true);
  }

  /**
   * Starts listening and returns once the listener is subscribed.
   *
   * @param name names the thread ({@code syncjobs-pg-<name>}) and the listener in log lines
   * @param received called on the listener's thread with each batch of notifications
   * @param reconnected called on the listener's thread after it reconnected
   * @throws SyncException when the database cannot be reached within 30 seconds
   */
  static PostgresListener start(
      Database db,
      String name,
      List<String> channels,
      Consumer<PGNotification[]> received,
      Runnable reconnected) {
    PostgresListener listener = new PostgresListener(db, name, channels, received, reconnected);
    listener.thread.start();
    try {
      if (!listener.listening.await(30, TimeUnit.SECONDS)) {
        listener.close();
        throw new SyncException("cannot LISTEN on the database: no connection within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      listener.close();
      throw new SyncException("interrupted while starting the " + name + " listener", e);
    }
    return listener;
  }

  private void listen() {
    long backoffMillis = 200;
    boolean lost = false;
    while (!closed) {
      try (Connection c = db.listenConnection(APPLICATION_NAME)) {
        connection = c;
        try (Statement s = c.createStatement()) {
          for (String channel : channels) {
            s.execute("LISTEN \"" + channel + "\"");
          }
        }
        listening.countDown();
        backoffMillis = 200;
        if (lost) {
          reconnected.run();
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] notes = pg.getNotifications(500);
          if (notes != null) {
            received.accept(notes);
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        lost = true;
        log.warn("LISTEN connection for {} lost, reconnecting: {}", name, e.getMessage());
        try {
          Thread.sleep(backoffMillis);
        } catch (InterruptedException interrupted) {
          return;
        }
        backoffMillis = Math.min(5_000, backoffMillis * 2);
      }
    }
  }

  /** Stops listening: closes the connection and waits (up to 5 s) for the thread to end. */
  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    Connection c = connection;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing anyway
      }
    }
    if (thread != Thread.currentThread()) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
