package dev.syncjobs.http;

import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import dev.syncjobs.core.progress.ProgressCounter;
import dev.syncjobs.core.staging.StagingPaths;
import dev.syncjobs.core.staging.StagingPrune;
import dev.syncjobs.core.version.Bookkeeping;
import dev.syncjobs.core.version.FileTrees;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One run of an HTTP mirror: crawls the listing (or takes the one file), decides per file whether
 * it is unchanged ({@link ChangeDetector}), links, reuses or downloads it, and writes the new
 * manifest; prunes staging of what the source no longer lists.
 */
final class HttpMirrorRun {
  /** HTTP says nothing about permissions: folders get the usual 0755 (files 0444). */
  private static final Set<PosixFilePermission> DIR_MODE =
      PosixFilePermissions.fromString("rwxr-xr-x");

  final HttpSettings settings;
  final TransferRequest request;

  final Source.Http src;
  final CancellationToken stop;
  final ExecutorService files;
  final Path staging;
  final Path previous;
  final Path oldManifestFile;
  final Map<String, Manifest.Entry> oldManifest;
  final Consumer<String> log;

  final ProgressCounter progress;
  final Retry retry;
  final HttpFetcher http;
  final PartialFolder partial;
  final Downloader downloader;
  final boolean verify;
  final Map<String, Checksums.Expected> expected = new ConcurrentHashMap<>();
  final Map<String, Manifest.Entry> newManifest = new ConcurrentHashMap<>();
  final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
  final Set<String> vanished = ConcurrentHashMap.newKeySet();
  final AtomicLong filesTransferred = new AtomicLong();
  Crawler crawler;
  boolean reusedStaging; // an interrupted attempt's files may be in staging: each is checked
  final ChangeDetector changes;
  final StagingPaths paths;

  HttpMirrorRun(
      HttpSettings settings,
      TransferRequest request,
      Source.Http src,
      CancellationToken stop,
      ExecutorService files,
      ExecutorService segments) {
    this.settings = settings;
    this.request = request;
    this.src = src;
    this.stop = stop;
    this.files = files;
    this.staging = request.staging();
    this.previous = request.previousVersion().orElse(null);
    this.oldManifestFile = Manifest.ofPrevious(previous);
    this.oldManifest = Manifest.read(oldManifestFile);
    this.changes =
        new ChangeDetector(
            previous, oldManifest, request.options().compareChecksums(), this::precise);
    Consumer<String> sink = request.log();
    this.log =
        line -> {
          synchronized (sink) {
            sink.accept(line);
          }
        };
    this.paths = new StagingPaths(staging, log);
    this.progress = new ProgressCounter(request.progress(), Duration.ofMillis(500));
    this.retry = new Retry(settings.maxRetries(), settings.retryBaseDelay(), stop, log);
    this.http =
        new HttpFetcher(
            HttpTransfer.tls(request.caBundle()),
            settings.connectTimeout(),
            root(src.uri()),
            request.auth(),
            request.options().timeout(),
            stop,
            settings.deniedNetworks());
    this.verify = request.options().verifyChecksums();
    this.partial = new PartialFolder(staging, log);
    this.downloader =
        new Downloader(
            http,
            retry,
            settings,
            request.options().throttle(),
            progress,
            partial,
            verify,
            log,
            stop::isCancelled,
            segments);
  }

  private static URI root(URI u) {
    if (u.getRawPath() == null || u.getRawPath().isEmpty()) {
      return URI.create(u.toString() + "/");
    }
    return u;
  }

  TransferReport execute() throws IOException {
    crawler = new Crawler(http, retry, settings, request.filters(), log, files, oldManifest, paths);
    Crawler.Result found =
        new SourceListing(root(src.uri()), src.isDirectory(), retry, request.filters(), paths, log)
            .list(crawler, this::crawlerAt);
    Map<String, RemoteFile> remote = found.files();
    // the one check of where each name lands; target() asks it again rather than keeping a Path
    // per file for the whole run
    remote.values().removeIf(f -> paths.resolve(f.path()).isEmpty());
    long bytesTotal =
        remote.values().stream().mapToLong(f -> f.size() == null ? 0 : f.size()).sum();
    progress.totals(remote.size(), bytesTotal);
    log.accept("listed " + remote.size() + " files, " + bytesTotal + " bytes");
    if (changes.matchesPrevious(remote, found.emptyDirs())) {
      remote.values().forEach(f -> progress.fileDone());
      progress.bytes(bytesTotal);
      progress.report(true);
      return TransferReport.sameAsPrevious(remote.size(), bytesTotal, warnings)
          .withFilesSkipped(paths.skipped());
    }
    reusedStaging = StagingPaths.holdsEntries(staging);
    Files.createDirectories(staging);
    Bookkeeping.create(staging);
    partial.create();
    partial.dropLeftoversExcept(remote.keySet());

    List<RemoteFile> sums = new ArrayList<>();
    List<RemoteFile> rest = new ArrayList<>();
    for (RemoteFile f : remote.values()) {
      (Checksums.isChecksumFile(f.path()) ? sums : rest).add(f);
    }
    runAll(sums);
    if (verify) {
      for (RemoteFile f : sums) {
        if (vanished.contains(f.path())) {
          continue;
        }
        String text = Files.readString(target(f.path()), StandardCharsets.ISO_8859_1);
        Checksums.parse(f.path(), text)
            .forEach(
                (path, exp) -> {
                  if (remote.containsKey(path)) {
                    expected.put(path, exp);
                  }
                });
      }
    }
    runAll(rest);

    Set<Path> emptyDirs = new HashSet<>();
    for (String d : found.emptyDirs()) {
      Optional<Path> dir = paths.resolve(d);
      if (dir.isPresent()) {
        paths.createFolder(dir.get(), DIR_MODE);
        emptyDirs.add(dir.get());
      }
    }
    prune(p -> remote.containsKey(p) && !vanished.contains(p), emptyDirs);
    Manifest.write(staging, oldManifestFile, newManifest.values());
    FileTrees.delete(partial.dir);
    progress.report(true);
    long filesTotal = remote.keySet().stream().filter(p -> !vanished.contains(p)).count();
    long bytes = newManifest.values().stream().mapToLong(Manifest.Entry::size).sum();
    return new TransferReport(
        filesTotal,
        bytes,
        filesTransferred.get(),
        progress.transferred(),
        warnings,
        false,
        paths.skipped());
  }

  /** A crawler of the listing at {@code base}, over its own connection to that URL. */
  private Crawler crawlerAt(URI base) {
    return new Crawler(
        new HttpFetcher(
            HttpTransfer.tls(request.caBundle()),
            settings.connectTimeout(),
            base,
            request.auth(),
            request.options().timeout(),
            stop,
            settings.deniedNetworks()),
        retry,
        settings,
        request.filters(),
        log,
        files,
        oldManifest,
        paths);
  }

  private void runAll(List<RemoteFile> list) throws IOException {
    FileQueue.runAll(list, files, stop, request.cancel(), this::one);
  }

  private void one(RemoteFile f) throws IOException {
    if (stop.isCancelled()) {
      throw new CancelledException();
    }
    Path target = target(f.path());
    paths.createParents(target, DIR_MODE);
    Manifest.Entry old = oldManifest.get(f.path());
    if (Checksums.isChecksumFile(f.path()) && f.etag() == null && old != null) {
      f = precise(f);
    }
    Path prevFile = changes.previousFile(f.path());
    Checksums.Expected exp = verify ? expected.get(f.path()) : null;
    if (changes.unchanged(f, old, prevFile, exp)) {
      link(prevFile, target);
      long size = Files.size(prevFile);
      newManifest.put(
          f.path(),
          new Manifest.Entry(
              f.path(),
              size,
              old != null && old.mtime() != null
                  ? old.mtime()
                  : f.mtime() == null ? null : f.mtime().getEpochSecond(),
              f.listed() != null ? f.listed() : old == null ? null : old.listed(),
              f.etag() != null ? f.etag() : old == null ? null : old.etag(),
              old == null ? null : old.sha256()));
      progress.bytes(size);
      progress.fileDone();
      return;
    }
    Downloader.Result r =
        reusedStaging ? Leftovers.reuse(f, target, exp, verify, log, progress) : null;
    try {
      if (r == null) {
        r = downloader.fetch(f, target, exp);
      }
    } catch (Downloader.VanishedException e) {
      vanished.add(f.path());
      warnings.add(e.getMessage());
      log.accept("warning: " + e.getMessage());
      progress.fileDone();
      return;
    } catch (HttpFetcher.RefusedRedirectException e) {
      vanished.add(f.path());
      log.accept("skipped " + f.path() + ": " + e.getMessage());
      progress.fileDone();
      return;
    }
    String sha = r.sha256();
    if (request.options().compareChecksums()
        && old != null
        && sha != null
        && sha.equals(old.sha256())
        && prevFile != null
        && Files.isRegularFile(prevFile, LinkOption.NOFOLLOW_LINKS)
        && Files.size(prevFile) == r.size()) {
      link(prevFile, target);
    } else {
      filesTransferred.incrementAndGet();
    }
    if (f.size() != null && f.size() != r.size()) {
      if (ChangeDetector.sameAsListed(f, r)) {
        // The listing and the answer describe the same file (same time, same ETag) but disagree
        // on its length: publishing either could publish a short file. A file that really
        // changed meanwhile has another time or ETag, and is mirrored as it is now.
        Files.deleteIfExists(target);
        throw new TransferException(
            "download of "
                + f.path()
                + " has "
                + r.size()
                + " bytes, the listing says "
                + f.size()
                + " for the same modification time",
            true,
            null);
      }
      String w =
          f.path() + " changed size during the run (listed " + f.size() + ", got " + r.size() + ")";
      warnings.add(w);
      log.accept("warning: " + w);
    }
    Instant mtime = r.lastModified() != null ? r.lastModified() : f.mtime();
    newManifest.put(
        f.path(),
        new Manifest.Entry(
            f.path(),
            r.size(),
            mtime == null ? null : mtime.getEpochSecond(),
            f.listed(),
            r.etag() != null ? r.etag() : f.etag(),
            sha));
    progress.fileDone();
  }

  /**
   * A checksum file with its ETag and exact time from a HEAD request: listings show minutes at
   * best, and a stale checksum file would hide a change.
   */
  private RemoteFile precise(RemoteFile f) throws IOException {
    Crawler.Probe p;
    try {
      p = retry.call("HEAD " + f.uri(), () -> crawler.probe(f.uri()));
    } catch (HttpFetcher.StatusException e) {
      return f;
    }
    return new RemoteFile(
        f.path(),
        f.uri(),
        p.size() != null ? p.size() : f.size(),
        p.mtime() != null ? p.mtime() : f.mtime(),
        p.mtime() != null ? 1 : f.precisionSeconds(),
        f.listed(),
        p.etag());
  }

  private void link(Path prevFile, Path target) throws IOException {
    try {
      Files.createLink(target, prevFile);
    } catch (FileAlreadyExistsException e) {
      // left by an interrupted attempt in a reused staging directory
      if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)
          && Files.isSameFile(target, prevFile)) {
        return;
      }
      Files.delete(target);
      Files.createLink(target, prevFile);
    }
  }

  /**
   * Removes from staging whatever the source does not hold (leftovers of earlier attempts); the
   * folders of kept files stay, holding them.
   */
  private void prune(Predicate<String> keepFile, Set<Path> keepDirs) throws IOException {
    Path root = paths.staging();
    StagingPrune.keepOnly(root, file -> keepFile.test(root.relativize(file).toString()), keepDirs);
  }

  /** Where a listed file lands in staging (its name was checked when the listing was taken). */
  private Path target(String path) {
    return paths
        .resolve(path)
        .orElseThrow(() -> new IllegalStateException(path + " was accepted before"));
  }
}
