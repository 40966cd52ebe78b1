package dev.syncjobs.http;

import java.net.URI;
import java.time.Instant;

/**
 * A file of the source as the listing (or a HEAD request) describes it. A run lists every file
 * before it fetches the first, so this is kept small: numbers as primitives (a flag or a value no
 * time can have for "unknown"), and the URL as a base shared by the files of one index page plus
 * the rest, which is not kept at all when it is exactly the file's name as its path ends.
 */
final class RemoteFile {
  /** Epoch seconds no {@link Instant} and no listing time has. */
  private static final long NONE = Long.MIN_VALUE;

  private final String path;
  private final String base;
  private final String rest;
  private final boolean sizeKnown;
  private final long size;
  private final long mtimeSeconds;
  private final int mtimeNanos;
  private final int precisionSeconds;
  private final long listed;
  private final String etag;

  /**
   * @param path path relative to the source URL, '/'-separated
   * @param uri where to download it
   * @param size exact size in bytes, null when the server did not say
   * @param mtime modification time, null when unknown
   * @param precisionSeconds how exact {@code mtime} is (60 for minute listings)
   * @param listed the listing's own time for it (epoch seconds), null when the listing shows none
   * @param etag the ETag a HEAD request returned, null otherwise
   */
  RemoteFile(
      String path,
      URI uri,
      Long size,
      Instant mtime,
      long precisionSeconds,
      Long listed,
      String etag) {
    this(path, uri.toString(), null, size, mtime, precisionSeconds, listed, etag);
  }

  /**
   * As above, with the URL as text and {@code sharedBase}, a prefix that many files' URLs share
   * (the index page's URL), or null: the URL is kept as that prefix and the rest only when {@code
   * sharedBase} plus the rest spells it exactly; {@link #url()} gives back the same text either
   * way.
   */
  RemoteFile(
      String path,
      String url,
      String sharedBase,
      Long size,
      Instant mtime,
      long precisionSeconds,
      Long listed,
      String etag) {
    this.path = path;
    if (sharedBase != null && url.startsWith(sharedBase)) {
      this.base = sharedBase;
      String r = url.substring(sharedBase.length());
      this.rest = r.equals(lastSegment(path)) ? null : r;
    } else {
      this.base = url;
      this.rest = "";
    }
    this.sizeKnown = size != null;
    this.size = size == null ? 0 : size;
    this.mtimeSeconds = mtime == null ? NONE : mtime.getEpochSecond();
    this.mtimeNanos = mtime == null ? 0 : mtime.getNano();
    this.precisionSeconds = Math.toIntExact(precisionSeconds); // 1 or 60
    this.listed = listed == null ? NONE : listed;
    this.etag = etag;
  }

  private static String lastSegment(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** Path relative to the source URL, '/'-separated. */
  String path() {
    return path;
  }

  /** Where to download it, as text. */
  String url() {
    return base + (rest == null ? lastSegment(path) : rest);
  }

  /** Where to download it. */
  URI uri() {
    return URI.create(url());
  }

  /** Exact size in bytes, null when the server did not say. */
  Long size() {
    return sizeKnown ? size : null;
  }

  /** Modification time, null when unknown. */
  Instant mtime() {
    return mtimeSeconds == NONE ? null : Instant.ofEpochSecond(mtimeSeconds, mtimeNanos);
  }

  /** How exact {@link #mtime()} is (60 for minute listings). */
  long precisionSeconds() {
    return precisionSeconds;
  }

  /** The listing's own time for it (epoch seconds), null when the listing shows none. */
  Long listed() {
    return listed == NONE ? null : listed;
  }

  /** The ETag a HEAD request returned, null otherwise. */
  String etag() {
    return etag;
  }

  @Override
  public String toString() {
    return "RemoteFile[" + path + " " + url() + " size=" + size() + " mtime=" + mtime() + "]";
  }
}
