package dev.syncjobs.core.model;

/**
 * One rsync-style filter rule: {@code "+ pattern"} includes, {@code "- pattern"} excludes. Patterns
 * follow rsync: {@code *} matches within one path segment, {@code **} across segments, {@code ?}
 * one character, {@code [...]} a class; a leading {@code /} anchors at the transfer root; a
 * trailing {@code /} matches directories only; a pattern without {@code /} matches the last path
 * segment, one with {@code /} a trailing run of whole segments.
 */
public record FilterRule(boolean include, String pattern) {

  public FilterRule {
    if (pattern == null || pattern.isEmpty()) {
      throw new ValidationException("filters", "a rule needs a pattern");
    }
    if (pattern.length() > 1000) {
      throw new ValidationException("filters", "a pattern must be at most 1000 characters");
    }
    if (pattern.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new ValidationException("filters", "a pattern must not contain control characters");
    }
  }

  /** Parses {@code "+ pattern"} or {@code "- pattern"}. */
  public static FilterRule parse(String text) {
    if (text == null || text.length() < 3 || text.charAt(1) != ' ') {
      throw new ValidationException(
          "filters", "each rule must be '+ pattern' or '- pattern' (got '" + text + "')");
    }
    char sign = text.charAt(0);
    if (sign != '+' && sign != '-') {
      throw new ValidationException(
          "filters", "each rule must start with '+ ' or '- ' (got '" + text + "')");
    }
    return new FilterRule(sign == '+', text.substring(2));
  }

  /** The rule in rsync's short form, {@code "+ pattern"} or {@code "- pattern"}. */
  @Override
  public String toString() {
    return (include ? "+ " : "- ") + pattern;
  }
}
