package dev.syncjobs.core.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.Filters;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.staging.StagingPaths;
import dev.syncjobs.core.testing.Await;
import dev.syncjobs.core.version.Bookkeeping;
import dev.syncjobs.core.version.VersionStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link Transfer} must do, whatever its source: names land byte for byte and nothing is
 * written outside the staging directory (not even through a link planted in it), unchanged files
 * are hard links of the previous version, temporary names never reach a published version,
 * permissions are never widened, and a cancel stops the transfer within seconds. A module runs it
 * against a real source by extending this class; every transfer must pass it.
 */
public abstract class TransferContract {
  private static final Instant T1 = Instant.parse("2026-11-23T03:00:00Z");
  private static final Instant T2 = Instant.parse("2026-11-23T04:00:00Z");
  private static final FileTime MTIME = FileTime.from(Instant.parse("2026-01-01T00:00:00Z"));

  /** A temporary folder (shared by the tests of a class whose lifecycle is per class). */
  @TempDir protected Path tmp;

  /** A fresh folder for each test, below {@link #tmp}. */
  protected Path work;

  /** The run's log lines of the last transfer. */
  protected final List<String> log = new CopyOnWriteArrayList<>();

  private Path dest;

  /** The transfer under test. */
  protected abstract Transfer transfer();

  /**
   * An empty folder to write a source tree into; it must be one {@link #serve} can serve (e.g.
   * below an rsync daemon's module).
   */
  protected abstract Path newSourceRoot() throws Exception;

  /**
   * Makes the tree at {@code root}, as it is on disk now, the content of a source and returns that
   * source; called again after the tree changed.
   */
  protected abstract Source serve(Path root) throws Exception;

  /** The mode a mirrored file gets from its source's: the same bits without write permission. */
  protected Set<PosixFilePermission> expectedFileMode(Set<PosixFilePermission> source) {
    Set<PosixFilePermission> m = EnumSet.noneOf(PosixFilePermission.class);
    m.addAll(source);
    m.removeAll(
        Set.of(
            PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_WRITE));
    return m;
  }

  /** The mode a mirrored folder gets from its source's (which has the owner's rwx): the same. */
  protected Set<PosixFilePermission> expectedFolderMode(Set<PosixFilePermission> source) {
    return source;
  }

  @BeforeEach
  void newDestination() throws IOException {
    work = Files.createTempDirectory(tmp, "test-");
    dest = Files.createDirectories(work.resolve("dest"));
    log.clear();
  }

  // ------------------------------------------------------------------ the contract

  @Test
  public void hostile_names_land_byte_for_byte_and_nothing_is_written_outside_staging()
      throws Exception {
    Path outside = work.resolve("outside");
    Path root = newSourceRoot();
    List<String> names = hostileNames(outside);
    for (String n : names) {
      write(root, n, "content of " + n);
    }

    Path staging = staging(T1);
    TransferReport report = run(serve(root), staging, Optional.empty());

    assertThat(tree(staging)).isEqualTo(tree(root));
    assertThat(tree(staging)).containsKeys(names.toArray(String[]::new));
    assertThat(report.filesTotal()).isEqualTo(names.size());
    assertThat(report.filesSkipped()).isZero();
    assertThat(outside).doesNotExist();
    assertNothingOutside(staging);
  }

  @Test
  public void source_names_like_syncjobs_records_land_as_any_other_and_records_stay_outside()
      throws Exception {
    Path root = newSourceRoot();
    write(root, ".syncjobs-manifest.tsv", "a source's file named like the old manifest");
    write(root, ".syncjobs-x", "another");
    write(root, ".syncjobs-partial/inside.bin", "x".repeat(3000));
    write(root, "ok.txt", "ok");
    write(root, "sub/.syncjobs-deeper.txt", "deeper");

    Path staging = staging(T1);
    TransferReport report = run(serve(root), staging, Optional.empty());
    VersionStore store = new VersionStore(dest);
    String version = store.publish(staging);

    assertThat(report.filesSkipped()).isZero();
    assertThat(tree(dest.resolve(version))).isEqualTo(tree(root));
    assertThat(VersionStore.files(dest.resolve(version)).keySet()).isEqualTo(tree(root).keySet());
    assertThat(allNames(dest.resolve(version)))
        .noneMatch(n -> n.startsWith(StagingPaths.TEMP_PREFIX));
  }

  @Test
  public void unchanged_files_are_hard_links_of_the_previous_version_changed_ones_are_new()
      throws Exception {
    Path root = newSourceRoot();
    write(root, "same.txt", "unchanged");
    write(root, "back\\slash dir\\same.txt", "unchanged too");
    write(root, "nested/same.bin", "x".repeat(5000));
    write(root, "nested/changes.txt", "before");
    VersionStore store = new VersionStore(dest);
    Path s1 = staging(T1);
    run(serve(root), s1, Optional.empty());
    store.publish(s1);
    Path v1 = store.current().orElseThrow();

    write(root, "nested/changes.txt", "after, and longer");
    Files.setLastModifiedTime(
        root.resolve("nested/changes.txt"), FileTime.from(Instant.parse("2026-02-01T00:00:00Z")));
    Path s2 = staging(T2);
    TransferReport report = run(serve(root), s2, Optional.of(v1));

    for (String same : List.of("same.txt", "back\\slash dir\\same.txt", "nested/same.bin")) {
      assertThat(inode(s2.resolve(same))).as(same).isEqualTo(inode(v1.resolve(same)));
    }
    assertThat(inode(s2.resolve("nested/changes.txt")))
        .isNotEqualTo(inode(v1.resolve("nested/changes.txt")));
    assertThat(Files.readString(s2.resolve("nested/changes.txt"))).isEqualTo("after, and longer");
    assertThat(tree(s2)).isEqualTo(tree(root));
    assertThat(report.filesTransferred()).isEqualTo(1);
  }

  @Test
  public void a_link_planted_in_staging_redirects_no_write() throws Exception {
    Path outsideDir = Files.createDirectories(work.resolve("outside-dir"));
    Path outsideFile = Files.writeString(work.resolve("outside-file.txt"), "keep");
    Path root = newSourceRoot();
    write(root, "sub/a.txt", "a");
    write(root, "top.txt", "top");
    Path staging = staging(T1);
    Files.createSymbolicLink(staging.resolve("sub"), outsideDir);
    Files.createSymbolicLink(staging.resolve("top.txt"), outsideFile);

    run(serve(root), staging, Optional.empty());

    assertThat(outsideDir).isEmptyDirectory();
    assertThat(Files.readString(outsideFile)).isEqualTo("keep");
    assertThat(Files.isSymbolicLink(staging.resolve("sub"))).isFalse();
    assertThat(Files.isSymbolicLink(staging.resolve("top.txt"))).isFalse();
    assertThat(tree(staging)).isEqualTo(tree(root));
  }

  @Test
  public void files_keep_the_source_mode_without_write_bits_and_folders_their_mode()
      throws Exception {
    Path root = newSourceRoot();
    Map<String, String> modes =
        Map.of(
            "private.txt", "rw-------",
            "group.txt", "rw-r-----",
            "public.txt", "rw-r--r--",
            "tool.sh", "rwxr-xr-x",
            "locked/readonly.txt", "r--------");
    for (var m : modes.entrySet()) {
      write(root, m.getKey(), m.getKey());
      Files.setPosixFilePermissions(
          root.resolve(m.getKey()), PosixFilePermissions.fromString(m.getValue()));
    }
    Files.setPosixFilePermissions(
        root.resolve("locked"), PosixFilePermissions.fromString("rwxr-x---"));

    Path staging = staging(T1);
    run(serve(root), staging, Optional.empty());

    for (var m : modes.entrySet()) {
      assertThat(Files.getPosixFilePermissions(staging.resolve(m.getKey())))
          .as(m.getKey())
          .isEqualTo(expectedFileMode(PosixFilePermissions.fromString(m.getValue())));
    }
    assertThat(Files.getPosixFilePermissions(staging.resolve("locked")))
        .isEqualTo(expectedFolderMode(PosixFilePermissions.fromString("rwxr-x---")));
  }

  @Test
  public void cancel_stops_the_transfer_within_seconds() throws Exception {
    Path root = newSourceRoot();
    writeRandom(root, "big.bin", 16L << 20);
    Source source = serve(root);
    Path staging = staging(T1);

    CancellationToken cancel = new CancellationToken();
    AtomicLong bytes = new AtomicLong();
    CompletableFuture<TransferReport> running =
        CompletableFuture.supplyAsync(
            () ->
                transfer()
                    .transfer(
                        request(
                            source,
                            staging,
                            Optional.empty(),
                            256L * 1024,
                            cancel,
                            p -> bytes.accumulateAndGet(p.bytesDone(), Math::max))));
    awaitTrue("bytes to move", Duration.ofSeconds(30), () -> bytes.get() > 0 || running.isDone());
    long started = System.nanoTime();
    cancel.cancel();

    try {
      running.get(10, TimeUnit.SECONDS);
      fail("a cancelled transfer must throw CancelledException");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(CancelledException.class);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  public void temporary_names_of_a_cancelled_attempt_never_reach_the_published_version()
      throws Exception {
    Path root = newSourceRoot();
    writeRandom(root, "dir/big.bin", 8L << 20);
    write(root, "dir/small.txt", "small");
    write(root, "top.txt", "top");
    Source source = serve(root);
    Path staging = staging(T1);
    CancellationToken cancel = new CancellationToken();
    AtomicLong bytes = new AtomicLong();
    CompletableFuture<TransferReport> first =
        CompletableFuture.supplyAsync(
            () ->
                transfer()
                    .transfer(
                        request(
                            source,
                            staging,
                            Optional.empty(),
                            256L * 1024,
                            cancel,
                            p -> bytes.accumulateAndGet(p.bytesDone(), Math::max))));
    awaitTrue("bytes to move", Duration.ofSeconds(30), () -> bytes.get() > 0 || first.isDone());
    cancel.cancel();
    try {
      first.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(CancelledException.class);
    }

    VersionStore store = new VersionStore(dest);
    Path resumed = store.prepareStaging(T2);
    run(source, resumed, Optional.empty());
    store.publish(resumed);
    Path version = store.current().orElseThrow();

    assertThat(tree(version)).isEqualTo(tree(root));
    assertThat(allNames(version))
        .noneMatch(n -> n.startsWith(StagingPaths.TEMP_PREFIX) || n.contains("partial"));
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Names a file system holds that a careless transfer mishandles: backslashes (among them one that
   * climbs out of staging to {@code outside} if a backslash were taken for a separator), dot-led
   * names, unicode, spaces, control characters, a percent escape spelled literally.
   */
  protected List<String> hostileNames(Path outside) {
    String escape =
        "..\\".repeat(Math.max(8, work.getNameCount() + 4))
            + outside.toString().substring(1).replace('/', '\\')
            + "\\pwned.txt";
    return List.of(
        escape,
        "back\\slash.txt",
        "dir\\..\\..\\up.txt",
        "...",
        "..hidden",
        ".dotfile",
        " leading and trailing ",
        "ünïcødé ✓.txt",
        "日本語/ファイル.txt",
        "emoji 🎉.bin",
        "a%2Fb.txt",
        "100%.txt",
        "tab\there.txt",
        "new\nline.txt",
        "deep/er/..\\x.txt",
        "q?u#e&r=y;.txt",
        "n".repeat(251) + ".txt",
        "é".repeat(127) + "x");
  }

  /** A staging directory for a run starting at {@code at} (created, as the engine may). */
  protected Path staging(Instant at) {
    return new VersionStore(dest).prepareStaging(at, true);
  }

  protected TransferReport run(Source source, Path staging, Optional<Path> previous) {
    log.clear();
    return transfer()
        .transfer(request(source, staging, previous, null, new CancellationToken(), p -> {}));
  }

  protected TransferRequest request(
      Source source,
      Path staging,
      Optional<Path> previous,
      Long bandwidthLimit,
      CancellationToken cancel,
      ProgressListener progress) {
    return new TransferRequest(
        source,
        null,
        null,
        staging,
        previous,
        Filters.none(),
        new TransferRequest.Options(true, false, bandwidthLimit, Duration.ofSeconds(10)),
        progress,
        cancel,
        log::add);
  }

  /** Writes a file (and its folders), with a fixed modification time. */
  protected static void write(Path root, String relative, String content) throws IOException {
    Path f = root.resolve(relative);
    Files.createDirectories(f.getParent());
    Files.deleteIfExists(f);
    Files.writeString(f, content);
    Files.setLastModifiedTime(f, MTIME);
  }

  protected static void writeRandom(Path root, String relative, long size) throws IOException {
    Path f = root.resolve(relative);
    Files.createDirectories(f.getParent());
    Random random = new Random(size);
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(f)) {
      for (long left = size; left > 0; left -= chunk.length) {
        random.nextBytes(chunk);
        out.write(chunk, 0, (int) Math.min(left, chunk.length));
      }
    }
    Files.setLastModifiedTime(f, MTIME);
  }

  /**
   * Relative path → SHA-256 of every regular file below {@code root}, symbolic links as "->
   * target".
   */
  protected static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
            String rel = root.relativize(f).toString();
            out.put(rel, a.isSymbolicLink() ? "-> " + Files.readSymbolicLink(f) : sha256(f));
            return FileVisitResult.CONTINUE;
          }
        });
    return out;
  }

  /** Every name below {@code root}, folders and records included. */
  protected static List<String> allNames(Path root) throws IOException {
    List<String> names = new ArrayList<>();
    try (var s = Files.walk(root)) {
      s.filter(p -> !p.equals(root)).forEach(p -> names.add(p.getFileName().toString()));
    }
    return names;
  }

  /**
   * Nothing was created in the test's folder beside the destination and the source trees, nor in
   * the destination beside the staging directory but its records.
   */
  private void assertNothingOutside(Path staging) throws IOException {
    assertThat(staging.startsWith(dest)).isTrue();
    String version = staging.getFileName().toString().replace(".partial", "");
    try (var s = Files.list(dest)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .allMatch(n -> n.startsWith(version) || n.equals(Bookkeeping.DIR));
    }
    Path records = dest.resolve(Bookkeeping.DIR);
    if (Files.isDirectory(records)) {
      try (var s = Files.list(records)) {
        assertThat(s.map(p -> p.getFileName().toString())).allMatch(n -> n.startsWith(version));
      }
    }
  }

  protected static Object inode(Path p) throws IOException {
    return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
  }

  private static String sha256(Path p) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  protected static void awaitTrue(
      String what, Duration timeout, java.util.function.BooleanSupplier condition) {
    Await.until(what, timeout, condition);
  }
}
