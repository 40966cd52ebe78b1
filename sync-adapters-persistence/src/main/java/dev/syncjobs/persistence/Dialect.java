package dev.syncjobs.persistence;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * How SQLite and PostgreSQL differ in binding and reading values: how instants and UUIDs are bound
 * and read, and how a unique violation is reported (the statements that differ are in the dialects'
 * statements classes). Instants are stored at microsecond precision in both.
 */
enum Dialect {
  SQLITE("sqlite") {
    @Override
    String microsBetween(String from, String to) {
      return "(" + to + " - " + from + ")";
    }

    @Override
    void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
      if (value == null) {
        ps.setNull(index, Types.BIGINT);
      } else {
        ps.setLong(index, ChronoUnit.MICROS.between(Instant.EPOCH, value));
      }
    }

    @Override
    Instant getInstant(ResultSet rs, int column) throws SQLException {
      long micros = rs.getLong(column);
      return rs.wasNull() ? null : Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    @Override
    String getText(ResultSet rs, int column) throws SQLException {
      // The driver hands text over in a direct buffer made per call through JNI; a blob comes as
      // a plain array, so reading a wide row's text this way takes a fraction of the time.
      byte[] utf8 = rs.getBytes(column);
      return utf8 == null ? null : new String(utf8, StandardCharsets.UTF_8);
    }

    @Override
    void setUuid(PreparedStatement ps, int index, UUID value) throws SQLException {
      ps.setString(index, value == null ? null : value.toString());
    }

    @Override
    UUID getUuid(ResultSet rs, int column) throws SQLException {
      String text = getText(rs, column);
      return text == null ? null : UUID.fromString(text);
    }

    @Override
    boolean isUniqueViolation(SQLException e) {
      // SQLITE_CONSTRAINT (19) and its extended codes UNIQUE (2067) / PRIMARYKEY (1555)
      int code = e.getErrorCode();
      return code == 2067 || code == 1555 || (code == 19 && e.getMessage().contains("UNIQUE"));
    }

    @Override
    boolean isForeignKeyViolation(SQLException e) {
      return e.getErrorCode() == 787
          || (e.getErrorCode() == 19 && String.valueOf(e.getMessage()).contains("FOREIGN KEY"));
    }
  },
  POSTGRESQL("postgresql") {
    @Override
    String microsBetween(String from, String to) {
      return "(EXTRACT(EPOCH FROM (" + to + " - " + from + ")) * 1000000)";
    }

    @Override
    void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
      if (value == null) {
        ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
      } else {
        ps.setObject(
            index, OffsetDateTime.ofInstant(value.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
      }
    }

    @Override
    void setUuid(PreparedStatement ps, int index, UUID value) throws SQLException {
      ps.setObject(index, value);
    }

    @Override
    UUID getUuid(ResultSet rs, int column) throws SQLException {
      return rs.getObject(column, UUID.class);
    }

    @Override
    Instant getInstant(ResultSet rs, int column) throws SQLException {
      OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
      return value == null ? null : value.toInstant();
    }

    @Override
    String getText(ResultSet rs, int column) throws SQLException {
      return rs.getString(column);
    }

    @Override
    boolean isUniqueViolation(SQLException e) {
      return "23505".equals(e.getSQLState());
    }

    @Override
    boolean isForeignKeyViolation(SQLException e) {
      return "23503".equals(e.getSQLState());
    }
  };

  /** The folder of this dialect's migrations under {@code db/migration}. */
  final String migrations;

  Dialect(String migrations) {
    this.migrations = migrations;
  }

  abstract void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException;

  /** PostgreSQL: an instant as an element of a text array cast to {@code timestamptz[]}. */
  static String timestampText(Instant value) {
    return value == null ? null : value.truncatedTo(ChronoUnit.MICROS).toString();
  }

  /** The instant in the column named {@code column} of the current row. */
  final Instant getInstant(ResultSet rs, String column) throws SQLException {
    return getInstant(rs, rs.findColumn(column));
  }

  /** The instant in the column at {@code column} (1-based) of the current row. */
  abstract Instant getInstant(ResultSet rs, int column) throws SQLException;

  /** The text in the column at {@code column} (1-based) of the current row, or null. */
  abstract String getText(ResultSet rs, int column) throws SQLException;

  /** SQL for the microseconds from one instant column to another. */
  abstract String microsBetween(String from, String to);

  abstract void setUuid(PreparedStatement ps, int index, UUID value) throws SQLException;

  /** The UUID in the column named {@code column} of the current row. */
  final UUID getUuid(ResultSet rs, String column) throws SQLException {
    return getUuid(rs, rs.findColumn(column));
  }

  abstract UUID getUuid(ResultSet rs, int column) throws SQLException;

  abstract boolean isUniqueViolation(SQLException e);

  abstract boolean isForeignKeyViolation(SQLException e);

  /** The driver class of this dialect and the Maven coordinates that bring it. */
  private static final String[][] DRIVERS = {
    {"org.sqlite.JDBC", "org.xerial:sqlite-jdbc"},
    {"org.postgresql.Driver", "org.postgresql:postgresql"}
  };

  /**
   * Checks that this dialect's JDBC driver is on the class path: syncjobs leaves the choice of
   * driver to the application, which adds the one it uses.
   *
   * @throws dev.syncjobs.core.model.SyncException naming the dependency to add
   */
  void requireDriver() {
    String[] driver = DRIVERS[ordinal()];
    try {
      Class.forName(driver[0], false, Dialect.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new dev.syncjobs.core.model.SyncException(
          "the "
              + (this == SQLITE ? "SQLite" : "PostgreSQL")
              + " JDBC driver is not on the class path: add the dependency "
              + driver[1]
              + " to the application",
          e);
    }
  }

  /** The dialect of a database by the product name its driver reports. */
  static Dialect ofProduct(String productName) {
    String name = productName == null ? "" : productName.toLowerCase(java.util.Locale.ROOT);
    if (name.contains("sqlite")) {
      return SQLITE;
    }
    if (name.contains("postgresql")) {
      return POSTGRESQL;
    }
    throw new IllegalArgumentException(
        "unsupported database " + productName + " (syncjobs runs on SQLite or PostgreSQL)");
  }

  static Dialect of(String jdbcUrl) {
    if (jdbcUrl.startsWith("jdbc:sqlite:")) {
      return SQLITE;
    }
    if (jdbcUrl.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    throw new IllegalArgumentException(
        "unsupported database URL (expected jdbc:sqlite:<file> or jdbc:postgresql://...): "
            + jdbcUrl.replaceAll("password=[^&]*", "password=***"));
  }
}
