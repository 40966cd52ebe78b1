package dev.syncjobs.persistence;

import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.port.RunLog;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * {@link RunLog} on SQLite or PostgreSQL, one row per line so an append never rewrites the log.
 * Lines fill the "head" up to half of {@code maxBytes}; later lines go to the "tail", from which
 * the oldest lines are deleted whenever it grows past the other half. {@link #read} returns the
 * head, a marker line counting what was dropped, and the tail. A single line longer than half the
 * cap is cut. A run's log is deleted with the run.
 */
public final class JdbcRunLog implements RunLog {

  /** The default cap, {@code SYNCJOBS_RUN_LOG_MAX_BYTES}. */
  public static final long DEFAULT_MAX_BYTES = 1_048_576;

  private final Database db;
  private final Dialect dialect;
  private final long half;

  public JdbcRunLog(Database db) {
    this(db, DEFAULT_MAX_BYTES);
  }

  /**
   * @param maxBytes the most bytes a log keeps (UTF-8, newlines included), besides the marker line
   */
  public JdbcRunLog(Database db, long maxBytes) {
    if (maxBytes < 64) {
      throw new IllegalArgumentException("a run log cap must be at least 64 bytes");
    }
    this.db = db;
    this.dialect = db.dialect();
    this.half = maxBytes / 2;
  }

  @Override
  public void append(RunId run, String line) {
    String text = cut(line == null ? "" : line.replace("\r", ""));
    int bytes = text.getBytes(StandardCharsets.UTF_8).length + 1;
    UUID id = run.value();
    db.transaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO run_logs (run_id) VALUES (?) ON CONFLICT DO NOTHING")) {
            dialect.setUuid(ps, 1, id);
            ps.executeUpdate();
          }
          long headBytes;
          long tailBytes;
          long seq;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT head_bytes, tail_bytes, next_seq FROM run_logs WHERE run_id = ?"
                      + (dialect == Dialect.POSTGRESQL ? " FOR UPDATE" : ""))) {
            dialect.setUuid(ps, 1, id);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              headBytes = rs.getLong(1);
              tailBytes = rs.getLong(2);
              seq = rs.getLong(3);
            }
          }
          boolean inHead = tailBytes == 0 && headBytes + bytes <= half;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO run_log_lines (run_id, seq, in_head, bytes, line)"
                      + " VALUES (?, ?, ?, ?, ?)")) {
            dialect.setUuid(ps, 1, id);
            ps.setLong(2, seq);
            ps.setBoolean(3, inHead);
            ps.setInt(4, bytes);
            ps.setString(5, text);
            ps.executeUpdate();
          }
          if (inHead) {
            headBytes += bytes;
          } else {
            tailBytes += bytes;
          }
          long droppedLines = 0;
          long droppedBytes = 0;
          if (tailBytes > half) {
            long[] dropped = trimTail(c, id, tailBytes - half);
            droppedLines = dropped[0];
            droppedBytes = dropped[1];
            tailBytes -= droppedBytes;
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE run_logs SET head_bytes = ?, tail_bytes = ?, next_seq = ?,"
                      + " dropped_lines = dropped_lines + ?, dropped_bytes = dropped_bytes + ?"
                      + " WHERE run_id = ?")) {
            ps.setLong(1, headBytes);
            ps.setLong(2, tailBytes);
            ps.setLong(3, seq + 1);
            ps.setLong(4, droppedLines);
            ps.setLong(5, droppedBytes);
            dialect.setUuid(ps, 6, id);
            ps.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public String read(RunId run) {
    return db.query(
        c -> {
          long droppedLines = 0;
          long droppedBytes = 0;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT dropped_lines, dropped_bytes FROM run_logs WHERE run_id = ?")) {
            dialect.setUuid(ps, 1, run.value());
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return "";
              }
              droppedLines = rs.getLong(1);
              droppedBytes = rs.getLong(2);
            }
          }
          StringBuilder out = new StringBuilder();
          boolean markerDone = droppedLines == 0;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT in_head, line FROM run_log_lines WHERE run_id = ? ORDER BY seq")) {
            dialect.setUuid(ps, 1, run.value());
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                if (!markerDone && !rs.getBoolean(1)) {
                  out.append(marker(droppedLines, droppedBytes)).append('\n');
                  markerDone = true;
                }
                out.append(rs.getString(2)).append('\n');
              }
            }
          }
          if (!markerDone) {
            out.append(marker(droppedLines, droppedBytes)).append('\n');
          }
          return out.toString();
        });
  }

  /** Deletes the oldest tail lines until at least {@code excess} bytes are gone. */
  private long[] trimTail(Connection c, UUID id, long excess) throws SQLException {
    long lines = 0;
    long bytes = 0;
    long lastSeq = -1;
    while (bytes < excess) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT seq, bytes FROM run_log_lines WHERE run_id = ? AND in_head = FALSE"
                  + " AND seq > ? ORDER BY seq LIMIT 64")) {
        dialect.setUuid(ps, 1, id);
        ps.setLong(2, lastSeq);
        boolean any = false;
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next() && bytes < excess) {
            any = true;
            lastSeq = rs.getLong(1);
            bytes += rs.getInt(2);
            lines++;
          }
        }
        if (!any) {
          break;
        }
      }
    }
    if (lines > 0) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "DELETE FROM run_log_lines WHERE run_id = ? AND in_head = FALSE AND seq <= ?")) {
        dialect.setUuid(ps, 1, id);
        ps.setLong(2, lastSeq);
        ps.executeUpdate();
      }
    }
    return new long[] {lines, bytes};
  }

  private String cut(String line) {
    long limit = half - 16;
    if (line.length() * 3L <= limit) {
      return line;
    }
    byte[] utf8 = line.getBytes(StandardCharsets.UTF_8);
    if (utf8.length <= limit) {
      return line;
    }
    int end = (int) limit;
    while (end > 0 && (utf8[end] & 0xC0) == 0x80) {
      end--;
    }
    return new String(utf8, 0, end, StandardCharsets.UTF_8) + " [line cut]";
  }

  private String marker(long lines, long bytes) {
    return "... ["
        + lines
        + " lines ("
        + bytes
        + " bytes) omitted: the log exceeded "
        + (half * 2)
        + " bytes] ...";
  }
}
