package dev.syncjobs.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.UploadId;
import dev.syncjobs.core.port.ChunkLocks;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class InMemoryChunkLocksTest {
  private final UploadId upload = new UploadId(UUID.randomUUID());

  @Test
  void a_newer_request_interrupts_a_blocked_holder_and_takes_the_chunk() throws Exception {
    InMemoryChunkLocks locks = new InMemoryChunkLocks(Duration.ofSeconds(10));
    CountDownLatch holding = new CountDownLatch(1);
    CompletableFuture<Boolean> older =
        CompletableFuture.supplyAsync(
            () -> {
              try (ChunkLocks.Held held = locks.acquire(upload, 0)) {
                holding.countDown();
                try {
                  new CountDownLatch(1).await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  return held.superseded();
                }
                return false;
              }
            });
    assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
    try (ChunkLocks.Held newer = locks.acquire(upload, 0)) {
      assertThat(newer.superseded()).isFalse();
      assertThat(older.get(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void a_release_request_marks_the_holder_superseded_without_waiting_for_its_thread() {
    InMemoryChunkLocks locks = new InMemoryChunkLocks(Duration.ofSeconds(10));
    try (ChunkLocks.Held held = locks.acquire(upload, ChunkLocks.TUS_TAIL)) {
      locks.requestRelease(upload, 5);
      assertThat(held.superseded()).isFalse();
      locks.requestRelease(upload, ChunkLocks.TUS_TAIL);
      assertThat(held.superseded()).isTrue();
      assertThat(Thread.interrupted()).as("the holder's thread was interrupted").isTrue();
    }
    try (ChunkLocks.Held next = locks.acquire(upload, ChunkLocks.TUS_TAIL)) {
      assertThat(next.superseded()).isFalse();
    }
  }

  @Test
  void a_holder_that_does_not_let_go_makes_the_newer_request_give_up_after_the_wait()
      throws Exception {
    InMemoryChunkLocks locks = new InMemoryChunkLocks(Duration.ofMillis(300));
    CountDownLatch holding = new CountDownLatch(1);
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Void> stuck =
        CompletableFuture.runAsync(
            () -> {
              try (ChunkLocks.Held held = locks.acquire(upload, 1)) {
                holding.countDown();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!stop.get() && System.nanoTime() < end) {
                  LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
              }
            });
    assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> locks.acquire(upload, 1))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("try again");
    stop.set(true);
    stuck.get(10, TimeUnit.SECONDS);
  }
}
