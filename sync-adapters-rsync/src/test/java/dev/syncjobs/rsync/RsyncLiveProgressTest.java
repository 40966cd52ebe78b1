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
 * Live progress of a real transfer from an rsync daemon: a tree of many small files, slowed down by
 * a bandwidth limit so that it lasts a few seconds, must report files, bytes and the current file
 * at least once a second while it runs, without rsync writing a line per listed file.
 */
class RsyncLiveProgressTest {
  private static final int FILES = 300;
  private static final int SIZE = 16 * 1024;

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
      Path f = served.resolve(String.format("d%02d/f%03d.bin", i % 10, i));
      Files.createDirectories(f.getParent());
      content[0] = (byte) i;
      Files.write(f, content);
    }
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

  @Test
  void files_bytes_and_the_current_file_are_reported_at_least_once_a_second() throws IOException {
    Path staging = Files.createDirectories(work.resolve("dest/20261123T030000Z.partial"));
    List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    long bytesTotal = (long) FILES * SIZE;
    long start = System.nanoTime();

    TransferReport report =
        new RsyncTransfer()
            .transfer(
                new TransferRequest(
                    Source.parse(daemon.url("data/")),
                    null,
                    null,
                    staging,
                    Optional.empty(),
                    Filters.none(),
                    // about three seconds for the whole tree
                    new TransferRequest.Options(
                        true, false, bytesTotal / 3, Duration.ofSeconds(30)),
                    p -> seen.add(new Seen(System.nanoTime(), p)),
                    new CancellationToken(),
                    line -> {}));
    long end = System.nanoTime();

    assertThat(report.filesTotal()).isEqualTo(FILES);
    List<Seen> during = seen.stream().filter(s -> s.progress().percent() < 100.0).toList();
    assertThat(during).hasSizeGreaterThanOrEqualTo(3);
    long previous = start;
    for (Seen s : seen) {
      assertThat(Duration.ofNanos(s.nanos() - previous))
          .as("time since the previous event")
          .isLessThan(Duration.ofMillis(1_500));
      previous = s.nanos();
    }
    assertThat(Duration.ofNanos(end - previous)).isLessThan(Duration.ofMillis(1_500));
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
    assertThat(during)
        .anySatisfy(s -> assertThat(s.progress().filesDone()).isBetween(1L, FILES - 1L));
    assertThat(during)
        .anySatisfy(s -> assertThat(s.progress().bytesDone()).isBetween(1L, bytesTotal - 1));
    Progress last = seen.get(seen.size() - 1).progress();
    assertThat(last.percent()).isEqualTo(100.0);
    assertThat(last.bytesTotal()).isEqualTo(bytesTotal);
  }
}
