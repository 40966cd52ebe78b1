package dev.syncjobs.rsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.FilterRule;
import dev.syncjobs.core.model.Filters;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.port.TransferRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RsyncCommandTest {
  @TempDir Path tmp;
  private final List<String> log = new ArrayList<>();

  private RsyncCommand build(
      String url, SourceAuth auth, Filters filters, Long bwlimit, boolean checksum) {
    return build(url, auth, filters, bwlimit, checksum, false);
  }

  private RsyncCommand build(
      String url,
      SourceAuth auth,
      Filters filters,
      Long bwlimit,
      boolean checksum,
      boolean ioWatched) {
    return RsyncCommand.build(
        Path.of("/usr/bin/rsync"),
        new TransferRequest(
            Source.parse(url),
            auth,
            null,
            tmp.resolve("20261123T030000Z.partial"),
            Optional.of(tmp.resolve("20261122T030000Z")),
            filters,
            new TransferRequest.Options(true, checksum, bwlimit, Duration.ofMillis(2500)),
            null,
            null,
            null),
        log::add,
        ioWatched);
  }

  @Test
  void with_the_io_watched_from_proc_rsync_gets_no_timeout_but_still_a_connect_timeout() {
    try (RsyncCommand c =
        build("rsync://mirror.example:8730/debian/pool", null, null, null, false, true)) {
      assertThat(c.ioWatched()).isTrue();
      assertThat(c.arguments())
          .contains("--contimeout=3")
          .noneMatch(a -> a.startsWith("--timeout"));
    }
    try (RsyncCommand c =
        build("rsync://mirror.example:8730/debian/pool", null, null, null, false, false)) {
      assertThat(c.ioWatched()).isFalse();
      assertThat(c.arguments()).contains("--timeout=3");
    }
  }

  @Test
  void the_check_is_the_same_selection_as_a_dry_run_into_the_previous_version() {
    Filters filters = Filters.of(List.of(FilterRule.parse("- *.iso")), null, null);
    TransferRequest request =
        nightly(
            "rsync://mirror.example/debian/pool",
            filters,
            new TransferRequest.Options(true, true, null, Duration.ofSeconds(5)));
    List<String> run;
    try (RsyncCommand c = RsyncCommand.build(Path.of("/usr/bin/rsync"), request, log::add)) {
      run = c.arguments();
    }
    try (RsyncCommand c =
        RsyncCommand.buildCheck(
            Path.of("/usr/bin/rsync"), request, tmp.resolve("20261122T030000Z"), log::add)) {
      List<String> check = c.arguments();
      assertThat(check)
          .contains("--dry-run", "--out-format=%i %n", "--checksum", "--filter=- *.iso");
      assertThat(check)
          .noneMatch(a -> a.startsWith("--link-dest") || a.startsWith("--partial-dir"))
          .noneMatch(a -> a.startsWith("--info"));
      assertThat(check.get(check.size() - 1)).isEqualTo(tmp.resolve("20261122T030000Z") + "/");
      // every other option of the run, so both compare the same way
      List<String> shared =
          run.stream()
              .filter(a -> !a.startsWith("--link-dest") && !a.startsWith("--partial-dir"))
              .filter(a -> !a.startsWith("--info"))
              .toList();
      assertThat(check.subList(0, check.size() - 1))
          .containsAll(shared.subList(0, shared.size() - 1));
    }
  }

  @Test
  void the_check_of_a_job_that_keeps_removed_files_deletes_nothing_while_its_run_does() {
    TransferRequest request =
        nightly(
            "rsync://mirror.example/debian/pool",
            null,
            new TransferRequest.Options(true, false, null, Duration.ofSeconds(5), null, true));
    try (RsyncCommand c =
        RsyncCommand.buildCheck(
            Path.of("/usr/bin/rsync"), request, tmp.resolve("20261122T030000Z"), log::add)) {
      assertThat(c.arguments()).contains("--dry-run").noneMatch(a -> a.startsWith("--delete"));
    }
    try (RsyncCommand c = RsyncCommand.build(Path.of("/usr/bin/rsync"), request, log::add)) {
      // staging holds what the source has; the engine carries the rest over
      assertThat(c.arguments()).contains("--delete", "--delete-excluded");
    }
  }

  @Test
  void the_listed_run_reads_names_from_the_modules_top_without_recursion_deletion_or_filters() {
    Filters filters = Filters.of(List.of(FilterRule.parse("- *.iso")), null, null);
    TransferRequest request =
        nightly(
            "rsync://mirror.example:8730/debian/pool/main",
            filters,
            new TransferRequest.Options(true, false, null, Duration.ofSeconds(5)));
    Path list = tmp.resolve("list");
    try (RsyncCommand c =
        RsyncCommand.buildListed(Path.of("/usr/bin/rsync"), request, list, log::add)) {
      List<String> a = c.arguments();
      assertThat(a)
          .contains(
              "--files-from=" + list, "--from0", "--link-dest=" + tmp.resolve("20261122T030000Z"))
          .doesNotContain("--recursive", "--delete", "--delete-excluded", "--prune-empty-dirs")
          .noneMatch(x -> x.startsWith("--filter"));
      assertThat(a.subList(a.size() - 3, a.size()))
          .containsExactly(
              "--",
              "rsync://mirror.example:8730/debian/",
              tmp.resolve("20261123T030000Z.partial") + "/");
    }
    assertThat(RsyncEndpoint.listPrefix(request.source())).isEqualTo("pool/main/./");
    assertThat(RsyncEndpoint.listPrefix(Source.parse("rsync://h/debian/"))).isEmpty();
    assertThat(RsyncEndpoint.listPrefix(Source.parse("rsync://h/debian"))).isEmpty();
    assertThat(RsyncEndpoint.listPrefix(Source.parse("ssh://u@h/srv/pool"))).isEmpty();
  }

  @Test
  void the_check_counts_itemized_entries_and_deletions_as_differences_and_nothing_else() {
    for (String line :
        List.of(">f+++++++++", ">f..t......", ".d...p.....", "cL+++++++++", "*deleting  ")) {
      assertThat(RsyncChanges.isItem(line)).as(line).isTrue();
    }
    for (String line :
        List.of(
            "",
            "Number of files: 8 (reg: 5, dir: 3)",
            "Number of regular files transferred: 0",
            "total size is 40960000  speedup is 189.66 (DRY RUN)")) {
      assertThat(RsyncChanges.isItem(line)).as(line).isFalse();
    }
  }

  @Test
  void daemon_sources_get_archive_flags_link_dest_timeouts_and_the_operand_after_a_separator() {
    try (RsyncCommand c =
        build("rsync://mirror.example:8730/debian/pool", null, null, null, false)) {
      List<String> a = c.arguments();
      assertThat(a)
          .contains(
              "--recursive",
              "--links",
              "--perms",
              "--times",
              "--group",
              "--owner",
              "--safe-links",
              "--delete",
              "--chmod=Fa-w",
              "--timeout=3",
              "--contimeout=3",
              "--link-dest=" + tmp.resolve("20261122T030000Z"),
              "--partial-dir=" + tmp.resolve(".syncjobs/20261123T030000Z.partial/rsync-partial"))
          .doesNotContain(
              "--checksum",
              "--devices",
              "--specials",
              "--inplace",
              "-a",
              "--no-inc-recursive",
              "--debug=flist3");
      assertThat(a.subList(a.size() - 3, a.size()))
          .containsExactly(
              "--",
              "rsync://mirror.example:8730/debian/pool/",
              tmp.resolve("20261123T030000Z.partial") + "/");
      assertThat(c.environment())
          .containsEntry("LC_ALL", "C")
          .containsEntry("RSYNC_PASSWORD", null);
    }
  }

  @Test
  void compare_checksums_adds_checksum() {
    try (RsyncCommand c = build("rsync://h/m/p", null, null, null, true)) {
      assertThat(c.arguments()).contains("--checksum");
    }
  }

  @Test
  void bandwidth_limit_becomes_whole_kib_per_second_never_zero() {
    try (RsyncCommand c = build("rsync://h/m/p", null, null, 10L * 1024 * 1024, false)) {
      assertThat(c.arguments()).contains("--bwlimit=10240");
    }
    try (RsyncCommand c = build("rsync://h/m/p", null, null, 1536L, false)) {
      assertThat(c.arguments()).contains("--bwlimit=1");
    }
    try (RsyncCommand c = build("rsync://h/m/p", null, null, 100L, false)) {
      assertThat(c.arguments()).contains("--bwlimit=1");
    }
    assertThat(log).anyMatch(l -> l.contains("raised to rsync's minimum of 1 KiB/s"));
  }

  @Test
  void filters_keep_their_order_and_stay_inside_their_option() {
    Filters filters =
        Filters.of(
            List.of(FilterRule.parse("- --delete-after"), FilterRule.parse("+ keep/*.log")),
            "*.log",
            "-tmp");
    try (RsyncCommand c = build("rsync://h/m/p", null, filters, null, false)) {
      List<String> rules = c.arguments().stream().filter(a -> a.startsWith("--filter=")).toList();
      assertThat(rules)
          .containsExactly(
              "--filter=- --delete-after",
              "--filter=+ keep/*.log",
              "--filter=- -tmp",
              "--filter=+ */",
              "--filter=+ *.log",
              "--filter=- *");
      assertThat(c.arguments()).contains("--prune-empty-dirs").doesNotContain("--delete-after");
    }
  }

  @Test
  void a_daemon_password_goes_to_rsyncs_environment_never_to_its_arguments_or_disk() {
    try (RsyncCommand c =
        build(
            "rsync://h/m/p",
            new SourceAuth(SourceAuth.Type.RSYNC, "alice", "pw-secret", null, null, null),
            null,
            null,
            false)) {
      assertThat(c.environment()).containsEntry("RSYNC_PASSWORD", "pw-secret");
      assertThat(c.arguments())
          .contains("rsync://alice@h/m/p/")
          .noneMatch(a -> a.contains("pw-secret"))
          .noneMatch(a -> a.startsWith("--password-file"));
    }
  }

  @Test
  void without_credentials_an_empty_private_password_file_keeps_rsync_from_prompting()
      throws Exception {
    try (RsyncCommand c = build("rsync://h/m/p", null, null, null, false)) {
      String arg =
          c.arguments().stream().filter(a -> a.startsWith("--password-file=")).findFirst().get();
      Path file = Path.of(arg.substring("--password-file=".length()));
      assertThat(file).isEmptyFile();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      assertThat(c.environment()).containsEntry("RSYNC_PASSWORD", null);
    }
  }

  @Test
  void ssh_sources_get_a_strict_ssh_command_with_private_key_files() throws Exception {
    Path key;
    try (RsyncCommand c =
        build(
            "ssh://backup@files.example:2222/srv/data",
            new SourceAuth(
                SourceAuth.Type.SSH, null, null, null, "KEY", "files.example ssh-ed25519 AAA"),
            null,
            null,
            false)) {
      String rsh = c.arguments().stream().filter(a -> a.startsWith("--rsh=")).findFirst().get();
      assertThat(rsh)
          .contains(
              "-o StrictHostKeyChecking=yes",
              "-o BatchMode=yes",
              "-o IdentitiesOnly=yes",
              "-p 2222",
              "-o UserKnownHostsFile=")
          .doesNotContain("accept-new", "StrictHostKeyChecking=no");
      key = Path.of(rsh.replaceAll(".* -i (\\S+) .*", "$1"));
      assertThat(Files.readString(key)).isEqualTo("KEY\n");
      assertThat(c.arguments()).contains("--protect-args", "backup@files.example:/srv/data/");
      assertThat(c.arguments()).noneMatch(a -> a.startsWith("--password-file"));
    }
    assertThat(key).doesNotExist();
  }

  @Test
  void user_names_that_could_become_options_are_refused() {
    assertThatThrownBy(
            () ->
                build(
                    "rsync://h/m/p",
                    new SourceAuth(
                        SourceAuth.Type.RSYNC, "-oProxyCommand=x", "pw", null, null, null),
                    null,
                    null,
                    false))
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining("not allowed");
  }

  @Test
  void a_path_that_looks_like_an_option_stays_an_operand() {
    try (RsyncCommand c = build("rsync://h/m/--delete-everything", null, null, null, false)) {
      List<String> a = c.arguments();
      int sep = a.indexOf("--");
      assertThat(a.get(sep + 1)).isEqualTo("rsync://h/m/--delete-everything/");
      assertThat(a.subList(0, sep)).doesNotContain("--delete-everything");
    }
  }

  /** A run of {@code url} into a new staging folder, with the version before it. */
  private TransferRequest nightly(String url, Filters filters, TransferRequest.Options options) {
    return new TransferRequest(
        Source.parse(url),
        null,
        null,
        tmp.resolve("20261123T030000Z.partial"),
        Optional.of(tmp.resolve("20261122T030000Z")),
        filters,
        options,
        null,
        null,
        null);
  }
}
