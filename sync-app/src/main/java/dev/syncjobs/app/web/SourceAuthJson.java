package dev.syncjobs.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.syncjobs.core.model.FieldError;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.model.ValidationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads a request's write-only {@code source_auth} object, naming every bad field. */
final class SourceAuthJson {
  private static final Set<String> FIELDS =
      Set.of("type", "username", "password", "token", "private_key", "known_hosts");
  private static final int MAX_SECRET = 64 * 1024;

  private SourceAuthJson() {}

  /** The credentials, or null with the problems added to {@code errors}. */
  static SourceAuth read(JsonNode v, List<FieldError> errors) {
    if (!v.isObject()) {
      errors.add(new FieldError("source_auth", "must be an object like {\"type\":\"basic\", …}"));
      return null;
    }
    int before = errors.size();
    Map<String, String> values = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = v.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String field = "source_auth." + e.getKey();
      if (!FIELDS.contains(e.getKey())) {
        errors.add(new FieldError(field, "is not a credential field"));
        continue;
      }
      if (e.getValue().isNull()) {
        continue;
      }
      if (!e.getValue().isTextual()) {
        errors.add(new FieldError(field, "must be a string"));
        continue;
      }
      if (e.getValue().asText().indexOf('\0') >= 0) {
        errors.add(new FieldError(field, "must not contain NUL characters"));
        continue;
      }
      if (e.getValue().asText().length() > MAX_SECRET) {
        errors.add(new FieldError(field, "is too long"));
        continue;
      }
      values.put(e.getKey(), e.getValue().asText());
    }
    if (errors.size() > before) {
      return null;
    }
    try {
      SourceAuth.Type type =
          values.get("type") == null ? null : SourceAuth.Type.parse(values.get("type"));
      return new SourceAuth(
          type,
          values.get("username"),
          values.get("password"),
          values.get("token"),
          values.get("private_key"),
          values.get("known_hosts"));
    } catch (ValidationException e) {
      errors.addAll(e.errors());
      return null;
    }
  }
}
