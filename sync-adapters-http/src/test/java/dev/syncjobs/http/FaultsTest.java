package dev.syncjobs.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.port.TransferRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaultsTest {
  static final Instant T = Instant.parse("2026-10-01T12:00:00Z");
  static final int SIZE = 3_000_000;

  @TempDir Path tmp;

  private static TestServer server(byte[] big) throws IOException {
    TestServer s = TestServer.start();
    s.file("/f/big.iso", big, T);
    s.file("/f/small.txt", "small", T);
    return s;
  }

  private static long getsOf(TestServer s, String path) {
    return s.requests().stream()
        .filter(r -> r.method().equals("GET") && r.rawPath().equals(path))
        .count();
  }

  @Test
  void connection_reset_mid_file_resumes_by_range_and_the_sha256_matches() throws IOException {
    byte[] big = Fixture.randomBytes(SIZE, 11);
    try (TestServer s = server(big)) {
      s.fault("/f/big.iso", new TestServer.ResetAfter(1_000_000));
      Fixture fx = new Fixture();
      Path st = tmp.resolve("st");
      fx.run(new HttpTransfer(Fixture.fastSettings()), s.uri("/f/"), st, null);

      assertThat(Fixture.sha256(st.resolve("big.iso"))).isEqualTo(Fixture.sha256(big));
      assertThat(s.requests())
          .anyMatch(
              r ->
                  r.rawPath().equals("/f/big.iso")
                      && r.headers().getOrDefault("range", "").matches("bytes=[1-9][0-9]*-.*")
                      && r.headers().containsKey("if-range"));
      assertThat(s.bytesServed("/f/big.iso")).isLessThanOrEqualTo(SIZE + 1_000_000L);
      assertThat(String.join("\n", fx.log)).contains("retrying big.iso");
    }
  }

  @Test
  void retries_after_a_503_and_succeeds() throws IOException {
    try (TestServer s = server(Fixture.randomBytes(1000, 1))) {
      s.fault("/f/small.txt", new TestServer.Status(503, Map.of()));
      Fixture fx = new Fixture();
      Path st = tmp.resolve("st");
      fx.run(new HttpTransfer(Fixture.fastSettings()), s.uri("/f/"), st, null);
      assertThat(Files.readString(st.resolve("small.txt"))).isEqualTo("small");
      assertThat(getsOf(s, "/f/small.txt")).isEqualTo(2);
      assertThat(String.join("\n", fx.log)).contains("503");
    }
  }

  @Test
  void waits_for_retry_after_on_429() throws IOException {
    try (TestServer s = server(Fixture.randomBytes(1000, 1))) {
      s.fault("/f/small.txt", new TestServer.Status(429, Map.of("Retry-After", "1")));
      Fixture fx = new Fixture();
      Path st = tmp.resolve("st");
      long t0 = System.nanoTime();
      fx.run(new HttpTransfer(Fixture.fastSettings()), s.uri("/f/"), st, null);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(ms).isGreaterThanOrEqualTo(950);
      assertThat(Files.readString(st.resolve("small.txt"))).isEqualTo("small");
      assertThat(getsOf(s, "/f/small.txt")).isEqualTo(2);
    }
  }

  @Test
  void a_stalled_body_times_out_and_the_download_resumes() throws IOException {
    byte[] big = Fixture.randomBytes(SIZE, 12);
    try (TestServer s = server(big)) {
      s.fault("/f/big.iso", new TestServer.StallAfter(500_000));
      Fixture fx = new Fixture();
      fx.options = new TransferRequest.Options(true, false, null, Duration.ofSeconds(1));
      Path st = tmp.resolve("st");
      long t0 = System.nanoTime();
      fx.run(new HttpTransfer(Fixture.fastSettings()), s.uri("/f/"), st, null);
      long ms = (System.nanoTime() - t0) / 1_000_000;

      assertThat(ms).isGreaterThanOrEqualTo(1000);
      assertThat(Fixture.sha256(st.resolve("big.iso"))).isEqualTo(Fixture.sha256(big));
      assertThat(String.join("\n", fx.log)).contains("stalled");
      // the 500,000 bytes that arrived before the stall are kept (written when the read times
      // out, not dropped with the gathering buffer), so the resume asks only for the rest
      assertThat(s.bytesServed("/f/big.iso")).isLessThan(SIZE + 50_000L);
    }
  }

  @Test
  void a_server_that_ignores_range_gets_the_file_restarted_from_byte_zero() throws IOException {
    byte[] big = Fixture.randomBytes(SIZE, 13);
    try (TestServer s = server(big)) {
      s.ignoreRange(true).fault("/f/big.iso", new TestServer.ResetAfter(1_000_000));
      Fixture fx = new Fixture();
      Path st = tmp.resolve("st");
      new HttpTransfer(Fixture.fastSettings().withSegments(1_000_000, 4))
          .transfer(fx.request(s.uri("/f/"), Files.createDirectories(st), null));

      assertThat(Fixture.sha256(st.resolve("big.iso"))).isEqualTo(Fixture.sha256(big));
      assertThat(String.join("\n", fx.log)).contains("restarting big.iso from byte 0");
    }
  }

  @Test
  void a_body_shorter_than_its_content_length_fails_the_run_naming_the_file() throws IOException {
    try (TestServer s = server(Fixture.randomBytes(SIZE, 14))) {
      s.wrongContentLength("/f/big.iso", 1000);
      Fixture fx = new Fixture();
      Path st = tmp.resolve("st");
      HttpTransfer t =
          new HttpTransfer(Fixture.fastSettings().withRetries(2, Duration.ofMillis(10)));
      assertThatThrownBy(() -> fx.run(t, s.uri("/f/"), st, null))
          .isInstanceOf(TransferException.class)
          .hasMessageContaining("big.iso");
      assertThat(Files.exists(st.resolve("big.iso"))).isFalse();
    }
  }

  @Test
  void a_well_formed_answer_shorter_than_the_listed_file_fails_the_run_naming_the_file()
      throws IOException {
    try (TestServer s = server(Fixture.randomBytes(SIZE, 18))) {
      s.wrongContentLength("/f/big.iso", -1000);
      Fixture fx = new Fixture();
      Path st = tmp.resolve("st");
      HttpTransfer t =
          new HttpTransfer(Fixture.fastSettings().withRetries(2, Duration.ofMillis(10)));
      assertThatThrownBy(() -> fx.run(t, s.uri("/f/"), st, null))
          .isInstanceOf(TransferException.class)
          .hasMessageContaining("big.iso")
          .hasMessageContaining("listing says " + SIZE);
      assertThat(Files.exists(st.resolve("big.iso"))).isFalse();
    }
  }

  @Test
  void a_file_that_changed_since_the_listing_is_mirrored_as_it_is_now() throws IOException {
    try (TestServer s = server(Fixture.randomBytes(SIZE, 19))) {
      s.page(
          "/f/",
          "<html>\n<head><title>Index of /f/</title></head>\n<body>\n<h1>Index of /f/</h1><hr>"
              + "<pre><a href=\"../\">../</a>\n"
              + "<a href=\"big.iso\">big.iso</a>              01-Sep-2026 10:00       12345\n"
              + "<a href=\"small.txt\">small.txt</a>              01-Oct-2026 12:00       5\n"
              + "</pre><hr></body>\n</html>\n");
      Fixture fx = new Fixture();
      Path st = tmp.resolve("st");
      var report = fx.run(new HttpTransfer(Fixture.fastSettings()), s.uri("/f/"), st, null);
      assertThat(Files.size(st.resolve("big.iso"))).isEqualTo(SIZE);
      assertThat(report.warnings()).anyMatch(w -> w.contains("big.iso changed size"));
    }
  }

  @Test
  void a_checksum_file_that_disagrees_fails_the_run_naming_the_file() throws IOException {
    byte[] good = Fixture.randomBytes(10_000, 15);
    try (TestServer s = TestServer.start()) {
      s.file("/c/good.bin", good, T);
      s.file("/c/bad.bin", Fixture.randomBytes(10_000, 16), T);
      s.file(
          "/c/SHA256SUMS",
          Fixture.sha256(good) + "  good.bin\n" + "0".repeat(64) + "  bad.bin\n",
          T);
      Fixture fx = new Fixture();
      Path st = tmp.resolve("st");
      assertThatThrownBy(
              () -> fx.run(new HttpTransfer(Fixture.fastSettings()), s.uri("/c/"), st, null))
          .isInstanceOf(TransferException.class)
          .hasMessageContaining("checksum mismatch for bad.bin")
          .hasMessageContaining("SHA256SUMS")
          .satisfies(e -> assertThat(((TransferException) e).retryable()).isFalse());
      assertThat(Files.exists(st.resolve("bad.bin"))).isFalse();
    }
  }

  @Test
  void a_sidecar_checksum_is_checked_too() throws IOException {
    try (TestServer s = TestServer.start()) {
      s.file("/c/x.iso", Fixture.randomBytes(5000, 17), T);
      s.file("/c/x.iso.sha256", "f".repeat(64) + "\n", T);
      Fixture fx = new Fixture();
      assertThatThrownBy(
              () ->
                  fx.run(
                      new HttpTransfer(Fixture.fastSettings()),
                      s.uri("/c/"),
                      tmp.resolve("st"),
                      null))
          .isInstanceOf(TransferException.class)
          .hasMessageContaining("checksum mismatch for x.iso");
    }
  }

  @Test
  void a_file_that_vanishes_after_the_listing_is_a_warning_not_a_failure() throws IOException {
    try (TestServer s = server(Fixture.randomBytes(1000, 1))) {
      s.fault("/f/big.iso", new TestServer.Status(404, Map.of()));
      Fixture fx = new Fixture();
      Path st = tmp.resolve("st");
      var report = fx.run(new HttpTransfer(Fixture.fastSettings()), s.uri("/f/"), st, null);
      assertThat(Fixture.tree(st).keySet()).containsExactly("small.txt");
      assertThat(report.warnings()).anyMatch(w -> w.contains("big.iso"));
    }
  }
}
