package dev.syncjobs.rsync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.Filters;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Live progress of a real transfer from an rsync daemon, slowed down by a bandwidth limit so that
 * it lasts a few seconds: a tree of many small files must report files, bytes and the current file
 * at least once a second while it runs, without rsync writing a line per listed file, both when
 * rsync is asked for its lines ({@link RsyncProgressRequest}) and when an rsync too old for that
 * prints {@code --info=progress2}; one large file must report its bytes as they arrive.
 */
class RsyncLiveProgressTest {
  private static final int FILES = 300;
  private static final int SIZE = 16 * 1024;
  private static final int LARGE = 6 * 1024 * 1024;

  private Path work;
  private RsyncDaemon daemon;

  /** One progress event and when it came. */
  private record Seen(long nanos, Progress progress) {}

  @BeforeEach
  void start() throws Exception {
    Tools.require("rsync", "rsync");
    work = Files.createTempDirectory("syncjobs-rsync-live-");
    Path served = Files.createDirectories(work.resolve("served"));
    byte[] content = new byte[SIZE];
    for (int i = 0; i < FILES; i++) {
      Path f = served.resolve(String.format("tree/d%02d/f%03d.bin", i % 10, i));
      Files.createDirectories(f.getParent());
      content[0] = (byte) i;
      Files.write(f, content);
    }
    byte[] large = new byte[LARGE];
    new java.util.Random(7).nextBytes(large);
    Files.write(Files.createDirectories(served.resolve("large")).resolve("one.iso"), large);
    daemon = RsyncDaemon.start(work, served);
  }

  @AfterEach
  void stop() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
    try (Stream<Path> s = Files.walk(work)) {
      for (Path p : s.sorted(Collections.reverseOrder()).toList()) {
        p.toFile().setWritable(true);
        Files.deleteIfExists(p);
      }
    }
  }

  /** What a transfer reported, and its log. */
  private record Run(
      TransferReport report, List<Seen> seen, long start, long end, List<String> log) {
    List<Seen> during() {
      return seen.stream().filter(s -> s.progress().percent() < 100.0).toList();
    }

    boolean askedForProgress() {
      String running = log.stream().filter(l -> l.startsWith("running ")).findFirst().orElseThrow();
      return !running.contains("--info=progress2");
    }
  }

  private Run transfer(String rsync, String folder, long bytesPerSecond) throws IOException {
    Path staging =
        Files.createDirectories(work.resolve("dest-" + folder + "/20261123T030000Z.partial"));
    List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    TransferReport report =
        new RsyncTransfer(rsync)
            .transfer(
                new TransferRequest(
                    Source.parse(daemon.url("data/" + folder + "/")),
                    null,
                    null,
                    staging,
                    Optional.empty(),
                    Filters.none(),
                    new TransferRequest.Options(
                        true, false, bytesPerSecond, Duration.ofSeconds(30)),
                    p -> seen.add(new Seen(System.nanoTime(), p)),
                    new CancellationToken(),
                    log::add));
    return new Run(report, seen, start, System.nanoTime(), log);
  }

  /** An rsync that says it is 3.1.3 (before it answered SIGVTALRM), running the real one. */
  private String oldRsync() throws IOException {
    Path script = work.resolve("old-rsync");
    Files.writeString(
        script,
        "#!/bin/sh\n"
            + "if [ \"$1\" = --version ]; then echo 'rsync  version 3.1.3  protocol version 31';"
            + " exit 0; fi\n"
            + "exec rsync \"$@\"\n");
    script.toFile().setExecutable(true);
    return script.toString();
  }

  @Test
  void files_bytes_and_the_current_file_are_reported_at_least_once_a_second() throws IOException {
    // about three seconds for the whole tree
    Run run = transfer("rsync", "tree", (long) FILES * SIZE / 3);
    assertThat(run.askedForProgress()).isTrue();
    assertReportedEverySecond(run);
  }

  @Test
  void an_rsync_too_old_to_be_asked_prints_its_progress_itself() throws IOException {
    Run run = transfer(oldRsync(), "tree", (long) FILES * SIZE / 3);
    assertThat(run.askedForProgress()).isFalse();
    assertReportedEverySecond(run);
  }

  private static void assertReportedEverySecond(Run run) {
    long bytesTotal = (long) FILES * SIZE;
    assertThat(run.report().filesTotal()).isEqualTo(FILES);
    List<Seen> during = run.during();
    assertThat(during).hasSizeGreaterThanOrEqualTo(3);
    long previous = run.start();
    for (Seen s : run.seen()) {
      assertThat(Duration.ofNanos(s.nanos() - previous))
          .as("time since the previous event")
          .isLessThan(Duration.ofMillis(1_500));
      previous = s.nanos();
    }
    assertThat(Duration.ofNanos(run.end() - previous)).isLessThan(Duration.ofMillis(1_500));
    for (Seen s : during) {
      Progress p = s.progress();
      // while the list grows, the totals are what rsync said so far: entries (the 11 folders
      // too) and bytes read off its percentage, never above the truth; known from the second
      // event on (the first may come before rsync's first line)
      long least = s == during.get(0) ? 0 : 1;
      assertThat(p.filesTotal()).isBetween(least, FILES + 11L);
      assertThat(p.bytesTotal()).isBetween(least, bytesTotal);
      // the first event may come before the receiver opened its first file
      if (s != during.get(0) || p.currentFile() != null) {
        assertThat(p.currentFile()).matches("d[0-9]{2}/f[0-9]{3}\\.bin");
      }
    }
    assertThat(during).extracting(s -> s.progress().filesDone()).isSorted();
    assertThat(during).extracting(s -> s.progress().bytesDone()).isSorted();
    assertThat(during)
        .anySatisfy(s -> assertThat(s.progress().filesDone()).isBetween(1L, FILES - 1L));
    assertThat(during)
        .anySatisfy(s -> assertThat(s.progress().bytesDone()).isBetween(1L, bytesTotal - 1));
    Progress last = run.seen().get(run.seen().size() - 1).progress();
    assertThat(last.percent()).isEqualTo(100.0);
    assertThat(last.bytesTotal()).isEqualTo(bytesTotal);
  }

  @Test
  void a_large_files_bytes_and_rate_are_reported_while_it_arrives() throws IOException {
    // about three seconds for the one file
    Run run = transfer("rsync", "large", LARGE / 3);
    assertThat(run.askedForProgress()).isTrue();
    assertThat(run.report().filesTotal()).isEqualTo(1);
    List<Seen> arriving =
        run.seen().stream()
            .filter(s -> s.progress().bytesDone() > 0 && s.progress().bytesDone() < LARGE)
            .toList();
    assertThat(arriving).hasSizeGreaterThanOrEqualTo(3);
    assertThat(arriving)
        .extracting(s -> s.progress().bytesDone())
        .isSorted()
        .doesNotHaveDuplicates();
    assertThat(arriving)
        .allSatisfy(s -> assertThat(s.progress().currentFile()).isEqualTo("one.iso"));
    assertThat(arriving).anySatisfy(s -> assertThat(s.progress().bytesPerSecond()).isPositive());
    // rsync tells nothing before the file is written: its size is asked of the source
    assertThat(arriving)
        .anySatisfy(
            s -> {
              assertThat(s.progress().bytesTotal()).isEqualTo(LARGE);
              assertThat(s.progress().etaSeconds()).isNotNegative();
            });
    Progress last = run.seen().get(run.seen().size() - 1).progress();
    assertThat(last.bytesDone()).isEqualTo(LARGE);
  }
}
