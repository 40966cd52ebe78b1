package dev.syncjobs.core.upload;

import dev.syncjobs.core.model.ChecksumMismatchException;
import dev.syncjobs.core.model.ConflictException;
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
import java.util.HexFormat;
import java.util.List;

/**
 * Takes the numbered chunks of an upload: each streams into its place in the data file, hashed on
 * the way, and is recorded only after it is synced to disk and matched the SHA-256 the client sent
 * with it. A chunk already stored is not written again: the same bytes are answered as stored, a
 * different hash is a conflict. When the last missing chunk is stored the upload is finished.
 */
public final class ChunkReceiver {

  /**
   * The SHA-256 a chunk must have.
   *
   * @param header the request header it came in, named in errors ({@code X-Chunk-SHA256} or {@code
   *     Content-Digest})
   * @param sha256 the 32 bytes
   */
  public record Expected(String header, byte[] sha256) {
    public String hex() {
      return HexFormat.of().formatHex(sha256);
    }
  }

  private final UploadIntake in;

  ChunkReceiver(UploadIntake in) {
    this.in = in;
  }

  /**
   * Stores chunk {@code n} of {@code id} from {@code body}.
   *
   * @param contentLength the request's declared length, or -1 when it declared none
   * @param expected the chunk's SHA-256, null when the client sent none (refused)
   * @return the progress after this chunk
   * @throws ValidationException on {@code chunk_number}, {@code Content-Length} or the hash header
   * @throws ChecksumMismatchException when the bytes do not match (nothing is recorded)
   * @throws ConflictException when the chunk is stored with another hash, or the upload ended
   */
  public UploadProgress receive(
      UploadId id, int n, InputStream body, long contentLength, Expected expected) {
    Upload u = in.uploads.get(id);
    if (u.protocol() != UploadProtocol.CHUNKS) {
      throw new ConflictException("upload_id", "this is a tus upload: PATCH /api/v1/tus/" + id);
    }
    if (n < 0 || n >= u.totalChunks()) {
      throw new ValidationException(
          "chunk_number", "must be 0.." + (u.totalChunks() - 1) + " for this upload");
    }
    long length = u.chunkLength(n);
    if (contentLength >= 0 && contentLength != length) {
      throw new ValidationException(
          "Content-Length", "chunk " + n + " must be " + length + " bytes, not " + contentLength);
    }
    if (expected == null) {
      throw new ValidationException(
          "X-Chunk-SHA256",
          "is required: the chunk's SHA-256 in hex (or Content-Digest: sha-256=:<base64>:)");
    }
    if (u.status() != UploadStatus.ACTIVE) {
      return already(u, n, body, length, expected);
    }
    try (AutoCloseable slot = in.slots.take(id);
        ChunkLocks.Held held = in.locks.acquire(id, n)) {
      String stored = in.repo.chunks(id).get(n);
      if (stored != null) {
        return already(u, n, body, length, expected);
      }
      MessageDigest sha = Digests.sha256();
      DataFile.Written w;
      try {
        w = in.write(u, u.chunkStart(n), body, length, List.of(sha), held);
      } catch (IOException e) {
        throw writeFailed(held, e, u);
      }
      if (w.failure() != null) {
        if (held.superseded() || w.failure() instanceof java.io.InterruptedIOException) {
          throw superseded(n);
        }
        throw new ValidationException(
            "Content-Length",
            "the request body broke off after "
                + w.bytes()
                + " of "
                + length
                + " bytes; nothing was stored");
      }
      checkLength(n, length, w);
      byte[] actual = sha.digest();
      if (!MessageDigest.isEqual(actual, expected.sha256())) {
        throw mismatch(n, expected, actual);
      }
      if (held.superseded()) {
        throw superseded(n);
      }
      String hex = HexFormat.of().formatHex(actual);
      if (in.repo.recordChunk(id, n, hex, in.uploads.expiryFromNow())) {
        in.uploads.countStored(w.bytes());
      } else {
        Upload now = in.uploads.get(id);
        String other = in.repo.chunks(id).get(n);
        if (other == null || !other.equals(hex)) {
          throw new ConflictException(
              "chunk_number",
              other == null
                  ? "the upload is " + now.status().name().toLowerCase() + "; chunk not stored"
                  : "chunk " + n + " was stored meanwhile with another SHA-256");
        }
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new SyncException("chunk " + n + ": " + e, e);
    }
    UploadProgress p = in.uploads.progress(id);
    if (p.missingChunks().isEmpty() && p.upload().status() == UploadStatus.ACTIVE) {
      in.finisher.finish(id);
      p = in.uploads.progress(id);
    }
    return p;
  }

  /** A chunk that is already stored: the same bytes are fine, others are a conflict. */
  private UploadProgress already(
      Upload u, int n, InputStream body, long length, Expected expected) {
    String stored = in.repo.chunks(u.id()).get(n);
    if (stored == null) {
      throw new ConflictException(
          "upload_id", "the upload is " + u.status().name().toLowerCase() + "; it takes no chunks");
    }
    if (!stored.equals(expected.hex())) {
      throw new ConflictException(
          expected.header(),
          "chunk " + n + " is already stored with SHA-256 " + stored + ", not " + expected.hex());
    }
    MessageDigest sha = Digests.sha256();
    DataFile.Written w = DataFile.drain(body, length, List.of(sha));
    if (w.failure() != null) {
      throw new SyncException("chunk " + n + ": reading the request failed: " + w.failure());
    }
    checkLength(n, length, w);
    byte[] actual = sha.digest();
    if (!MessageDigest.isEqual(actual, expected.sha256())) {
      throw mismatch(n, expected, actual);
    }
    in.uploads.extendQuietly(u.id());
    return in.uploads.progress(u.id());
  }

  private static void checkLength(int n, long length, DataFile.Written w) {
    if (w.overflow() || w.bytes() != length) {
      throw new ValidationException(
          "Content-Length",
          "chunk "
              + n
              + " must be "
              + length
              + " bytes, "
              + (w.overflow() ? "got more" : "got " + w.bytes()));
    }
  }

  private static ChecksumMismatchException mismatch(int n, Expected expected, byte[] actual) {
    return new ChecksumMismatchException(
        expected.header(),
        "chunk "
            + n
            + " has SHA-256 "
            + HexFormat.of().formatHex(actual)
            + ", not "
            + expected.hex()
            + "; nothing was stored");
  }

  private static ConflictException superseded(int n) {
    return new ConflictException(
        "chunk_number",
        "a newer request for chunk "
            + (n < 0 ? "" : n + " ")
            + "took over; this one stored nothing");
  }

  private static RuntimeException writeFailed(ChunkLocks.Held held, IOException e, Upload u) {
    if (held.superseded()
        || e instanceof java.io.InterruptedIOException
        || e instanceof java.nio.channels.ClosedByInterruptException) {
      return superseded(-1);
    }
    return UploadIntake.writeFailed(u, e, "writing the chunk");
  }
}
