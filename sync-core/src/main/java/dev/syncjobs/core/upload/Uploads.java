package dev.syncjobs.core.upload;

import dev.syncjobs.core.memory.InMemoryChunkLocks;
import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.DiskFullException;
import dev.syncjobs.core.model.InsufficientStorageException;
import dev.syncjobs.core.model.NotFoundException;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.model.Upload;
import dev.syncjobs.core.model.UploadId;
import dev.syncjobs.core.model.UploadProtocol;
import dev.syncjobs.core.model.UploadStatus;
import dev.syncjobs.core.model.ValidationException;
import dev.syncjobs.core.port.ChunkLocks;
import dev.syncjobs.core.port.UploadRepository;
import dev.syncjobs.core.version.StorageBackends;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Resumable uploads into storage backends: start one, take its chunks ({@link #chunks()}) or tus
 * appends ({@link #tus()}), report and resume its progress, cancel it. Thread-safe; in cluster mode
 * every instance may serve any request of any upload (state in the repository, data on the shared
 * backend).
 */
public final class Uploads {

  /**
   * @param expiry how long an upload may stay idle ({@code SYNCJOBS_UPLOAD_EXPIRY_HOURS})
   * @param maxConcurrent uploads receiving bytes at once on this instance ({@code
   *     SYNCJOBS_MAX_CONCURRENT_UPLOADS})
   */
  public record Settings(Duration expiry, int maxConcurrent) {
    public static final Settings DEFAULT = new Settings(Duration.ofHours(168), 10);
  }

  private final UploadRepository repo;
  private final UploadTargets targets;
  private final Clock clock;
  private final Settings settings;
  private final Supplier<UUID> ids;
  private final UploadFinisher finisher;
  private final ChunkReceiver chunks;
  private final TusReceiver tus;
  private final UploadCleanup cleanup;
  private final AtomicLong stored = new AtomicLong();

  /** A store whose chunk locks hold within this process (a single instance). */
  public Uploads(
      UploadRepository repo,
      StorageBackends backends,
      Clock clock,
      Settings settings,
      UploadThrottle throttle,
      Supplier<UUID> ids) {
    this(
        repo,
        backends,
        clock,
        settings,
        throttle,
        ids,
        new InMemoryChunkLocks(InMemoryChunkLocks.DEFAULT_WAIT));
  }

  /**
   * A store whose requests take {@code locks} before they write a chunk (in cluster mode, locks
   * that every instance sharing the store respects).
   */
  public Uploads(
      UploadRepository repo,
      StorageBackends backends,
      Clock clock,
      Settings settings,
      UploadThrottle throttle,
      Supplier<UUID> ids,
      ChunkLocks locks) {
    this.repo = repo;
    this.targets = new UploadTargets(backends);
    this.clock = clock;
    this.settings = settings;
    this.ids = ids;
    this.finisher = new UploadFinisher(repo, targets);
    UploadSlots slots = new UploadSlots(settings.maxConcurrent());
    UploadIntake intake = new UploadIntake(this, repo, targets, slots, locks, throttle, finisher);
    this.chunks = new ChunkReceiver(intake);
    this.tus = new TusReceiver(intake);
    this.cleanup = new UploadCleanup(repo, targets, clock, settings.expiry());
  }

  /** The chunked protocol's receiver. */
  public ChunkReceiver chunks() {
    return chunks;
  }

  /** The tus protocol's receiver. */
  public TusReceiver tus() {
    return tus;
  }

  /** The daily clean-up of expired uploads. */
  public UploadCleanup cleanup() {
    return cleanup;
  }

  /**
   * Starts an upload: checks the target (inside the backend, no link or file in the way, nothing
   * there yet) and the free space, then creates the data file at its full size.
   *
   * @param chunkSize null for the default
   * @param sha256 the whole file's SHA-256 in hex, or null
   * @throws ValidationException naming the field at fault
   * @throws ConflictException on {@code file_path} when a file exists at the target
   * @throws InsufficientStorageException when the file does not fit (now, or ever)
   */
  public Upload start(
      UploadProtocol protocol,
      String backendId,
      String filePath,
      long totalSize,
      Integer chunkSize,
      String sha256) {
    UploadId id = new UploadId(ids.get());
    String backendName = backendId == null || backendId.isBlank() ? "default" : backendId;
    String path = UploadTargets.normalise(backendName, filePath == null ? "" : filePath);
    if (totalSize < 0) {
      throw new ValidationException("total_size", "must be 0 or more");
    }
    int size = chunkSize == null ? Upload.DEFAULT_CHUNK_SIZE : chunkSize;
    Instant now = clock.instant();
    Upload upload =
        new Upload(
            id,
            protocol,
            backendName,
            path,
            totalSize,
            size,
            sha256,
            UploadStatus.ACTIVE,
            0,
            now,
            now.plus(settings.expiry()),
            null);
    StorageBackend backend = targets.backend(backendName);
    Path target = targets.target(backend, path);
    targets.prepare(backend, target, false);
    requireSpace(backend, totalSize);
    Path data = UploadTargets.dataFile(backend, id);
    try {
      DataFile.create(data, totalSize);
    } catch (IOException e) {
      if (DiskFullException.isDiskFull(e)) {
        throw new InsufficientStorageException(
            "backend " + backendName + " is full: " + e.getMessage(), false);
      }
      throw new SyncException("cannot create the upload's data file: " + e, e);
    }
    try {
      repo.create(upload);
    } catch (RuntimeException e) {
      deleteQuietly(data);
      throw e;
    }
    return upload;
  }

  private static void requireSpace(StorageBackend backend, long bytes) {
    FileStore store;
    long total;
    long usable;
    try {
      store = Files.getFileStore(backend.root());
      total = store.getTotalSpace();
      usable = store.getUsableSpace();
    } catch (IOException e) {
      return; // not judged: the writes themselves report a full disk
    }
    if (total > 0 && bytes > total) {
      throw new InsufficientStorageException(
          "total_size "
              + bytes
              + " is larger than backend "
              + backend.name()
              + " can ever hold ("
              + total
              + " bytes in all)",
          true);
    }
    if (total > 0 && bytes > usable) {
      throw new InsufficientStorageException(
          "backend "
              + backend.name()
              + " has "
              + usable
              + " bytes free, less than total_size "
              + bytes
              + "; free some space or choose another backend",
          false);
    }
  }

  /** The upload, or a {@link NotFoundException}. */
  public Upload get(UploadId id) {
    return repo.find(id).orElseThrow(() -> new NotFoundException("no upload " + id));
  }

  /** What the upload holds so far. */
  public UploadProgress progress(UploadId id) {
    Upload u = get(id);
    return UploadProgress.of(
        u, u.protocol() == UploadProtocol.CHUNKS ? repo.chunks(id).keySet() : java.util.Set.of());
  }

  /**
   * Moves the expiry on and reports the progress; an upload whose chunks all arrived but which is
   * not completed (its finish was interrupted, or a file stood at the target) is finished now.
   */
  public UploadProgress resume(UploadId id) {
    Upload u = get(id);
    if (!repo.extend(id, expiryFromNow())) {
      throw new NotFoundException("no upload " + id);
    }
    UploadProgress p = progress(id);
    if (u.status() == UploadStatus.ACTIVE && p.missingChunks().isEmpty()) {
      finisher.finish(id);
      p = progress(id);
    }
    return p;
  }

  /** Removes the upload and its data (a completed upload's file stays where it landed). */
  public void cancel(UploadId id) {
    Upload u = get(id);
    if (!repo.delete(id)) {
      throw new NotFoundException("no upload " + id);
    }
    if (u.status() != UploadStatus.COMPLETED) {
      targets.configuredIfAny(u).ifPresent(b -> deleteQuietly(UploadTargets.dataFile(b, u.id())));
    }
  }

  /** Bytes of uploads this instance received, verified and recorded since it started. */
  public long bytesStored() {
    return stored.get();
  }

  void countStored(long bytes) {
    stored.addAndGet(bytes);
  }

  void extendQuietly(UploadId id) {
    repo.extend(id, expiryFromNow());
  }

  Instant expiryFromNow() {
    return clock.instant().plus(settings.expiry());
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // the clean-up of expired uploads tries again
    }
  }
}
