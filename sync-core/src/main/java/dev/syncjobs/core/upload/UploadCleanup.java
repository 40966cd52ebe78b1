package dev.syncjobs.core.upload;

import dev.syncjobs.core.model.Upload;
import dev.syncjobs.core.model.UploadStatus;
import dev.syncjobs.core.port.UploadRepository;
import java.time.Clock;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.function.Consumer;

/**
 * The daily clean-up of uploads idle past their expiry: their data files and records go (a
 * completed upload's file stays where it landed; only its record goes). {@link #runIfDue} runs it
 * once per day from {@code at} on, across every instance sharing the repository: the first to claim
 * the day's lease does it.
 */
public final class UploadCleanup {
  private static final int BATCH = 500;

  private final UploadRepository repo;
  private final UploadTargets targets;
  private final Clock clock;

  UploadCleanup(UploadRepository repo, UploadTargets targets, Clock clock) {
    this.repo = repo;
    this.targets = targets;
    this.clock = clock;
  }

  /**
   * Cleans up when the local time in {@code zone} is past {@code at} and no instance cleaned up
   * today yet.
   *
   * @return the uploads removed, -1 when it was not due
   */
  public int runIfDue(ZoneId zone, LocalTime at, Consumer<String> log) {
    ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant(), zone);
    if (now.toLocalTime().isBefore(at) || !repo.claimCleanup(now.toLocalDate())) {
      return -1;
    }
    int removed = sweep();
    if (removed > 0) {
      log.accept("removed " + removed + " upload(s) idle past their expiry");
    }
    return removed;
  }

  /** Removes every upload expired now; returns how many. */
  public int sweep() {
    int removed = 0;
    while (true) {
      List<Upload> batch = repo.expired(clock.instant(), BATCH);
      for (Upload u : batch) {
        if (u.status() != UploadStatus.COMPLETED) {
          targets
              .configuredIfAny(u)
              .ifPresent(b -> Uploads.deleteQuietly(UploadTargets.dataFile(b, u.id())));
        }
        if (repo.delete(u.id())) {
          removed++;
        }
      }
      if (batch.size() < BATCH) {
        return removed;
      }
    }
  }
}
