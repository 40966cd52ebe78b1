package dev.syncjobs.persistence;

import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.port.RunLog;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

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

  private static final int MAX_BATCH = 500;

  private final Database db;
  private final Dialect dialect;
  private final long half;
  private final GroupCommit<Pending, Void> commits =
      new GroupCommit<>(
          "syncjobs-run-log", waiting -> GroupCommit.first(waiting, MAX_BATCH), this::write);

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
    appendAll(run, List.of(line == null ? "" : line));
  }

  /**
   * Queues the lines for the group commit and waits until they are written. Lines given together
   * are stored as one entry (one round trip for a run's batch); the cap still counts every byte,
   * and such an entry is kept or dropped from the tail as a whole.
   */
  @Override
  public void appendAll(RunId run, List<String> lines) {
    if (lines.isEmpty()) {
      return;
    }
    await(enqueue(pendings(run, lines)));
  }

  /**
   * Queues every run's lines for one group commit and waits until they are written; a run whose
   * lines fail does not keep the others from being written.
   */
  @Override
  public void appendAll(Map<RunId, List<String>> linesByRun) {
    List<Pending> pendings = new ArrayList<>();
    linesByRun.forEach(
        (run, lines) -> {
          if (!lines.isEmpty()) {
            pendings.addAll(pendings(run, lines));
          }
        });
    await(enqueue(pendings));
  }

  /** A run's lines as stored entries: lines given together are joined, up to a chunk each. */
  private List<Pending> pendings(RunId run, List<String> lines) {
    List<Pending> pendings = new ArrayList<>();
    long chunkChars = Math.min(CHUNK_CHARS, (half - 16) / 3);
    StringBuilder chunk = new StringBuilder();
    for (String line : lines) {
      String text = line == null ? "" : line.replace("\r", "");
      if (chunk.length() > 0 && chunk.length() + text.length() + 1 > chunkChars) {
        pendings.add(pending(run, chunk.toString()));
        chunk.setLength(0);
      }
      if (chunk.length() > 0) {
        chunk.append('\n');
      }
      chunk.append(text);
    }
    pendings.add(pending(run, chunk.toString()));
    return pendings;
  }

  private List<Pending> enqueue(List<Pending> pendings) {
    commits.submit(pendings);
    return pendings;
  }

  private static void await(List<Pending> pendings) {
    RuntimeException first = null;
    for (Pending p : pendings) {
      try {
        p.done().get();
      } catch (ExecutionException e) {
        if (first == null) {
          first =
              e.getCause() instanceof RuntimeException r
                  ? r
                  : new SyncException("cannot write the run log: " + e.getCause(), e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SyncException("interrupted while writing the run log", e);
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** Characters of one stored entry of lines appended together (well inside any cap). */
  private static final int CHUNK_CHARS = 4096;

  private Pending pending(RunId run, String lines) {
    String text = cut(lines);
    return new Pending(
        run.value(),
        text,
        text.getBytes(StandardCharsets.UTF_8).length + 1,
        new CompletableFuture<>());
  }

  /** One line (or several appended together) waiting for the group commit. */
  private record Pending(UUID run, String text, int bytes, CompletableFuture<Void> done)
      implements GroupCommit.Item<Void> {}

  /**
   * Writes a group of queued lines in one transaction (group commit: many runs logging at once
   * share commits).
   */
  private List<Void> write(List<Pending> group) {
    db.transaction(
        c -> {
          appendEntries(c, group);
          return null;
        });
    return Collections.nCopies(group.size(), null);
  }

  /**
   * Files the entries in order. PostgreSQL: one statement per round, where round k holds the k-th
   * entry of each run in the group (usually there is one round), then trims the tails that grew
   * past their half (the same lines go as when each entry is trimmed after it is filed: the oldest
   * of the tail). SQLite: entry by entry.
   */
  private void appendEntries(Connection c, List<Pending> entries) throws SQLException {
    if (dialect != Dialect.POSTGRESQL) {
      // one preparation of each statement for all entries (SQLite compiles every statement)
      try (PreparedStatement file = c.prepareStatement(FILE_ENTRY_RETURNING);
          PreparedStatement line = c.prepareStatement(INSERT_LINE)) {
        for (Pending p : entries) {
          appendOne(c, file, line, p);
        }
      }
      return;
    }
    Map<UUID, Long> over = new LinkedHashMap<>();
    for (List<Pending> round : rounds(entries)) {
      try (PreparedStatement ps = c.prepareStatement(FILE_ROUND)) {
        ps.setArray(1, Sql.uuidArray(c, round.stream().map(Pending::run)));
        ps.setArray(2, c.createArrayOf("integer", round.stream().map(Pending::bytes).toArray()));
        ps.setArray(3, c.createArrayOf("text", round.stream().map(Pending::text).toArray()));
        ps.setLong(4, half);
        ps.setLong(5, half);
        ps.setLong(6, half);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            // a tail only grows within a group: a later round's figure is the one to trim to
            over.put(rs.getObject(1, UUID.class), rs.getLong(2));
          }
        }
      }
    }
    for (Map.Entry<UUID, Long> e : over.entrySet()) {
      trim(c, e.getKey(), e.getValue());
    }
  }

  /**
   * The entries in rounds: round k holds the k-th entry of each run, so no round has a run twice.
   */
  private static List<List<Pending>> rounds(List<Pending> entries) {
    List<List<Pending>> rounds = new ArrayList<>();
    Map<UUID, Integer> filed = new HashMap<>();
    for (Pending p : entries) {
      int k = filed.merge(p.run(), 1, Integer::sum) - 1;
      if (k == rounds.size()) {
        rounds.add(new ArrayList<>());
      }
      rounds.get(k).add(p);
    }
    return rounds;
  }

  /**
   * How a log's counters take an entry of {@code excluded.head_bytes} bytes: it goes to the head
   * while it fits there (within half the cap, both parameters) and nothing went to the tail yet,
   * else to the tail; so the entry is in the head iff the tail is still empty afterwards.
   */
  private static final String FILE_ON_CONFLICT =
      " ON CONFLICT (run_id) DO UPDATE SET next_seq = {run_logs}.next_seq + 1,"
          + " head_bytes = CASE WHEN {run_logs}.tail_bytes = 0"
          + " AND {run_logs}.head_bytes + excluded.head_bytes <= ?"
          + " THEN {run_logs}.head_bytes + excluded.head_bytes ELSE {run_logs}.head_bytes END,"
          + " tail_bytes = CASE WHEN {run_logs}.tail_bytes = 0"
          + " AND {run_logs}.head_bytes + excluded.head_bytes <= ?"
          + " THEN 0 ELSE {run_logs}.tail_bytes + excluded.head_bytes END";

  /**
   * PostgreSQL: files one entry for each of several runs (each run once) and returns the runs whose
   * tail then exceeds its half, with the tail's size. An entry goes to the head while it fits and
   * nothing went to the tail yet (a new log's first entry always fits: entries are cut to less than
   * half the cap).
   */
  static final String FILE_ROUND =
      "WITH e AS (SELECT * FROM unnest(?::uuid[], ?::integer[], ?::text[]) AS e(run_id, bytes,"
          + " line)), counters AS (INSERT INTO {run_logs} (run_id, head_bytes, next_seq)"
          + " SELECT run_id, bytes, 1 FROM e"
          + FILE_ON_CONFLICT
          + " RETURNING run_id, tail_bytes, next_seq - 1 AS seq),"
          + " filed AS (INSERT INTO {run_log_lines} (run_id, seq, in_head, bytes, line)"
          + " SELECT e.run_id, counters.seq, counters.tail_bytes = 0, e.bytes, e.line"
          + " FROM counters JOIN e ON e.run_id = counters.run_id)"
          + " SELECT run_id, tail_bytes FROM counters WHERE tail_bytes > ?";

  /**
   * SQLite: files one entry ({@link #bindEntry}); {@link #FILE_ENTRY_RETURNING} returns the
   * counters.
   */
  private static final String FILE_ENTRY =
      "INSERT INTO {run_logs} (run_id, head_bytes, next_seq) VALUES (?, ?, 1)" + FILE_ON_CONFLICT;

  private void bindEntry(PreparedStatement ps, Pending p) throws SQLException {
    dialect.setUuid(ps, 1, p.run());
    ps.setLong(2, p.bytes());
    ps.setLong(3, half);
    ps.setLong(4, half);
  }

  /** Drops the oldest tail lines of a run until its tail fits its half again. */
  private void trim(Connection c, UUID id, long tailBytes) throws SQLException {
    long[] dropped = trimTail(c, id, tailBytes - half);
    Sql.update(
        c,
        "UPDATE {run_logs} SET tail_bytes = tail_bytes - ?,"
            + " dropped_lines = dropped_lines + ?, dropped_bytes = dropped_bytes + ?"
            + " WHERE run_id = ?",
        ps -> {
          ps.setLong(1, dropped[1]);
          ps.setLong(2, dropped[0]);
          ps.setLong(3, dropped[1]);
          dialect.setUuid(ps, 4, id);
        });
  }

  private static final String FILE_ENTRY_RETURNING =
      FILE_ENTRY + " RETURNING tail_bytes, next_seq - 1";

  private static final String INSERT_LINE =
      "INSERT INTO {run_log_lines} (run_id, seq, in_head, bytes, line) VALUES (?, ?, ?, ?, ?)";

  /** Files one entry with the statements {@link #appendEntries} prepared. */
  private void appendOne(Connection c, PreparedStatement file, PreparedStatement line, Pending p)
      throws SQLException {
    UUID id = p.run();
    int bytes = p.bytes();
    long tailBytes;
    long seq;
    bindEntry(file, p);
    try (ResultSet rs = file.executeQuery()) {
      rs.next();
      tailBytes = rs.getLong(1);
      seq = rs.getLong(2);
    }
    boolean inHead = tailBytes == 0;
    dialect.setUuid(line, 1, id);
    line.setLong(2, seq);
    line.setBoolean(3, inHead);
    line.setInt(4, bytes);
    line.setString(5, p.text());
    line.executeUpdate();
    if (tailBytes > half) {
      trim(c, id, tailBytes);
    }
  }

  @Override
  public String read(RunId run) {
    return db.query(
        c -> {
          long droppedLines = 0;
          long droppedBytes = 0;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT dropped_lines, dropped_bytes FROM {run_logs} WHERE run_id = ?")) {
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
                  "SELECT in_head, line FROM {run_log_lines} WHERE run_id = ? ORDER BY seq")) {
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
              "SELECT seq, bytes FROM {run_log_lines} WHERE run_id = ? AND in_head = FALSE"
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
      long last = lastSeq;
      Sql.update(
          c,
          "DELETE FROM {run_log_lines} WHERE run_id = ? AND in_head = FALSE AND seq <= ?",
          ps -> {
            dialect.setUuid(ps, 1, id);
            ps.setLong(2, last);
          });
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
