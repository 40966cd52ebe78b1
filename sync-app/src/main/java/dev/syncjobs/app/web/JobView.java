package dev.syncjobs.app.web;

import dev.syncjobs.core.model.FilterRule;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.ScheduleFields;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/** A job as the API shows it (API.md's snake_case fields); secrets never appear. */
final class JobView {
  private JobView() {}

  /** The JSON view of a job. */
  static Map<String, Object> write(Job job, String backendName, Double averageDurationSeconds) {
    Map<String, Object> m = new LinkedHashMap<>();
    fields(job, backendName, averageDurationSeconds, m::put);
    return m;
  }

  /**
   * Hands the view's fields to {@code out} in the API's order: into a map for one job, or straight
   * into the answer for a list ({@link JsonStream}).
   */
  static void fields(
      Job job, String backendName, Double averageDurationSeconds, BiConsumer<String, Object> out) {
    out.accept("id", job.id().value().toString());
    out.accept("name", job.name());
    out.accept("source_url", job.source().uri().toString());
    if (job.auth() == null) {
      out.accept("source_auth", null);
    } else {
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("type", job.auth().type().name().toLowerCase(Locale.ROOT));
      a.put("username", job.auth().username());
      out.accept("source_auth", a);
    }
    out.accept("ca_bundle", job.caBundle());
    out.accept("destination_backend_id", job.destination().backendId());
    out.accept("destination_backend_name", backendName);
    out.accept("destination_path", job.destination().path());
    out.accept("include_pattern", job.includePattern());
    out.accept("exclude_pattern", job.excludePattern());
    out.accept("filters", job.filters().stream().map(FilterRule::toString).toList());
    out.accept("schedule", job.schedule().kind());
    ScheduleFields f = ScheduleFields.of(job.schedule());
    out.accept("schedule_day", f.day());
    out.accept("schedule_time", f.time() == null ? null : JobJson.hhmm(f.time()));
    out.accept("cron_expression", f.cron());
    out.accept("timezone", job.zone().getId());
    JobOptions o = job.options();
    out.accept("verify_checksums", o.verifyChecksums());
    out.accept("compare_checksums", o.compareChecksums());
    out.accept("delete_removed", o.deleteRemoved());
    out.accept("max_delete_percent", o.maxDeletePercent());
    out.accept("keep_versions", o.keepVersions());
    out.accept("bandwidth_limit", o.bandwidthLimit());
    out.accept("max_retries", o.maxRetries());
    out.accept("enabled", job.enabled());
    out.accept("misfire_policy", job.misfirePolicy().name().toLowerCase(Locale.ROOT));
    out.accept("status", job.status().name().toLowerCase(Locale.ROOT));
    out.accept("last_run_at", job.lastRunAt());
    out.accept("last_error", job.lastError());
    out.accept("next_run_at", job.nextRunAt());
    out.accept("created_at", job.createdAt());
    out.accept("updated_at", job.updatedAt());
    out.accept("average_duration_seconds", averageDurationSeconds);
  }
}
