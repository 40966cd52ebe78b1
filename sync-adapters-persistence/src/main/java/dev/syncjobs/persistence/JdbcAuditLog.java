package dev.syncjobs.persistence;

import dev.syncjobs.core.model.AuditEntry;
import dev.syncjobs.core.port.AuditLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link AuditLog} on SQLite or PostgreSQL (table {@code audit_log}). The JDBC repositories write
 * the entry an {@link dev.syncjobs.core.port.AuditScope} holds for their change in the change's own
 * transaction ({@link Database#transaction(String, String, java.util.function.Predicate,
 * Database.SqlWork)}), through {@link #insert}.
 */
public final class JdbcAuditLog implements AuditLog {
  private static final String COLUMNS = "at, actor, action, resource_type, resource_id, details";

  private final Database db;
  private final Dialect dialect;

  public JdbcAuditLog(Database db) {
    this.db = Objects.requireNonNull(db, "db");
    this.dialect = db.dialect();
  }

  @Override
  public void record(AuditEntry entry) {
    Objects.requireNonNull(entry.resourceId(), "the entry names no resource");
    db.transaction(
        c -> {
          insert(c, dialect, entry);
          return null;
        });
  }

  /** Writes {@code entry} on {@code c}, in the transaction the caller has open. */
  static void insert(Connection c, Dialect dialect, AuditEntry entry) throws SQLException {
    Sql.update(
        c,
        "INSERT INTO {audit_log} (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)",
        ps -> {
          dialect.setInstant(ps, 1, entry.at());
          ps.setString(2, entry.actor());
          ps.setString(3, entry.action());
          ps.setString(4, entry.resourceType());
          ps.setString(5, entry.resourceId());
          ps.setString(6, entry.details());
        });
  }

  @Override
  public List<AuditEntry> list(Query query) {
    return db.query(
        c ->
            Sql.list(
                c,
                "SELECT "
                    + COLUMNS
                    + " FROM {audit_log}"
                    + where(query)
                    + " ORDER BY at DESC, seq DESC LIMIT ? OFFSET ?",
                ps -> {
                  int i = bind(ps, query);
                  ps.setInt(i++, query.limit());
                  ps.setInt(i, query.offset());
                },
                this::read));
  }

  @Override
  public long count(Query query) {
    return db.query(
        c ->
            Sql.count(c, "SELECT count(*) FROM {audit_log}" + where(query), ps -> bind(ps, query)));
  }

  @Override
  public int deleteBefore(Instant cutoff, int batch) {
    return db.transaction(
        c ->
            Sql.update(
                c,
                "DELETE FROM {audit_log} WHERE seq IN (SELECT seq FROM {audit_log} WHERE at < ?"
                    + " ORDER BY at LIMIT ?)",
                ps -> {
                  dialect.setInstant(ps, 1, cutoff);
                  ps.setInt(2, batch);
                }));
  }

  private AuditEntry read(ResultSet rs) throws SQLException {
    return new AuditEntry(
        dialect.getInstant(rs, "at"),
        rs.getString("actor"),
        rs.getString("action"),
        rs.getString("resource_type"),
        rs.getString("resource_id"),
        rs.getString("details"));
  }

  private static String where(Query q) {
    List<String> parts = new ArrayList<>();
    if (q.resourceType() != null) {
      parts.add("resource_type = ?");
    }
    if (q.resourceId() != null) {
      parts.add("resource_id = ?");
    }
    return parts.isEmpty() ? "" : " WHERE " + String.join(" AND ", parts);
  }

  private static int bind(PreparedStatement ps, Query q) throws SQLException {
    int i = 1;
    if (q.resourceType() != null) {
      ps.setString(i++, q.resourceType());
    }
    if (q.resourceId() != null) {
      ps.setString(i++, q.resourceId());
    }
    return i;
  }
}
