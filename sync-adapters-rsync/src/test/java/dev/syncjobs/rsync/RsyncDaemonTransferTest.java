package dev.syncjobs.rsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.port.TransferReport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The adapter against a real {@code rsync --daemon}, module without a password. */
class RsyncDaemonTransferTest extends RsyncNightlyContract {
  private RsyncDaemon daemon;

  @Override
  void startServer(Path work, Path root) throws Exception {
    daemon = RsyncDaemon.start(work, root);
  }

  @Override
  void stopServer() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
  }

  @Override
  Source source(String relative) {
    return Source.parse(daemon.url("data/" + relative));
  }

  @Override
  SourceAuth auth() {
    return null;
  }

  @Override
  Source unreachableSource(int port) {
    return Source.parse("rsync://127.0.0.1:" + port + "/data/");
  }

  @Test
  void a_missing_module_fails_without_retry_naming_the_module() throws Exception {
    Path staging = staging();

    assertThatThrownBy(() -> transfer(Source.parse(daemon.url("nosuchmodule/x")), staging))
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining("no such module")
        .hasMessageContaining("nosuchmodule");
    assertThat(log).anyMatch(l -> l.startsWith("rsync: ") && l.contains("Unknown module"));
  }

  @Test
  void a_module_that_needs_a_password_refuses_a_run_without_credentials() throws Exception {
    Path root = smallTree();
    Path staging = staging();

    assertThatThrownBy(() -> transfer(Source.parse(daemon.url("secret/" + rel(root))), staging))
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining("requires credentials");
  }

  @Test
  void a_missing_rsync_binary_is_named_in_a_non_retryable_error() throws Exception {
    Path staging = staging();
    Source source = source("x");

    assertThatThrownBy(
            () ->
                new RsyncTransfer("/nonexistent/bin/rsync")
                    .transfer(
                        request(
                            source, staging, java.util.Optional.empty(), null, null, null, null)))
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining("/nonexistent/bin/rsync");
    assertThatThrownBy(
            () ->
                new RsyncTransfer("rsync-not-installed-here")
                    .transfer(
                        request(
                            source, staging, java.util.Optional.empty(), null, null, null, null)))
        .isInstanceOf(TransferException.class)
        .hasMessageContaining("'rsync-not-installed-here' is not on PATH");
  }

  @Test
  void start_up_repair_stops_a_leftover_rsync_recorded_next_to_the_staging_directory()
      throws Exception {
    Path root = newSourceDir();
    writeRandom(root, "large.bin", 16L * 1024 * 1024, 9);
    Path staging = staging();
    Process leftover =
        new ProcessBuilder(
                "rsync",
                "-r",
                "--bwlimit=256",
                daemon.url("data/" + rel(root) + "/"),
                staging + "/")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    Path pidFile = staging.resolveSibling(staging.getFileName() + ".pid");
    RsyncProcesses.writePidFile(pidFile, leftover.toHandle());

    TransferReport report = transfer(source(rel(root)), staging);

    assertThat(leftover.waitFor(1, TimeUnit.SECONDS)).isTrue();
    assertThat(report.filesTotal()).isEqualTo(1);
    assertThat(snapshot(staging)).isEqualTo(snapshot(root));
    assertThat(pidFile).doesNotExist();
    assertThat(log).anyMatch(l -> l.contains("left by an interrupted run"));
  }

  @Test
  void rsync_dies_with_the_jvm_even_when_the_jvm_is_killed() throws Exception {
    Tools.require("setpriv", "util-linux");
    Path root = newSourceDir();
    writeRandom(root, "large.bin", 16L * 1024 * 1024, 11);
    Path staging = staging();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            java,
            "-Djava.io.tmpdir=" + Files.createDirectories(tmp.resolve("child-tmp")),
            "-cp",
            System.getProperty("java.class.path"),
            RsyncChildMain.class.getName(),
            daemon.url("data/" + rel(root)),
            staging.toString()));
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String line;
    do {
      line = out.readLine();
    } while (line != null && !line.equals("TRANSFERRING"));
    assertThat(line).as("child JVM reached the transfer").isEqualTo("TRANSFERRING");
    long pid = rsyncPid(staging.getParent());
    ProcessHandle rsync = ProcessHandle.of(pid).orElseThrow();
    List<ProcessHandle> all = new ArrayList<>(RsyncProcesses.tree(rsync));

    child.destroyForcibly();
    long start = System.nanoTime();
    child.waitFor(10, TimeUnit.SECONDS);

    Tools.await(
        "rsync to die with the JVM",
        Duration.ofSeconds(5),
        () -> all.stream().noneMatch(ProcessHandle::isAlive));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(Files.exists(staging)).isTrue();
  }

  @Test
  void a_daemon_that_never_answers_times_out_with_a_retryable_error() throws Exception {
    Path staging = staging();
    try (java.net.ServerSocket silent =
        new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                List<java.net.Socket> held = new ArrayList<>();
                try {
                  while (true) {
                    held.add(silent.accept());
                  }
                } catch (java.io.IOException closed) {
                  held.forEach(
                      sock -> {
                        try {
                          sock.close();
                        } catch (java.io.IOException ignored) {
                          // closing anyway
                        }
                      });
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      long start = System.nanoTime();

      assertThatThrownBy(
              () ->
                  transferTimingOut(
                      Source.parse("rsync://127.0.0.1:" + silent.getLocalPort() + "/data/"),
                      staging,
                      null))
          .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.retryable()).isTrue())
          .hasMessageContaining("timed out");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }
  }

  @Test
  void a_daemon_that_stops_sending_mid_transfer_fails_the_run_as_timed_out() throws Exception {
    Path root = newSourceDir();
    writeRandom(root, "big.bin", 32L * 1024 * 1024, 7);
    Path staging = staging();
    java.util.concurrent.CompletableFuture<TransferReport> run =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> transferTimingOut(source(rel(root)), staging, 1024L * 1024));
    Tools.await(
        "the daemon to send data",
        Duration.ofSeconds(15),
        () ->
            !daemon.connections().isEmpty() && log.stream().anyMatch(l -> l.startsWith("running")));
    Thread.sleep(1_500); // some data flows first
    java.util.List<ProcessHandle> senders = daemon.connections();
    signal("STOP", senders);
    long stopped = System.nanoTime();
    try {
      assertThatThrownBy(() -> run.get(20, java.util.concurrent.TimeUnit.SECONDS))
          .hasCauseInstanceOf(TransferException.class)
          .cause()
          .hasMessageContaining("timed out")
          .satisfies(e -> assertThat(((TransferException) e).retryable()).isTrue());
      assertThat(Duration.ofNanos(System.nanoTime() - stopped))
          .isBetween(Duration.ofSeconds(2), Duration.ofSeconds(12));
    } finally {
      signal("CONT", senders);
    }
  }

  /** A transfer with a 2-second I/O timeout. */
  private TransferReport transferTimingOut(Source source, Path staging, Long bandwidthLimit) {
    return new RsyncTransfer()
        .transfer(
            new dev.syncjobs.core.port.TransferRequest(
                source,
                null,
                null,
                staging,
                java.util.Optional.empty(),
                null,
                new dev.syncjobs.core.port.TransferRequest.Options(
                    true, false, bandwidthLimit, Duration.ofSeconds(2)),
                null,
                null,
                log::add));
  }

  private static void signal(String name, java.util.List<ProcessHandle> processes)
      throws Exception {
    for (ProcessHandle p : processes) {
      new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).start().waitFor();
    }
  }
}
