package dev.syncjobs.core.model;

import java.util.Objects;
import java.util.UUID;

/** Identity of one upload. */
public record UploadId(UUID value) {
  public UploadId {
    Objects.requireNonNull(value, "value");
  }

  /**
   * Parses a UUID string; a malformed one is a {@link ValidationException} on {@code upload_id}.
   */
  public static UploadId parse(String text) {
    try {
      return new UploadId(UUID.fromString(text));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new ValidationException("upload_id", "must be a UUID");
    }
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
