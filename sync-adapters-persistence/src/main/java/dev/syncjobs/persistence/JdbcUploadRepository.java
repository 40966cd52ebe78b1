package dev.syncjobs.persistence;

import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.Upload;
import dev.syncjobs.core.model.UploadId;
import dev.syncjobs.core.model.UploadProtocol;
import dev.syncjobs.core.model.UploadStatus;
import dev.syncjobs.core.port.UploadRepository;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@link UploadRepository} on SQLite or PostgreSQL: one row per upload, one per verified chunk
 * (deleted with the upload), and one row whose conditional update is the daily clean-up's lease.
 * Every change is one conditional statement, so instances sharing the database never both win.
 */
public final class JdbcUploadRepository implements UploadRepository {
  private static final String COLUMNS =
      "id, protocol, backend_id, file_path, total_size, chunk_size, sha256, status, upload_offset,"
          + " error, created_at, expires_at";

  private final Database db;
  private final Dialect dialect;

  public JdbcUploadRepository(Database db) {
    this.db = db;
    this.dialect = db.dialect();
  }

  @Override
  public void create(Upload u) {
    db.transaction(
        "upload.started",
        u.id().toString(),
        created -> true,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO {uploads} ("
                      + COLUMNS
                      + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            dialect.setUuid(ps, 1, u.id().value());
            ps.setString(2, u.protocol().name());
            ps.setString(3, u.backendId());
            ps.setString(4, u.filePath());
            ps.setLong(5, u.totalSize());
            ps.setInt(6, u.chunkSize());
            ps.setString(7, u.sha256());
            ps.setString(8, u.status().name());
            ps.setLong(9, u.offset());
            ps.setString(10, u.error());
            dialect.setInstant(ps, 11, u.createdAt());
            dialect.setInstant(ps, 12, u.expiresAt());
            ps.executeUpdate();
            return null;
          } catch (SQLException e) {
            if (dialect.isUniqueViolation(e)) {
              throw new ConflictException("upload_id", "an upload with this id exists");
            }
            throw e;
          }
        });
  }

  @Override
  public Optional<Upload> find(UploadId id) {
    return db.query(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT " + COLUMNS + " FROM {uploads} WHERE id = ?")) {
            dialect.setUuid(ps, 1, id.value());
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
          }
        });
  }

  @Override
  public SortedMap<Integer, String> chunks(UploadId id) {
    return db.query(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT chunk_number, sha256 FROM {upload_chunks} WHERE upload_id = ?")) {
            dialect.setUuid(ps, 1, id.value());
            SortedMap<Integer, String> out = new TreeMap<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.put(rs.getInt(1), rs.getString(2));
              }
            }
            return out;
          }
        });
  }

  @Override
  public boolean recordChunk(UploadId id, int n, String sha256, Instant expiresAt) {
    return db.transaction(
        c -> {
          int inserted;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO {upload_chunks} (upload_id, chunk_number, sha256)"
                      + " SELECT id, ?, ? FROM {uploads} WHERE id = ? AND status = 'ACTIVE'"
                      + " ON CONFLICT (upload_id, chunk_number) DO NOTHING")) {
            ps.setInt(1, n);
            ps.setString(2, sha256);
            dialect.setUuid(ps, 3, id.value());
            inserted = ps.executeUpdate();
          }
          if (inserted == 0) {
            return false;
          }
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE {uploads} SET expires_at = ? WHERE id = ?")) {
            dialect.setInstant(ps, 1, expiresAt);
            dialect.setUuid(ps, 2, id.value());
            ps.executeUpdate();
          }
          return true;
        });
  }

  @Override
  public boolean advanceOffset(UploadId id, long from, long to, Instant expiresAt) {
    return update(
        "UPDATE {uploads} SET upload_offset = ?, expires_at = ?"
            + " WHERE id = ? AND upload_offset = ? AND status = 'ACTIVE'",
        ps -> {
          ps.setLong(1, to);
          dialect.setInstant(ps, 2, expiresAt);
          dialect.setUuid(ps, 3, id.value());
          ps.setLong(4, from);
        });
  }

  @Override
  public boolean extend(UploadId id, Instant expiresAt) {
    return update(
        "UPDATE {uploads} SET expires_at = ? WHERE id = ?",
        ps -> {
          dialect.setInstant(ps, 1, expiresAt);
          dialect.setUuid(ps, 2, id.value());
        });
  }

  @Override
  public boolean finish(UploadId id, UploadStatus status, String error) {
    // only a completion is audited: a failure is the upload's outcome, not a change a user made
    return update(
        status == UploadStatus.COMPLETED ? "upload.completed" : null,
        id.toString(),
        "UPDATE {uploads} SET status = ?, error = ? WHERE id = ? AND status = 'ACTIVE'",
        ps -> {
          ps.setString(1, status.name());
          ps.setString(2, error);
          dialect.setUuid(ps, 3, id.value());
        });
  }

  @Override
  public boolean delete(UploadId id) {
    return db.transaction(
        "upload.cancelled",
        id.toString(),
        deleted -> deleted,
        c -> {
          try (PreparedStatement ps = c.prepareStatement("DELETE FROM {uploads} WHERE id = ?")) {
            dialect.setUuid(ps, 1, id.value());
            return ps.executeUpdate() > 0;
          }
        });
  }

  @Override
  public List<Upload> expired(Instant now, int limit) {
    return db.query(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + COLUMNS
                      + " FROM {uploads} WHERE expires_at < ? ORDER BY expires_at LIMIT ?")) {
            dialect.setInstant(ps, 1, now);
            ps.setInt(2, limit);
            List<Upload> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(read(rs));
              }
            }
            return out;
          }
        });
  }

  @Override
  public boolean claimCleanup(LocalDate day) {
    return update(
        "UPDATE {upload_cleanup} SET last_day = ? WHERE id = 1 AND last_day < ?",
        ps -> {
          ps.setString(1, day.toString());
          ps.setString(2, day.toString());
        });
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private boolean update(String sql, Binder binder) {
    return update(null, null, sql, binder);
  }

  /** One statement in a transaction; true when it changed a row (audited as {@code action}). */
  private boolean update(String action, String resourceId, String sql, Binder binder) {
    if (action == null) {
      return db.transaction(c -> execute(c, sql, binder));
    }
    return db.transaction(action, resourceId, changed -> changed, c -> execute(c, sql, binder));
  }

  private static boolean execute(java.sql.Connection c, String sql, Binder binder)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      return ps.executeUpdate() > 0;
    }
  }

  private Upload read(ResultSet rs) throws SQLException {
    return new Upload(
        new UploadId(dialect.getUuid(rs, "id")),
        UploadProtocol.valueOf(rs.getString("protocol")),
        rs.getString("backend_id"),
        rs.getString("file_path"),
        rs.getLong("total_size"),
        rs.getInt("chunk_size"),
        rs.getString("sha256"),
        UploadStatus.valueOf(rs.getString("status")),
        rs.getLong("upload_offset"),
        dialect.getInstant(rs, "created_at"),
        dialect.getInstant(rs, "expires_at"),
        rs.getString("error"));
  }
}
