package dev.syncjobs.core.model;

import java.util.Objects;
import java.util.UUID;

/** Identity of a sync job. */
public record JobId(UUID value) {
  public JobId {
    Objects.requireNonNull(value, "value");
  }

  /** Parses a UUID string; a malformed one is a {@link ValidationException} on {@code field}. */
  public static JobId parse(String text, String field) {
    try {
      return new JobId(UUID.fromString(text));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new ValidationException(field, "must be a UUID");
    }
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
