package dev.syncjobs.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.BandwidthSettings;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.testing.EngineFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The global download limit is one bucket per instance, shared by every run and followed live: runs
 * of {@code file://} sources through the real engine and local transfer.
 */
class SharedBandwidthTest {
  private static final long LIMIT = 1_000_000;

  @TempDir Path tmp;

  private static Path source(Path dir, int bytes, long seed) throws Exception {
    Files.createDirectories(dir);
    byte[] data = new byte[bytes];
    new Random(seed).nextBytes(data);
    Files.write(dir.resolve("data.bin"), data);
    return dir;
  }

  @Test
  void two_concurrent_runs_under_a_global_limit_share_it_instead_of_getting_it_twice()
      throws Exception {
    try (EngineFixture fx = new EngineFixture(tmp.resolve("fx"))) {
      int size = 1_500_000;
      Job one = fx.localJob("one", source(tmp.resolve("one"), size, 1), "one", JobOptions.DEFAULTS);
      Job two = fx.localJob("two", source(tmp.resolve("two"), size, 2), "two", JobOptions.DEFAULTS);
      fx.runtime.bandwidth().replace(new BandwidthSettings(null, LIMIT, false, 0, 0));

      long t0 = System.nanoTime();
      Run r1 = fx.runtime.jobs().runNow(one.id());
      Run r2 = fx.runtime.jobs().runNow(two.id());
      assertThat(fx.runtime.awaitIdle(Duration.ofSeconds(60))).isTrue();
      double secs = (System.nanoTime() - t0) / 1e9;

      Run done1 = fx.find(one, r1.id());
      Run done2 = fx.find(two, r2.id());
      assertThat(done1.status()).isEqualTo(RunStatus.SUCCESS);
      assertThat(done2.status()).isEqualTo(RunStatus.SUCCESS);
      long bytes = done1.progress().bytesDone() + done2.progress().bytesDone();
      assertThat(bytes).isEqualTo(2L * size);
      // one bucket per run would let both through at the limit each: about twice the limit
      assertThat(bytes / secs).as("bytes per second of both runs").isLessThan(1.5 * LIMIT);
    }
  }

  @Test
  void raising_the_global_limit_during_a_run_speeds_that_run_up() throws Exception {
    try (EngineFixture fx = new EngineFixture(tmp.resolve("fx"))) {
      int size = 6_000_000;
      Job job =
          fx.localJob("live", source(tmp.resolve("live"), size, 3), "live", JobOptions.DEFAULTS);
      // 30 s at this rate
      fx.runtime.bandwidth().replace(new BandwidthSettings(null, 200_000L, false, 0, 0));
      AtomicLong seen = new AtomicLong();
      AutoCloseable watch =
          fx.runtime
              .progress()
              .subscribe(e -> seen.accumulateAndGet(e.progress().bytesDone(), Math::max));
      Run run = fx.runtime.jobs().runNow(job.id());
      CompletableFuture<Boolean> idle =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return fx.runtime.awaitIdle(Duration.ofSeconds(120));
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (seen.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      watch.close();
      assertThat(seen.get()).isBetween(1L, size / 2L);

      long changed = System.nanoTime();
      fx.runtime.bandwidth().replace(BandwidthSettings.NONE);
      assertThat(idle.get()).isTrue();
      double secs = (System.nanoTime() - changed) / 1e9;
      assertThat(fx.find(job, run.id()).status()).isEqualTo(RunStatus.SUCCESS);
      assertThat(secs).as("the rest of the run after the limit was lifted").isLessThan(15);
    }
  }

  @Test
  void a_transfer_that_cannot_follow_the_bucket_gets_the_lower_limit_at_start() throws Exception {
    List<Long> limits = new CopyOnWriteArrayList<>();
    Transfer capture =
        EngineFixture.anySource(
            r -> {
              limits.add(r.options().bandwidthLimit());
              return new TransferReport(0, 0, 0, 0, List.of());
            });
    try (EngineFixture fx =
        new EngineFixture(
            tmp.resolve("fx"),
            List.of(capture),
            new RunWorker.Settings(
                "test",
                3,
                Duration.ofSeconds(30),
                Duration.ofMillis(20),
                Duration.ofSeconds(30)))) {
      Path src = source(tmp.resolve("src"), 10, 4);
      Job own = fx.localJob("own", src, "own", new JobOptions(true, false, true, 50, 3, 300L, 2));
      Job none = fx.localJob("none", src, "none", JobOptions.DEFAULTS);
      fx.runAndWait(own);
      fx.runAndWait(none);
      fx.runtime.bandwidth().replace(new BandwidthSettings(null, 1000L, false, 0, 0));
      fx.clock.advance(Duration.ofMinutes(5));
      fx.runAndWait(own);
      fx.runAndWait(none);
      assertThat(limits).containsExactly(300L, null, 300L, 1000L);
    }
  }
}
