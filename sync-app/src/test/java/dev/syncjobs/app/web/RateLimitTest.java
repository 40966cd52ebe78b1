package dev.syncjobs.app.web;

import static dev.syncjobs.app.web.TestServer.jobJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RateLimitTest {
  @TempDir Path tmp;

  @Test
  void a_second_manual_run_within_the_interval_is_429_with_retry_after() throws Exception {
    try (TestServer s = new TestServer(tmp, Map.of("SYNCJOBS_MANUAL_RUN_INTERVAL_SECONDS", "60"))) {
      Path src = TestServer.sourceTree(tmp.resolve("src"), 1, 100);
      String job = s.createJob(jobJson("limited", src, "limited", ""));
      String run =
          s.post("/api/v1/storage/sync-jobs/" + job + "/run", null).data().get("id").asText();
      s.awaitRunEnd(job, run, Duration.ofSeconds(30));
      TestServer.Response again = s.post("/api/v1/storage/sync-jobs/" + job + "/run", null);
      assertThat(again.status()).isEqualTo(429);
      assertThat(again.contentType()).startsWith("application/problem+json");
      long retryAfter =
          Long.parseLong(again.raw().headers().firstValue("Retry-After").orElseThrow());
      assertThat(retryAfter).isBetween(1L, 60L);
      String other = s.createJob(jobJson("not-limited", src, "not-limited", ""));
      assertThat(s.post("/api/v1/storage/sync-jobs/" + other + "/run", null).status())
          .as("the limit is per job")
          .isEqualTo(202);
    }
  }
}
