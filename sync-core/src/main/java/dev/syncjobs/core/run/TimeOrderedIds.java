package dev.syncjobs.core.run;

import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Run ids: UUIDs of version 7 (RFC 9562), the milliseconds since 1970 in the first 48 bits and 74
 * random bits after them. Ids made one after another sort by their time, so a database appends each
 * new run to the end of its primary-key index instead of writing to a random page of it, and the
 * pages a burst of runs touches stay few (the SQLite and PostgreSQL benches: fewer pages written
 * per commit). The random bits come from {@link ThreadLocalRandom}: ids are not secrets, and {@link
 * UUID#randomUUID()}'s {@code SecureRandom} is one lock shared by every thread. Their time serves
 * only that locality: nothing reads it back, and two ids of one millisecond differ in their random
 * bits.
 */
public final class TimeOrderedIds implements Supplier<UUID> {
  private final Clock clock;

  public TimeOrderedIds(Clock clock) {
    this.clock = clock;
  }

  @Override
  public UUID get() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long millis = clock.millis() & 0xFFFF_FFFF_FFFFL;
    long high = millis << 16 | 0x7000L | random.nextLong() & 0x0FFFL;
    long low = random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL | Long.MIN_VALUE;
    return new UUID(high, low);
  }
}
