package dev.syncjobs.rsync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * A real {@code rsync --daemon} on a free loopback port with a temporary config: module {@code
 * data} (open) and module {@code secret} (user {@code alice}, password {@link #PASSWORD}), both
 * serving {@code root}.
 */
final class RsyncDaemon implements AutoCloseable {
  static final String USER = "alice";
  static final String PASSWORD = "s3cret-Pa55";

  private final Process process;
  private final int port;
  private final Path dir;

  private RsyncDaemon(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  static RsyncDaemon start(Path workDir, Path root) throws IOException {
    Path rsync = Tools.require("rsync", "rsync");
    Path dir = Files.createDirectories(workDir.resolve("rsyncd"));
    Path secrets = dir.resolve("secrets");
    Files.writeString(secrets, USER + ":" + PASSWORD + "\n");
    Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rw-------"));
    Object uid = Files.getAttribute(root, "unix:uid");
    Object gid = Files.getAttribute(root, "unix:gid");
    String config =
        String.join(
            "\n",
            "use chroot = no",
            "numeric ids = yes",
            "uid = " + uid,
            "gid = " + gid,
            "log file = " + dir.resolve("rsyncd.log"),
            "pid file = " + dir.resolve("rsyncd.pid"),
            "[data]",
            "  path = " + root,
            "  read only = yes",
            "[secret]",
            "  path = " + root,
            "  read only = yes",
            "  auth users = " + USER,
            "  secrets file = " + secrets,
            "");
    Path conf = dir.resolve("rsyncd.conf");
    Files.writeString(conf, config);
    for (int attempt = 0; ; attempt++) {
      int port = Tools.freePort();
      Files.deleteIfExists(dir.resolve("rsyncd.pid"));
      Process p =
          new ProcessBuilder(
                  List.of(
                      rsync.toString(),
                      "--daemon",
                      "--no-detach",
                      "--config=" + conf,
                      "--address=127.0.0.1",
                      "--port=" + port))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("stdout.log").toFile())
              .start();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (p.isAlive() && !Tools.accepts(port) && System.nanoTime() < deadline) {
        sleep();
      }
      if (p.isAlive() && Tools.accepts(port)) {
        return new RsyncDaemon(p, port, dir);
      }
      p.destroyForcibly();
      if (attempt >= 3) {
        throw new IOException(
            "rsync daemon did not start: " + Files.readString(dir.resolve("stdout.log")));
      }
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  int port() {
    return port;
  }

  String url(String moduleAndPath) {
    return "rsync://127.0.0.1:" + port + "/" + moduleAndPath;
  }

  Path dir() {
    return dir;
  }

  /** The daemon's processes serving connections now (it forks one per connection). */
  java.util.List<ProcessHandle> connections() {
    return process.descendants().toList();
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
