package dev.syncjobs.core.model;

import java.util.Objects;
import java.util.UUID;

/** Identity of one run of a job. */
public record RunId(UUID value) {
  public RunId {
    Objects.requireNonNull(value, "value");
  }

  /** Parses a UUID string; a malformed one is a {@link ValidationException} on {@code field}. */
  public static RunId parse(String text, String field) {
    try {
      return new RunId(UUID.fromString(text));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new ValidationException(field, "must be a UUID");
    }
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
