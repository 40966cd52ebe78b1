package dev.syncjobs.rsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The I/O watch reads real processes' counters; a test clock stands in for the waiting. */
class RsyncIoWatchTest {
  private final AtomicLong now = new AtomicLong();

  @Test
  void a_process_that_moves_no_data_is_stalled_once_the_timeout_has_passed() throws Exception {
    assumeTrue(RsyncIoWatch.available(), "no /proc/<pid>/io on this system");
    Process sleeper = new ProcessBuilder("sleep", "30").start();
    try {
      awaitQuiet(sleeper.pid()); // past loading its program: from now on it moves nothing
      RsyncIoWatch watch = new RsyncIoWatch(sleeper.toHandle(), Duration.ofSeconds(5), now::get);
      assertThat(watch.stalled()).isFalse(); // the first look sees counts, which is movement
      advance(Duration.ofSeconds(4));
      assertThat(watch.stalled()).isFalse();
      advance(Duration.ofSeconds(1));
      assertThat(watch.stalled()).isTrue();
    } finally {
      sleeper.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void a_child_that_keeps_writing_keeps_its_parent_alive() throws Exception {
    assumeTrue(RsyncIoWatch.available(), "no /proc/<pid>/io on this system");
    // The parent shell only waits; its child copies bytes, as rsync's receiver does for it.
    Process parent = new ProcessBuilder("sh", "-c", "cat /dev/zero > /dev/null & wait").start();
    try {
      RsyncIoWatch watch = new RsyncIoWatch(parent.toHandle(), Duration.ofSeconds(5), now::get);
      for (int i = 0; i < 10; i++) {
        Thread.sleep(50);
        advance(Duration.ofSeconds(2));
        assertThat(watch.stalled()).as("look %d", i).isFalse();
      }
    } finally {
      parent.descendants().forEach(ProcessHandle::destroyForcibly);
      parent.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  /** Waits until the process's I/O counts stand still over a few looks 50 ms apart. */
  private static void awaitQuiet(long pid) throws Exception {
    java.nio.file.Path io = java.nio.file.Path.of("/proc/" + pid + "/io");
    String last = java.nio.file.Files.readString(io);
    int same = 0;
    for (int i = 0; i < 100 && same < 3; i++) {
      Thread.sleep(50);
      String now = java.nio.file.Files.readString(io);
      same = now.equals(last) ? same + 1 : 0;
      last = now;
    }
    assertThat(same).as("the I/O counts of %d stood still", pid).isEqualTo(3);
  }

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }
}
