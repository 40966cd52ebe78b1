package dev.syncjobs.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CancelAndResumeTest {
  static final Instant T = Instant.parse("2026-10-01T12:00:00Z");

  @TempDir Path tmp;

  static void await(BooleanSupplier condition, long seconds, String what) {
    Await.until(what, java.time.Duration.ofSeconds(seconds), condition);
  }

  private static List<Path> partials(Path staging) throws IOException {
    Path dir = PartialFolder.of(staging);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  @Test
  void cancel_during_a_segmented_download_stops_fast_and_keeps_partials_for_resume()
      throws Exception {
    int size = 8 << 20;
    byte[] big = Fixture.randomBytes(size, 21);
    try (TestServer s = TestServer.start()) {
      s.file("/big/large.iso", big, T).slow(1 << 20);
      Fixture fx = new Fixture();
      Path st = Files.createDirectories(tmp.resolve("st"));
      HttpTransfer t = new HttpTransfer(Fixture.fastSettings().withSegments(1 << 20, 4));
      CompletableFuture<?> run =
          CompletableFuture.runAsync(() -> t.transfer(fx.request(s.uri("/big/"), st, null)));
      await(
          () ->
              s.bytesServed("/big/large.iso") > (1 << 20)
                  && s.requests().stream().filter(r -> r.headers().containsKey("range")).count()
                      >= 4,
          20,
          "segments to start");
      long t0 = System.nanoTime();
      fx.cancel.cancel();
      Throwable thrown = null;
      try {
        run.get(10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        thrown = e.getCause();
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;

      assertThat(thrown).isInstanceOf(CancelledException.class);
      assertThat(ms).isLessThan(5000);
      assertThat(partials(st))
          .anyMatch(p -> p.toString().endsWith(".part"))
          .anyMatch(p -> p.toString().endsWith(".state"));
      assertThat(Files.exists(st.resolve("large.iso"))).isFalse();
      long firstRun = s.bytesServed("/big/large.iso");

      s.slow(0);
      s.resetCounters();
      Fixture again = new Fixture();
      t.transfer(again.request(s.uri("/big/"), st, null));

      assertThat(Fixture.sha256(st.resolve("large.iso"))).isEqualTo(Fixture.sha256(big));
      assertThat(String.join("\n", again.log)).contains("resuming large.iso");
      assertThat(s.bytesServed("/big/large.iso")).isLessThan(size - firstRun / 2);
      assertThat(partials(st)).isEmpty();
    }
  }

  @Test
  void after_a_crash_the_next_run_resumes_and_downloads_under_ten_percent_more_than_missing()
      throws Exception {
    int size = 24 << 20;
    byte[] big = Fixture.randomBytes(size, 22);
    try (TestServer s = TestServer.start()) {
      s.file("/big/large.iso", big, T).slow(2 << 20);
      Path st = Files.createDirectories(tmp.resolve("st"));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process child =
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  CrashChild.class.getName(),
                  s.uri("/big/").toString(),
                  st.toString(),
                  String.valueOf(1 << 20))
              .redirectErrorStream(true)
              .redirectOutput(tmp.resolve("child.log").toFile())
              .start();
      try {
        await(() -> s.bytesServed("/big/large.iso") > size * 2L / 5, 60, "40% of the file");
      } finally {
        child.destroyForcibly();
        child.waitFor(10, TimeUnit.SECONDS);
      }
      long servedBeforeCrash = s.bytesServed("/big/large.iso");
      long missing = size - servedBeforeCrash;
      assertThat(partials(st)).anyMatch(p -> p.toString().endsWith(".part"));

      s.slow(0);
      s.resetCounters();
      Fixture fx = new Fixture();
      new HttpTransfer(Fixture.fastSettings().withSegments(1 << 20, 4))
          .transfer(fx.request(s.uri("/big/"), st, null));

      assertThat(Fixture.sha256(st.resolve("large.iso"))).isEqualTo(Fixture.sha256(big));
      assertThat(String.join("\n", fx.log)).contains("resuming large.iso");
      assertThat(s.bytesServed("/big/large.iso")).isLessThan((long) (missing * 1.1));
    }
  }
}
