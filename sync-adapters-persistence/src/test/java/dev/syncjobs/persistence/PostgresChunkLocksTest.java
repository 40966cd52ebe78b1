package dev.syncjobs.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.memory.InMemoryChunkLocks;
import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.UploadId;
import dev.syncjobs.core.port.ChunkLocks;
import dev.syncjobs.core.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two instances' chunk locks on one PostgreSQL schema: a chunk has one writer across both, a newer
 * request makes a stalled holder on the other instance let go, a holder that does not let go is
 * never written beside, and a holder whose lock connection broke is superseded.
 */
class PostgresChunkLocksTest {
  private String schema;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private PostgresChunkLocks a;
  private PostgresChunkLocks b;
  private final UploadId upload = new UploadId(UUID.randomUUID());

  @BeforeEach
  void twoInstances() {
    schema = PostgresTestSupport.createSchema("chunklocks");
    a = locks(Duration.ofSeconds(10));
    b = locks(Duration.ofSeconds(10));
  }

  private PostgresChunkLocks locks(Duration wait) {
    Database db = PostgresTestSupport.open(schema, 2);
    closing.add(0, db);
    PostgresChunkLocks locks = PostgresChunkLocks.start(db, new InMemoryChunkLocks(wait), wait);
    closing.add(0, locks);
    return locks;
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    PostgresTestSupport.dropSchema(schema);
  }

  /** A request on A that holds the chunk and blocks (a read of a stalled client) until told. */
  private CompletableFuture<Boolean> stalledHolder(
      PostgresChunkLocks on, long chunk, CountDownLatch holding, boolean letsGo) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (ChunkLocks.Held held = on.acquire(upload, chunk)) {
            holding.countDown();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < end) {
              try {
                Thread.sleep(10_000);
              } catch (InterruptedException e) {
                if (letsGo) {
                  return held.superseded();
                }
              }
              if (letsGo && held.superseded()) {
                return true;
              }
            }
            return held.superseded();
          }
        });
  }

  @Test
  void a_newer_request_on_another_instance_makes_a_stalled_holder_let_go() throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CompletableFuture<Boolean> older = stalledHolder(a, 3, holding, true);
    assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

    long t0 = System.nanoTime();
    try (ChunkLocks.Held newer = b.acquire(upload, 3)) {
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
      assertThat(newer.superseded()).isFalse();
      assertThat(older.get(5, TimeUnit.SECONDS))
          .as("the older request saw it was superseded")
          .isTrue();
    }
  }

  @Test
  void a_holder_that_does_not_let_go_is_never_written_beside_and_the_newer_request_gives_up()
      throws Exception {
    PostgresChunkLocks impatient = locks(Duration.ofMillis(1500));
    CountDownLatch holding = new CountDownLatch(1);
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Boolean> stuck =
        CompletableFuture.supplyAsync(
            () -> {
              try (ChunkLocks.Held held = a.acquire(upload, 0)) {
                holding.countDown();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!stop.get() && System.nanoTime() < end) {
                  LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                return held.superseded();
              }
            });
    assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

    long t0 = System.nanoTime();
    assertThatThrownBy(() -> impatient.acquire(upload, 0))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("did not let go");
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isBetween(Duration.ofMillis(1400), Duration.ofSeconds(5));
    stop.set(true);
    assertThat(stuck.get(10, TimeUnit.SECONDS)).as("asked to let go").isTrue();
    try (ChunkLocks.Held free = impatient.acquire(upload, 0)) {
      assertThat(free.superseded()).isFalse();
    }
  }

  @Test
  void different_chunks_and_the_tus_tail_do_not_wait_for_each_other() {
    try (ChunkLocks.Held one = a.acquire(upload, 0);
        ChunkLocks.Held two = b.acquire(upload, 1);
        ChunkLocks.Held tail = b.acquire(new UploadId(UUID.randomUUID()), ChunkLocks.TUS_TAIL)) {
      assertThat(one.superseded() || two.superseded() || tail.superseded()).isFalse();
    }
  }

  @Test
  void a_holder_whose_lock_connection_broke_is_superseded_and_the_chunk_is_free() {
    try (ChunkLocks.Held held = a.acquire(upload, 7)) {
      long id = a.lockId(upload, 7);
      PostgresTestSupport.execute(
          "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted"
              + " AND objsubid = 1 AND classid = "
              + (id >>> 32)
              + " AND objid = "
              + (id & 0xffffffffL));
      Await.until("the holder to notice", Duration.ofSeconds(10), held::superseded);
      try (ChunkLocks.Held taken = b.acquire(upload, 7)) {
        assertThat(taken.superseded()).isFalse();
      }
    }
    try (ChunkLocks.Held again = a.acquire(upload, 7)) {
      assertThat(again.superseded()).as("a new lock connection").isFalse();
    }
  }
}
