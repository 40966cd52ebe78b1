package dev.syncjobs.http;

import java.net.URI;
import java.time.Instant;

/**
 * A file of the source as the listing (or a HEAD request) describes it.
 *
 * @param path path relative to the source URL, '/'-separated
 * @param url where to download it, as text: a run lists every file before it fetches the first, and
 *     a {@link URI} object per file weighs several times its text
 * @param size exact size in bytes, null when the server did not say
 * @param mtime modification time, null when unknown
 * @param precisionSeconds how exact {@code mtime} is (60 for minute listings)
 * @param listed the listing's own time for it (epoch seconds), null when the listing shows none
 * @param etag the ETag a HEAD request returned, null otherwise
 */
record RemoteFile(
    String path,
    String url,
    Long size,
    Instant mtime,
    long precisionSeconds,
    Long listed,
    String etag) {

  RemoteFile(
      String path,
      URI uri,
      Long size,
      Instant mtime,
      long precisionSeconds,
      Long listed,
      String etag) {
    this(path, uri.toString(), size, mtime, precisionSeconds, listed, etag);
  }

  /** Where to download it. */
  URI uri() {
    return URI.create(url);
  }
}
