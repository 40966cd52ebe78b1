package dev.syncjobs.core.bandwidth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.memory.InMemorySettingsRepository;
import dev.syncjobs.core.memory.SettableClock;
import dev.syncjobs.core.model.BandwidthSettings;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class GlobalBandwidthTest {
  private final InMemorySettingsRepository store = new InMemorySettingsRepository();
  private final SettableClock clock = new SettableClock(Instant.parse("2026-11-23T20:30:00Z"));
  private final ZoneId berlin = ZoneId.of("Europe/Berlin");

  @Test
  void the_limits_apply_only_inside_a_window_that_wraps_midnight() {
    GlobalBandwidth g = new GlobalBandwidth(store, clock, berlin);
    g.replace(new BandwidthSettings(500L, 1000L, true, 22, 6));
    assertThat(g.downloadLimitNow(null)).as("21:30 in Berlin").isNull();
    clock.set(Instant.parse("2026-11-23T21:00:00Z"));
    g.tick();
    assertThat(g.downloadLimitNow(null)).as("22:00 in Berlin").isEqualTo(1000L);
    clock.set(Instant.parse("2026-11-24T04:59:59Z"));
    g.tick();
    assertThat(g.downloadLimitNow(null)).as("05:59 in Berlin").isEqualTo(1000L);
    clock.set(Instant.parse("2026-11-24T05:00:00Z"));
    g.tick();
    assertThat(g.downloadLimitNow(null)).as("06:00 in Berlin").isNull();
  }

  @Test
  void the_job_limit_and_the_global_one_the_lower_wins() {
    GlobalBandwidth g = new GlobalBandwidth(store, clock, berlin);
    assertThat(g.downloadLimitNow(300L)).isEqualTo(300L);
    g.replace(new BandwidthSettings(null, 1000L, false, 0, 0));
    assertThat(g.downloadLimitNow(300L)).isEqualTo(300L);
    assertThat(g.downloadLimitNow(5000L)).isEqualTo(1000L);
    assertThat(g.downloadLimitNow(null)).isEqualTo(1000L);
  }

  @Test
  void a_change_stored_elsewhere_applies_on_reload() {
    GlobalBandwidth g = new GlobalBandwidth(store, clock, berlin);
    g.reload();
    assertThat(g.settings()).isEqualTo(BandwidthSettings.NONE);
    BandwidthSettings other = new BandwidthSettings(10L, 20L, false, 0, 0);
    store.saveBandwidth(other);
    g.reload();
    assertThat(g.settings()).isEqualTo(other);
    assertThat(g.downloadLimitNow(null)).isEqualTo(20L);
  }

  @Test
  void once_started_entering_the_window_takes_effect_within_about_a_second()
      throws InterruptedException {
    GlobalBandwidth g = new GlobalBandwidth(store, clock, berlin);
    store.saveBandwidth(new BandwidthSettings(null, 1000L, true, 22, 6));
    g.start();
    try {
      assertThat(g.downloadLimitNow(null)).isNull();
      clock.set(Instant.parse("2026-11-23T21:00:00Z"));
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (g.downloadLimitNow(null) == null && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(g.downloadLimitNow(null)).isEqualTo(1000L);
    } finally {
      g.close();
    }
  }
}
