package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.syncjobs.core.memory.SettableClock;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BandwidthSettingsTest {
  @TempDir Path tmp;

  ObjectNode body(String json) throws Exception {
    return (ObjectNode) Json.MAPPER.readTree(json);
  }

  @Test
  void the_download_limit_applies_only_inside_a_throttle_window_that_wraps_midnight()
      throws Exception {
    SettableClock clock = new SettableClock(Instant.parse("2026-11-23T21:30:00Z"));
    BandwidthSettings b =
        new BandwidthSettings(tmp.resolve("bandwidth.json"), clock, ZoneId.of("Europe/Berlin"));
    assertThat(b.currentDownloadLimit()).isNull();
    b.replace(
        body(
            "{\"download_speed_limit\":1000,\"throttle_enabled\":true,"
                + "\"throttle_start_hour\":22,\"throttle_end_hour\":6}"));
    assertThat(b.currentDownloadLimit()).as("22:30 in Berlin").isEqualTo(1000L);
    clock.set(Instant.parse("2026-11-23T20:59:00Z"));
    assertThat(b.currentDownloadLimit()).as("21:59 in Berlin").isNull();
    clock.set(Instant.parse("2026-11-24T04:59:00Z"));
    assertThat(b.currentDownloadLimit()).as("05:59 in Berlin").isEqualTo(1000L);
    clock.set(Instant.parse("2026-11-24T05:00:00Z"));
    assertThat(b.currentDownloadLimit()).as("06:00 in Berlin").isNull();

    b.replace(body("{\"download_speed_limit\":2000}"));
    assertThat(b.currentDownloadLimit()).as("no window: always").isEqualTo(2000L);
    BandwidthSettings reloaded =
        new BandwidthSettings(tmp.resolve("bandwidth.json"), clock, ZoneId.of("Europe/Berlin"));
    assertThat(reloaded.currentDownloadLimit()).as("kept in the data dir").isEqualTo(2000L);
  }
}
