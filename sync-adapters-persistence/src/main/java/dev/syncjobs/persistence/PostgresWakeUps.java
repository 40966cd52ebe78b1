package dev.syncjobs.persistence;

import dev.syncjobs.core.model.SyncException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes this instance's worker and scheduler when any instance on the same PostgreSQL schema
 * (cluster mode) queues a run or changes a job, so a run created on one instance starts on another
 * at once instead of at its next poll; the poll stays as the fallback for a lost notification. On
 * the same connection it hears of changed shared settings ({@link #announceSettingsChange}, sent by
 * {@link JdbcSettingsRepository}), so every instance reads them again within a moment.
 *
 * <p>The repositories announce in the transaction that writes ({@link #announceWork} when a run is
 * inserted by {@link JdbcRunRepository#insert} or queued as a follow-up, {@link
 * #announceScheduleChange} when a job is created or updated), so PostgreSQL delivers the NOTIFY at
 * commit, when the row is there to be claimed. A listener thread on a dedicated connection calls
 * the wake-ups; it reconnects after a lost connection and then wakes all three, since notifications
 * sent meanwhile are lost. Channels are named after the schema, so one schema is one cluster.
 */
public final class PostgresWakeUps implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostgresWakeUps.class);

  private final Database db;
  private final String workChannel;
  private final String scheduleChannel;
  private final String settingsChannel;
  private final Runnable workQueued;
  private final Runnable scheduleChanged;
  private final Runnable settingsChanged;
  private final CountDownLatch listening = new CountDownLatch(1);
  private volatile boolean closed;
  private volatile Connection listenConnection;
  private Thread listener;

  private PostgresWakeUps(
      Database db, Runnable workQueued, Runnable scheduleChanged, Runnable settingsChanged) {
    if (!db.isPostgres()) {
      throw new IllegalArgumentException("LISTEN/NOTIFY needs PostgreSQL");
    }
    this.db = db;
    this.workChannel = workChannel(db);
    this.scheduleChannel = scheduleChannel(db);
    this.workQueued = workQueued;
    this.scheduleChanged = scheduleChanged;
    this.settingsChannel = settingsChannel(db);
    this.settingsChanged = settingsChanged;
  }

  /**
   * Starts listening and returns once the listener is subscribed.
   *
   * @param workQueued called when some instance queued a run (wake the worker)
   * @param scheduleChanged called when some instance created or changed a job (wake the scheduler)
   * @throws SyncException when the database cannot be reached within 30 seconds
   */
  public static PostgresWakeUps start(Database db, Runnable workQueued, Runnable scheduleChanged) {
    return start(db, workQueued, scheduleChanged, () -> {});
  }

  /**
   * Starts listening and returns once the listener is subscribed.
   *
   * @param workQueued called when some instance queued a run (wake the worker)
   * @param scheduleChanged called when some instance created or changed a job (wake the scheduler)
   * @param settingsChanged called when some instance (this one included) changed shared settings
   * @throws SyncException when the database cannot be reached within 30 seconds
   */
  public static PostgresWakeUps start(
      Database db, Runnable workQueued, Runnable scheduleChanged, Runnable settingsChanged) {
    PostgresWakeUps wakeUps = new PostgresWakeUps(db, workQueued, scheduleChanged, settingsChanged);
    wakeUps.listener = new Thread(wakeUps::listen, "syncjobs-pg-wake-ups");
    wakeUps.listener.setDaemon(true);
    wakeUps.listener.start();
    try {
      if (!wakeUps.listening.await(30, TimeUnit.SECONDS)) {
        wakeUps.close();
        throw new SyncException("cannot LISTEN on the database: no connection within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      wakeUps.close();
      throw new SyncException("interrupted while starting the wake-up listener", e);
    }
    return wakeUps;
  }

  static String workChannel(Database db) {
    return PostgresProgressPublisher.channel(db, "work");
  }

  static String scheduleChannel(Database db) {
    return PostgresProgressPublisher.channel(db, "schedule");
  }

  static String settingsChannel(Database db) {
    return PostgresProgressPublisher.channel(db, "settings");
  }

  /** In the caller's transaction: shared settings changed (delivered at commit). */
  static void announceSettingsChange(Database db, Connection c) throws SQLException {
    announce(c, settingsChannel(db));
  }

  /** In the caller's transaction: a run is pending (delivered at commit). */
  static void announceWork(Database db, Connection c) throws SQLException {
    announce(c, workChannel(db));
  }

  /** In the caller's transaction: a job was created or changed (delivered at commit). */
  static void announceScheduleChange(Database db, Connection c) throws SQLException {
    announce(c, scheduleChannel(db));
  }

  private static void announce(Connection c, String channel) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, '')")) {
      ps.setString(1, channel);
      ps.execute();
    }
  }

  private void listen() {
    long backoffMillis = 200;
    boolean reconnected = false;
    while (!closed) {
      try (Connection c = PostgresProgressPublisher.openListenConnection(db)) {
        listenConnection = c;
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN \"" + workChannel + "\"");
          s.execute("LISTEN \"" + scheduleChannel + "\"");
          s.execute("LISTEN \"" + settingsChannel + "\"");
        }
        listening.countDown();
        backoffMillis = 200;
        if (reconnected) {
          wake(workQueued);
          wake(scheduleChanged);
          wake(settingsChanged);
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] notes = pg.getNotifications(500);
          if (notes == null) {
            continue;
          }
          boolean work = false;
          boolean schedule = false;
          boolean settings = false;
          for (PGNotification note : notes) {
            work |= note.getName().equals(workChannel);
            schedule |= note.getName().equals(scheduleChannel);
            settings |= note.getName().equals(settingsChannel);
          }
          if (work) {
            wake(workQueued);
          }
          if (schedule) {
            wake(scheduleChanged);
          }
          if (settings) {
            wake(settingsChanged);
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        reconnected = true;
        log.warn("LISTEN connection for wake-ups lost, reconnecting: {}", e.getMessage());
        try {
          Thread.sleep(backoffMillis);
        } catch (InterruptedException interrupted) {
          return;
        }
        backoffMillis = Math.min(5_000, backoffMillis * 2);
      }
    }
  }

  private static void wake(Runnable wakeUp) {
    try {
      wakeUp.run();
    } catch (RuntimeException e) {
      log.warn("a wake-up failed", e);
    }
  }

  @Override
  public void close() {
    closed = true;
    Thread t = listener;
    if (t != null) {
      t.interrupt();
    }
    Connection c = listenConnection;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing anyway
      }
    }
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
