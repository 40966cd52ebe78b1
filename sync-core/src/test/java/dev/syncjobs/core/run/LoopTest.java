package dev.syncjobs.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LoopTest {

  @Test
  void a_failing_step_waits_the_interval_instead_of_spinning() throws Exception {
    AtomicInteger rounds = new AtomicInteger();
    try (Loop loop =
        new Loop(
            "failing",
            Duration.ofMillis(200),
            () -> {
              rounds.incrementAndGet();
              throw new IllegalStateException("the database is down");
            })) {
      loop.start();
      Thread.sleep(500);
    }
    // 3 rounds in 500 ms at one per 200 ms; a loop that retried at once would count thousands
    assertThat(rounds.get()).isBetween(1, 5);
  }

  @Test
  void a_step_may_ask_for_a_shorter_wait_but_not_a_longer_one() throws Exception {
    CountDownLatch five = new CountDownLatch(5);
    try (Loop loop =
        new Loop(
            "eager",
            Duration.ofSeconds(30),
            () -> {
              five.countDown();
              return Duration.ofMillis(10);
            })) {
      loop.start();
      assertThat(five.await(5, TimeUnit.SECONDS)).isTrue();
    }
    AtomicInteger slow = new AtomicInteger();
    try (Loop loop =
        new Loop(
            "patient",
            Duration.ofMillis(50),
            () -> {
              slow.incrementAndGet();
              return Duration.ofHours(1);
            })) {
      loop.start();
      Thread.sleep(400);
    }
    assertThat(slow.get()).isGreaterThanOrEqualTo(3);
  }
}
