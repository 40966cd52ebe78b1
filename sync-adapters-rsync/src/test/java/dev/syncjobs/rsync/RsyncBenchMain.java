package dev.syncjobs.rsync;

import dev.syncjobs.core.memory.SettableClock;
import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.port.TransferRequest;
import dev.syncjobs.core.run.SyncEngine;
import dev.syncjobs.core.version.StorageBackends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * Benchmark driver (not a test): times bare rsync against the adapter in this JVM, on the trees of
 * {@code bench/rsync/make-data.sh}, served by an rsync daemon on loopback. Runs alternate between
 * the contenders so machine noise hits them alike; prints medians and ratios as Markdown.
 *
 * <p>Arguments: data directory (holding {@code small/} and {@code tree/}), work directory, runs,
 * optionally the trees to time (comma-separated; default {@code small,tree}).
 */
public final class RsyncBenchMain {
  /**
   * The anchor of the "same rsync flags": rsync started from a shell with exactly the
   * adapter's argument list, its output thrown away.
   */
  private static final String SAME_FLAGS = "rsync with the adapter's flags";

  private RsyncBenchMain() {}

  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]).toAbsolutePath();
    Path work = Path.of(args[1]).toAbsolutePath();
    int runs = Integer.parseInt(args[2]);
    List<String> trees = args.length > 3 ? List.of(args[3].split(",")) : List.of("small", "tree");
    Files.createDirectories(work);
    try (RsyncDaemon daemon = RsyncDaemon.start(work, data)) {
      Thread stopDaemon =
          new Thread(
              () -> {
                try {
                  daemon.close();
                } catch (Exception ignored) {
                  // exiting anyway
                }
              });
      Runtime.getRuntime().addShutdownHook(stopDaemon);
      StringBuilder out = new StringBuilder();
      out.append(
          "| tree | contender | wall median s | wall runs (s) | wall ratio to the same flags,"
              + " per round | wall ratio to the same flags, of medians | wall ratio to rsync -a"
              + " | CPU median s | CPU ratio to the same flags |\n");
      out.append("|---|---|---:|---|---:|---:|---:|---:|---:|\n");
      for (String tree : trees) {
        String url = daemon.url("data/" + tree + "/");
        Map<String, List<Double>> times = new LinkedHashMap<>();
        Map<String, List<Double>> cpus = new LinkedHashMap<>();
        Map<String, Callable<Void>> contenders = contenders(url, work, tree);
        List<Map.Entry<String, Callable<Void>>> order = new ArrayList<>(contenders.entrySet());
        for (int i = 0; i <= runs; i++) {
          // Each round starts with the next contender, so none always follows the same one.
          Collections.rotate(order, -1);
          for (var c : order) {
            clean(work.resolve("out"));
            Files.createDirectories(work.resolve("out"));
            exec(
                List.of(
                    "sync")); // earlier runs' dirty pages must not be flushed on this one's time
            double cpu0 = cpuSeconds();
            long start = System.nanoTime();
            c.getValue().call();
            double s = (System.nanoTime() - start) / 1e9;
            double cpu = cpuSeconds() - cpu0;
            if (i > 0) { // run 0 warms the page cache and the JIT
              times.computeIfAbsent(c.getKey(), k -> new ArrayList<>()).add(s);
              cpus.computeIfAbsent(c.getKey(), k -> new ArrayList<>()).add(cpu);
            }
            System.err.printf(
                Locale.ROOT,
                "%s %s run %d: %.3f s wall, %.3f s CPU%n",
                tree,
                c.getKey(),
                i,
                s,
                cpu);
          }
        }
        double bare = median(times.get("rsync -a"));
        double anchor = median(times.get(SAME_FLAGS));
        double cpuAnchor = median(cpus.get(SAME_FLAGS));
        for (String name : contenders.keySet()) {
          var e = Map.entry(name, times.get(name));
          double m = median(e.getValue());
          double cm = median(cpus.get(name));
          // Each round times every contender back to back, so a round's ratio sees one state of
          // a noisy machine; the median of those is steadier than a ratio of medians.
          List<Double> perRound = new ArrayList<>();
          for (int r = 0; r < e.getValue().size(); r++) {
            perRound.add(e.getValue().get(r) / times.get(SAME_FLAGS).get(r));
          }
          out.append(
              String.format(
                  Locale.ROOT,
                  "| %s | %s | %.2f | %s | %.3f | %.3f | %.3f | %.2f | %.3f |%n",
                  tree,
                  e.getKey(),
                  m,
                  e.getValue().stream()
                      .map(v -> String.format(Locale.ROOT, "%.2f", v))
                      .reduce((a, b) -> a + " " + b)
                      .orElse(""),
                  median(perRound),
                  m / anchor,
                  m / bare,
                  cm,
                  cm / cpuAnchor));
        }
      }
      out.append("\n")
          .append(secondVersionDisk(daemon.url("data/tree/"), data.resolve("tree"), work));
      clean(work.resolve("out"));
      System.out.println(out);
    }
  }

  private static Map<String, Callable<Void>> contenders(String url, Path work, String tree) {
    Map<String, Callable<Void>> c = new LinkedHashMap<>();
    Path out = work.resolve("out");
    c.put(
        "rsync -a",
        () -> {
          exec(List.of("rsync", "-a", url, out.resolve("bare") + "/"));
          return null;
        });
    c.put(
        SAME_FLAGS,
        () -> {
          Path staging = Files.createDirectories(out.resolve("flags"));
          try (RsyncCommand cmd =
              RsyncCommand.build(
                  RsyncProcesses.which("rsync").orElseThrow(), request(url, staging), line -> {})) {
            exec(cmd.arguments());
          }
          return null;
        });
    c.put(
        "adapter (RsyncTransfer in-process)",
        () -> {
          Path staging = Files.createDirectories(out.resolve("adapter.partial"));
          new RsyncTransfer().transfer(request(url, staging));
          return null;
        });
    c.put(
        "adapter + engine (staging, compare, publish)",
        () -> {
          engineRun(url, out.resolve("engine"), Instant.parse("2026-11-23T03:00:00Z"));
          return null;
        });
    return c;
  }

  private static TransferRequest request(String url, Path staging) {
    return new TransferRequest(
        Source.parse(url),
        null,
        null,
        staging,
        Optional.empty(),
        null,
        new TransferRequest.Options(true, false, null, Duration.ofSeconds(60)),
        p -> {},
        new CancellationToken(),
        line -> {});
  }

  private static String engineRun(String url, Path root, Instant at) {
    StorageBackend backend = new StorageBackend("bench", root);
    StorageBackends.initialiseOwnRoot(backend);
    SyncEngine engine =
        new SyncEngine(
            new StorageBackends(List.of(backend)),
            List.of(new RsyncTransfer()),
            new SettableClock(at));
    Job job =
        Job.builder(
                new JobId(UUID.randomUUID()),
                "bench",
                Source.parse(url),
                new Destination("bench", "mirror"))
            .build();
    SyncEngine.Result r = engine.execute(job, new CancellationToken(), p -> {}, line -> {});
    if (r.outcome().status() != RunStatus.SUCCESS) {
      throw new IllegalStateException("run failed: " + r.outcome().error());
    }
    return r.outcome().version();
  }

  /** du over the first and a second version after one small file changed. */
  private static String secondVersionDisk(String url, Path tree, Path work) throws Exception {
    Path root = work.resolve("out").resolve("versions");
    String v1 = engineRun(url, root, Instant.parse("2026-11-23T03:00:00Z"));
    Path smallest;
    try (Stream<Path> s = Files.walk(tree)) {
      smallest =
          s.filter(Files::isRegularFile)
              .min((a, b) -> Long.compare(a.toFile().length(), b.toFile().length()))
              .orElseThrow();
    }
    byte[] original = Files.readAllBytes(smallest);
    FileTime mtime = Files.getLastModifiedTime(smallest);
    byte[] changed = original.clone();
    changed[0] ^= 1;
    try {
      Files.write(smallest, changed);
      String v2 = engineRun(url, root, Instant.parse("2026-11-23T04:00:00Z"));
      Path dir = root.resolve("mirror");
      long first = du(dir.resolve(v1));
      long both = du(dir.resolve(v1), dir.resolve(v2));
      return String.format(
          Locale.ROOT,
          "Second version of `tree` after one %d-byte file changed: `du` of both versions %d KiB,"
              + " of the first alone %d KiB; the second adds %d KiB = %.3f%% of the first.%n",
          original.length,
          both,
          first,
          both - first,
          100.0 * (both - first) / first);
    } finally {
      Files.write(smallest, original);
      Files.setLastModifiedTime(smallest, mtime);
    }
  }

  private static long du(Path... dirs) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("du", "-s", "-k", "-c"));
    Arrays.stream(dirs).map(Path::toString).forEach(cmd::add);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    String[] lines = out.strip().split("\n");
    return Long.parseLong(lines[lines.length - 1].split("\\s+")[0]);
  }

  /**
   * CPU seconds used so far by this JVM plus its waited-for children (rsync, and rsync's own
   * children it waited for), from {@code /proc/self/stat}: utime, stime, cutime, cstime.
   */
  private static double cpuSeconds() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // After the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    long ticks =
        Long.parseLong(f[11])
            + Long.parseLong(f[12])
            + Long.parseLong(f[13])
            + Long.parseLong(f[14]);
    return ticks / (double) CLOCK_TICKS;
  }

  private static final long CLOCK_TICKS = clockTicks();

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      return Long.parseLong(out);
    } catch (Exception e) {
      return 100;
    }
  }

  private static void exec(List<String> cmd) throws Exception {
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    int code = p.waitFor();
    if (code != 0) {
      throw new IllegalStateException(cmd.get(0) + " exited with " + code);
    }
  }

  private static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static void clean(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Collections.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
