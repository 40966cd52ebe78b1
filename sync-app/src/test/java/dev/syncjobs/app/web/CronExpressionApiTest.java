package dev.syncjobs.app.web;

import static dev.syncjobs.app.web.TestServer.jobJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Cron expressions over real HTTP: impossible ones refused at once, steps without a range. */
class CronExpressionApiTest {
  static final String JOBS = "/api/v1/storage/sync-jobs";
  static final Duration BOUND = Duration.ofMillis(50);
  @TempDir static Path tmp;
  static TestServer s;
  static Path src;
  static String existing;

  @BeforeAll
  static void start() throws Exception {
    src = TestServer.sourceTree(tmp.resolve("src"), 1, 100);
    s = new TestServer(tmp, Map.of("SYNCJOBS_BACKENDS", "default=" + tmp.resolve("data/storage")));
    existing = s.createJob(jobJson("existing", src, "existing", cron("0 3 * * 1-5")));
    // warms the server's cron path, so the bound below measures the work, not class loading
    assertThat(s.post(JOBS, jobJson("warm", src, "warm", cron("0 0 30 2 *"))).status())
        .isEqualTo(400);
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0 0 31 2,4,6,9,11 */1",
        "* * 31 2,4,6,9,11 */1",
        "0 0 31 4,6,9,11 */1",
        "0 0 30 2 */1",
        "0 0 31 2 */7",
        "0 0 30 2 *"
      })
  void a_cron_expression_that_never_fires_is_refused_within_50_ms_on_create_and_update(
      String expression) {
    TestServer.Response created =
        fastest(() -> s.post(JOBS, jobJson("never", src, "never", cron(expression))));
    assertRefused(created, "can never fire");

    TestServer.Response patched =
        fastest(() -> s.patch(JOBS + "/" + existing, "{" + cron(expression) + "}"));
    assertRefused(patched, "can never fire");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          5/15 * * * * | '5-59/15'
          0 0 * * 7/1  | '7-7/1'
          """)
  void a_step_on_a_single_value_is_refused_with_the_form_to_write(String expression, String hint) {
    TestServer.Response r = s.post(JOBS, jobJson("stepped", src, "stepped", cron(expression)));

    assertRefused(r, "a step needs a range or '*'");
    assertThat(r.json().get("errors").get(0).get("message").asText()).contains(hint);
  }

  @Test
  void a_rare_cron_expression_is_accepted_and_planned() {
    AtomicInteger attempt = new AtomicInteger();
    TestServer.Response r =
        fastest(
            () -> {
              String name = "rare-" + attempt.incrementAndGet();
              return s.post(
                  JOBS,
                  jobJson(
                      name, src, name, cron("0 0 29 2 */7") + ",\"timezone\":\"Europe/Berlin\""));
            });

    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.data().get("next_run_at").asText()).startsWith("2032-02-28T23:00:00");
  }

  private static void assertRefused(TestServer.Response r, String message) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(JobsApiTest.fields(r)).containsExactly("cron_expression");
    assertThat(r.json().get("errors").get(0).get("message").asText()).contains(message);
  }

  /**
   * The quickest of up to three identical requests, which must be within {@link #BOUND}: one
   * stalled by a collection or another process on a shared machine gets a second chance, a slow
   * search would fail all three.
   */
  private static TestServer.Response fastest(Supplier<TestServer.Response> call) {
    Duration best = null;
    TestServer.Response response = null;
    for (int i = 0; i < 3 && (best == null || best.compareTo(BOUND) >= 0); i++) {
      long start = System.nanoTime();
      response = call.get();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      best = best == null || took.compareTo(best) < 0 ? took : best;
    }
    assertThat(best).as("quickest of the requests").isLessThan(BOUND);
    return response;
  }

  private static String cron(String expression) {
    return "\"schedule\":\"cron\",\"cron_expression\":\"" + expression + "\"";
  }
}
