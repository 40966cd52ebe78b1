package dev.syncjobs.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.memory.InMemoryRunLog;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.port.RunLog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RunLogWriterTest {
  /** A run log whose writes wait until the test lets them through. */
  private static final class GatedLog implements RunLog {
    final CountDownLatch open = new CountDownLatch(1);
    private final InMemoryRunLog lines = new InMemoryRunLog();

    @Override
    public void append(RunId run, String line) {
      lines.append(run, line);
    }

    @Override
    public void appendAll(Map<RunId, List<String>> linesByRun) {
      try {
        open.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      lines.appendAll(linesByRun);
    }

    @Override
    public String read(RunId run) {
      return lines.read(run);
    }
  }

  @Test
  void a_buffer_waits_until_its_lines_are_stored() throws Exception {
    GatedLog store = new GatedLog();
    RunLogWriter writer = new RunLogWriter(store);
    RunId run = new RunId(UUID.randomUUID());
    RunLogWriter.Buffer buffer = writer.buffer(run);
    buffer.add("published 20261203T000000Z");
    buffer.flush();

    Thread waiting = new Thread(() -> buffer.awaitWritten(Duration.ofSeconds(10)));
    waiting.start();
    waiting.join(300);
    assertThat(waiting.isAlive()).as("waits while the write is held").isTrue();

    store.open.countDown();
    waiting.join(10_000);
    assertThat(waiting.isAlive()).isFalse();
    assertThat(store.read(run)).contains("published 20261203T000000Z");
    writer.close(Duration.ofSeconds(1));
  }

  @Test
  void lines_older_than_a_second_are_handed_over_when_asked_between_lines() throws Exception {
    InMemoryRunLog store = new InMemoryRunLog();
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
    RunLogWriter writer = new RunLogWriter(store, now::get);
    RunId run = new RunId(UUID.randomUUID());
    RunLogWriter.Buffer buffer = writer.buffer(run);
    buffer.add("staging in 20261203T000000Z.partial");
    now.set(TimeUnit.MILLISECONDS.toNanos(500));
    buffer.flushIfDue();
    assertThat(store.read(run)).isEmpty();

    now.set(TimeUnit.MILLISECONDS.toNanos(1100));
    buffer.flushIfDue();
    buffer.awaitWritten(Duration.ofSeconds(10));
    assertThat(store.read(run)).contains("staging in 20261203T000000Z.partial");
    writer.close(Duration.ofSeconds(1));
  }

  @Test
  void a_buffer_that_handed_nothing_over_does_not_wait() {
    RunLogWriter writer = new RunLogWriter(new InMemoryRunLog());
    long t0 = System.nanoTime();
    writer.buffer(new RunId(UUID.randomUUID())).awaitWritten(Duration.ofSeconds(10));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
  }
}
