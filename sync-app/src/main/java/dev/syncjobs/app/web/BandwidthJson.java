package dev.syncjobs.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.syncjobs.core.model.BandwidthSettings;
import dev.syncjobs.core.model.FieldError;
import dev.syncjobs.core.model.ValidationException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON of the global bandwidth settings ({@code /api/v1/sync/bandwidth/limit}, and the {@code
 * bandwidth.json} of older versions): limits in bytes per second, 0 or null for unlimited.
 */
final class BandwidthJson {
  private static final Set<String> FIELDS =
      Set.of(
          "upload_speed_limit",
          "download_speed_limit",
          "throttle_enabled",
          "throttle_start_hour",
          "throttle_end_hour");

  private BandwidthJson() {}

  /**
   * The settings a PUT body describes; fields left out take their defaults.
   *
   * @throws ValidationException naming every bad or unknown field
   */
  static BandwidthSettings parse(ObjectNode body) {
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
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return new BandwidthSettings(up, down, enabled, start, end);
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

  static Map<String, Object> toJson(BandwidthSettings v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("upload_speed_limit", v.uploadLimit());
    m.put("download_speed_limit", v.downloadLimit());
    m.put("throttle_enabled", v.throttleEnabled());
    m.put("throttle_start_hour", v.throttleStartHour());
    m.put("throttle_end_hour", v.throttleEndHour());
    return m;
  }
}
