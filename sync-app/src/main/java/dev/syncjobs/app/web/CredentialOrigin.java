package dev.syncjobs.app.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.syncjobs.core.model.FieldError;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.ValidationException;
import java.util.Optional;

/**
 * Stored credentials are bound to the source's origin (scheme, host, port): a PATCH that moves the
 * source to another origin must send {@code source_auth} again (or null), so stored credentials
 * never go to a host they were not given for.
 */
final class CredentialOrigin {
  private CredentialOrigin() {}

  /**
   * @param old the job as stored
   * @param body the PATCH request
   * @param sourceUrl the source URL after the PATCH
   * @return an error naming {@code source_auth} when the origin changes and the stored credentials
   *     would follow it unasked
   */
  static Optional<FieldError> check(Job old, ObjectNode body, String sourceUrl) {
    if (old.auth() == null || body.has("source_auth") || !body.has("source_url")) {
      return Optional.empty();
    }
    Source next;
    try {
      next = Source.parse(sourceUrl);
    } catch (ValidationException e) {
      return Optional.empty(); // the source_url error is reported on its own
    }
    if (next.origin().equals(old.source().origin())) {
      return Optional.empty();
    }
    return Optional.of(
        new FieldError(
            "source_auth",
            "the source moves from "
                + old.source().origin()
                + " to "
                + next.origin()
                + ": send source_auth again for the new origin, or null to drop the stored"
                + " credentials (stored credentials never go to another host)"));
  }
}
