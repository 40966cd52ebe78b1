package dev.syncjobs.core.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.Filters;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTransferTest {
  @TempDir Path tmp;
  Path source;
  final LocalTransfer transfer = new LocalTransfer();

  @BeforeEach
  void setUp() throws Exception {
    source = tmp.resolve("src");
    Files.createDirectories(source.resolve("sub/empty"));
    Files.write(source.resolve("big.bin"), new byte[3 * 1024 * 1024]);
    Files.writeString(source.resolve("sub/a.txt"), "a");
  }

  private TransferRequest request(
      Path staging, Optional<Path> previous, List<Progress> progress, CancellationToken cancel) {
    return new TransferRequest(
        Source.parse(source.toUri().toString()),
        null,
        null,
        staging,
        previous,
        Filters.none(),
        TransferRequest.Options.DEFAULTS,
        progress::add,
        cancel,
        line -> {});
  }

  @Test
  void copies_the_tree_with_monotonic_progress_ending_complete_and_no_empty_folders()
      throws Exception {
    Path staging = Files.createDirectories(tmp.resolve("v1.partial"));
    List<Progress> progress = new CopyOnWriteArrayList<>();
    TransferReport report =
        transfer.transfer(request(staging, Optional.empty(), progress, new CancellationToken()));

    assertThat(report.filesTotal()).isEqualTo(2);
    assertThat(report.filesTransferred()).isEqualTo(2);
    assertThat(report.bytesTotal()).isEqualTo(3 * 1024 * 1024 + 1);
    assertThat(staging.resolve("sub/a.txt")).hasContent("a");
    assertThat(staging.resolve("sub/empty")).doesNotExist();
    for (int i = 1; i < progress.size(); i++) {
      assertThat(progress.get(i).percent()).isGreaterThanOrEqualTo(progress.get(i - 1).percent());
    }
    assertThat(progress.get(progress.size() - 1).percent()).isEqualTo(100.0);
    try (var files = Files.list(staging)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith(".syncjobs-tmp"));
    }
  }

  @Test
  void unchanged_files_are_hard_linked_from_the_previous_version() throws Exception {
    Path v1 = Files.createDirectories(tmp.resolve("v1"));
    transfer.transfer(request(v1, Optional.empty(), new ArrayList<>(), new CancellationToken()));
    Files.writeString(source.resolve("sub/a.txt"), "changed");
    Path v2 = Files.createDirectories(tmp.resolve("v2.partial"));
    TransferReport report =
        transfer.transfer(request(v2, Optional.of(v1), new ArrayList<>(), new CancellationToken()));

    assertThat(report.filesTransferred()).isEqualTo(1);
    assertThat(Files.getAttribute(v2.resolve("big.bin"), "unix:ino"))
        .isEqualTo(Files.getAttribute(v1.resolve("big.bin"), "unix:ino"));
    assertThat(Files.getAttribute(v2.resolve("sub/a.txt"), "unix:ino"))
        .isNotEqualTo(Files.getAttribute(v1.resolve("sub/a.txt"), "unix:ino"));
  }

  @Test
  void cancel_stops_the_copy_and_leaves_no_half_written_file_under_its_name() throws Exception {
    Path staging = Files.createDirectories(tmp.resolve("c.partial"));
    CancellationToken cancel = new CancellationToken();
    List<Progress> progress = new ArrayList<>();
    TransferRequest request =
        new TransferRequest(
            Source.parse(source.toUri().toString()),
            null,
            null,
            staging,
            Optional.empty(),
            Filters.none(),
            TransferRequest.Options.DEFAULTS,
            p -> {
              progress.add(p);
              if (p.bytesDone() > 0) {
                cancel.cancel();
              }
            },
            cancel,
            line -> {});
    assertThatThrownBy(() -> transfer.transfer(request)).isInstanceOf(CancelledException.class);
    assertThat(staging.resolve("big.bin")).doesNotExist();
  }

  @Test
  void leftovers_of_an_interrupted_attempt_are_reused_or_removed() throws Exception {
    Path staging = Files.createDirectories(tmp.resolve("r.partial"));
    Files.createDirectories(staging.resolve("sub"));
    Files.writeString(staging.resolve("sub/a.txt"), "a");
    Files.setLastModifiedTime(
        staging.resolve("sub/a.txt"), Files.getLastModifiedTime(source.resolve("sub/a.txt")));
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(source.resolve("sub/a.txt"));
    mode.removeAll(
        Set.of(
            PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_WRITE));
    Files.setPosixFilePermissions(staging.resolve("sub/a.txt"), mode);
    Files.writeString(staging.resolve("stale.txt"), "no longer in the source");
    TransferReport report =
        transfer.transfer(
            request(staging, Optional.empty(), new ArrayList<>(), new CancellationToken()));
    assertThat(report.filesTransferred()).isEqualTo(1);
    assertThat(staging.resolve("stale.txt")).doesNotExist();
  }

  @Test
  void symbolic_links_are_skipped_and_a_missing_source_is_a_clear_error() throws Exception {
    Files.createSymbolicLink(source.resolve("escape"), Path.of("/etc/passwd"));
    Path staging = Files.createDirectories(tmp.resolve("s.partial"));
    List<String> log = new ArrayList<>();
    transfer.transfer(
        new TransferRequest(
            Source.parse(source.toUri().toString()),
            null,
            null,
            staging,
            Optional.empty(),
            Filters.none(),
            TransferRequest.Options.DEFAULTS,
            p -> {},
            new CancellationToken(),
            log::add));
    assertThat(staging.resolve("escape")).doesNotExist();
    assertThat(log).anyMatch(l -> l.contains("skipped symbolic link \"escape\""));

    Path missing = tmp.resolve("nope");
    assertThatThrownBy(
            () ->
                transfer.transfer(
                    new TransferRequest(
                        Source.parse(missing.toUri().toString()),
                        null,
                        null,
                        staging,
                        Optional.empty(),
                        Filters.none(),
                        null,
                        null,
                        null,
                        null)))
        .isInstanceOf(TransferException.class)
        .hasMessageContaining("does not exist");
  }
}
