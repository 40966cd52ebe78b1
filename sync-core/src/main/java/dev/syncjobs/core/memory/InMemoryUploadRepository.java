package dev.syncjobs.core.memory;

import dev.syncjobs.core.model.Upload;
import dev.syncjobs.core.model.UploadId;
import dev.syncjobs.core.model.UploadStatus;
import dev.syncjobs.core.model.ValidationException;
import dev.syncjobs.core.port.UploadRepository;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/** {@link UploadRepository} in memory, for tests and embedding; every method is atomic. */
public final class InMemoryUploadRepository implements UploadRepository {
  private final Map<UploadId, Upload> uploads = new HashMap<>();
  private final Map<UploadId, TreeMap<Integer, String>> chunks = new HashMap<>();
  private LocalDate lastCleanup;

  @Override
  public synchronized void create(Upload upload) {
    if (uploads.containsKey(upload.id())) {
      throw new ValidationException("upload_id", "already exists");
    }
    uploads.put(upload.id(), upload);
    chunks.put(upload.id(), new TreeMap<>());
  }

  @Override
  public synchronized Optional<Upload> find(UploadId id) {
    return Optional.ofNullable(uploads.get(id));
  }

  @Override
  public synchronized SortedMap<Integer, String> chunks(UploadId id) {
    TreeMap<Integer, String> c = chunks.get(id);
    return c == null ? new TreeMap<>() : new TreeMap<>(c);
  }

  @Override
  public synchronized boolean recordChunk(UploadId id, int n, String sha256, Instant expiresAt) {
    Upload u = uploads.get(id);
    if (u == null || u.status() != UploadStatus.ACTIVE || chunks.get(id).containsKey(n)) {
      return false;
    }
    chunks.get(id).put(n, sha256);
    uploads.put(id, u.withExpiry(expiresAt));
    return true;
  }

  @Override
  public synchronized boolean advanceOffset(UploadId id, long from, long to, Instant expiresAt) {
    Upload u = uploads.get(id);
    if (u == null || u.status() != UploadStatus.ACTIVE || u.offset() != from) {
      return false;
    }
    uploads.put(id, u.withOffset(to, expiresAt));
    return true;
  }

  @Override
  public synchronized boolean extend(UploadId id, Instant expiresAt) {
    Upload u = uploads.get(id);
    if (u == null) {
      return false;
    }
    uploads.put(id, u.withExpiry(expiresAt));
    return true;
  }

  @Override
  public synchronized boolean finish(UploadId id, UploadStatus status, String error) {
    Upload u = uploads.get(id);
    if (u == null || u.status() != UploadStatus.ACTIVE) {
      return false;
    }
    uploads.put(id, u.withStatus(status, error));
    return true;
  }

  @Override
  public synchronized boolean delete(UploadId id) {
    chunks.remove(id);
    return uploads.remove(id) != null;
  }

  @Override
  public synchronized List<Upload> expired(Instant now, int limit) {
    return uploads.values().stream()
        .filter(u -> u.expiresAt().isBefore(now))
        .sorted(Comparator.comparing(Upload::expiresAt))
        .limit(limit)
        .toList();
  }

  @Override
  public synchronized boolean claimCleanup(LocalDate day) {
    if (lastCleanup != null && !lastCleanup.isBefore(day)) {
      return false;
    }
    lastCleanup = day;
    return true;
  }
}
