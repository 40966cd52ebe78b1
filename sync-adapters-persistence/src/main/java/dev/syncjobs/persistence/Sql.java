package dev.syncjobs.persistence;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Runs one prepared statement on a connection the caller holds, so that a JDBC repository states
 * only the statement's text, its parameters and how a row reads.
 */
final class Sql {
  private Sql() {}

  /** Sets a statement's parameters. */
  @FunctionalInterface
  interface Params {
    void bind(PreparedStatement ps) throws SQLException;
  }

  /** Reads the current row of a result set. */
  @FunctionalInterface
  interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /** The rows {@code sql} returns, in its order. */
  static <T> List<T> list(Connection c, String sql, Params params, Row<T> row) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      params.bind(ps);
      return rows(ps, row);
    }
  }

  /** Runs a bound query and returns its rows, in its order. */
  static <T> List<T> rows(PreparedStatement ps, Row<T> row) throws SQLException {
    List<T> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(row.read(rs));
      }
    }
    return out;
  }

  /** The first of {@code list}, if any. */
  static <T> Optional<T> first(List<T> list) {
    return list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
  }

  /** The number in the first column of the one row {@code sql} returns ({@code count(*)}). */
  static long count(Connection c, String sql, Params params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      params.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Runs {@code sql}, which changes rows; returns how many. */
  static int update(Connection c, String sql, Params params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      params.bind(ps);
      return ps.executeUpdate();
    }
  }

  /** PostgreSQL: runs a bound query and returns the uuids of its first column. */
  static Set<UUID> uuids(PreparedStatement ps) throws SQLException {
    return new HashSet<>(rows(ps, rs -> rs.getObject(1, UUID.class)));
  }

  /** PostgreSQL: {@code ids} as a {@code uuid[]} parameter. */
  static Array uuidArray(Connection c, Stream<UUID> ids) throws SQLException {
    return c.createArrayOf("uuid", ids.toArray());
  }

  /** {@code n} JDBC parameter marks for an {@code IN (...)} list: {@code ?, ?, ?}. */
  static String placeholders(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }
}
