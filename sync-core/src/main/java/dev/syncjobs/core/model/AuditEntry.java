package dev.syncjobs.core.model;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One change on record: who ({@code actor}: a role or a token's name, never a token) did what
 * ({@code action}, such as {@code job.updated}) to which resource, when, and its details.
 *
 * @param at when the change was made
 * @param actor {@code admin}, {@code viewer} or a token's name
 * @param action what was done: {@code job.created}, {@code run.triggered}, {@code
 *     settings.updated}…
 * @param resourceType {@code job}, {@code run}, {@code settings} or {@code upload}
 * @param resourceId the resource's id; null only while pending, when the store that makes the
 *     change assigns it (a new run's or upload's id)
 * @param details a JSON object as text (see {@link #details(Map)}), {@code {}} when there is
 *     nothing to add; stores keep it as it is
 */
public record AuditEntry(
    Instant at,
    String actor,
    String action,
    String resourceType,
    String resourceId,
    String details) {
  public AuditEntry {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(resourceType, "resourceType");
    details = details == null || details.isBlank() ? "{}" : details;
  }

  /** This entry naming {@code id} as its resource. */
  public AuditEntry withResourceId(String id) {
    return new AuditEntry(at, actor, action, resourceType, id, details);
  }

  /**
   * A JSON object of string values, in the map's order: the details of most entries (changed field
   * names, a run's job).
   */
  public static String details(Map<String, String> values) {
    StringBuilder out = new StringBuilder("{");
    for (Map.Entry<String, String> e : values.entrySet()) {
      if (out.length() > 1) {
        out.append(',');
      }
      quote(out, e.getKey());
      out.append(':');
      if (e.getValue() == null) {
        out.append("null");
      } else {
        quote(out, e.getValue());
      }
    }
    return out.append('}').toString();
  }

  private static void quote(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
