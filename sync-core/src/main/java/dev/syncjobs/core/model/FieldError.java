package dev.syncjobs.core.model;

import java.util.Objects;

/** One invalid input field and what is wrong with it, in words a user understands. */
public record FieldError(String field, String message) {
  public FieldError {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(message, "message");
  }
}
