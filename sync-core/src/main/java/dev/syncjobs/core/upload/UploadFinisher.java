package dev.syncjobs.core.upload;

import dev.syncjobs.core.model.ChecksumMismatchException;
import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.model.Upload;
import dev.syncjobs.core.model.UploadId;
import dev.syncjobs.core.model.UploadStatus;
import dev.syncjobs.core.port.UploadRepository;
import dev.syncjobs.core.staging.StagingPaths;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns an upload whose bytes all arrived into its file: checks the whole-file SHA-256 when one was
 * given, then links the data file to the target path (atomic, and never over an existing file),
 * removes the data file's own name and records the upload completed. Every step can be repeated: an
 * instance that crashed half-way, or two instances finishing together, end in the same state.
 */
final class UploadFinisher {
  private final UploadRepository repo;
  private final UploadTargets targets;
  private final Map<UploadId, Object> locks = new ConcurrentHashMap<>();

  UploadFinisher(UploadRepository repo, UploadTargets targets) {
    this.repo = repo;
    this.targets = targets;
  }

  /**
   * Finishes {@code id} if it is still active.
   *
   * @throws ChecksumMismatchException on {@code sha256} when the file does not match (the upload is
   *     then failed)
   * @throws ConflictException on {@code file_path} when another file took the target meanwhile
   */
  void finish(UploadId id) {
    Object lock = locks.computeIfAbsent(id, k -> new Object());
    try {
      synchronized (lock) {
        Upload u = repo.find(id).orElse(null);
        if (u == null || u.status() != UploadStatus.ACTIVE) {
          return;
        }
        finish(u);
      }
    } finally {
      locks.remove(id, lock);
    }
  }

  private void finish(Upload u) {
    StorageBackend backend = targets.configured(u);
    Path data = UploadTargets.dataFile(backend, u.id());
    Path target = targets.target(backend, u.filePath());
    try {
      if (!Files.exists(data)) {
        if (Files.isRegularFile(target)) {
          repo.finish(u.id(), UploadStatus.COMPLETED, null);
          return;
        }
        repo.finish(u.id(), UploadStatus.FAILED, "its data file is gone");
        throw new ConflictException("upload_id", "the upload's data file is gone");
      }
      if (u.sha256() != null) {
        String actual = DataFile.sha256(data);
        if (!actual.equals(u.sha256())) {
          String why =
              "the file's SHA-256 is "
                  + actual
                  + ", not the sha256 "
                  + u.sha256()
                  + " given at start";
          repo.finish(u.id(), UploadStatus.FAILED, why);
          throw new ChecksumMismatchException("sha256", why + "; the upload failed");
        }
      }
      targets.prepare(backend, target, true);
      StagingPaths.setMode(data, PosixFilePermissions.fromString("rw-r--r--"));
      place(data, target);
      Files.deleteIfExists(data);
      syncFolder(target.getParent());
      repo.finish(u.id(), UploadStatus.COMPLETED, null);
    } catch (IOException e) {
      throw new SyncException("cannot place the uploaded file at " + u.filePath() + ": " + e, e);
    }
  }

  /** Links {@code data} to {@code target}; a target that is already that file is fine. */
  private static void place(Path data, Path target) throws IOException {
    try {
      Files.createLink(target, data);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isSameFile(target, data)) {
        throw new ConflictException(
            "file_path", "a file appeared at the target meanwhile; the upload stays resumable");
      }
    } catch (FileSystemException | UnsupportedOperationException e) {
      // a file system without hard links: a rename is atomic too, but may replace a file that
      // appeared after the check
      if (Files.exists(target)) {
        throw new ConflictException("file_path", "a file appeared at the target meanwhile");
      }
      try {
        Files.move(data, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException again) {
        throw new IOException("the backend supports neither hard links nor atomic renames", again);
      }
    }
  }

  private static void syncFolder(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | RuntimeException ignored) {
      // some file systems cannot sync a folder; the link itself is in place
    }
  }
}
