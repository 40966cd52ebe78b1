package dev.syncjobs.core.model;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A job's effective, ordered filter rules: its {@code filters}, then {@code "- <exclude>"}, then
 * {@code "+ *\/"}, {@code "+ <include>"}, {@code "- *"}. The first matching rule decides; a path no
 * rule matches is included. Adapters that run rsync pass {@link #rules()} on; the others ask {@link
 * #includes(String, boolean)}.
 */
public final class Filters {
  private static final Filters NONE = new Filters(List.of());

  private final List<FilterRule> rules;
  private final List<Compiled> compiled;

  private Filters(List<FilterRule> rules) {
    this.rules = List.copyOf(rules);
    this.compiled = this.rules.stream().map(Compiled::new).toList();
  }

  /** No rules: everything is included. */
  public static Filters none() {
    return NONE;
  }

  /** The effective rules of a job's three filter fields (the patterns may be null). */
  public static Filters of(List<FilterRule> filters, String includePattern, String excludePattern) {
    List<FilterRule> all = new ArrayList<>(filters);
    if (excludePattern != null) {
      all.add(new FilterRule(false, excludePattern));
    }
    if (includePattern != null) {
      all.add(new FilterRule(true, "*/"));
      all.add(new FilterRule(true, includePattern));
      all.add(new FilterRule(false, "*"));
    }
    return new Filters(all);
  }

  public List<FilterRule> rules() {
    return rules;
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /**
   * Whether a path relative to the transfer root (segments separated by {@code /}, no leading
   * slash) is included. A directory that is not included is not descended into.
   */
  public boolean includes(String relativePath, boolean directory) {
    for (Compiled c : compiled) {
      if (c.matches(relativePath, directory)) {
        return c.rule.include();
      }
    }
    return true;
  }

  private static final class Compiled {
    final FilterRule rule;
    final boolean directoryOnly;
    final boolean wholePath;
    final Pattern regex;

    Compiled(FilterRule rule) {
      this.rule = rule;
      String p = rule.pattern();
      directoryOnly = p.endsWith("/");
      if (directoryOnly) {
        p = p.substring(0, p.length() - 1);
      }
      boolean anchored = p.startsWith("/");
      if (anchored) {
        p = p.substring(1);
      }
      wholePath = anchored || p.contains("/") || p.contains("**");
      String body = globToRegex(p);
      String prefix = anchored || !wholePath ? "" : "(?:.*/)?";
      regex = Pattern.compile(prefix + body, Pattern.DOTALL);
    }

    boolean matches(String path, boolean directory) {
      if (directoryOnly && !directory) {
        return false;
      }
      String subject = wholePath ? path : path.substring(path.lastIndexOf('/') + 1);
      return regex.matcher(subject).matches();
    }
  }

  static String globToRegex(String glob) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      switch (c) {
        case '*' -> {
          if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
            sb.append(".*");
            i++;
          } else {
            sb.append("[^/]*");
          }
        }
        case '?' -> sb.append("[^/]");
        case '[' -> {
          int end = glob.indexOf(']', i + 2);
          if (end < 0) {
            sb.append("\\[");
          } else {
            String cls = glob.substring(i + 1, end);
            if (cls.startsWith("!")) {
              cls = "^" + cls.substring(1);
            }
            sb.append('[').append(cls.replace("\\", "\\\\")).append(']');
            i = end;
          }
        }
        case '\\' -> {
          if (i + 1 < glob.length()) {
            sb.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
          }
        }
        default -> sb.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return rules.toString();
  }
}
