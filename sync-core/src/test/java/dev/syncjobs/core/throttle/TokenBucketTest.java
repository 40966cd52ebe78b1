package dev.syncjobs.core.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.CancelledException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private final AtomicLong nanos = new AtomicLong(1_000);

  @Test
  void a_take_passes_while_not_in_debt_and_the_next_waits_for_the_debt_at_the_rate() {
    TokenBucket b = new TokenBucket(1000L, nanos::get);
    assertThat(b.tryTake(500)).isZero();
    assertThat(b.tryTake(100)).isEqualTo(500_000_000L);
    nanos.addAndGet(500_000_000L);
    assertThat(b.tryTake(100)).isZero();
    nanos.addAndGet(10_000_000_000L);
    assertThat(b.tryTake(2000)).as("a long idle earns at most a tenth of a second").isZero();
    assertThat(b.tryTake(1)).isEqualTo(1_900_000_000L);
  }

  @Test
  void a_limited_stream_reads_at_most_the_smallest_burst_at_once() {
    TokenBucket global = new TokenBucket(10_000_000L, nanos::get);
    TokenBucket job = new TokenBucket(1_000_000L, nanos::get);
    Throttle both = new Throttle(java.util.List.of(global, job));

    assertThat(both.maxRead(1 << 20)).isEqualTo(100_000);
    assertThat(both.maxRead(4096)).isEqualTo(4096);
    job.setRate(null);
    assertThat(both.maxRead(1 << 20))
        .as("the global bucket's tenth of a second")
        .isEqualTo(1_000_000);
    global.setRate(null);
    assertThat(both.maxRead(1 << 20)).isEqualTo(1 << 20);
    assertThat(Throttle.NONE.maxRead(1 << 20)).isEqualTo(1 << 20);
  }

  @Test
  void a_rate_change_applies_to_the_debt_already_owed() {
    TokenBucket b = new TokenBucket(1000L, nanos::get);
    b.tryTake(1000);
    assertThat(b.tryTake(1)).isEqualTo(1_000_000_000L);
    b.setRate(10_000L);
    assertThat(b.tryTake(1)).isEqualTo(100_000_000L);
    b.setRate(100L);
    assertThat(b.tryTake(1)).isEqualTo(10_000_000_000L);
  }

  @Test
  void unlimited_passes_everything_and_forgives_the_debt() {
    TokenBucket b = new TokenBucket(null, nanos::get);
    assertThat(b.rate()).isNull();
    assertThat(b.tryTake(Long.MAX_VALUE / 4)).isZero();
    b.setRate(1000L);
    b.tryTake(5000);
    b.setRate(null);
    assertThat(b.tryTake(1)).isZero();
    b.setRate(1000L);
    assertThat(b.tryTake(1)).as("no old debt after a spell of unlimited").isZero();
  }

  @Test
  void a_waiter_follows_a_raised_rate_instead_of_sleeping_out_the_old_one() throws Exception {
    TokenBucket b = new TokenBucket(1000L);
    b.tryTake(60_000);
    long t0 = System.nanoTime();
    Thread raise =
        new Thread(
            () -> {
              try {
                Thread.sleep(200);
              } catch (InterruptedException e) {
                return;
              }
              b.setRate(null);
            });
    raise.start();
    b.acquire(1, () -> false);
    raise.join();
    assertThat((System.nanoTime() - t0) / 1e9)
        .as("not the minute the old rate asked")
        .isLessThan(10);
  }

  @Test
  void a_stopped_waiter_ends_with_cancelled() {
    TokenBucket b = new TokenBucket(1L);
    b.tryTake(1_000_000);
    assertThatThrownBy(() -> b.acquire(1, () -> true)).isInstanceOf(CancelledException.class);
  }

  @Test
  void a_throttle_takes_from_every_bucket_so_the_lowest_rate_wins() {
    TokenBucket high = new TokenBucket(1_000_000L, nanos::get);
    TokenBucket low = new TokenBucket(1000L, nanos::get);
    Throttle t = new Throttle(java.util.List.of(high, low));
    t.acquire(1000, () -> false);
    assertThat(low.tryTake(1)).isEqualTo(1_000_000_000L);
    assertThat(high.tryTake(1)).as("a millisecond at its rate").isLessThanOrEqualTo(1_000_000L);
  }
}
