package dev.syncjobs.persistence;

import dev.syncjobs.core.model.AuditEntry;
import dev.syncjobs.core.model.NotFoundException;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.port.AuditScope;
import dev.syncjobs.persistence.Database.SqlWork;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;

/**
 * Runs the JDBC repositories' work on connections of the {@link Database}: in a transaction (group
 * commit on SQLite's one writer, retried on a PostgreSQL deadlock), as one auto-committed
 * statement, or as a read; and turns an {@link SQLException} into a {@link SyncException}.
 */
final class Transactions {

  /** Hands out a connection of the pool, ready for the repositories' statements. */
  @FunctionalInterface
  interface Connections {
    Connection get() throws SQLException;
  }

  /** At most this many SQLite write transactions share a commit. */
  private static final int MAX_SHARED = 256;

  /** Set on the SQLite writer thread while it runs a group. */
  private static final ThreadLocal<Boolean> WRITING = ThreadLocal.withInitial(() -> false);

  private final Dialect dialect;
  private final Connections connections;

  /** SQLite: the write transactions waiting for the writer, and the writer. */
  private final GroupCommit<Write, Outcome> writes =
      new GroupCommit<>(
          "syncjobs-sqlite-writer", q -> GroupCommit.first(q, MAX_SHARED), this::write);

  Transactions(Dialect dialect, Connections connections) {
    this.dialect = dialect;
    this.connections = connections;
  }

  /** See {@link Database#transaction(SqlWork)}. */
  <T> T transaction(SqlWork<T> work) {
    if (dialect == Dialect.SQLITE) {
      return shared(work);
    }
    return retried(c -> committed(c, work));
  }

  /**
   * See {@link Database#transaction(String, String, Predicate, SqlWork)}: {@code work}, and in its
   * transaction the entry this thread's {@link AuditScope} holds for {@code auditAction}, if any,
   * when {@code changed} says the work changed anything.
   */
  <T> T transaction(String auditAction, String resourceId, Predicate<T> changed, SqlWork<T> work) {
    Optional<AuditEntry> entry = AuditScope.take(auditAction, resourceId);
    if (entry.isEmpty()) {
      return transaction(work);
    }
    return transaction(
        c -> {
          T result = work.apply(c);
          if (changed.test(result)) {
            JdbcAuditLog.insert(c, dialect, entry.get());
          }
          return result;
        });
  }

  /** Runs {@code work} in auto-commit mode, retried when PostgreSQL reports a deadlock. */
  <T> T statement(SqlWork<T> work) {
    return retried(work);
  }

  /** Runs read-only {@code work} in auto-commit mode. */
  <T> T query(SqlWork<T> work) {
    try (Connection c = connections.get()) {
      return work.apply(c);
    } catch (SQLException e) {
      throw translate(e);
    }
  }

  SyncException translate(SQLException e) {
    if (dialect.isForeignKeyViolation(e)) {
      return new NotFoundException(
          "it refers to a job or run that does not exist (any more): " + Database.rootMessage(e));
    }
    return new SyncException("database error: " + Database.rootMessage(e), e);
  }

  /** Runs {@code work} on a connection of its own, again (up to three times) after a deadlock. */
  private <T> T retried(SqlWork<T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = connections.get()) {
        return work.apply(c);
      } catch (SQLException e) {
        if (attempt < 3 && isRetryable(e)) {
          continue;
        }
        throw translate(e);
      }
    }
  }

  private boolean isRetryable(SQLException e) {
    return dialect == Dialect.POSTGRESQL
        && ("40P01".equals(e.getSQLState()) || "40001".equals(e.getSQLState()));
  }

  /**
   * Runs {@code work} on {@code c} in one transaction: committed, or rolled back and rethrown. An
   * {@link Error} rolls back too: turning auto-commit back on would otherwise commit the half.
   */
  private static <T> T committed(Connection c, SqlWork<T> work) throws SQLException {
    c.setAutoCommit(false);
    try {
      T result = work.apply(c);
      c.commit();
      return result;
    } catch (SQLException | RuntimeException | Error e) {
      rollbackQuietly(c, e);
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  private static void rollbackQuietly(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException suppressed) {
      cause.addSuppressed(suppressed);
    }
  }

  /** A write transaction waiting for the SQLite writer. */
  private record Write(SqlWork<?> work, CompletableFuture<Outcome> done)
      implements GroupCommit.Item<Outcome> {}

  /** What a transaction of a shared commit gave: its result, or why it failed. */
  private record Outcome(Object value, Exception failure) {}

  @SuppressWarnings("unchecked")
  private <T> T shared(SqlWork<T> work) {
    if (WRITING.get()) {
      throw new IllegalStateException("a transaction must not start another transaction");
    }
    Write mine = new Write(work, new CompletableFuture<>());
    writes.submit(List.of(mine));
    Outcome outcome;
    try {
      // not interruptible: the caller must learn whether its transaction was committed
      outcome = mine.done().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new SyncException("database error: " + Database.rootMessage(e), e);
    }
    if (outcome.failure() == null) {
      return (T) outcome.value();
    }
    if (outcome.failure() instanceof SQLException e) {
      throw translate(e);
    }
    throw (RuntimeException) outcome.failure();
  }

  /** SQLite writer: runs a group of transactions, each in a savepoint, under one commit. */
  private List<Outcome> write(List<Write> group) {
    WRITING.set(true);
    try (Connection c = connections.get()) {
      return committed(
          c,
          conn -> {
            List<Outcome> outcomes = new ArrayList<>(group.size());
            for (Write w : group) {
              outcomes.add(runInSavepoint(conn, w.work()));
            }
            return outcomes;
          });
    } catch (SQLException e) {
      throw translate(e);
    } finally {
      WRITING.set(false);
    }
  }

  /**
   * Runs one transaction of a group. Its failure is its own, unless the savepoint cannot be rolled
   * back (SQLite rolls the whole transaction back on some errors, a full disk among them): then the
   * group fails with the original error and is run again one transaction at a time.
   */
  private static Outcome runInSavepoint(Connection c, SqlWork<?> work) throws SQLException {
    Savepoint savepoint = c.setSavepoint();
    try {
      Object value = work.apply(c);
      c.releaseSavepoint(savepoint);
      return new Outcome(value, null);
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback(savepoint);
        c.releaseSavepoint(savepoint);
      } catch (SQLException gone) {
        e.addSuppressed(gone);
        throw e;
      }
      return new Outcome(null, e);
    }
  }
}
