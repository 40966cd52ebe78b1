package dev.syncjobs.core.port;

import dev.syncjobs.core.model.Upload;
import dev.syncjobs.core.model.UploadId;
import dev.syncjobs.core.model.UploadStatus;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * Durable state of uploads: each upload's record and the chunks verified so far. Only what is
 * verified and synced to disk is ever recorded, so after a crash the record is the truth about what
 * the data file holds. Shared by every instance in cluster mode, so its changes are conditional.
 * Methods throw {@link dev.syncjobs.core.model.SyncException} when the store fails.
 */
public interface UploadRepository {

  /** Stores a new upload. */
  void create(Upload upload);

  /** The upload, or empty when there is none (never was, cancelled, or cleaned up). */
  Optional<Upload> find(UploadId id);

  /** The SHA-256 (lower-case hex) of each chunk recorded complete, by chunk number. */
  SortedMap<Integer, String> chunks(UploadId id);

  /**
   * Records chunk {@code n} complete with its SHA-256 and moves the expiry to {@code expiresAt}.
   *
   * @return false when the chunk was already recorded (nothing changes then) or the upload is not
   *     {@link UploadStatus#ACTIVE} or gone
   */
  boolean recordChunk(UploadId id, int n, String sha256, Instant expiresAt);

  /**
   * tus: moves the stored offset from {@code from} to {@code to} and the expiry to {@code
   * expiresAt}, only when the offset still is {@code from} and the upload is active.
   */
  boolean advanceOffset(UploadId id, long from, long to, Instant expiresAt);

  /** Moves the expiry of an upload (activity); false when it is gone. */
  boolean extend(UploadId id, Instant expiresAt);

  /**
   * Ends an active upload as {@code status} ({@link UploadStatus#COMPLETED} or {@link
   * UploadStatus#FAILED}, with {@code error}); false when it was not active.
   */
  boolean finish(UploadId id, UploadStatus status, String error);

  /** Removes the upload and its chunk records; false when there was none. */
  boolean delete(UploadId id);

  /** Up to {@code limit} uploads, of any status, whose expiry is before {@code now}. */
  List<Upload> expired(Instant now, int limit);

  /**
   * The lease of the daily clean-up: true for exactly one caller per {@code day}, across every
   * instance sharing the store.
   */
  boolean claimCleanup(LocalDate day);
}
