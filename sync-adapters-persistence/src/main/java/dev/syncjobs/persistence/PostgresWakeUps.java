package dev.syncjobs.persistence;

import dev.syncjobs.core.model.SyncException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
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
 * the wake-ups ({@link PostgresListener}); it reconnects after a lost connection and then wakes all
 * three, since notifications sent meanwhile are lost. Channels are named after the schema, so one
 * schema is one cluster.
 */
public final class PostgresWakeUps implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostgresWakeUps.class);

  private final String workChannel;
  private final String scheduleChannel;
  private final String settingsChannel;
  private final Runnable workQueued;
  private final Runnable scheduleChanged;
  private final Runnable settingsChanged;
  private PostgresListener listener;

  private PostgresWakeUps(
      Database db, Runnable workQueued, Runnable scheduleChanged, Runnable settingsChanged) {
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
    if (!db.isPostgres()) {
      throw new IllegalArgumentException("LISTEN/NOTIFY needs PostgreSQL");
    }
    PostgresWakeUps wakeUps = new PostgresWakeUps(db, workQueued, scheduleChanged, settingsChanged);
    wakeUps.listener =
        PostgresListener.start(
            db,
            "wake-ups",
            List.of(wakeUps.workChannel, wakeUps.scheduleChannel, wakeUps.settingsChannel),
            wakeUps::received,
            wakeUps::reconnected);
    return wakeUps;
  }

  static String workChannel(Database db) {
    return db.channel("work");
  }

  static String scheduleChannel(Database db) {
    return db.channel("schedule");
  }

  static String settingsChannel(Database db) {
    return db.channel("settings");
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

  /** Wakes each kind once however many notifications of it came together. */
  private void received(PGNotification[] notes) {
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

  /** Notifications sent while the connection was lost are lost too: wake all three. */
  private void reconnected() {
    wake(workQueued);
    wake(scheduleChanged);
    wake(settingsChanged);
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
    listener.close();
  }
}
