package dev.syncjobs.core.model;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * The global bandwidth limits of every instance (API.md's {@code /api/v1/sync/bandwidth/limit}):
 * one for downloads (the transfers of runs), one for uploads. When {@code throttleEnabled} the
 * limits apply only from {@code throttleStartHour} (inclusive) to {@code throttleEndHour}
 * (exclusive) of the server's zone, wrapping past midnight when the end is before the start;
 * otherwise they always apply.
 *
 * @param uploadLimit bytes per second, null for unlimited
 * @param downloadLimit bytes per second, null for unlimited
 * @param throttleEnabled whether the window restricts when the limits apply
 * @param throttleStartHour 0..23
 * @param throttleEndHour 0..23, different from the start when the window is enabled
 * @throws ValidationException naming the API field of a bad value
 */
public record BandwidthSettings(
    Long uploadLimit,
    Long downloadLimit,
    boolean throttleEnabled,
    int throttleStartHour,
    int throttleEndHour) {

  /** No limits: what an instance uses until someone saves settings. */
  public static final BandwidthSettings NONE = new BandwidthSettings(null, null, false, 0, 0);

  public BandwidthSettings {
    List<FieldError> errors = new ArrayList<>();
    if (uploadLimit != null && uploadLimit < 1) {
      errors.add(new FieldError("upload_speed_limit", "must be a positive number of bytes/s"));
    }
    if (downloadLimit != null && downloadLimit < 1) {
      errors.add(new FieldError("download_speed_limit", "must be a positive number of bytes/s"));
    }
    if (throttleStartHour < 0 || throttleStartHour > 23) {
      errors.add(new FieldError("throttle_start_hour", "must be an hour 0..23"));
    }
    if (throttleEndHour < 0 || throttleEndHour > 23) {
      errors.add(new FieldError("throttle_end_hour", "must be an hour 0..23"));
    }
    if (throttleEnabled && throttleStartHour == throttleEndHour && errors.isEmpty()) {
      errors.add(
          new FieldError("throttle_end_hour", "must differ from throttle_start_hour when enabled"));
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
  }

  /** The download limit in force at {@code now} in {@code zone}, or null for unlimited. */
  public Long downloadLimitAt(Instant now, ZoneId zone) {
    return applies(now, zone) ? downloadLimit : null;
  }

  /** The upload limit in force at {@code now} in {@code zone}, or null for unlimited. */
  public Long uploadLimitAt(Instant now, ZoneId zone) {
    return applies(now, zone) ? uploadLimit : null;
  }

  private boolean applies(Instant now, ZoneId zone) {
    if (!throttleEnabled) {
      return true;
    }
    int hour = now.atZone(zone).getHour();
    return throttleStartHour < throttleEndHour
        ? hour >= throttleStartHour && hour < throttleEndHour
        : hour >= throttleStartHour || hour < throttleEndHour;
  }
}
