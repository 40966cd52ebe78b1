package dev.syncjobs.rsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.memory.SettableClock;
import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.FilterRule;
import dev.syncjobs.core.model.Filters;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import dev.syncjobs.core.run.SyncEngine;
import dev.syncjobs.core.version.StorageBackends;
import dev.syncjobs.core.version.VersionDiff;
import dev.syncjobs.core.version.VersionStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behaviour every way of reaching rsync (daemon, daemon with a password, ssh) must show, against a
 * real server started by the subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RsyncTransferContract {
  private static final long LARGE = 24L * 1024 * 1024;

  /** The directory the server serves. */
  protected Path served;

  private Path work;
  protected Path tmp;
  private Path storageRoot;
  private SettableClock clock;
  protected final List<String> log = new CopyOnWriteArrayList<>();

  /** Starts the server, serving {@code root}. */
  abstract void startServer(Path work, Path root) throws Exception;

  abstract void stopServer() throws Exception;

  /** The source URL for a directory under the served root. */
  abstract Source source(String relative);

  /** Credentials for {@link #source}, or null. */
  abstract SourceAuth auth();

  /** A source on a port nothing listens on. */
  abstract Source unreachableSource(int port);

  @BeforeAll
  void startAll() throws Exception {
    Tools.require("rsync", "rsync");
    work = Files.createTempDirectory("syncjobs-rsync-test-");
    served = Files.createDirectories(work.resolve("served"));
    startServer(work, served);
  }

  @AfterAll
  void stopAll() throws Exception {
    stopServer();
    if (work != null) {
      try (Stream<Path> s = Files.walk(work)) {
        for (Path p : s.sorted(Collections.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @BeforeEach
  void setUp(@TempDir Path dir) {
    tmp = dir;
    storageRoot = dir.resolve("storage");
    StorageBackends.initialiseOwnRoot(new StorageBackend("default", storageRoot));
    clock = new SettableClock(Instant.parse("2026-11-23T03:00:00Z"));
    log.clear();
  }

  // ---------------------------------------------------------------- helpers

  protected Path newSourceDir() throws IOException {
    return Files.createDirectories(served.resolve("t-" + UUID.randomUUID()));
  }

  protected String rel(Path dir) {
    return served.relativize(dir).toString();
  }

  protected static void write(Path root, String relative, String content) throws IOException {
    Path f = root.resolve(relative);
    Files.createDirectories(f.getParent());
    Files.deleteIfExists(f);
    Files.writeString(f, content);
    Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
  }

  protected static void writeRandom(Path root, String relative, long size, long seed)
      throws IOException {
    Path f = root.resolve(relative);
    Files.createDirectories(f.getParent());
    Random random = new Random(seed);
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(f)) {
      for (long left = size; left > 0; left -= chunk.length) {
        random.nextBytes(chunk);
        out.write(chunk, 0, (int) Math.min(left, chunk.length));
      }
    }
  }

  /** A small mixed tree: nested folders, a name with a space, an empty folder. */
  protected Path smallTree() throws IOException {
    Path root = newSourceDir();
    write(root, "readme.txt", "hello\n");
    write(root, "docs/guide one.txt", "guide\n");
    write(root, "docs/deep/nested.txt", "nested\n");
    write(root, "data/a.bin", "a".repeat(5000));
    write(root, "data/b.bin", "b".repeat(7000));
    Files.createDirectories(root.resolve("empty"));
    return root;
  }

  /** Relative path → content digest (files), "dir" (folders) or "-> target" (links). */
  protected static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        if (p.equals(root)) {
          continue;
        }
        String rel = root.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          out.put(rel, "-> " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p)) {
          out.put(rel, "dir");
        } else {
          out.put(rel, digest(p));
        }
      }
    }
    return out;
  }

  protected static String digest(Path p) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(Files.readAllBytes(p)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  protected Path staging() throws IOException {
    return Files.createDirectories(tmp.resolve("dest").resolve("20261123T030000Z.partial"));
  }

  protected TransferRequest request(
      Source source,
      Path staging,
      Optional<Path> previous,
      Filters filters,
      Long bandwidthLimit,
      List<Progress> progress,
      CancellationToken cancel) {
    return new TransferRequest(
        source,
        auth(),
        null,
        staging,
        previous,
        filters,
        new TransferRequest.Options(true, false, bandwidthLimit, Duration.ofSeconds(30)),
        progress == null ? null : progress::add,
        cancel,
        log::add);
  }

  protected TransferReport transfer(Source source, Path staging) {
    return new RsyncTransfer()
        .transfer(request(source, staging, Optional.empty(), null, null, null, null));
  }

  private Job job(Source source, JobOptions options, List<FilterRule> filters) {
    return Job.builder(
            new JobId(UUID.randomUUID()), "rsync-mirror", source, new Destination("default", "m"))
        .auth(auth())
        .options(options)
        .filters(filters)
        .build();
  }

  private SyncEngine engine() {
    return new SyncEngine(
        new StorageBackends(List.of(new StorageBackend("default", storageRoot))),
        List.of(new RsyncTransfer()),
        clock);
  }

  private SyncEngine.Result run(Job job) {
    clock.advance(Duration.ofMinutes(1));
    return engine().execute(job, new CancellationToken(), p -> {}, log::add);
  }

  private VersionStore store() {
    return new VersionStore(storageRoot.resolve("m"));
  }

  protected static Object inode(Path p) throws IOException {
    return Files.readAttributes(
            p, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
        .fileKey();
  }

  // ---------------------------------------------------------------- tests

  @Test
  void full_copy_mirrors_the_source_tree_exactly() throws IOException {
    Path root = smallTree();
    Files.createSymbolicLink(root.resolve("docs/link-to-readme"), Path.of("../readme.txt"));
    Files.createSymbolicLink(root.resolve("escape-absolute"), Path.of("/etc/hostname"));
    Files.createSymbolicLink(root.resolve("docs/escape-up"), Path.of("../../../outside"));
    Path staging = staging();

    TransferReport report = transfer(source(rel(root)), staging);

    Map<String, String> expected = snapshot(root);
    expected.remove("escape-absolute");
    expected.remove("docs/escape-up");
    assertThat(snapshot(staging)).isEqualTo(expected);
    assertThat(report.filesTotal()).isEqualTo(5);
    // bytes as rsync counts a source: a link's size is the length of its target, and the unsafe
    // links it leaves out still count
    long linkTargets = "../readme.txt".length() + "/etc/hostname".length();
    linkTargets += "../../../outside".length();
    assertThat(report.bytesTotal()).isEqualTo(6 + 6 + 7 + 5000 + 7000 + linkTargets);
    assertThat(report.filesTransferred()).isEqualTo(5);
    assertThat(report.bytesTransferred()).isEqualTo(6 + 6 + 7 + 5000 + 7000);
    // every file, as writesReadOnlyFiles() promises the engine
    try (var files = Files.walk(staging)) {
      List<Path> regular =
          files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList();
      assertThat(regular).hasSize(5);
      for (Path f : regular) {
        assertThat(Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS))
            .as(f.toString())
            .doesNotContain(
                PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.OTHERS_WRITE);
      }
    }
    assertThat(new RsyncTransfer().writesReadOnlyFiles()).isTrue();
    assertThat(Files.getLastModifiedTime(staging.resolve("readme.txt")))
        .isEqualTo(FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
  }

  @Test
  void progress_is_monotonic_and_ends_at_100_percent() throws IOException {
    Path root = smallTree();
    writeRandom(root, "big/large.bin", 6 * 1024 * 1024, 7);
    List<Progress> seen = new CopyOnWriteArrayList<>();

    TransferReport report =
        new RsyncTransfer()
            .transfer(
                request(
                    source(rel(root)),
                    staging(),
                    Optional.empty(),
                    null,
                    2L * 1024 * 1024,
                    seen,
                    null));

    assertThat(seen.size()).isGreaterThanOrEqualTo(2);
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i).percent()).isGreaterThanOrEqualTo(seen.get(i - 1).percent());
      assertThat(seen.get(i).bytesDone()).isGreaterThanOrEqualTo(seen.get(i - 1).bytesDone());
      assertThat(seen.get(i).filesDone()).isGreaterThanOrEqualTo(seen.get(i - 1).filesDone());
    }
    // while rsync's list grows the byte total is an estimate that never passes the truth
    assertThat(seen)
        .allSatisfy(p -> assertThat(p.bytesTotal()).isLessThanOrEqualTo(report.bytesTotal()));
    assertThat(seen.get(seen.size() - 1).bytesTotal()).isEqualTo(report.bytesTotal());
    assertThat(seen).anySatisfy(p -> assertThat(p.percent()).isBetween(1.0, 99.0));
    assertThat(seen).extracting(Progress::currentFile).contains("big/large.bin");
    Progress last = seen.get(seen.size() - 1);
    assertThat(last.percent()).isEqualTo(100.0);
    assertThat(last.filesDone()).isEqualTo(6);
    assertThat(last.filesTotal()).isEqualTo(6);
  }

  @Test
  void unchanged_files_are_hard_links_to_the_read_only_previous_version() throws IOException {
    Path root = smallTree();
    Files.createSymbolicLink(root.resolve("docs/link-to-readme"), Path.of("../readme.txt"));
    Path first = staging();
    transfer(source(rel(root)), first);
    try (Stream<Path> s = Files.walk(first)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        Files.setPosixFilePermissions(
            f,
            java.util.Set.of(
                PosixFilePermission.OWNER_READ,
                PosixFilePermission.GROUP_READ,
                PosixFilePermission.OTHERS_READ));
      }
    }
    write(root, "docs/added.txt", "added\n");
    Path second = Files.createDirectories(tmp.resolve("dest").resolve("20261123T040000Z.partial"));
    List<Progress> seen = new ArrayList<>();

    TransferReport report =
        new RsyncTransfer()
            .transfer(
                request(source(rel(root)), second, Optional.of(first), null, null, seen, null));

    assertThat(report.sameAsPrevious()).isFalse();
    assertThat(report.filesTransferred()).isEqualTo(1);
    assertThat(report.bytesTransferred()).isEqualTo(6);
    assertThat(snapshot(second)).isEqualTo(snapshot(root));
    try (Stream<Path> s = Files.walk(second)) {
      for (Path f : s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
        if (!f.endsWith("docs/added.txt")) {
          assertThat(inode(f))
              .as(f.toString())
              .isEqualTo(inode(first.resolve(second.relativize(f))));
        }
      }
    }
    assertThat(VersionDiff.compare(second, Optional.of(first)).added()).isEqualTo(1);
    assertThat(seen.get(seen.size() - 1).percent()).isEqualTo(100.0);
  }

  @Test
  void second_run_without_changes_transfers_nothing_and_publishes_no_version() throws IOException {
    Path root = smallTree();
    Job job = job(source(rel(root)), JobOptions.DEFAULTS, List.of());

    SyncEngine.Result first = run(job);
    SyncEngine.Result second = run(job);

    assertThat(first.outcome().status()).as(String.join("\n", log)).isEqualTo(RunStatus.SUCCESS);
    assertThat(second.outcome().status()).as(String.join("\n", log)).isEqualTo(RunStatus.SUCCESS);
    assertThat(second.outcome().version()).isEqualTo(first.outcome().version());
    assertThat(second.outcome().progress().bytesDone()).isZero();
    assertThat(second.outcome().progress().filesDone()).isZero();
    assertThat(store().versions()).hasSize(1);
    assertThat(store().partials()).isEmpty();
    assertThat(second.outcome().progress().filesTotal()).isEqualTo(5);
    assertThat(second.outcome().progress().bytesTotal()).isEqualTo(6 + 6 + 7 + 5000 + 7000);
    // the second run's rsync compared without staging anything: no run linking into a staging
    List<String> rsyncRuns = log.stream().filter(l -> l.startsWith("running ")).toList();
    assertThat(rsyncRuns).hasSize(2);
    assertThat(rsyncRuns.get(1)).contains("--dry-run").doesNotContain("--link-dest");
    assertThat(log).anyMatch(l -> l.contains("5 files (12019 bytes) in the source, all as in"));
  }

  @Test
  void run_after_one_file_changed_publishes_a_version_whose_other_files_are_hard_links()
      throws IOException {
    Path root = smallTree();
    Job job = job(source(rel(root)), JobOptions.DEFAULTS, List.of());
    String v1 = run(job).outcome().version();
    write(root, "data/a.bin", "A".repeat(5001));

    SyncEngine.Result second = run(job);

    assertThat(second.outcome().status()).as(String.join("\n", log)).isEqualTo(RunStatus.SUCCESS);
    String v2 = second.outcome().version();
    assertThat(v2).isNotEqualTo(v1);
    assertThat(store().current()).contains(store().dir().resolve(v2));
    Path p1 = store().dir().resolve(v1);
    Path p2 = store().dir().resolve(v2);
    assertThat(Files.readString(p2.resolve("data/a.bin"))).isEqualTo("A".repeat(5001));
    assertThat(Files.readString(p1.resolve("data/a.bin"))).isEqualTo("a".repeat(5000));
    assertThat(inode(p2.resolve("data/a.bin"))).isNotEqualTo(inode(p1.resolve("data/a.bin")));
    for (String same :
        List.of("readme.txt", "docs/guide one.txt", "docs/deep/nested.txt", "data/b.bin")) {
      assertThat(inode(p2.resolve(same))).as(same).isEqualTo(inode(p1.resolve(same)));
    }
    assertThat(second.outcome().progress().filesDone()).isEqualTo(1);
    assertThat(second.outcome().progress().bytesDone()).isEqualTo(5001);
  }

  @Test
  void changed_added_and_removed_files_with_delete_removed() throws IOException {
    Path root = smallTree();
    Job job = job(source(rel(root)), JobOptions.DEFAULTS.withDeleteRemoved(true), List.of());
    String v1 = run(job).outcome().version();
    write(root, "readme.txt", "changed\n");
    write(root, "docs/new.txt", "new\n");
    Files.delete(root.resolve("data/b.bin"));

    SyncEngine.Result second = run(job);

    assertThat(second.outcome().status()).as(String.join("\n", log)).isEqualTo(RunStatus.SUCCESS);
    Path v2 = store().dir().resolve(second.outcome().version());
    assertThat(snapshot(v2)).isEqualTo(snapshot(root));
    assertThat(store().dir().resolve(v1).resolve("data/b.bin")).exists();
  }

  @Test
  void removed_files_are_carried_over_without_delete_removed() throws IOException {
    Path root = smallTree();
    Job job = job(source(rel(root)), JobOptions.DEFAULTS.withDeleteRemoved(false), List.of());
    String v1 = run(job).outcome().version();
    write(root, "readme.txt", "changed\n");
    write(root, "docs/new.txt", "new\n");
    Files.delete(root.resolve("data/b.bin"));

    SyncEngine.Result second = run(job);

    assertThat(second.outcome().status()).as(String.join("\n", log)).isEqualTo(RunStatus.SUCCESS);
    Path v2 = store().dir().resolve(second.outcome().version());
    assertThat(Files.readString(v2.resolve("readme.txt"))).isEqualTo("changed\n");
    assertThat(Files.readString(v2.resolve("docs/new.txt"))).isEqualTo("new\n");
    assertThat(inode(v2.resolve("data/b.bin")))
        .isEqualTo(inode(store().dir().resolve(v1).resolve("data/b.bin")));
  }

  @Test
  void filter_rules_apply_in_their_order_and_leave_no_empty_folders() throws IOException {
    Path root = newSourceDir();
    write(root, "logs/keep.log", "keep\n");
    write(root, "logs/other.log", "other\n");
    write(root, "logs/notes.txt", "notes\n");
    write(root, "old/only.log", "old\n");
    write(root, "tmp/scratch.txt", "scratch\n");
    write(root, "top.txt", "top\n");
    Filters keepFirst =
        Filters.of(
            List.of(FilterRule.parse("+ logs/keep.log"), FilterRule.parse("- *.log")),
            null,
            "tmp/");
    Filters excludeFirst =
        Filters.of(
            List.of(FilterRule.parse("- *.log"), FilterRule.parse("+ logs/keep.log")),
            null,
            "tmp/");

    Path a = staging();
    new RsyncTransfer()
        .transfer(request(source(rel(root)), a, Optional.empty(), keepFirst, null, null, null));
    Path b = Files.createDirectories(tmp.resolve("other").resolve("x.partial"));
    new RsyncTransfer()
        .transfer(request(source(rel(root)), b, Optional.empty(), excludeFirst, null, null, null));

    assertThat(snapshot(a).keySet())
        .containsExactly("logs", "logs/keep.log", "logs/notes.txt", "top.txt");
    assertThat(snapshot(b).keySet()).containsExactly("logs", "logs/notes.txt", "top.txt");
  }

  @Test
  void include_pattern_keeps_only_matching_files_and_the_folders_leading_to_them()
      throws IOException {
    Path root = newSourceDir();
    write(root, "isos/debian.iso", "iso\n");
    write(root, "isos/SHA256SUMS", "sums\n");
    write(root, "deep/er/ubuntu.iso", "iso2\n");
    write(root, "docs/readme.txt", "docs\n");
    Path staging = staging();

    new RsyncTransfer()
        .transfer(
            request(
                source(rel(root)),
                staging,
                Optional.empty(),
                Filters.of(List.of(), "*.iso", null),
                null,
                null,
                null));

    assertThat(snapshot(staging).keySet())
        .containsExactly("deep", "deep/er", "deep/er/ubuntu.iso", "isos", "isos/debian.iso");
  }

  @Test
  void cancel_mid_transfer_stops_rsync_within_5_seconds_and_leaves_current_untouched()
      throws Exception {
    Path root = smallTree();
    Job job = job(source(rel(root)), JobOptions.DEFAULTS, List.of());
    String v1 = run(job).outcome().version();
    Map<String, String> before = snapshot(store().dir().resolve(v1));
    writeRandom(root, "large.bin", LARGE, 1);
    Job slow =
        job(
            source(rel(root)),
            new JobOptions(true, false, true, 50, 3, 2L * 1024 * 1024, 0),
            List.of());
    CancellationToken token = new CancellationToken();
    AtomicReference<Progress> latest = new AtomicReference<>(Progress.NONE);
    clock.advance(Duration.ofMinutes(1));
    CompletableFuture<SyncEngine.Result> result =
        CompletableFuture.supplyAsync(() -> engine().execute(slow, token, latest::set, log::add));
    Tools.await(
        "the large file to be under way",
        Duration.ofSeconds(20),
        () -> "large.bin".equals(latest.get().currentFile()) && latest.get().bytesDone() > 0);
    long pid = rsyncPid(store().dir());
    List<ProcessHandle> processes =
        new ArrayList<>(RsyncProcesses.tree(ProcessHandle.of(pid).orElseThrow()));

    long start = System.nanoTime();
    token.cancel();
    SyncEngine.Result r = result.get(10, TimeUnit.SECONDS);
    System.err.println(
        +(System.nanoTime() - start) / 1_000_000
            + " ms; processes "
            + processes
            + " alive "
            + processes.stream().filter(ProcessHandle::isAlive).toList());

    Tools.await(
        "rsync and its children to be gone",
        Duration.ofSeconds(5).minusNanos(System.nanoTime() - start),
        () -> processes.stream().noneMatch(ProcessHandle::isAlive));
    assertThat(r.outcome().status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(store().current()).contains(store().dir().resolve(v1));
    assertThat(store().versions()).hasSize(1);
    assertThat(snapshot(store().dir().resolve(v1))).isEqualTo(before);
    assertThat(store().partials()).hasSize(1);
    try (Stream<Path> s = Files.list(store().dir())) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".pid"));
    }
  }

  /** The pid recorded next to the staging directory of a running transfer. */
  protected static long rsyncPid(Path destination) throws IOException {
    AtomicReference<Path> pidFile = new AtomicReference<>();
    Tools.await(
        "a pid file",
        Duration.ofSeconds(10),
        () -> {
          try (Stream<Path> s = Files.list(destination)) {
            s.filter(p -> p.getFileName().toString().endsWith(".partial.pid"))
                .findFirst()
                .ifPresent(pidFile::set);
          } catch (IOException e) {
            return false;
          }
          return pidFile.get() != null;
        });
    return Long.parseLong(Files.readString(pidFile.get()).trim().split("\\s+")[0]);
  }

  @Test
  void an_interrupted_large_file_resumes_from_its_partial_data() throws Exception {
    Path root = newSourceDir();
    writeRandom(root, "large.bin", LARGE, 3);
    write(root, "small.txt", "small\n");
    Path staging = staging();
    CancellationToken token = new CancellationToken();
    List<Progress> seen = new CopyOnWriteArrayList<>();
    CompletableFuture<TransferReport> first =
        CompletableFuture.supplyAsync(
            () ->
                new RsyncTransfer()
                    .transfer(
                        request(
                            source(rel(root)),
                            staging,
                            Optional.empty(),
                            null,
                            4L * 1024 * 1024,
                            seen,
                            token)));
    Tools.await(
        "a third of the large file",
        Duration.ofSeconds(30),
        () -> !seen.isEmpty() && seen.get(seen.size() - 1).bytesDone() > LARGE / 3);
    token.cancel();
    assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(CancelledException.class);
    assertThat(RsyncCommand.partialDir(staging).resolve("large.bin")).exists();
    assertThat(snapshot(staging).keySet()).noneMatch(n -> n.contains("partial"));
    log.clear();

    TransferReport second = transfer(source(rel(root)), staging);

    assertThat(snapshot(staging)).isEqualTo(snapshot(root));
    assertThat(RsyncCommand.partialDir(staging)).doesNotExist();
    assertThat(second.filesTotal()).isEqualTo(2);
    long received =
        log.stream()
            .filter(l -> l.startsWith("rsync: ") && l.endsWith(" bytes received"))
            .map(l -> l.replaceAll(".* (\\d+) bytes received$", "$1"))
            .mapToLong(Long::parseLong)
            .findFirst()
            .orElseThrow();
    assertThat(received).isLessThan(LARGE * 3 / 4);
  }

  @Test
  void a_source_file_vanishing_mid_run_ends_with_a_warning() throws Exception {
    Path root = newSourceDir();
    writeRandom(root, "a-large.bin", 6L * 1024 * 1024, 5);
    write(root, "z-vanishing.txt", "soon gone\n");
    Path staging = staging();
    List<Progress> seen = new CopyOnWriteArrayList<>();
    CompletableFuture<TransferReport> result =
        CompletableFuture.supplyAsync(
            () ->
                new RsyncTransfer()
                    .transfer(
                        request(
                            source(rel(root)),
                            staging,
                            Optional.empty(),
                            null,
                            3L * 1024 * 1024,
                            seen,
                            null)));
    Tools.await(
        "the large file to be under way",
        Duration.ofSeconds(20),
        () -> seen.stream().anyMatch(p -> "a-large.bin".equals(p.currentFile())));
    Files.delete(root.resolve("z-vanishing.txt"));

    TransferReport report = result.get(30, TimeUnit.SECONDS);

    assertThat(report.warnings()).singleElement().asString().contains("vanished");
    assertThat(staging.resolve("a-large.bin")).exists();
    assertThat(staging.resolve("z-vanishing.txt")).doesNotExist();
    assertThat(log).anyMatch(l -> l.startsWith("rsync: ") && l.contains("vanished"));
  }

  @Test
  void a_missing_source_path_fails_with_a_clear_error() throws IOException {
    Path staging = staging();

    assertThatThrownBy(() -> transfer(source("no-such-dir"), staging))
        .isInstanceOf(TransferException.class)
        .hasMessageContaining("does not exist or cannot be read");
  }

  @Test
  void an_unreachable_server_fails_with_a_retryable_connection_error() throws IOException {
    Path staging = staging();
    long start = System.nanoTime();

    assertThatThrownBy(() -> transfer(unreachableSource(Tools.freePort()), staging))
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.retryable()).isTrue())
        .hasMessageContaining("cannot connect");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
  }
}
