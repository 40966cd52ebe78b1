package dev.syncjobs.app.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.syncjobs.core.model.AuditEntry;
import dev.syncjobs.core.model.ValidationException;
import dev.syncjobs.core.port.AuditLog;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code GET /api/v1/audit}: the audit trail, newest first, filtered and paged. */
public final class AuditApi implements RouteGroup {
  static final String PATH = "/api/v1/audit";
  private static final Set<String> TYPES = Set.of("job", "run", "settings", "upload");

  private final AuditLog log;

  public AuditApi(AuditLog log) {
    this.log = log;
  }

  @Override
  public void register(Routes routes) {
    routes.add(HandlerType.GET, PATH, this::list);
  }

  void list(Context ctx) {
    int limit = intParam(ctx, "limit", 50);
    if (limit < 1 || limit > 100) {
      throw new ValidationException("limit", "must be 1..100");
    }
    int offset = intParam(ctx, "offset", 0);
    if (offset < 0) {
      throw new ValidationException("offset", "must be 0 or more");
    }
    String type = blankToNull(ctx.queryParam("resource_type"));
    if (type != null && !TYPES.contains(type)) {
      throw new ValidationException("resource_type", "must be job, run, settings or upload");
    }
    String id = blankToNull(ctx.queryParam("resource_id"));
    if (id != null && id.length() > 200) {
      throw new ValidationException("resource_id", "is too long");
    }
    AuditLog.Query q = new AuditLog.Query(type, id, limit, offset);
    List<Map<String, Object>> out = log.list(q).stream().map(AuditApi::json).toList();
    JobsApi.list(ctx, out, log.count(q));
  }

  static Map<String, Object> json(AuditEntry e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", e.at());
    m.put("actor", e.actor());
    m.put("action", e.action());
    m.put("resource_type", e.resourceType());
    m.put("resource_id", e.resourceId());
    JsonNode details;
    try {
      details = Json.MAPPER.readTree(e.details());
    } catch (JsonProcessingException ex) {
      details = Json.MAPPER.getNodeFactory().textNode(e.details());
    }
    m.put("details", details);
    return m;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static int intParam(Context ctx, String name, int fallback) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) {
      return fallback;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new ValidationException(name, "must be a whole number");
    }
  }
}
