package dev.syncjobs.core.model;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A sync job: what to mirror, where to, when, and how. Immutable; {@link JobStatus} and the {@code
 * last*}/{@code nextRunAt} fields are maintained by the services.
 *
 * @param auth credentials for the source, null when none
 * @param caBundle extra PEM CAs trusted for an https source, null when none
 * @param includePattern the single include glob, null when none
 * @param excludePattern the single exclude glob, null when none
 * @param filters ordered filter rules given before the two single patterns
 * @param zone zone of the schedule's wall-clock times
 */
public record Job(
    JobId id,
    String name,
    Source source,
    SourceAuth auth,
    String caBundle,
    Destination destination,
    String includePattern,
    String excludePattern,
    List<FilterRule> filters,
    Schedule schedule,
    ZoneId zone,
    JobOptions options,
    boolean enabled,
    MisfirePolicy misfirePolicy,
    JobStatus status,
    Instant lastRunAt,
    String lastError,
    Instant nextRunAt,
    Instant createdAt,
    Instant updatedAt) {

  private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]$");

  public Job {
    Objects.requireNonNull(id, "id");
    List<FieldError> errors = new ArrayList<>();
    if (name == null) {
      errors.add(new FieldError("name", "is required"));
    } else if (name.length() < 3 || name.length() > 100) {
      errors.add(new FieldError("name", "must be 3..100 characters"));
    } else if (!NAME.matcher(name).matches()) {
      errors.add(
          new FieldError(
              "name",
              "may contain only letters, digits and '-', and must start and end with a letter or"
                  + " digit"));
    }
    if (source == null) {
      errors.add(new FieldError("source_url", "is required"));
    }
    if (destination == null) {
      errors.add(new FieldError("destination_path", "is required"));
    }
    if (schedule == null) {
      errors.add(new FieldError("schedule", "is required"));
    }
    if (zone == null) {
      errors.add(new FieldError("timezone", "is required"));
    }
    if (options == null) {
      errors.add(new FieldError("options", "is required"));
    }
    if (caBundle != null && !caBundle.contains("-----BEGIN CERTIFICATE-----")) {
      errors.add(new FieldError("ca_bundle", "must be PEM text with at least one certificate"));
    }
    if (auth != null && source != null) {
      boolean fits =
          switch (auth.type()) {
            case BASIC, BEARER -> source instanceof Source.Http;
            case RSYNC -> source instanceof Source.Rsync;
            case SSH -> source instanceof Source.Ssh;
          };
      if (!fits) {
        errors.add(
            new FieldError(
                "source_auth.type",
                "'"
                    + auth.type().name().toLowerCase()
                    + "' credentials do not fit a "
                    + source.uri().getScheme()
                    + " source"));
      }
    }
    filters = filters == null ? List.of() : List.copyOf(filters);
    if (filters.size() > 100) {
      errors.add(new FieldError("filters", "at most 100 rules"));
    }
    for (String[] p :
        new String[][] {{"include_pattern", includePattern}, {"exclude_pattern", excludePattern}}) {
      if (p[1] != null) {
        try {
          new FilterRule(true, p[1]);
        } catch (ValidationException e) {
          errors.add(new FieldError(p[0], e.errors().get(0).message()));
        }
      }
    }
    if (misfirePolicy == null) {
      misfirePolicy = MisfirePolicy.RUN_ONCE;
    }
    if (status == null) {
      status = JobStatus.IDLE;
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
  }

  /** The effective filter rules of this job. */
  public Filters effectiveFilters() {
    return Filters.of(filters, includePattern, excludePattern);
  }

  public Job withNextRunAt(Instant next) {
    return with(b -> b.nextRunAt = next);
  }

  public Job withStatus(JobStatus newStatus, Instant lastRun, String error) {
    return with(
        b -> {
          b.status = newStatus;
          b.lastRunAt = lastRun;
          b.lastError = error;
        });
  }

  /** This job with {@code change} applied to a copy, every other field as it is. */
  private Job with(Consumer<Builder> change) {
    Builder b = toBuilder();
    change.accept(b);
    b.defaultUpdatedAt = false;
    return b.build();
  }

  /** A builder seeded with the API's defaults, for embedders and tests. */
  public static Builder builder(JobId id, String name, Source source, Destination destination) {
    return new Builder(id, name, source, destination);
  }

  /**
   * A builder holding this job, to change some of its settings: the job's id, status, run times and
   * creation time are kept (the repository sets {@code updatedAt} when the change is saved).
   */
  public Builder toBuilder() {
    Builder b = new Builder(id, name, source, destination);
    b.auth = auth;
    b.caBundle = caBundle;
    b.includePattern = includePattern;
    b.excludePattern = excludePattern;
    b.filters = filters;
    b.schedule = schedule;
    b.zone = zone;
    b.options = options;
    b.enabled = enabled;
    b.misfirePolicy = misfirePolicy;
    b.status = status;
    b.lastRunAt = lastRunAt;
    b.lastError = lastError;
    b.nextRunAt = nextRunAt;
    b.createdAt = createdAt;
    b.updatedAt = updatedAt;
    return b;
  }

  /** Fluent construction of a {@link Job} with the API's defaults. */
  public static final class Builder {
    private final JobId id;
    private String name;
    private Source source;
    private Destination destination;
    private SourceAuth auth;
    private String caBundle;
    private String includePattern;
    private String excludePattern;
    private List<FilterRule> filters = List.of();
    private Schedule schedule = new Schedule.Manual();
    private ZoneId zone = ZoneId.of("UTC");
    private JobOptions options = JobOptions.DEFAULTS;
    private boolean enabled = true;
    private MisfirePolicy misfirePolicy = MisfirePolicy.RUN_ONCE;
    private Instant createdAt = Instant.EPOCH;
    private JobStatus status = JobStatus.IDLE;
    private Instant lastRunAt;
    private String lastError;
    private Instant nextRunAt;
    private Instant updatedAt;
    private boolean defaultUpdatedAt = true;

    private Builder(JobId id, String name, Source source, Destination destination) {
      this.id = id;
      this.name = name;
      this.source = source;
      this.destination = destination;
    }

    public Builder name(String value) {
      this.name = value;
      return this;
    }

    public Builder source(Source value) {
      this.source = value;
      return this;
    }

    public Builder destination(Destination value) {
      this.destination = value;
      return this;
    }

    public Builder auth(SourceAuth value) {
      this.auth = value;
      return this;
    }

    public Builder caBundle(String value) {
      this.caBundle = value;
      return this;
    }

    public Builder include(String value) {
      this.includePattern = value;
      return this;
    }

    public Builder exclude(String value) {
      this.excludePattern = value;
      return this;
    }

    public Builder filters(List<FilterRule> value) {
      this.filters = value;
      return this;
    }

    public Builder schedule(Schedule value) {
      this.schedule = value;
      return this;
    }

    public Builder zone(ZoneId value) {
      this.zone = value;
      return this;
    }

    public Builder options(JobOptions value) {
      this.options = value;
      return this;
    }

    public Builder enabled(boolean value) {
      this.enabled = value;
      return this;
    }

    public Builder misfirePolicy(MisfirePolicy value) {
      this.misfirePolicy = value;
      return this;
    }

    public Builder createdAt(Instant value) {
      this.createdAt = value;
      return this;
    }

    public Job build() {
      return new Job(
          id,
          name,
          source,
          auth,
          caBundle,
          destination,
          includePattern,
          excludePattern,
          filters,
          schedule,
          zone,
          options,
          enabled,
          misfirePolicy,
          status,
          lastRunAt,
          lastError,
          nextRunAt,
          createdAt,
          updatedAt == null && defaultUpdatedAt ? createdAt : updatedAt);
    }
  }
}
