package dev.syncjobs.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.SyncException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite's single writer: write transactions submitted while the writer is busy share one commit,
 * each in a savepoint of its own, and each caller still learns its own outcome.
 */
class SqliteWriterTest {
  @TempDir Path dir;
  private Database db;
  private final ExecutorService callers = Executors.newFixedThreadPool(8);

  @BeforeEach
  void open() throws SQLException {
    db = Database.open("jdbc:sqlite:" + dir.resolve("syncjobs.db"));
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE notes (name TEXT PRIMARY KEY, seen INTEGER NOT NULL)");
    }
  }

  @AfterEach
  void close() {
    callers.shutdownNow();
    db.close();
  }

  /** Inserts {@code name}, recording how many notes the transaction saw before it. */
  private int insert(Connection c, String name) throws SQLException {
    int seen;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM notes")) {
      rs.next();
      seen = rs.getInt(1);
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO notes VALUES (?, ?)")) {
      ps.setString(1, name);
      ps.setInt(2, seen);
      ps.executeUpdate();
    }
    return seen;
  }

  private List<String> names() {
    return db.query(
        c -> {
          List<String> names = new ArrayList<>();
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT name FROM notes ORDER BY name")) {
            while (rs.next()) {
              names.add(rs.getString(1));
            }
          }
          return names;
        });
  }

  @Test
  void transactions_queued_behind_a_busy_writer_share_its_next_commit_and_fail_alone()
      throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<Integer> first =
        callers.submit(
            () ->
                db.transaction(
                    c -> {
                      holding.countDown();
                      await(release);
                      return insert(c, "a");
                    }));
    assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
    // Queued while the writer is busy with "a": these form the next group, in this order.
    Future<Integer> b = queue(() -> db.transaction(c -> insert(c, "b")));
    Future<Integer> bad =
        queue(
            () ->
                db.transaction(
                    c -> {
                      insert(c, "x");
                      throw new IllegalStateException("refused after writing");
                    }));
    Future<Integer> duplicate = queue(() -> db.transaction(c -> insert(c, "b")));
    Future<Integer> d =
        queue(
            () ->
                db.transaction(
                    c -> {
                      insert(c, "d");
                      return names().size(); // as another connection sees it: committed notes
                    }));
    release.countDown();

    assertThat(first.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    // When "d" ran, only "a" was committed: "b" and "d" share one commit.
    assertThat(d.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("refused after writing");
    assertThatThrownBy(() -> duplicate.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(SyncException.class)
        .hasMessageContaining("UNIQUE");
    assertThat(names()).containsExactly("a", "b", "d");
  }

  /** Submits {@code call} and waits until it is queued for the writer (its thread is waiting). */
  private Future<Integer> queue(java.util.concurrent.Callable<Integer> call) throws Exception {
    CompletableFuture<Thread> caller = new CompletableFuture<>();
    Future<Integer> f =
        callers.submit(
            () -> {
              caller.complete(Thread.currentThread());
              return call.call();
            });
    Thread t = caller.get(10, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (t.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(t.getState()).isEqualTo(Thread.State.WAITING);
    return f;
  }

  @Test
  void many_concurrent_writers_all_commit() throws Exception {
    List<Future<Integer>> all = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      String name = "n" + i;
      all.add(callers.submit(() -> db.transaction(c -> insert(c, name))));
    }
    for (Future<Integer> f : all) {
      f.get(30, TimeUnit.SECONDS);
    }
    assertThat(names()).hasSize(400);
  }

  @Test
  void an_error_in_a_transaction_commits_nothing_and_the_writer_goes_on() {
    assertThatThrownBy(
            () ->
                db.transaction(
                    c -> {
                      insert(c, "half");
                      throw new AssertionError("broken");
                    }))
        .isInstanceOf(SyncException.class)
        .hasMessageContaining("broken");
    assertThat(names()).isEmpty();
    int seen = db.transaction(c -> insert(c, "after"));
    assertThat(seen).isZero();
    assertThat(names()).containsExactly("after");
  }

  @Test
  void a_transaction_cannot_start_another() {
    assertThatThrownBy(() -> db.transaction(c -> db.transaction(inner -> insert(inner, "n"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("must not start another transaction");
    assertThat(names()).isEmpty();
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
