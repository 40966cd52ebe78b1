package dev.syncjobs.core.upload;

import dev.syncjobs.core.model.BodyTooLargeException;
import dev.syncjobs.core.model.ChecksumMismatchException;
import dev.syncjobs.core.model.ConflictException;
import dev.syncjobs.core.model.NotFoundException;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.model.Upload;
import dev.syncjobs.core.model.UploadId;
import dev.syncjobs.core.model.UploadProtocol;
import dev.syncjobs.core.model.UploadStatus;
import dev.syncjobs.core.model.ValidationException;
import dev.syncjobs.core.port.ChunkLocks;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The tus 1.0 side of the upload store: an upload's bytes are appended at its stored offset. A
 * PATCH with {@code Upload-Checksum} is all or nothing; one without keeps (synced) whatever arrived
 * before its connection broke, so the client resumes from there, unless a newer PATCH of the same
 * upload interrupted it (then it keeps nothing and the newer one writes from the same offset).
 */
public final class TusReceiver {
  /**
   * An {@code Upload-Checksum}.
   *
   * @param algorithm {@code sha1} or {@code sha256}
   */
  public record Checksum(String algorithm, byte[] value) {}

  private final UploadIntake in;

  TusReceiver(UploadIntake in) {
    this.in = in;
  }

  /**
   * Creates a tus upload.
   *
   * @param filePath the target, null for {@code uploads/<filename>} (or {@code uploads/<id>})
   */
  public Upload create(
      String backendId, String filePath, String filename, long length, String sha256) {
    String path = filePath;
    if (path == null) {
      if (filename == null || filename.isBlank()) {
        throw new ValidationException(
            "Upload-Metadata", "names no file_path and no filename; one of them is needed");
      }
      path = "uploads/" + filename;
    }
    return in.uploads.start(UploadProtocol.TUS, backendId, path, length, null, sha256);
  }

  /** A tus upload, or a {@link NotFoundException} (also for an upload of the chunked API). */
  public Upload get(UploadId id) {
    Upload u = in.uploads.get(id);
    if (u.protocol() != UploadProtocol.TUS) {
      throw new NotFoundException("no tus upload " + id);
    }
    return u;
  }

  /**
   * Appends {@code body} at {@code offset}.
   *
   * @param contentLength the declared length, -1 when none
   * @param checksum null when the client sent none
   * @return the upload after the append
   * @throws ConflictException on {@code Upload-Offset} when it is not the stored offset
   * @throws ChecksumMismatchException on {@code Upload-Checksum}; nothing is kept
   */
  public Upload append(
      UploadId id, long offset, InputStream body, long contentLength, Checksum checksum) {
    Upload u = get(id);
    long room = u.totalSize() - offset;
    if (contentLength >= 0 && contentLength > room) {
      throw new ValidationException(
          "Content-Length",
          contentLength
              + " bytes from offset "
              + offset
              + " pass the Upload-Length "
              + u.totalSize());
    }
    if (contentLength > Upload.MAX_CHUNK_SIZE) {
      throw new BodyTooLargeException(
          "a PATCH carries at most "
              + Upload.MAX_CHUNK_SIZE
              + " bytes; set the client's chunkSize");
    }
    try (AutoCloseable slot = in.slots.take(id);
        ChunkLocks.Held held = in.locks.acquire(id, ChunkLocks.TUS_TAIL)) {
      u = get(id);
      if (u.status() != UploadStatus.ACTIVE || u.offset() != offset) {
        throw new ConflictException(
            "Upload-Offset",
            "is "
                + offset
                + " but the upload "
                + (u.status() == UploadStatus.ACTIVE
                    ? "has " + u.offset() + " bytes"
                    : "is " + u.status().name().toLowerCase()));
      }
      List<MessageDigest> digests = new ArrayList<>();
      MessageDigest check =
          checksum == null
              ? null
              : Digests.of(checksum.algorithm().equals("sha1") ? "SHA-1" : "SHA-256");
      if (check != null) {
        digests.add(check);
      }
      long max = Math.min(room, Upload.MAX_CHUNK_SIZE);
      DataFile.Written w;
      try {
        w = in.write(u, offset, body, max, digests, held);
      } catch (IOException e) {
        if (held.superseded()) {
          throw new ConflictException("Upload-Offset", "a newer PATCH took over");
        }
        throw UploadIntake.writeFailed(u, e, "writing the upload");
      }
      boolean whole = w.failure() == null && !w.overflow();
      if (held.superseded()) {
        throw new ConflictException("Upload-Offset", "a newer PATCH took over; nothing was kept");
      }
      if (check != null) {
        if (!whole) {
          throw new ValidationException(
              "Content-Length", "the body broke off; with Upload-Checksum nothing was kept");
        }
        if (!MessageDigest.isEqual(check.digest(), checksum.value())) {
          throw new ChecksumMismatchException(
              "Upload-Checksum",
              "the body's " + checksum.algorithm() + " does not match; nothing was kept");
        }
      }
      if (w.bytes() > 0
          && !in.repo.advanceOffset(id, offset, offset + w.bytes(), in.uploads.expiryFromNow())) {
        throw new ConflictException("Upload-Offset", "the upload moved on meanwhile");
      }
      in.uploads.countStored(w.bytes());
      if (w.overflow()) {
        throw new BodyTooLargeException(
            "the body passes Upload-Length or "
                + Upload.MAX_CHUNK_SIZE
                + " bytes; "
                + w.bytes()
                + " bytes were kept, continue from Upload-Offset "
                + (offset + w.bytes()));
      }
      if (w.failure() != null) {
        throw new ValidationException(
            "Content-Length",
            "the body broke off; " + w.bytes() + " bytes were kept: continue from HEAD's offset");
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new SyncException("PATCH: " + e, e);
    }
    Upload after = get(id);
    if (after.offset() == after.totalSize() && after.status() == UploadStatus.ACTIVE) {
      in.finisher.finish(id);
      after = get(id);
    }
    return after;
  }
}
