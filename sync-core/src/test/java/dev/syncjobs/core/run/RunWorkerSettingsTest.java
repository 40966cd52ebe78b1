package dev.syncjobs.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RunWorkerSettingsTest {
  @Test
  void the_builder_starts_from_the_defaults_and_names_what_it_changes() {
    RunWorker.Settings s =
        RunWorker.Settings.builder("node-a")
            .maxConcurrentRuns(8)
            .lease(Duration.ofMinutes(1))
            .build();
    assertThat(s)
        .isEqualTo(
            new RunWorker.Settings(
                "node-a",
                8,
                Duration.ofMinutes(1),
                Duration.ofMillis(500),
                Duration.ofSeconds(30)));
    assertThat(RunWorker.Settings.defaults("x")).isEqualTo(RunWorker.Settings.builder("x").build());
  }

  @Test
  void the_builder_refuses_what_the_record_refuses() {
    assertThatThrownBy(() -> RunWorker.Settings.builder("a").maxConcurrentRuns(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RunWorker.Settings.builder(null).build())
        .isInstanceOf(NullPointerException.class);
  }
}
