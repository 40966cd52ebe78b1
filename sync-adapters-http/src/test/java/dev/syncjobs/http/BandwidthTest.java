package dev.syncjobs.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.port.TransferRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BandwidthTest {
  @TempDir Path tmp;

  /** A clock tests move by hand. */
  static final class SettableClock extends Clock {
    private volatile Instant now;

    SettableClock(Instant now) {
      this.now = now;
    }

    void set(Instant i) {
      now = i;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void token_bucket_lets_a_burst_pass_then_paces_at_the_rate() {
    AtomicLong nanos = new AtomicLong();
    TokenBucket b = new TokenBucket(1000, nanos::get);

    assertThat(b.reserve(100)).isZero();
    assertThat(b.reserve(100)).isEqualTo(100_000_000L);
    nanos.addAndGet(100_000_000L);
    assertThat(b.reserve(50)).isEqualTo(50_000_000L);
    nanos.addAndGet(10_000_000_000L);
    assertThat(b.reserve(100)).isZero();
    assertThat(b.reserve(1000)).isEqualTo(1_000_000_000L);
  }

  @Test
  void token_bucket_follows_a_rate_change() {
    AtomicLong nanos = new AtomicLong();
    TokenBucket b = new TokenBucket(1000, nanos::get);
    b.reserve(100);
    b.setRate(10_000);
    assertThat(b.reserve(1000)).isEqualTo(100_000_000L);
  }

  @Test
  void window_applies_the_limit_only_inside_its_hours_wrapping_midnight() {
    BandwidthWindow w = new BandwidthWindow(5000L, true, 22, 6);
    SettableClock clock = new SettableClock(Instant.parse("2026-11-23T23:30:00Z"));
    assertThat(w.limitAt(clock)).isEqualTo(5000L);
    clock.set(Instant.parse("2026-11-23T05:59:59Z"));
    assertThat(w.limitAt(clock)).isEqualTo(5000L);
    clock.set(Instant.parse("2026-11-23T06:00:00Z"));
    assertThat(w.limitAt(clock)).isNull();
    clock.set(Instant.parse("2026-11-23T12:00:00Z"));
    assertThat(w.limitAt(clock)).isNull();
    clock.set(Instant.parse("2026-11-23T22:00:00Z"));
    assertThat(w.limitAt(clock)).isEqualTo(5000L);
  }

  @Test
  void window_disabled_means_always_and_no_limit_means_never() {
    SettableClock clock = new SettableClock(Instant.parse("2026-11-23T12:00:00Z"));
    assertThat(new BandwidthWindow(5000L, false, 22, 6).limitAt(clock)).isEqualTo(5000L);
    assertThat(new BandwidthWindow(null, true, 0, 23).limitAt(clock)).isNull();
    assertThat(new BandwidthWindow(7L, true, 9, 17).limitAt(clock)).isEqualTo(7L);
  }

  @Test
  void global_limit_switches_its_bucket_with_the_window() {
    SettableClock clock = new SettableClock(Instant.parse("2026-11-23T12:00:00Z"));
    Throttle.GlobalLimit g =
        new Throttle.GlobalLimit(new BandwidthWindow(1000L, true, 1, 5), clock);
    assertThat(g.current()).isNull();
    clock.set(Instant.parse("2026-11-23T02:00:00Z"));
    assertThat(g.current()).isNotNull();
    assertThat(g.current().rate()).isEqualTo(1000);
    g.update(new BandwidthWindow(2000L, true, 1, 5));
    assertThat(g.current().rate()).isEqualTo(2000);
    clock.set(Instant.parse("2026-11-23T05:00:00Z"));
    assertThat(g.current()).isNull();
  }

  @Test
  void a_one_megabyte_per_second_limit_takes_at_least_four_and_a_half_seconds_for_five_megabytes()
      throws IOException {
    try (TestServer s = TestServer.start()) {
      s.file("/bw/a.bin", Fixture.randomBytes(2_500_000, 1), Instant.parse("2026-01-01T00:00:00Z"));
      s.file("/bw/b.bin", Fixture.randomBytes(2_500_000, 2), Instant.parse("2026-01-01T00:00:00Z"));
      Fixture fx = new Fixture();
      fx.options = new TransferRequest.Options(false, false, 1_000_000L, Duration.ofSeconds(10));
      long t0 = System.nanoTime();
      fx.run(new HttpTransfer(Fixture.fastSettings()), s.uri("/bw/"), tmp.resolve("st"), null);
      double secs = (System.nanoTime() - t0) / 1e9;
      assertThat(secs).isGreaterThanOrEqualTo(4.5);
      assertThat(Fixture.tree(tmp.resolve("st"))).hasSize(2);
    }
  }
}
