package dev.syncjobs.app.web;

import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.ValidationException;
import java.util.UUID;
import java.util.regex.Pattern;

/** Path ids: UUIDs in their canonical form, or a 400 naming the parameter. */
final class Ids {
  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

  private Ids() {}

  static JobId job(String text) {
    return new JobId(uuid("id", text));
  }

  static RunId run(String text) {
    return new RunId(uuid("run_id", text));
  }

  private static UUID uuid(String field, String text) {
    if (text == null || !UUID_TEXT.matcher(text).matches()) {
      throw new ValidationException(field, "must be a UUID");
    }
    return UUID.fromString(text);
  }
}
