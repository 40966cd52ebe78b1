package dev.syncjobs.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.syncjobs.core.model.FieldError;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.model.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The global bandwidth setting ({@code /api/v1/sync/bandwidth/limit}), kept in {@code
 * <data>/bandwidth.json}. {@link #currentDownloadLimit()} is what a run starting now gets: the
 * download limit, inside the throttle window when throttling is enabled, else always.
 */
public final class BandwidthSettings implements Supplier<Long> {
  private static final Set<String> FIELDS =
      Set.of(
          "upload_speed_limit",
          "download_speed_limit",
          "throttle_enabled",
          "throttle_start_hour",
          "throttle_end_hour");

  /** The stored values; limits are bytes per second, null for unlimited. */
  record Values(
      Long uploadSpeedLimit,
      Long downloadSpeedLimit,
      boolean throttleEnabled,
      int throttleStartHour,
      int throttleEndHour) {
    static final Values NONE = new Values(null, null, false, 0, 0);
  }

  private final Path file;
  private final Clock clock;
  private final ZoneId zone;
  private volatile Values values;

  public BandwidthSettings(Path file, Clock clock, ZoneId zone) {
    this.file = file;
    this.clock = clock;
    this.zone = zone;
    this.values = load(file);
  }

  private static Values load(Path file) {
    if (!Files.exists(file)) {
      return Values.NONE;
    }
    try {
      return parse((ObjectNode) Json.MAPPER.readTree(Files.readString(file)));
    } catch (IOException | RuntimeException e) {
      throw new SyncException("cannot read the bandwidth settings in " + file + ": " + e);
    }
  }

  Values values() {
    return values;
  }

  /** Replaces the settings (a PUT); fields left out take their defaults. */
  synchronized Values replace(ObjectNode body) {
    Values v = parse(body);
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, Json.write(toJson(v)));
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new SyncException("cannot store the bandwidth settings: " + e.getMessage(), e);
    }
    values = v;
    return v;
  }

  private static Values parse(ObjectNode body) {
    List<FieldError> errors = new ArrayList<>();
    Iterator<String> names = body.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!FIELDS.contains(n)) {
        errors.add(new FieldError(n, "is not a bandwidth setting"));
      }
    }
    Long up = limit(body, "upload_speed_limit", errors);
    Long down = limit(body, "download_speed_limit", errors);
    boolean enabled = false;
    JsonNode e = body.get("throttle_enabled");
    if (e != null && !e.isNull()) {
      if (!e.isBoolean()) {
        errors.add(new FieldError("throttle_enabled", "must be true or false"));
      } else {
        enabled = e.asBoolean();
      }
    }
    int start = hour(body, "throttle_start_hour", errors);
    int end = hour(body, "throttle_end_hour", errors);
    if (enabled && start == end && errors.isEmpty()) {
      errors.add(
          new FieldError("throttle_end_hour", "must differ from throttle_start_hour when enabled"));
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return new Values(up, down, enabled, start, end);
  }

  private static Long limit(ObjectNode body, String field, List<FieldError> errors) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
      errors.add(new FieldError(field, "must be bytes per second (0 or null = unlimited)"));
      return null;
    }
    return n.asLong() == 0 ? null : n.asLong();
  }

  private static int hour(ObjectNode body, String field, List<FieldError> errors) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return 0;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0 || n.asInt() > 23) {
      errors.add(new FieldError(field, "must be an hour 0..23"));
      return 0;
    }
    return n.asInt();
  }

  static Map<String, Object> toJson(Values v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("upload_speed_limit", v.uploadSpeedLimit());
    m.put("download_speed_limit", v.downloadSpeedLimit());
    m.put("throttle_enabled", v.throttleEnabled());
    m.put("throttle_start_hour", v.throttleStartHour());
    m.put("throttle_end_hour", v.throttleEndHour());
    return m;
  }

  /** The limit for a run starting now, or null for unlimited. */
  public Long currentDownloadLimit() {
    Values v = values;
    if (v.downloadSpeedLimit() == null) {
      return null;
    }
    if (!v.throttleEnabled()) {
      return v.downloadSpeedLimit();
    }
    int hour = clock.instant().atZone(zone).getHour();
    boolean inside =
        v.throttleStartHour() < v.throttleEndHour()
            ? hour >= v.throttleStartHour() && hour < v.throttleEndHour()
            : hour >= v.throttleStartHour() || hour < v.throttleEndHour();
    return inside ? v.downloadSpeedLimit() : null;
  }

  @Override
  public Long get() {
    return currentDownloadLimit();
  }
}
