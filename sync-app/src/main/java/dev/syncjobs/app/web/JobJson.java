package dev.syncjobs.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.FieldError;
import dev.syncjobs.core.model.FilterRule;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.MisfirePolicy;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.ScheduleFields;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.model.ValidationException;
import dev.syncjobs.core.version.StorageBackends;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Job JSON (API.md's snake_case fields) to and from the domain. Reading checks every field's type
 * and names every bad field at once; the domain then validates the values again.
 */
public final class JobJson {
  static final Set<String> WRITABLE =
      Set.of(
          "name",
          "source_url",
          "source_auth",
          "ca_bundle",
          "destination_backend_id",
          "destination_path",
          "include_pattern",
          "exclude_pattern",
          "filters",
          "schedule",
          "schedule_day",
          "schedule_time",
          "cron_expression",
          "timezone",
          "verify_checksums",
          "compare_checksums",
          "delete_removed",
          "max_delete_percent",
          "keep_versions",
          "bandwidth_limit",
          "max_retries",
          "enabled",
          "misfire_policy");
  static final Set<String> READ_ONLY =
      Set.of(
          "id",
          "status",
          "last_run_at",
          "last_error",
          "next_run_at",
          "created_at",
          "updated_at",
          "destination_backend_name",
          "average_duration_seconds");
  private static final Pattern TIME = Pattern.compile("^([01][0-9]|2[0-3]):[0-5][0-9]$");
  private static final int MAX_CA_BUNDLE = 128 * 1024;

  private final ZoneId defaultZone;
  private final StorageBackends backends;

  public JobJson(ZoneId defaultZone, StorageBackends backends) {
    this.defaultZone = defaultZone;
    this.backends = backends;
  }

  /** The editable state of a job, as plain values. */
  private static final class Draft {
    String name;
    String sourceUrl;
    SourceAuth auth;
    String caBundle;
    String backendId;
    String destinationPath;
    String include;
    String exclude;
    List<String> filters = List.of();
    String schedule = "manual";
    Integer scheduleDay;
    String scheduleTime;
    String cron;
    String timezone;
    boolean verify = JobOptions.DEFAULTS.verifyChecksums();
    boolean compare = JobOptions.DEFAULTS.compareChecksums();
    boolean deleteRemoved = JobOptions.DEFAULTS.deleteRemoved();
    int maxDeletePercent = JobOptions.DEFAULTS.maxDeletePercent();
    int keepVersions = JobOptions.DEFAULTS.keepVersions();
    Long bandwidthLimit;
    int maxRetries = JobOptions.DEFAULTS.maxRetries();
    boolean enabled = true;
    String misfire = "run_once";

    /** The options as given; the record validates them. */
    JobOptions options() {
      return new JobOptions(
          verify,
          compare,
          deleteRemoved,
          maxDeletePercent,
          keepVersions,
          bandwidthLimit,
          maxRetries);
    }
  }

  /** A new job from a create request. */
  Job create(ObjectNode body, JobId id) {
    Draft d = new Draft();
    d.timezone = defaultZone.getId();
    d.backendId = null;
    List<FieldError> errors = new ArrayList<>();
    apply(body, d, errors);
    for (String required : List.of("name", "source_url", "destination_backend_id")) {
      if (!body.has(required) && errors.stream().noneMatch(e -> e.field().equals(required))) {
        errors.add(new FieldError(required, "is required"));
      }
    }
    if (!body.has("destination_path")) {
      errors.add(new FieldError("destination_path", "is required"));
    }
    JobRequestRules.scheduleFields(body, d.schedule, errors);
    JobRequestRules.caBundle(body, d.caBundle, errors);
    return build(d, id, null, errors);
  }

  /** The job with a PATCH request's fields changed. */
  Job patch(Job old, ObjectNode body) {
    Draft d = from(old);
    List<FieldError> errors = new ArrayList<>();
    apply(body, d, errors);
    CredentialOrigin.check(old, body, d.sourceUrl).ifPresent(errors::add);
    JobRequestRules.scheduleFields(body, d.schedule, errors);
    JobRequestRules.caBundle(body, d.caBundle, errors);
    return build(d, old.id(), old, errors);
  }

  private static Draft from(Job job) {
    Draft d = new Draft();
    d.name = job.name();
    d.sourceUrl = job.source().uri().toString();
    d.auth = job.auth();
    d.caBundle = job.caBundle();
    d.backendId = job.destination().backendId();
    d.destinationPath = job.destination().path();
    d.include = job.includePattern();
    d.exclude = job.excludePattern();
    d.filters = job.filters().stream().map(FilterRule::toString).toList();
    d.schedule = job.schedule().kind();
    ScheduleFields f = ScheduleFields.of(job.schedule());
    d.scheduleDay = f.day();
    d.scheduleTime = f.time() == null ? null : hhmm(f.time());
    d.cron = f.cron();
    d.timezone = job.zone().getId();
    JobOptions o = job.options();
    d.verify = o.verifyChecksums();
    d.compare = o.compareChecksums();
    d.deleteRemoved = o.deleteRemoved();
    d.maxDeletePercent = o.maxDeletePercent();
    d.keepVersions = o.keepVersions();
    d.bandwidthLimit = o.bandwidthLimit();
    d.maxRetries = o.maxRetries();
    d.enabled = job.enabled();
    d.misfire = job.misfirePolicy().name().toLowerCase(Locale.ROOT);
    return d;
  }

  static String hhmm(LocalTime t) {
    return String.format(Locale.ROOT, "%02d:%02d", t.getHour(), t.getMinute());
  }

  private void apply(ObjectNode body, Draft d, List<FieldError> errors) {
    Iterator<Map.Entry<String, JsonNode>> it = body.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String f = e.getKey();
      JsonNode v = e.getValue();
      if (READ_ONLY.contains(f)) {
        errors.add(new FieldError(f, "is read-only"));
        continue;
      }
      if (!WRITABLE.contains(f)) {
        errors.add(new FieldError(f, "is not a job field"));
        continue;
      }
      JsonValues in = new JsonValues(f, v, errors);
      switch (f) {
        case "name" -> in.string(false).ifPresent(s -> d.name = s);
        case "source_url" -> in.string(false).ifPresent(s -> d.sourceUrl = s);
        case "source_auth" -> {
          if (v.isNull()) {
            d.auth = null;
          } else {
            SourceAuth a = SourceAuthJson.read(v, errors);
            if (a != null) {
              d.auth = a;
            }
          }
        }
        case "ca_bundle" -> in.string(true).ifPresent(s -> d.caBundle = blankToNull(s));
        case "destination_backend_id" -> in.string(false).ifPresent(s -> d.backendId = s);
        case "destination_path" -> in.string(false).ifPresent(s -> d.destinationPath = s);
        case "include_pattern" -> in.string(true).ifPresent(s -> d.include = blankToNull(s));
        case "exclude_pattern" -> in.string(true).ifPresent(s -> d.exclude = blankToNull(s));
        case "filters" -> {
          if (v.isNull()) {
            d.filters = List.of();
          } else if (!v.isArray()) {
            errors.add(new FieldError(f, "must be a list of rules like \"- *.tmp\""));
          } else {
            List<String> rules = new ArrayList<>();
            boolean ok = true;
            for (JsonNode r : v) {
              if (!r.isTextual()) {
                errors.add(new FieldError(f, "every rule must be a string like \"+ *.iso\""));
                ok = false;
                break;
              }
              rules.add(r.asText());
            }
            if (ok) {
              d.filters = rules;
            }
          }
        }
        case "schedule" -> in.string(false).ifPresent(s -> d.schedule = s);
        case "schedule_day" -> {
          if (v.isNull()) {
            d.scheduleDay = null;
          } else {
            in.integer().ifPresent(n -> d.scheduleDay = clampInt(n));
          }
        }
        case "schedule_time" -> in.string(true).ifPresent(s -> d.scheduleTime = blankToNull(s));
        case "cron_expression" -> in.string(true).ifPresent(s -> d.cron = blankToNull(s));
        case "timezone" -> in.string(false).ifPresent(s -> d.timezone = s);
        case "verify_checksums" -> in.bool().ifPresent(b -> d.verify = b);
        case "compare_checksums" -> in.bool().ifPresent(b -> d.compare = b);
        case "delete_removed" -> in.bool().ifPresent(b -> d.deleteRemoved = b);
        case "max_delete_percent" -> in.integer().ifPresent(n -> d.maxDeletePercent = clampInt(n));
        case "keep_versions" -> in.integer().ifPresent(n -> d.keepVersions = clampInt(n));
        case "bandwidth_limit" -> {
          if (v.isNull()) {
            d.bandwidthLimit = null;
          } else {
            in.integer().ifPresent(n -> d.bandwidthLimit = n);
          }
        }
        case "max_retries" -> in.integer().ifPresent(n -> d.maxRetries = clampInt(n));
        case "enabled" -> in.bool().ifPresent(b -> d.enabled = b);
        case "misfire_policy" -> in.string(false).ifPresent(s -> d.misfire = s);
        default -> errors.add(new FieldError(f, "is not a job field"));
      }
    }
  }

  private static int clampInt(long n) {
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, n));
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private Job build(Draft d, JobId id, Job old, List<FieldError> errors) {
    Source source = null;
    if (d.sourceUrl != null) {
      try {
        source = Source.parse(d.sourceUrl);
      } catch (ValidationException e) {
        errors.addAll(e.errors());
        source = null;
      }
    }
    if (d.backendId != null && backends.find(d.backendId).isEmpty()) {
      errors.add(
          new FieldError(
              "destination_backend_id",
              "no backend named '"
                  + d.backendId
                  + "' (configured: "
                  + String.join(", ", backends.all().stream().map(b -> b.name()).toList())
                  + ")"));
    }
    Destination destination = null;
    if (d.backendId != null && d.destinationPath != null) {
      try {
        destination = new Destination(d.backendId, d.destinationPath);
        if (destination.refusal() != null) {
          errors.add(new FieldError("destination_path", destination.refusal()));
        }
      } catch (ValidationException e) {
        errors.addAll(e.errors());
      }
    }
    Schedule schedule = schedule(d, errors);
    ZoneId zone = null;
    if (d.timezone != null) {
      if (ZoneId.getAvailableZoneIds().contains(d.timezone) || d.timezone.equals("UTC")) {
        zone = ZoneId.of(d.timezone);
      } else {
        errors.add(
            new FieldError(
                "timezone", "'" + d.timezone + "' is not an IANA zone like Europe/Berlin or UTC"));
      }
    }
    JobOptions options = null;
    try {
      options = d.options();
    } catch (ValidationException e) {
      errors.addAll(e.errors());
    }
    List<FilterRule> filters = new ArrayList<>();
    for (int i = 0; i < d.filters.size(); i++) {
      try {
        filters.add(FilterRule.parse(d.filters.get(i)));
      } catch (ValidationException e) {
        errors.add(
            new FieldError("filters", "rule " + (i + 1) + ": " + e.errors().get(0).message()));
      }
    }
    MisfirePolicy misfire = null;
    switch (d.misfire == null ? "" : d.misfire) {
      case "run_once" -> misfire = MisfirePolicy.RUN_ONCE;
      case "skip" -> misfire = MisfirePolicy.SKIP;
      default -> errors.add(new FieldError("misfire_policy", "must be run_once or skip"));
    }
    if (d.caBundle != null && d.caBundle.length() > MAX_CA_BUNDLE) {
      errors.add(new FieldError("ca_bundle", "must be at most " + MAX_CA_BUNDLE + " characters"));
    }
    // The record validates the rest (name, ca_bundle, patterns, credentials fitting the source);
    // stand-ins for parts that already failed let it report its own fields too.
    boolean sourceFailed = source == null;
    try {
      new Job(
          id,
          d.name,
          source == null ? Source.parse("https://placeholder.invalid/") : source,
          sourceFailed ? null : d.auth,
          d.caBundle != null && d.caBundle.length() > MAX_CA_BUNDLE ? null : d.caBundle,
          destination == null ? new Destination("placeholder", "placeholder") : destination,
          d.include,
          d.exclude,
          List.of(),
          schedule == null ? new Schedule.Manual() : schedule,
          zone == null ? ZoneId.of("UTC") : zone,
          options == null ? JobOptions.DEFAULTS : options,
          d.enabled,
          misfire,
          null,
          null,
          null,
          null,
          null,
          null);
    } catch (ValidationException e) {
      errors.addAll(e.errors());
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(dedupe(errors));
    }
    return new Job(
        id,
        d.name,
        Source.parse(d.sourceUrl),
        d.auth,
        d.caBundle,
        new Destination(d.backendId, d.destinationPath),
        d.include,
        d.exclude,
        filters,
        schedule,
        ZoneId.of(d.timezone),
        d.options(),
        d.enabled,
        MisfirePolicy.valueOf(d.misfire.toUpperCase(Locale.ROOT)),
        old == null ? null : old.status(),
        old == null ? null : old.lastRunAt(),
        old == null ? null : old.lastError(),
        old == null ? null : old.nextRunAt(),
        old == null ? null : old.createdAt(),
        old == null ? null : old.updatedAt());
  }

  private static List<FieldError> dedupe(List<FieldError> errors) {
    return new ArrayList<>(new LinkedHashSet<>(errors));
  }

  private static Schedule schedule(Draft d, List<FieldError> errors) {
    int before = errors.size();
    LocalTime time = null;
    if (List.of("daily", "weekly", "monthly").contains(d.schedule)) {
      try {
        time = time(d.scheduleTime);
      } catch (ValidationException e) {
        errors.addAll(e.errors());
        time = LocalTime.MIDNIGHT; // reported as malformed, not as missing as well
      }
    }
    ScheduleFields fields = new ScheduleFields(d.schedule, d.scheduleDay, time, d.cron);
    errors.addAll(fields.missing());
    if (errors.size() > before) {
      return null;
    }
    try {
      return fields.toSchedule();
    } catch (ValidationException e) {
      errors.addAll(e.errors());
      return null;
    }
  }

  private static LocalTime time(String text) {
    if (text == null) {
      return null; // the schedule record names the missing field
    }
    if (!TIME.matcher(text).matches()) {
      throw new ValidationException("schedule_time", "must be HH:MM (00:00..23:59)");
    }
    return LocalTime.parse(text);
  }
}
