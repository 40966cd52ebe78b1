package dev.syncjobs.core.model;

import java.util.ArrayList;
import java.util.List;

/**
 * How a job transfers and keeps versions.
 *
 * @param verifyChecksums verify every transferred file (default true)
 * @param compareChecksums decide "changed" by content instead of size and time (default false)
 * @param deleteRemoved the new version holds exactly what the source has (default true); false
 *     carries files gone from the source over from the previous version
 * @param maxDeletePercent refuse to publish a version that drops more than this share of the
 *     previous version's files (0..100, default 50)
 * @param keepVersions versions kept (0..10, 0 = all, default 3)
 * @param bandwidthLimit bytes per second, null for the global setting
 * @param maxRetries retries of a failed run (0..10, default 2)
 */
public record JobOptions(
    boolean verifyChecksums,
    boolean compareChecksums,
    boolean deleteRemoved,
    int maxDeletePercent,
    int keepVersions,
    Long bandwidthLimit,
    int maxRetries) {

  public static final JobOptions DEFAULTS = new JobOptions(true, false, true, 50, 3, null, 2);

  public JobOptions {
    List<FieldError> errors = new ArrayList<>();
    if (maxDeletePercent < 0 || maxDeletePercent > 100) {
      errors.add(new FieldError("max_delete_percent", "must be 0..100"));
    }
    if (keepVersions < 0 || keepVersions > 10) {
      errors.add(new FieldError("keep_versions", "must be 0..10 (0 = keep all)"));
    }
    if (bandwidthLimit != null && bandwidthLimit < 1) {
      errors.add(
          new FieldError("bandwidth_limit", "must be a positive number of bytes per second"));
    }
    if (maxRetries < 0 || maxRetries > 10) {
      errors.add(new FieldError("max_retries", "must be 0..10"));
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
  }

  public JobOptions withKeepVersions(int keep) {
    return new JobOptions(
        verifyChecksums,
        compareChecksums,
        deleteRemoved,
        maxDeletePercent,
        keep,
        bandwidthLimit,
        maxRetries);
  }

  public JobOptions withDeleteRemoved(boolean delete) {
    return new JobOptions(
        verifyChecksums,
        compareChecksums,
        delete,
        maxDeletePercent,
        keepVersions,
        bandwidthLimit,
        maxRetries);
  }

  public JobOptions withMaxRetries(int retries) {
    return new JobOptions(
        verifyChecksums,
        compareChecksums,
        deleteRemoved,
        maxDeletePercent,
        keepVersions,
        bandwidthLimit,
        retries);
  }

  public JobOptions withMaxDeletePercent(int percent) {
    return new JobOptions(
        verifyChecksums,
        compareChecksums,
        deleteRemoved,
        percent,
        keepVersions,
        bandwidthLimit,
        maxRetries);
  }
}
