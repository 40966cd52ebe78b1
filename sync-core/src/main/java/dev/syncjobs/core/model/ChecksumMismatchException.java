package dev.syncjobs.core.model;

/**
 * Bytes that arrived do not match the checksum sent with them (a chunk's {@code X-Chunk-SHA256} or
 * {@code Content-Digest}, tus {@code Upload-Checksum}, an upload's whole-file {@code sha256}).
 * Nothing of them was recorded. {@link #field} names the header or field that disagreed.
 */
public final class ChecksumMismatchException extends SyncException {
  private final String field;

  public ChecksumMismatchException(String field, String message) {
    super(message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
