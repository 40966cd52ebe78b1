package dev.syncjobs.persistence;

import dev.syncjobs.core.model.SyncException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A {@link Clock} that follows the database server's clock, so instances whose own clocks disagree
 * still agree on due times and lease expiry (cluster mode). It measures the offset between the
 * database's {@code clock_timestamp()} and this machine's clock (corrected by half the round trip)
 * and re-measures it every {@code resync}; between measurements it adds the offset to the system
 * clock, so reading the time costs no query. When the database cannot be reached the last offset is
 * kept. Tests use a settable clock instead.
 */
public final class DatabaseClock extends Clock {

  private final Database db;
  private final Duration resync;
  private final Clock system;
  private volatile long offsetNanos;
  private volatile long measuredAtNanos;
  private volatile boolean measured;

  /** A database clock re-measured every 10 seconds. */
  public DatabaseClock(Database db) {
    this(db, Duration.ofSeconds(10));
  }

  public DatabaseClock(Database db, Duration resync) {
    this(db, resync, Clock.systemUTC());
  }

  /** With {@code local} standing in for this machine's clock (tests simulate skew with it). */
  DatabaseClock(Database db, Duration resync, Clock local) {
    this.db = db;
    this.resync = resync;
    this.system = local;
    measure();
  }

  /** The database's time minus this machine's, as last measured. */
  public Duration offset() {
    return Duration.ofNanos(offsetNanos);
  }

  @Override
  public Instant instant() {
    if (System.nanoTime() - measuredAtNanos > resync.toNanos()) {
      try {
        measure();
      } catch (SyncException e) {
        if (!measured) {
          throw e;
        }
      }
    }
    return system.instant().plusNanos(offsetNanos);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    if (zone.equals(ZoneOffset.UTC)) {
      return this;
    }
    throw new UnsupportedOperationException("a database clock is always UTC");
  }

  private synchronized void measure() {
    if (measured && System.nanoTime() - measuredAtNanos <= resync.toNanos()) {
      return;
    }
    String sql =
        db.dialect() == Dialect.POSTGRESQL
            ? "SELECT clock_timestamp()"
            : "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
    long[] result =
        db.query(
            c -> {
              try (PreparedStatement ps = c.prepareStatement(sql)) {
                long before = System.nanoTime();
                Instant local = system.instant();
                try (ResultSet rs = ps.executeQuery()) {
                  rs.next();
                  Instant remote =
                      db.dialect() == Dialect.POSTGRESQL
                          ? rs.getObject(1, java.time.OffsetDateTime.class).toInstant()
                          : Instant.parse(rs.getString(1));
                  long roundTrip = System.nanoTime() - before;
                  Instant localMid = local.plusNanos(roundTrip / 2);
                  return new long[] {Duration.between(localMid, remote).toNanos()};
                }
              }
            });
    offsetNanos = result[0];
    measuredAtNanos = System.nanoTime();
    measured = true;
  }
}
