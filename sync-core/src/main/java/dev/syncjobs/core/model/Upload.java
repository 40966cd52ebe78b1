package dev.syncjobs.core.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A file being pushed into a backend, chunk by chunk ({@link UploadProtocol#CHUNKS}) or by the tus
 * protocol ({@link UploadProtocol#TUS}). Its bytes collect in a data file under the backend and
 * appear at {@link #filePath} only once all of them arrived and verified.
 *
 * @param filePath the target, relative to the backend root, normalised (no leading {@code /}, no
 *     {@code .} or {@code ..} segments); where it lands is checked by the upload service
 * @param chunkSize bytes of every chunk but the last
 * @param sha256 the whole file's SHA-256 in lower-case hex, or null when the client sent none
 * @param offset tus only: bytes stored and synced from the start of the file
 * @param expiresAt when the daily clean-up may remove it; moved on by every chunk and resume
 * @param error why it failed, or null
 */
public record Upload(
    UploadId id,
    UploadProtocol protocol,
    String backendId,
    String filePath,
    long totalSize,
    int chunkSize,
    String sha256,
    UploadStatus status,
    long offset,
    Instant createdAt,
    Instant expiresAt,
    String error) {

  /** Chunk size when the client names none: 5 MiB. */
  public static final int DEFAULT_CHUNK_SIZE = 5 * 1024 * 1024;

  /** Smallest chunk size (every chunk but the last is this size or more): 256 KiB. */
  public static final int MIN_CHUNK_SIZE = 256 * 1024;

  /** Largest chunk, and largest body of an upload request: 100 MiB. */
  public static final int MAX_CHUNK_SIZE = 100 * 1024 * 1024;

  private static final Pattern HEX_SHA256 = Pattern.compile("^[0-9a-f]{64}$");

  public Upload {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    List<FieldError> errors = new ArrayList<>();
    if (backendId == null || backendId.isBlank()) {
      errors.add(new FieldError("backend_id", "is required"));
    }
    if (filePath == null || filePath.isBlank()) {
      errors.add(new FieldError("file_path", "is required"));
    }
    if (totalSize < 0) {
      errors.add(new FieldError("total_size", "must be 0 or more"));
    }
    if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
      errors.add(
          new FieldError(
              "chunk_size", "must be " + MIN_CHUNK_SIZE + ".." + MAX_CHUNK_SIZE + " bytes"));
    }
    if (sha256 != null) {
      sha256 = sha256.toLowerCase(Locale.ROOT);
      if (!HEX_SHA256.matcher(sha256).matches()) {
        errors.add(new FieldError("sha256", "must be 64 hexadecimal digits"));
      }
    }
    if (offset < 0 || offset > totalSize) {
      errors.add(new FieldError("offset", "must be 0.." + totalSize));
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
  }

  /** Number of chunks: at least one, so an empty file is one empty chunk. */
  public int totalChunks() {
    return (int) Math.max(1, (totalSize + chunkSize - 1) / chunkSize);
  }

  /** Where chunk {@code n} starts in the file. */
  public long chunkStart(int n) {
    return (long) n * chunkSize;
  }

  /** Bytes of chunk {@code n}: the chunk size, less for the last one. */
  public long chunkLength(int n) {
    return Math.min(chunkSize, totalSize - chunkStart(n));
  }

  public Upload withStatus(UploadStatus s, String why) {
    return new Upload(
        id, protocol, backendId, filePath, totalSize, chunkSize, sha256, s, offset, createdAt,
        expiresAt, why);
  }

  public Upload withOffset(long o, Instant expires) {
    return new Upload(
        id, protocol, backendId, filePath, totalSize, chunkSize, sha256, status, o, createdAt,
        expires, error);
  }

  public Upload withExpiry(Instant expires) {
    return withOffset(offset, expires);
  }
}
