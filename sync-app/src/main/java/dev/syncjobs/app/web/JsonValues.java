package dev.syncjobs.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.syncjobs.core.model.FieldError;
import java.util.List;
import java.util.Optional;

/** Typed reads of one field's value, recording a problem instead of throwing. */
record JsonValues(String field, JsonNode v, List<FieldError> errors) {
  Optional<String> string(boolean nullable) {
    if (v.isNull()) {
      if (nullable) {
        return Optional.of("");
      }
      errors.add(new FieldError(field, "must not be null"));
      return Optional.empty();
    }
    if (!v.isTextual()) {
      errors.add(new FieldError(field, "must be a string"));
      return Optional.empty();
    }
    if (v.asText().indexOf('\0') >= 0) {
      errors.add(new FieldError(field, "must not contain NUL characters"));
      return Optional.empty();
    }
    return Optional.of(v.asText());
  }

  Optional<Long> integer() {
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      errors.add(new FieldError(field, "must be a whole number"));
      return Optional.empty();
    }
    return Optional.of(v.asLong());
  }

  Optional<Boolean> bool() {
    if (!v.isBoolean()) {
      errors.add(new FieldError(field, "must be true or false"));
      return Optional.empty();
    }
    return Optional.of(v.asBoolean());
  }
}
