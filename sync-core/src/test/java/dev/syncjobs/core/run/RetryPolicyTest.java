package dev.syncjobs.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(30));

  @Test
  void each_attempt_doubles_the_delay_within_twenty_percent_of_jitter() {
    for (int attempt = 0; attempt < 5; attempt++) {
      long expected = 30_000L << attempt;
      for (int i = 0; i < 200; i++) {
        long millis = policy.delay(attempt).toMillis();
        assertThat(millis).isBetween((long) (expected * 0.8), (long) (expected * 1.2));
      }
    }
  }

  @Test
  void the_doubling_stops_growing_after_sixteen_attempts() {
    long cap = (long) ((30_000L << 16) * 1.2);
    assertThat(policy.delay(40).toMillis()).isLessThanOrEqualTo(cap);
    assertThat(policy.delay(40).toMillis()).isGreaterThanOrEqualTo((long) ((30_000L << 16) * 0.8));
  }

  @Test
  void the_jitter_spreads_runs_that_failed_together() {
    long distinct =
        java.util.stream.IntStream.range(0, 50)
            .mapToLong(i -> policy.delay(1).toMillis())
            .distinct()
            .count();
    assertThat(distinct).isGreaterThan(10);
  }
}
