package dev.syncjobs.core.model;

import java.util.Objects;
import java.util.UUID;

/** Identity of one upload. */
public record UploadId(UUID value) {
  public UploadId {
    Objects.requireNonNull(value, "value");
  }

  /** Parses a UUID string; a malformed one is a {@link NotFoundException}: no such upload. */
  public static UploadId parse(String text) {
    try {
      return new UploadId(UUID.fromString(text));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new NotFoundException("no upload " + text);
    }
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
