package dev.syncjobs.http;

import java.time.Clock;
import java.time.ZonedDateTime;

/**
 * The global download limit with its optional time-of-day window (API.md's bandwidth settings).
 * When {@code throttleEnabled} the limit applies only from {@code startHour} (inclusive) to {@code
 * endHour} (exclusive), wrapping past midnight when the end is not after the start (equal hours
 * mean all day); otherwise it always applies.
 *
 * @param downloadLimit bytes per second, null for unlimited
 * @param throttleEnabled whether the window restricts when the limit applies
 * @param startHour 0..23
 * @param endHour 0..23
 */
public record BandwidthWindow(
    Long downloadLimit, boolean throttleEnabled, int startHour, int endHour) {

  /** No global limit. */
  public static final BandwidthWindow UNLIMITED = new BandwidthWindow(null, false, 0, 0);

  public BandwidthWindow {
    if (downloadLimit != null && downloadLimit < 1) {
      throw new IllegalArgumentException("downloadLimit must be positive");
    }
    if (startHour < 0 || startHour > 23 || endHour < 0 || endHour > 23) {
      throw new IllegalArgumentException("hours must be 0..23");
    }
  }

  /** The limit in force at the clock's current time, or null when downloads are unlimited. */
  public Long limitAt(Clock clock) {
    if (downloadLimit == null) {
      return null;
    }
    if (!throttleEnabled) {
      return downloadLimit;
    }
    int hour = ZonedDateTime.now(clock).getHour();
    return insideWindow(hour) ? downloadLimit : null;
  }

  boolean insideWindow(int hour) {
    if (startHour == endHour) {
      return true;
    }
    if (startHour < endHour) {
      return hour >= startHour && hour < endHour;
    }
    return hour >= startHour || hour < endHour;
  }
}
