package dev.syncjobs.core.model;

import java.util.List;
import java.util.stream.Collectors;

/** Input that breaks a rule of the model; names every bad field (HTTP 400). */
public final class ValidationException extends SyncException {
  private final List<FieldError> errors;

  public ValidationException(List<FieldError> errors) {
    super(
        errors.stream().map(e -> e.field() + ": " + e.message()).collect(Collectors.joining("; ")));
    this.errors = List.copyOf(errors);
  }

  public ValidationException(String field, String message) {
    this(List.of(new FieldError(field, message)));
  }

  public List<FieldError> errors() {
    return errors;
  }
}
