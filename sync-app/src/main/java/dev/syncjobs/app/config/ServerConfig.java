package dev.syncjobs.app.config;

import dev.syncjobs.core.model.DeniedNetworks;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The server's settings, from environment variables (API.md's table) and an optional properties
 * file named by {@code SYNCJOBS_CONFIG} with the same keys (the environment wins). Parsed and
 * validated in one place; {@link #load} names every bad setting at once.
 *
 * @param dbUrl JDBC URL of the database
 * @param backends configured storage backends, in order
 * @param adminToken bearer token of the admin role, null to use (or generate) {@code
 *     <data>/admin.token}
 * @param viewerToken bearer token of the viewer role, null for none
 * @param localSourceRoots roots {@code file://} sources must lie under, null when the server
 *     refuses {@code file://} sources
 * @param secretKeyFile the key that seals stored credentials ({@code <data>/secret.key} unless
 *     {@code SYNCJOBS_SECRET_KEY_FILE} names a file every cluster instance shares)
 * @param sourceDenyNetworks address ranges network sources may never reach
 * @param maxConcurrentUploads uploads receiving bytes at once on this instance
 * @param uploadExpiry how long an upload may stay idle before the daily clean-up removes it
 */
public record ServerConfig(
    String host,
    int port,
    Path dataDir,
    String dbUrl,
    List<Backend> backends,
    String adminToken,
    String viewerToken,
    int maxConcurrentRuns,
    ZoneId timezone,
    Duration manualRunInterval,
    String instanceId,
    Duration runRetention,
    int runLogMaxBytes,
    Duration lease,
    int httpConnections,
    String rsyncPath,
    List<Path> localSourceRoots,
    boolean metricsPublic,
    Path secretKeyFile,
    DeniedNetworks sourceDenyNetworks,
    int maxConcurrentUploads,
    Duration uploadExpiry) {

  /**
   * A configured backend.
   *
   * @param owned true for the default backend, whose root syncjobs creates itself (with its marker)
   */
  public record Backend(String name, Path root, boolean owned) {}

  /** Every key the server reads. */
  public static final Set<String> KEYS =
      Set.of(
          "SYNCJOBS_HOST",
          "SYNCJOBS_PORT",
          "SYNCJOBS_DATA_DIR",
          "SYNCJOBS_DB_URL",
          "SYNCJOBS_BACKENDS",
          "SYNCJOBS_ADMIN_TOKEN",
          "SYNCJOBS_VIEWER_TOKEN",
          "SYNCJOBS_MAX_CONCURRENT_RUNS",
          "SYNCJOBS_TIMEZONE",
          "SYNCJOBS_MANUAL_RUN_INTERVAL_SECONDS",
          "SYNCJOBS_INSTANCE_ID",
          "SYNCJOBS_RUN_RETENTION_DAYS",
          "SYNCJOBS_RUN_LOG_MAX_BYTES",
          "SYNCJOBS_LEASE_SECONDS",
          "SYNCJOBS_HTTP_CONNECTIONS",
          "SYNCJOBS_RSYNC_PATH",
          "SYNCJOBS_LOCAL_SOURCE_ROOTS",
          "SYNCJOBS_SOURCE_DENY_NETWORKS",
          "SYNCJOBS_METRICS_PUBLIC",
          "SYNCJOBS_SECRET_KEY_FILE",
          "SYNCJOBS_MAX_CONCURRENT_UPLOADS",
          "SYNCJOBS_UPLOAD_EXPIRY_HOURS");

  /** Minimum length of a configured token. */
  public static final int MIN_TOKEN_LENGTH = 16;

  private static final Pattern BACKEND_NAME = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$");

  public ServerConfig {
    backends = List.copyOf(backends);
    localSourceRoots = localSourceRoots == null ? null : List.copyOf(localSourceRoots);
    sourceDenyNetworks = sourceDenyNetworks == null ? DeniedNetworks.DEFAULT : sourceDenyNetworks;
  }

  /** Reads the process environment (and the file it names). */
  public static ServerConfig fromEnvironment() {
    return load(System.getenv());
  }

  /**
   * Parses settings: the file named by {@code SYNCJOBS_CONFIG} (if any) first, then {@code env}.
   *
   * @throws ConfigException naming every bad setting
   */
  public static ServerConfig load(Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    Map<String, String> values = new LinkedHashMap<>();
    String file = env.get("SYNCJOBS_CONFIG");
    if (file != null && !file.isBlank()) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
        p.load(r);
        for (String key : p.stringPropertyNames()) {
          if (!KEYS.contains(key)) {
            problems.add("SYNCJOBS_CONFIG " + file + ": unknown key " + key);
          } else {
            values.put(key, p.getProperty(key).trim());
          }
        }
      } catch (IOException | IllegalArgumentException e) {
        problems.add("SYNCJOBS_CONFIG: cannot read " + file + ": " + e.getMessage());
      }
    }
    for (String key : KEYS) {
      String v = env.get(key);
      if (v != null) {
        values.put(key, v.trim());
      }
    }
    Parser in = new Parser(values, problems);
    String host = in.text("SYNCJOBS_HOST", "127.0.0.1");
    int port = in.integer("SYNCJOBS_PORT", 8080, 0, 65535);
    Path dataDir = in.path("SYNCJOBS_DATA_DIR", Path.of("data")).toAbsolutePath().normalize();
    String dbUrl = in.text("SYNCJOBS_DB_URL", null);
    if (dbUrl != null
        && !dbUrl.startsWith("jdbc:sqlite:")
        && !dbUrl.startsWith("jdbc:postgresql:")) {
      problems.add("SYNCJOBS_DB_URL: must be jdbc:sqlite:<file> or jdbc:postgresql://…");
    }
    if (dbUrl == null) {
      dbUrl = "jdbc:sqlite:" + dataDir.resolve("syncjobs.db");
    }
    List<Backend> backends = parseBackends(values.get("SYNCJOBS_BACKENDS"), dataDir, problems);
    String admin = in.text("SYNCJOBS_ADMIN_TOKEN", null);
    String viewer = in.text("SYNCJOBS_VIEWER_TOKEN", null);
    checkToken("SYNCJOBS_ADMIN_TOKEN", admin, problems);
    checkToken("SYNCJOBS_VIEWER_TOKEN", viewer, problems);
    if (admin != null && admin.equals(viewer)) {
      problems.add("SYNCJOBS_VIEWER_TOKEN: must differ from the admin token");
    }
    int maxRuns = in.integer("SYNCJOBS_MAX_CONCURRENT_RUNS", 3, 1, 64);
    ZoneId zone = in.parse("SYNCJOBS_TIMEZONE", ZoneId.systemDefault(), ZoneId::of, "an IANA zone");
    Duration manual =
        Duration.ofSeconds(in.integer("SYNCJOBS_MANUAL_RUN_INTERVAL_SECONDS", 60, 0, 86_400));
    String instance = in.text("SYNCJOBS_INSTANCE_ID", defaultInstanceId());
    Duration retention = Duration.ofDays(in.integer("SYNCJOBS_RUN_RETENTION_DAYS", 30, 1, 36_500));
    int logMax = in.integer("SYNCJOBS_RUN_LOG_MAX_BYTES", 1_048_576, 1024, 1 << 30);
    Duration lease = Duration.ofSeconds(in.integer("SYNCJOBS_LEASE_SECONDS", 30, 5, 3600));
    int connections = in.integer("SYNCJOBS_HTTP_CONNECTIONS", 4, 1, 32);
    String rsync = in.text("SYNCJOBS_RSYNC_PATH", "rsync");
    List<Path> roots = null;
    String rootsText = values.get("SYNCJOBS_LOCAL_SOURCE_ROOTS");
    if (rootsText != null && !rootsText.isBlank()) {
      roots = new ArrayList<>();
      for (String r : rootsText.split(",")) {
        if (r.isBlank()) {
          continue;
        }
        try {
          Path p = Path.of(r.trim());
          if (!p.isAbsolute()) {
            problems.add("SYNCJOBS_LOCAL_SOURCE_ROOTS: '" + r.trim() + "' is not an absolute path");
          }
          roots.add(p.normalize());
        } catch (InvalidPathException e) {
          problems.add("SYNCJOBS_LOCAL_SOURCE_ROOTS: '" + r.trim() + "' is not a path");
        }
      }
    }
    DeniedNetworks denied = DeniedNetworks.DEFAULT;
    String deniedText = values.get("SYNCJOBS_SOURCE_DENY_NETWORKS");
    if (deniedText != null && !deniedText.isEmpty()) {
      try {
        denied = DeniedNetworks.parse(deniedText);
      } catch (IllegalArgumentException e) {
        problems.add(
            "SYNCJOBS_SOURCE_DENY_NETWORKS: "
                + e.getMessage()
                + "; write 'none' or CIDRs like 169.254.0.0/16,fe80::/10");
      }
    }
    boolean metricsPublic = in.bool("SYNCJOBS_METRICS_PUBLIC", false);
    Path keyFile =
        in.path("SYNCJOBS_SECRET_KEY_FILE", dataDir.resolve("secret.key"))
            .toAbsolutePath()
            .normalize();
    int maxUploads = in.integer("SYNCJOBS_MAX_CONCURRENT_UPLOADS", 10, 1, 1000);
    Duration uploadExpiry =
        Duration.ofHours(in.integer("SYNCJOBS_UPLOAD_EXPIRY_HOURS", 168, 1, 87_600));
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new ServerConfig(
        host,
        port,
        dataDir,
        dbUrl,
        backends,
        admin,
        viewer,
        maxRuns,
        zone,
        manual,
        instance,
        retention,
        logMax,
        lease,
        connections,
        rsync,
        roots,
        metricsPublic,
        keyFile,
        denied,
        maxUploads,
        uploadExpiry);
  }

  private static void checkToken(String key, String token, List<String> problems) {
    if (token == null) {
      return;
    }
    if (token.length() < MIN_TOKEN_LENGTH) {
      problems.add(key + ": must be at least " + MIN_TOKEN_LENGTH + " characters");
    } else if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      problems.add(key + ": must be printable ASCII without spaces");
    }
  }

  private static List<Backend> parseBackends(String text, Path dataDir, List<String> problems) {
    if (text == null || text.isBlank()) {
      return List.of(new Backend("default", dataDir.resolve("storage"), true));
    }
    List<Backend> out = new ArrayList<>();
    for (String item : text.split(",")) {
      if (item.isBlank()) {
        continue;
      }
      int eq = item.indexOf('=');
      if (eq < 0) {
        problems.add("SYNCJOBS_BACKENDS: '" + item.trim() + "' is not name=/path");
        continue;
      }
      String name = item.substring(0, eq).trim();
      String path = item.substring(eq + 1).trim();
      if (!BACKEND_NAME.matcher(name).matches()) {
        problems.add(
            "SYNCJOBS_BACKENDS: backend name '" + name + "' must be 1..64 letters, digits, - or _");
        continue;
      }
      if (out.stream().anyMatch(b -> b.name().equals(name))) {
        problems.add("SYNCJOBS_BACKENDS: backend '" + name + "' is defined twice");
        continue;
      }
      try {
        Path root = Path.of(path);
        if (!root.isAbsolute()) {
          problems.add("SYNCJOBS_BACKENDS: the root of '" + name + "' must be an absolute path");
          continue;
        }
        Path normal = root.normalize();
        out.add(new Backend(name, normal, normal.equals(dataDir.resolve("storage"))));
      } catch (InvalidPathException e) {
        problems.add("SYNCJOBS_BACKENDS: the root of '" + name + "' is not a path");
      }
    }
    if (out.isEmpty() && problems.isEmpty()) {
      problems.add("SYNCJOBS_BACKENDS: names no backend");
    }
    return out;
  }

  private static String defaultInstanceId() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "localhost";
    }
    return host + "-" + ProcessHandle.current().pid();
  }

  /** Reads typed values, collecting problems instead of failing at the first. */
  private record Parser(Map<String, String> values, List<String> problems) {
    String text(String key, String fallback) {
      return value(key, fallback, v -> v);
    }

    int integer(String key, int fallback, int min, int max) {
      return value(
          key,
          fallback,
          v -> {
            int n;
            try {
              n = Integer.parseInt(v);
            } catch (NumberFormatException e) {
              throw new Refused("must be a whole number (got '" + v + "')");
            }
            if (n < min || n > max) {
              throw new Refused("must be " + min + ".." + max + " (got " + n + ")");
            }
            return n;
          });
    }

    boolean bool(String key, boolean fallback) {
      return value(
          key,
          fallback,
          v ->
              switch (v.toLowerCase(Locale.ROOT)) {
                case "true", "1", "yes" -> true;
                case "false", "0", "no" -> false;
                default -> throw new Refused("must be true or false (got '" + v + "')");
              });
    }

    Path path(String key, Path fallback) {
      return value(
          key,
          fallback,
          v -> {
            try {
              return Path.of(v);
            } catch (InvalidPathException e) {
              throw new Refused("not a path (" + e.getReason() + ")");
            }
          });
    }

    <T> T parse(String key, T fallback, Function<String, T> parser, String what) {
      return value(
          key,
          fallback,
          v -> {
            try {
              return parser.apply(v);
            } catch (DateTimeException | IllegalArgumentException e) {
              throw new Refused("must be " + what + " (got '" + v + "')");
            }
          });
    }

    /**
     * {@code key}'s value as {@code read} takes it; {@code fallback} when it is unset, or when
     * {@code read} refuses it, which is then one of the problems.
     */
    private <T> T value(String key, T fallback, Function<String, T> read) {
      String v = values.get(key);
      if (v == null || v.isEmpty()) {
        return fallback;
      }
      try {
        return read.apply(v);
      } catch (Refused e) {
        problems.add(key + ": " + e.getMessage());
        return fallback;
      }
    }
  }

  /** A value {@link Parser} cannot take, and why. */
  private static final class Refused extends RuntimeException {
    Refused(String why) {
      super(why, null, false, false);
    }
  }
}
