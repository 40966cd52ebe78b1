package dev.syncjobs.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.memory.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TimeOrderedIdsTest {
  private static final Instant T = Instant.parse("2026-11-27T18:00:00.123Z");

  @Test
  void an_id_is_a_version_7_uuid_carrying_the_milliseconds_of_its_making() {
    UUID id = new TimeOrderedIds(new SettableClock(T)).get();

    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2); // RFC 9562
    assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(T.toEpochMilli());
    assertThat(id.toString())
        .startsWith(
            String.format("%08x-%04x-7", T.toEpochMilli() >>> 16, T.toEpochMilli() & 0xFFFF));
  }

  @Test
  void ids_of_later_milliseconds_sort_after_earlier_ones_and_ids_of_one_millisecond_differ() {
    SettableClock clock = new SettableClock(T);
    TimeOrderedIds ids = new TimeOrderedIds(clock);
    List<UUID> made = new ArrayList<>();
    Set<UUID> distinct = new HashSet<>();
    for (int ms = 0; ms < 50; ms++) {
      for (int i = 0; i < 2_000; i++) {
        UUID id = ids.get();
        distinct.add(id);
        if (i == 0) {
          made.add(id);
        }
      }
      clock.advance(Duration.ofMillis(1));
    }
    assertThat(distinct).hasSize(100_000);
    // As the databases compare them: PostgreSQL's uuid by bytes, SQLite's text by characters.
    assertThat(made).isSortedAccordingTo((a, b) -> a.toString().compareTo(b.toString()));
  }
}
