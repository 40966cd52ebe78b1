package dev.syncjobs.http;

import java.net.URI;
import java.time.Instant;

/**
 * A file of the source as the listing (or a HEAD request) describes it.
 *
 * @param path path relative to the source URL, '/'-separated
 * @param uri where to download it
 * @param size exact size in bytes, null when the server did not say
 * @param mtime modification time, null when unknown
 * @param precisionSeconds how exact {@code mtime} is (60 for minute listings)
 * @param listed the listing's own time for it (epoch seconds), null when the listing shows none
 * @param etag the ETag a HEAD request returned, null otherwise
 */
record RemoteFile(
    String path,
    URI uri,
    Long size,
    Instant mtime,
    long precisionSeconds,
    Long listed,
    String etag) {}
