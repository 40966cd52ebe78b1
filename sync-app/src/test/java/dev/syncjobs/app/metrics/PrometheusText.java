package dev.syncjobs.app.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format (version 0.0.4), for tests: the Java client has
 * writers but no parser. Every line must be a HELP, a TYPE or a sample of the family the last TYPE
 * named; label values are unescaped; a series may appear once; a histogram's buckets must be
 * cumulative and its {@code +Inf} bucket equal its count. Anything else fails with the line.
 */
public final class PrometheusText {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> TYPES =
      Set.of("counter", "gauge", "histogram", "summary", "untyped");

  /** One sample: its metric name, labels (sorted by name) and value. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private final Map<String, String> types = new LinkedHashMap<>();
  private final Map<String, Sample> samples = new LinkedHashMap<>();

  private PrometheusText() {}

  public static PrometheusText parse(String text) {
    PrometheusText out = new PrometheusText();
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new AssertionError("the exposition does not end with a newline");
    }
    String family = null;
    String type = null;
    int n = 0;
    for (String line : text.split("\n", -1)) {
      n++;
      if (line.isEmpty()) {
        continue;
      }
      try {
        if (line.startsWith("# HELP ")) {
          String name = line.substring(7).split(" ", 2)[0];
          requireName(name);
        } else if (line.startsWith("# TYPE ")) {
          String[] p = line.substring(7).split(" ");
          if (p.length != 2 || !TYPES.contains(p[1])) {
            throw new IllegalArgumentException("bad TYPE line");
          }
          requireName(p[0]);
          if (out.types.put(p[0], p[1]) != null) {
            throw new IllegalArgumentException("second TYPE for " + p[0]);
          }
          family = p[0];
          type = p[1];
        } else if (line.startsWith("#")) {
          continue;
        } else {
          Sample s = sample(line);
          if (family == null || !belongs(s.name(), family, type)) {
            throw new IllegalArgumentException("sample outside its family " + family);
          }
          String key = key(s.name(), s.labels());
          if (out.samples.put(key, s) != null) {
            throw new IllegalArgumentException("series appears twice: " + key);
          }
        }
      } catch (RuntimeException e) {
        throw new AssertionError("line " + n + " (" + line + "): " + e.getMessage(), e);
      }
    }
    out.checkHistograms();
    return out;
  }

  private static boolean belongs(String name, String family, String type) {
    String base = family.endsWith("_total") ? family.substring(0, family.length() - 6) : family;
    return switch (type) {
      case "counter" ->
          name.equals(family) || name.equals(base + "_total") || name.equals(base + "_created");
      case "histogram" ->
          name.equals(family + "_bucket")
              || name.equals(family + "_sum")
              || name.equals(family + "_count")
              || name.equals(family + "_created");
      case "summary" ->
          name.equals(family)
              || name.equals(family + "_sum")
              || name.equals(family + "_count")
              || name.equals(family + "_created");
      default -> name.equals(family);
    };
  }

  private static Sample sample(String line) {
    Matcher m = NAME.matcher(line);
    if (!m.lookingAt()) {
      throw new IllegalArgumentException("no metric name");
    }
    String name = m.group();
    int i = m.end();
    Map<String, String> labels = new TreeMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        Matcher l = LABEL.matcher(line).region(i, line.length());
        if (!l.lookingAt()) {
          throw new IllegalArgumentException("bad label name at " + i);
        }
        String label = l.group();
        i = l.end();
        if (!line.startsWith("=\"", i)) {
          throw new IllegalArgumentException("label " + label + " without =\"");
        }
        i += 2;
        StringBuilder v = new StringBuilder();
        for (; line.charAt(i) != '"'; i++) {
          char c = line.charAt(i);
          if (c == '\\') {
            char e = line.charAt(++i);
            v.append(
                switch (e) {
                  case '\\' -> '\\';
                  case '"' -> '"';
                  case 'n' -> '\n';
                  default -> throw new IllegalArgumentException("bad escape \\" + e);
                });
          } else {
            v.append(c);
          }
        }
        i++;
        if (labels.put(label, v.toString()) != null) {
          throw new IllegalArgumentException("label " + label + " twice");
        }
        if (line.charAt(i) == ',') {
          i++;
        } else if (line.charAt(i) != '}') {
          throw new IllegalArgumentException("expected , or } at " + i);
        }
      }
      i++;
    }
    if (i >= line.length() || line.charAt(i) != ' ') {
      throw new IllegalArgumentException("no space before the value");
    }
    String[] rest = line.substring(i + 1).split(" ");
    if (rest.length < 1 || rest.length > 2) {
      throw new IllegalArgumentException("expected a value and at most a timestamp");
    }
    if (rest.length == 2) {
      Long.parseLong(rest[1]);
    }
    return new Sample(name, labels, value(rest[0]));
  }

  private static double value(String s) {
    return switch (s) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> {
        if (!s.matches("[-+]?[0-9.]+([eE][-+]?[0-9]+)?")) {
          throw new IllegalArgumentException("bad value " + s);
        }
        yield Double.parseDouble(s);
      }
    };
  }

  private static void requireName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("bad metric name " + name);
    }
  }

  private void checkHistograms() {
    types.forEach(
        (family, type) -> {
          if (!type.equals("histogram")) {
            return;
          }
          Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
          for (Sample s : samples.values()) {
            if (s.name().equals(family + "_bucket")) {
              Map<String, String> series = new TreeMap<>(s.labels());
              series.remove("le");
              buckets.computeIfAbsent(series, k -> new ArrayList<>()).add(s);
            }
          }
          buckets.forEach(
              (series, list) -> {
                double last = -1;
                double lastBound = Double.NEGATIVE_INFINITY;
                for (Sample b : list) {
                  double bound = value(b.labels().get("le"));
                  if (bound <= lastBound || b.value() < last) {
                    throw new AssertionError(family + series + ": buckets not cumulative");
                  }
                  lastBound = bound;
                  last = b.value();
                }
                if (lastBound != Double.POSITIVE_INFINITY) {
                  throw new AssertionError(family + series + ": no +Inf bucket");
                }
                Sample count = samples.get(key(family + "_count", series));
                if (count == null || count.value() != last) {
                  throw new AssertionError(family + series + ": +Inf bucket is not the count");
                }
              });
        });
  }

  private static String key(String name, Map<String, String> labels) {
    return name + new TreeMap<>(labels);
  }

  /** The TYPE of a family, or null. */
  public String type(String family) {
    return types.get(family);
  }

  /** Every sample, in order. */
  public List<Sample> samples() {
    return List.copyOf(samples.values());
  }

  /** The value of the series {@code name} with exactly these labels ("k", "v", ...). */
  public double value(String name, String... labelPairs) {
    Map<String, String> labels = new TreeMap<>();
    for (int i = 0; i < labelPairs.length; i += 2) {
      labels.put(labelPairs[i], labelPairs[i + 1]);
    }
    Sample s = samples.get(key(name, labels));
    if (s == null) {
      throw new AssertionError("no series " + key(name, labels) + " in the exposition");
    }
    return s.value();
  }
}
