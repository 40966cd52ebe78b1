package dev.syncjobs.core.upload;

import dev.syncjobs.core.model.DiskFullException;
import dev.syncjobs.core.model.InsufficientStorageException;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.model.Upload;
import dev.syncjobs.core.port.ChunkLocks;
import dev.syncjobs.core.port.UploadRepository;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.List;

/**
 * What both receivers ({@link ChunkReceiver}, {@link TusReceiver}) take bytes in with: the store
 * and its repository, a receiving slot of this instance, the lock of a chunk (or of a tus upload's
 * tail), the paced write into the data file, and the finisher once everything is there.
 */
final class UploadIntake {
  final Uploads uploads;
  final UploadRepository repo;
  final UploadSlots slots;
  final ChunkLocks locks;
  final UploadFinisher finisher;
  private final UploadTargets targets;
  private final UploadThrottle throttle;

  UploadIntake(
      Uploads uploads,
      UploadRepository repo,
      UploadTargets targets,
      UploadSlots slots,
      ChunkLocks locks,
      UploadThrottle throttle,
      UploadFinisher finisher) {
    this.uploads = uploads;
    this.repo = repo;
    this.targets = targets;
    this.slots = slots;
    this.locks = locks;
    this.throttle = throttle;
    this.finisher = finisher;
  }

  /**
   * Streams at most {@code max} bytes of {@code body} into the data file from {@code at}, under
   * {@code held}: a buffer is written only while no newer request asked for the chunk, so a
   * superseded request stops writing at its next buffer even when it is not stalled.
   */
  DataFile.Written write(
      Upload u,
      long at,
      InputStream body,
      long max,
      List<MessageDigest> digests,
      ChunkLocks.Held held)
      throws IOException {
    UploadThrottle paced =
        bytes -> {
          if (held.superseded()) {
            throw new InterruptedException("a newer request took over");
          }
          throttle.take(bytes);
        };
    return DataFile.write(targets.dataFile(u), at, body, max, paced, digests);
  }

  /** A write that failed, as the API answers it: a full backend, or a failure of {@code what}. */
  static RuntimeException writeFailed(Upload u, IOException e, String what) {
    if (DiskFullException.isDiskFull(e)) {
      return new InsufficientStorageException(
          "backend " + u.backendId() + " is full: " + e.getMessage(), false);
    }
    return new SyncException(what + " failed: " + e, e);
  }
}
