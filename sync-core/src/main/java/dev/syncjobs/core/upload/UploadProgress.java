package dev.syncjobs.core.upload;

import dev.syncjobs.core.model.Upload;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What an upload holds so far: only chunks (or, for tus, bytes) verified and synced count.
 *
 * @param missingChunks chunk numbers not yet stored, ascending
 * @param resumeFromChunk the first missing chunk, or the chunk count when none is missing
 */
public record UploadProgress(
    Upload upload,
    int completedChunks,
    int totalChunks,
    List<Integer> missingChunks,
    long uploadedBytes,
    int resumeFromChunk) {

  /** Percent of the chunks stored, 0..100, one decimal. */
  public double percent() {
    return totalChunks == 0 ? 100 : Math.round(1000.0 * completedChunks / totalChunks) / 10.0;
  }

  static UploadProgress of(Upload u, Set<Integer> stored) {
    int total = u.totalChunks();
    List<Integer> missing = new ArrayList<>();
    long bytes = 0;
    int done = 0;
    for (int n = 0; n < total; n++) {
      boolean have =
          switch (u.protocol()) {
            case CHUNKS -> stored.contains(n);
            case TUS -> u.offset() >= u.chunkStart(n) + u.chunkLength(n);
          };
      if (have || u.status() == dev.syncjobs.core.model.UploadStatus.COMPLETED) {
        done++;
        bytes += u.chunkLength(n);
      } else {
        missing.add(n);
      }
    }
    if (u.protocol() == dev.syncjobs.core.model.UploadProtocol.TUS
        && u.status() != dev.syncjobs.core.model.UploadStatus.COMPLETED) {
      bytes = u.offset();
    }
    return new UploadProgress(
        u, done, total, List.copyOf(missing), bytes, missing.isEmpty() ? total : missing.get(0));
  }
}
