package dev.syncjobs.http;

import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.port.StagingPaths;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import dev.syncjobs.core.version.Bookkeeping;
import dev.syncjobs.core.version.VersionFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Mirrors {@code http://} and {@code https://} sources. A URL ending in '/' is a directory whose
 * index pages are crawled; any other URL is one file. Files unchanged since the previous version
 * (by the per-version manifest: size, listing time, ETag, SHA-256) are hard-linked from it; the
 * others are downloaded several at a time, large ones in parallel Range segments, resumable across
 * runs, verified against the source's checksum files.
 *
 * <p>Per-run state lives in the staging directory's records beside it ({@link Bookkeeping}), never
 * in the staging directory: the manifest {@value Manifest#FILE} (which the engine keeps with the
 * version) and partial downloads under {@value Downloader#PARTIAL_DIR} (removed once the transfer
 * succeeds, left for resuming when it fails or is cancelled).
 */
public final class HttpTransfer implements Transfer {
  /** HTTP says nothing about permissions: folders get the usual 0755 (files 0444). */
  private static final Set<PosixFilePermission> DIR_MODE =
      PosixFilePermissions.fromString("rwxr-xr-x");

  private final HttpSettings settings;

  /** Defaults, with {@code SYNCJOBS_HTTP_CONNECTIONS} from the environment. */
  public HttpTransfer() {
    this(HttpSettings.fromEnvironment(System.getenv()));
  }

  public HttpTransfer(HttpSettings settings) {
    this.settings = settings;
  }

  @Override
  public boolean supports(Source source) {
    return source instanceof Source.Http;
  }

  /** Downloaded files are made read-only before they get their name; the rest are links. */
  @Override
  public boolean writesReadOnlyFiles() {
    return true;
  }

  /** A run that finds the source unchanged writes nothing, so it needs no staging directory. */
  @Override
  public boolean createsStaging() {
    return true;
  }

  @Override
  public TransferReport transfer(TransferRequest request) {
    if (!(request.source() instanceof Source.Http src)) {
      throw new TransferException("not an http(s) source: " + request.source().uri(), false, null);
    }
    CancellationToken stop = new CancellationToken();
    request.cancel().onCancel(stop::cancel);
    ExecutorService files = Executors.newFixedThreadPool(settings.connections(), daemon("file"));
    ExecutorService segments = Executors.newCachedThreadPool(daemon("segment"));
    try {
      return new Run(request, src, stop, files, segments).execute();
    } catch (CancelledException e) {
      throw e;
    } catch (SyncException e) {
      if (request.cancel().isCancelled()) {
        throw new CancelledException();
      }
      throw e;
    } catch (IOException | UncheckedIOException e) {
      if (request.cancel().isCancelled()) {
        throw new CancelledException();
      }
      if (e instanceof IOException io) {
        throw Retry.failure("mirroring " + src.uri() + " failed", io);
      }
      throw new TransferException("mirroring " + src.uri() + " failed: " + e.getMessage(), e);
    } finally {
      stop.cancel();
      files.shutdownNow();
      segments.shutdownNow();
    }
  }

  private static ThreadFactory daemon(String kind) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "syncjobs-http-" + kind + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static javax.net.ssl.SSLContext tls(String caBundle) {
    return caBundle == null || caBundle.isBlank() ? null : TrustBundle.context(caBundle);
  }

  /** One run's state. */
  private final class Run {
    final TransferRequest request;
    final Source.Http src;
    final CancellationToken stop;
    final ExecutorService files;
    final Path staging;
    final Path previous;
    final Path oldManifestFile;
    final boolean previousHoldsOldRecords;
    final Map<String, Manifest.Entry> oldManifest;
    final Consumer<String> log;
    final ProgressTracker progress;
    final Retry retry;
    final HttpFetcher http;
    final Downloader downloader;
    final boolean verify;
    final Map<String, Checksums.Expected> expected = new ConcurrentHashMap<>();
    final Map<String, Manifest.Entry> newManifest = new ConcurrentHashMap<>();
    final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    final Set<String> vanished = ConcurrentHashMap.newKeySet();
    final AtomicLong filesTransferred = new AtomicLong();
    Crawler crawler;
    final StagingPaths paths;

    /** Where each listed file lands in staging, by its path in the listing. */
    final Map<String, Path> targets = new ConcurrentHashMap<>();

    Run(
        TransferRequest request,
        Source.Http src,
        CancellationToken stop,
        ExecutorService files,
        ExecutorService segments) {
      this.request = request;
      this.src = src;
      this.stop = stop;
      this.files = files;
      this.staging = request.staging();
      this.previous = request.previousVersion().orElse(null);
      this.oldManifestFile = Manifest.ofPrevious(previous);
      this.previousHoldsOldRecords = previous != null && Bookkeeping.predatesRecords(previous);
      this.oldManifest = Manifest.read(oldManifestFile);
      Consumer<String> sink = request.log();
      this.log =
          line -> {
            synchronized (sink) {
              sink.accept(line);
            }
          };
      this.paths = new StagingPaths(staging, log);
      this.progress = new ProgressTracker(request.progress());
      this.retry = new Retry(settings.maxRetries(), settings.retryBaseDelay(), stop, log);
      this.http =
          new HttpFetcher(
              tls(request.caBundle()),
              settings.connectTimeout(),
              root(src.uri()),
              request.auth(),
              request.options().timeout(),
              stop,
              settings.deniedNetworks());
      this.verify = request.options().verifyChecksums();
      this.downloader =
          new Downloader(
              http,
              retry,
              settings,
              request.options().throttle(),
              progress,
              staging,
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
      crawler =
          new Crawler(http, retry, settings, request.filters(), log, files, oldManifest, paths);
      Crawler.Result found = list(crawler);
      Map<String, RemoteFile> remote = found.files();
      for (var it = remote.values().iterator(); it.hasNext(); ) {
        RemoteFile f = it.next();
        Optional<Path> target = paths.resolve(f.path());
        if (target.isPresent()) {
          targets.put(f.path(), target.get());
        } else {
          it.remove();
        }
      }
      long bytesTotal =
          remote.values().stream().mapToLong(f -> f.size() == null ? 0 : f.size()).sum();
      progress.totals(remote.size(), bytesTotal);
      log.accept("listed " + remote.size() + " files, " + bytesTotal + " bytes");
      if (matchesPrevious(remote, found.emptyDirs())) {
        remote.values().forEach(f -> progress.fileDone());
        progress.bytes(bytesTotal);
        progress.report(true);
        return TransferReport.sameAsPrevious(remote.size(), bytesTotal, warnings)
            .withFilesSkipped(paths.skipped());
      }
      Files.createDirectories(staging);
      Bookkeeping.create(staging);
      downloader.createPartialDir();
      downloader.dropLeftoversExcept(remote.keySet());

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
          String text = Files.readString(targets.get(f.path()), StandardCharsets.ISO_8859_1);
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

      Set<String> keep = new HashSet<>();
      for (String p : remote.keySet()) {
        if (!vanished.contains(p)) {
          keep.add(p);
        }
      }
      Set<Path> emptyDirs = new HashSet<>();
      for (String d : found.emptyDirs()) {
        Optional<Path> dir = paths.resolve(d);
        if (dir.isPresent()) {
          paths.createFolder(dir.get(), DIR_MODE);
          emptyDirs.add(dir.get());
        }
      }
      prune(keep, emptyDirs);
      Manifest.write(staging, oldManifestFile, newManifest.values());
      deleteTree(Downloader.partialDir(staging));
      progress.report(true);
      long filesTotal = keep.size();
      long bytes = newManifest.values().stream().mapToLong(Manifest.Entry::size).sum();
      return new TransferReport(
          filesTotal,
          bytes,
          filesTransferred.get(),
          progress.downloaded(),
          warnings,
          false,
          paths.skipped());
    }

    private Crawler.Result list(Crawler crawler) throws IOException {
      URI root = root(src.uri());
      if (src.isDirectory()) {
        return crawler.crawl(root);
      }
      Crawler.Probe probe;
      try {
        probe = retry.call("HEAD " + root, () -> crawler.probe(root));
      } catch (HttpFetcher.RefusedRedirectException e) {
        log.accept("skipped " + root + ": " + e.getMessage());
        return new Crawler.Result(Map.of(), Set.of());
      } catch (IOException e) {
        throw Retry.failure("reading " + root, e);
      }
      if (probe.directory()) {
        return new Crawler(
                new HttpFetcher(
                    tls(request.caBundle()),
                    settings.connectTimeout(),
                    probe.finalUri(),
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
                paths)
            .crawl(probe.finalUri());
      }
      String raw = root.getRawPath();
      String rawName = raw.substring(raw.lastIndexOf('/') + 1);
      String name = UriText.decodeSegment(rawName);
      Map<String, RemoteFile> one = new java.util.LinkedHashMap<>();
      if (name == null) {
        paths.skip(rawName, "it is not valid UTF-8");
      } else if (request.filters().includes(name, false)) {
        one.put(
            name, new RemoteFile(name, root, probe.size(), probe.mtime(), 1, null, probe.etag()));
      }
      return new Crawler.Result(one, Set.of());
    }

    private void runAll(List<RemoteFile> list) throws IOException {
      if (list.isEmpty()) {
        return;
      }
      List<Future<?>> futures = new ArrayList<>(list.size());
      for (RemoteFile f : list) {
        futures.add(
            files.submit(
                () -> {
                  try {
                    one(f);
                  } catch (IOException | RuntimeException e) {
                    stop.cancel();
                    throw e;
                  }
                  return null;
                }));
      }
      Throwable first = null;
      for (Future<?> fu : futures) {
        try {
          fu.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stop.cancel();
          first = first == null ? new CancelledException() : first;
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          if (first == null
              || (first instanceof CancelledException && !(c instanceof CancelledException))) {
            first = c;
          }
        }
      }
      if (request.cancel().isCancelled()) {
        throw new CancelledException();
      }
      if (first instanceof IOException io) {
        throw io;
      }
      if (first instanceof RuntimeException re) {
        throw re;
      }
      if (first != null) {
        throw new TransferException(first.toString(), first);
      }
    }

    private void one(RemoteFile f) throws IOException {
      if (stop.isCancelled()) {
        throw new CancelledException();
      }
      Path target = targets.get(f.path());
      paths.createParents(target, DIR_MODE);
      Manifest.Entry old = oldManifest.get(f.path());
      if (Checksums.isChecksumFile(f.path()) && f.etag() == null && old != null) {
        f = precise(f);
      }
      Path prevFile = previousFile(f.path());
      Checksums.Expected exp = verify ? expected.get(f.path()) : null;
      if (unchanged(f, old, prevFile, exp)) {
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
      Downloader.Result r = leftover(f, target, exp);
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
        if (sameAsListed(f, r)) {
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
            f.path()
                + " changed size during the run (listed "
                + f.size()
                + ", got "
                + r.size()
                + ")";
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

    /** Whether a download's validators say it is the very file the listing described. */
    private static boolean sameAsListed(RemoteFile f, Downloader.Result r) {
      if (f.etag() != null && r.etag() != null) {
        return f.etag().equals(r.etag());
      }
      return f.mtime() != null
          && r.lastModified() != null
          && Math.abs(r.lastModified().getEpochSecond() - f.mtime().getEpochSecond())
              < Math.max(1, f.precisionSeconds());
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

    /**
     * A file an interrupted attempt already completed in this staging directory (it was renamed
     * into place only after verification, with the server's modification time), or null.
     */
    private Downloader.Result leftover(RemoteFile f, Path target, Checksums.Expected exp)
        throws IOException {
      if (!target.toFile().exists() // no exception for the usual "not there"
          || !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)
          || f.size() == null
          || f.mtime() == null
          || Files.size(target) != f.size()) {
        return null;
      }
      Instant local = Files.getLastModifiedTime(target).toInstant();
      if (Math.abs(local.getEpochSecond() - f.mtime().getEpochSecond())
          >= Math.max(1, f.precisionSeconds())) {
        return null;
      }
      String sha = verify ? Downloader.hashFile(target, "SHA-256") : null;
      if (exp != null) {
        String actual =
            exp.algorithm().equals("SHA-256") ? sha : Downloader.hashFile(target, exp.algorithm());
        if (!exp.hex().equals(actual)) {
          return null;
        }
      }
      Files.setPosixFilePermissions(target, Downloader.READ_ONLY);
      log.accept("reusing " + f.path() + " completed by an earlier attempt");
      progress.bytes(f.size());
      return new Downloader.Result(f.size(), local, f.etag(), sha);
    }

    /**
     * Whether the listing names exactly the previous version's files (and folders that are empty in
     * the source), each unchanged: then nothing needs downloading or linking, and the staging
     * directory stays empty.
     */
    private boolean matchesPrevious(Map<String, RemoteFile> remote, Set<String> emptyDirs)
        throws IOException {
      if (previous == null
          || !oldManifest.keySet().equals(remote.keySet())
          || Bookkeeping.holdsOldRecords(previous)) {
        // a previous version holding an earlier release's manifest is followed by one without it
        return false;
      }
      Map<String, BasicFileAttributes> before = VersionFiles.list(previous);
      if (!before.keySet().equals(remote.keySet())) {
        return false;
      }
      for (String d : emptyDirs) {
        if (!Files.isDirectory(previous.resolve(d), LinkOption.NOFOLLOW_LINKS)) {
          return false;
        }
      }
      for (RemoteFile f : remote.values()) {
        Manifest.Entry old = oldManifest.get(f.path());
        if (Checksums.isChecksumFile(f.path()) && f.etag() == null) {
          f = precise(f);
        }
        if (!unchanged(f, old, before.get(f.path()), null)) {
          return false;
        }
      }
      return true;
    }

    private boolean unchanged(
        RemoteFile f, Manifest.Entry old, Path prevFile, Checksums.Expected exp)
        throws IOException {
      BasicFileAttributes attrs = null;
      if (prevFile != null) {
        try {
          attrs =
              Files.readAttributes(prevFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
          return false;
        }
      }
      return unchanged(f, old, attrs, exp);
    }

    /**
     * @param prev the previous version's file at the same path, or null
     */
    private boolean unchanged(
        RemoteFile f, Manifest.Entry old, BasicFileAttributes prev, Checksums.Expected exp) {
      if (prev == null || !prev.isRegularFile()) {
        return false;
      }
      long prevSize = prev.size();
      if (f.size() != null && f.size() != prevSize) {
        return false;
      }
      if (old == null) {
        if (request.options().compareChecksums() || f.size() == null || f.mtime() == null) {
          return false;
        }
        Instant local = prev.lastModifiedTime().toInstant();
        return Math.abs(local.getEpochSecond() - f.mtime().getEpochSecond())
            < Math.max(1, f.precisionSeconds());
      }
      if (old.size() != prevSize) {
        return false;
      }
      if (exp != null && exp.algorithm().equals("SHA-256") && old.sha256() != null) {
        if (!exp.hex().equals(old.sha256())) {
          return false;
        }
        if (request.options().compareChecksums()) {
          return true;
        }
      }
      if (request.options().compareChecksums()) {
        return false;
      }
      if (f.etag() != null && old.etag() != null) {
        return f.etag().equals(old.etag());
      }
      if (f.listed() != null && old.listed() != null) {
        return f.listed().equals(old.listed());
      }
      if (f.mtime() != null && old.mtime() != null) {
        return Math.abs(f.mtime().getEpochSecond() - old.mtime())
            < Math.max(1, f.precisionSeconds());
      }
      return false;
    }

    /**
     * The previous version's file at {@code path}, or null: never a record an earlier release kept
     * at the top of the version, which is no file of the source.
     */
    private Path previousFile(String path) {
      if (previous == null
          || (previousHoldsOldRecords
              && path.indexOf('/') < 0
              && path.startsWith(Bookkeeping.OLD_PREFIX))) {
        return null;
      }
      return previous.resolve(path);
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

    /** Removes from staging whatever the source does not hold (leftovers of earlier attempts). */
    private void prune(Set<String> keepFiles, Set<Path> keepDirs) throws IOException {
      Set<Path> files = new HashSet<>();
      Set<Path> dirs = new HashSet<>(keepDirs);
      for (String f : keepFiles) {
        Path target = targets.get(f);
        files.add(target);
        for (Path d = target.getParent(); !d.equals(paths.staging()); d = d.getParent()) {
          dirs.add(d);
        }
      }
      Path root = paths.staging();
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              if (!files.contains(file) || !attrs.isRegularFile()) {
                Files.delete(file);
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              if (!dir.equals(root) && !dirs.contains(dir)) {
                try (var s = Files.list(dir)) {
                  if (s.findAny().isEmpty()) {
                    Files.delete(dir);
                  }
                }
              }
              return FileVisitResult.CONTINUE;
            }
          });
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
