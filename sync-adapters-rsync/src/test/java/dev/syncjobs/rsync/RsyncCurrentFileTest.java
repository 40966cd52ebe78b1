package dev.syncjobs.rsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** rsync's receiver, found in a real transfer, under the guard and without it. */
class RsyncCurrentFileTest {
  @TempDir Path work;
  private RsyncDaemon daemon;
  private Process rsync;

  @BeforeEach
  void start() throws Exception {
    Tools.require("rsync", "rsync");
    Path served = Files.createDirectories(work.resolve("served"));
    Files.write(served.resolve("one.bin"), new byte[4 * 1024 * 1024]);
    daemon = RsyncDaemon.start(work, served);
  }

  @AfterEach
  void stop() throws Exception {
    if (rsync != null) {
      RsyncProcesses.killNow(rsync.toHandle());
      rsync.waitFor(5, TimeUnit.SECONDS);
    }
    daemon.close();
  }

  @Test
  void the_receiver_is_rsyncs_own_child_without_the_guard() throws Exception {
    assertReceiverFound(List.of());
  }

  @Test
  void the_receiver_is_rsyncs_own_child_under_the_guard() throws Exception {
    Tools.require("setpriv", "util-linux");
    Tools.require("setsid", "util-linux");
    RsyncProcesses.Launcher launcher = RsyncProcesses.launcher();
    assertThat(launcher.guarded()).isTrue();
    assertReceiverFound(launcher.prefix());
  }

  private void assertReceiverFound(List<String> prefix) throws Exception {
    Path staging = Files.createDirectories(work.resolve("staging"));
    List<String> argv = new ArrayList<>(prefix);
    argv.addAll(List.of("rsync", "-rt", "--bwlimit=256", daemon.url("data/"), staging + "/"));
    rsync =
        new ProcessBuilder(argv)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    RsyncCurrentFile files = new RsyncCurrentFile(rsync.toHandle(), staging.toRealPath());
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (files.receiver() <= 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    long receiver = files.receiver();
    assertThat(receiver).as("the receiver's pid").isPositive();
    ProcessHandle h = ProcessHandle.of(receiver).orElseThrow();
    Optional<String> command = h.info().command();
    assertThat(command)
        .hasValueSatisfying(
            c -> assertThat(Path.of(c).getFileName().toString()).startsWith("rsync"));
    ProcessHandle parent = h.parent().orElseThrow();
    assertThat(parent.info().command()).isEqualTo(command);
    assertThat(rsync.toHandle().descendants().map(ProcessHandle::pid)).contains(receiver);
    assertThat(receiver).isNotEqualTo(rsync.pid());
  }
}
