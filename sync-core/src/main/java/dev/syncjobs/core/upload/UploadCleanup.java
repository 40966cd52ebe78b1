package dev.syncjobs.core.upload;

import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.Upload;
import dev.syncjobs.core.model.UploadId;
import dev.syncjobs.core.model.UploadStatus;
import dev.syncjobs.core.port.UploadRepository;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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

  private final Duration expiry;

  UploadCleanup(UploadRepository repo, UploadTargets targets, Clock clock, Duration expiry) {
    this.expiry = expiry;
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

  /**
   * Checks every {@code every} whether the clean-up is due ({@link #runIfDue}) on a daemon thread
   * of its own; closing the result stops it.
   */
  public AutoCloseable daily(ZoneId zone, LocalTime at, Duration every, Consumer<String> log) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "syncjobs-upload-cleanup");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            runIfDue(zone, at, log);
          } catch (RuntimeException e) {
            log.accept("the upload clean-up failed (tried again later): " + e);
          }
        },
        every.toMillis(),
        every.toMillis(),
        TimeUnit.MILLISECONDS);
    return timer::shutdownNow;
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
        return removed + orphans();
      }
    }
  }

  /** Removes data files older than the expiry that no upload names; returns how many. */
  private int orphans() {
    int removed = 0;
    Instant cutoff = clock.instant().minus(expiry);
    for (StorageBackend b : targets.all()) {
      Path folder = b.root().resolve(UploadTargets.DATA_FOLDER);
      if (!b.isOnline() || !Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.data")) {
        for (Path f : files) {
          String name = f.getFileName().toString();
          UploadId id;
          try {
            id = new UploadId(UUID.fromString(name.substring(0, name.length() - ".data".length())));
          } catch (IllegalArgumentException e) {
            continue;
          }
          if (Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(cutoff)
              && repo.find(id).isEmpty()) {
            Uploads.deleteQuietly(f);
            removed++;
          }
        }
      } catch (IOException e) {
        // the next day's clean-up looks again
      }
    }
    return removed;
  }
}
