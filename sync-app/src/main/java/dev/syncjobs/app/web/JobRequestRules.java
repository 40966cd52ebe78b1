package dev.syncjobs.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.syncjobs.core.model.FieldError;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rules for what a create or PATCH request sends, beyond what the job's records check: a field is
 * never accepted only to be dropped, and a {@code ca_bundle} must be certificates a TLS client can
 * load, not merely text that looks like one.
 */
final class JobRequestRules {
  private JobRequestRules() {}

  private static final String BEGIN = "-----BEGIN CERTIFICATE-----";

  /** The schedule fields and the kinds of schedule that use each. */
  private static final Map<String, Set<String>> USED_BY =
      Map.of(
          "schedule_day", Set.of("weekly", "monthly"),
          "schedule_time", Set.of("daily", "weekly", "monthly"),
          "cron_expression", Set.of("cron"));

  /**
   * A schedule field sent with a value that the job's schedule (after the request) does not use is
   * an error: storing nothing and answering 200 would let the caller believe it took effect. A
   * {@code null} is always accepted (it clears the field).
   */
  static void scheduleFields(ObjectNode body, String schedule, List<FieldError> errors) {
    if (schedule == null
        || !Set.of("manual", "hourly", "daily", "weekly", "monthly", "cron").contains(schedule)) {
      return; // the schedule itself is reported
    }
    USED_BY.forEach(
        (field, kinds) -> {
          JsonNode v = body.get(field);
          if (v != null && !v.isNull() && !kinds.contains(schedule)) {
            errors.add(
                new FieldError(
                    field,
                    "is not used by a "
                        + schedule
                        + " schedule (only "
                        + String.join(", ", kinds.stream().sorted().toList())
                        + "); send null or leave it out"));
          }
        });
  }

  /**
   * A {@code ca_bundle} sent in the request must hold at least one certificate, and every {@code
   * BEGIN CERTIFICATE} block in it must load as an X.509 certificate.
   */
  static void caBundle(ObjectNode body, String pem, List<FieldError> errors) {
    if (!body.has("ca_bundle") || pem == null) {
      return;
    }
    int blocks = 0;
    for (int i = pem.indexOf(BEGIN); i >= 0; i = pem.indexOf(BEGIN, i + 1)) {
      blocks++;
    }
    if (blocks == 0) {
      errors.add(new FieldError("ca_bundle", "must be PEM text with at least one certificate"));
      return;
    }
    try {
      int loaded =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)))
              .size();
      if (loaded != blocks) {
        errors.add(
            new FieldError(
                "ca_bundle",
                "holds " + blocks + " certificate blocks but only " + loaded + " load as X.509"));
      }
    } catch (CertificateException | RuntimeException e) {
      errors.add(new FieldError("ca_bundle", "is not a PEM certificate bundle: " + e.getMessage()));
    }
  }
}
