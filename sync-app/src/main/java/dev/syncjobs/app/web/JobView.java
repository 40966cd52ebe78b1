package dev.syncjobs.app.web;

import dev.syncjobs.core.model.FilterRule;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.ScheduleFields;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A job as the API shows it (API.md's snake_case fields); secrets never appear. */
final class JobView {
  private JobView() {}

  /** The JSON view of a job. */
  static Map<String, Object> write(Job job, String backendName, Double averageDurationSeconds) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", job.id().value().toString());
    m.put("name", job.name());
    m.put("source_url", job.source().uri().toString());
    if (job.auth() == null) {
      m.put("source_auth", null);
    } else {
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("type", job.auth().type().name().toLowerCase(Locale.ROOT));
      a.put("username", job.auth().username());
      m.put("source_auth", a);
    }
    m.put("ca_bundle", job.caBundle());
    m.put("destination_backend_id", job.destination().backendId());
    m.put("destination_backend_name", backendName);
    m.put("destination_path", job.destination().path());
    m.put("include_pattern", job.includePattern());
    m.put("exclude_pattern", job.excludePattern());
    m.put("filters", job.filters().stream().map(FilterRule::toString).toList());
    m.put("schedule", job.schedule().kind());
    ScheduleFields f = ScheduleFields.of(job.schedule());
    m.put("schedule_day", f.day());
    m.put("schedule_time", f.time() == null ? null : JobJson.hhmm(f.time()));
    m.put("cron_expression", f.cron());
    m.put("timezone", job.zone().getId());
    JobOptions o = job.options();
    m.put("verify_checksums", o.verifyChecksums());
    m.put("compare_checksums", o.compareChecksums());
    m.put("delete_removed", o.deleteRemoved());
    m.put("max_delete_percent", o.maxDeletePercent());
    m.put("keep_versions", o.keepVersions());
    m.put("bandwidth_limit", o.bandwidthLimit());
    m.put("max_retries", o.maxRetries());
    m.put("enabled", job.enabled());
    m.put("misfire_policy", job.misfirePolicy().name().toLowerCase(Locale.ROOT));
    m.put("status", job.status().name().toLowerCase(Locale.ROOT));
    m.put("last_run_at", job.lastRunAt());
    m.put("last_error", job.lastError());
    m.put("next_run_at", job.nextRunAt());
    m.put("created_at", job.createdAt());
    m.put("updated_at", job.updatedAt());
    m.put("average_duration_seconds", averageDurationSeconds);
    return m;
  }
}
