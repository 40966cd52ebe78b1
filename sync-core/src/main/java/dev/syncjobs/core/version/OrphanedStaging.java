package dev.syncjobs.core.version;

import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.port.JobRepository;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Finds staging directories ({@code <version name>.partial}) in the backends that belong to no job
 * any more and removes them: a job deleted while the server was down or crashing leaves its partial
 * data without an owner, and nothing would ever resume or remove it. Published versions of deleted
 * jobs stay (the API promises that synced data stays on disk).
 *
 * <p>A candidate is removed only when it is older than {@code minAge} and, read again just before,
 * no job's destination is its folder, so a job created meanwhile keeps its first staging directory.
 * The walk does not enter versions, staging directories, job destinations or {@code .syncjobs*}
 * entries, so it visits the folders above destinations, not the mirrored trees.
 */
public final class OrphanedStaging {
  private final JobRepository jobs;
  private final StorageBackends backends;
  private final Clock clock;
  private final Duration minAge;
  private final Consumer<String> log;

  public OrphanedStaging(
      JobRepository jobs,
      StorageBackends backends,
      Clock clock,
      Duration minAge,
      Consumer<String> log) {
    this.jobs = jobs;
    this.backends = backends;
    this.clock = clock;
    this.minAge = minAge;
    this.log = log;
  }

  /** One pass over every online backend; returns the staging directories removed. */
  public List<Path> sweep() {
    List<Path> removed = new java.util.ArrayList<>();
    for (StorageBackend b : backends.all()) {
      if (!b.isOnline()) {
        continue;
      }
      try {
        sweep(b, removed);
      } catch (IOException | RuntimeException e) {
        log.accept("could not look for orphaned partial data in backend " + b.name() + ": " + e);
      }
    }
    return removed;
  }

  private void sweep(StorageBackend backend, List<Path> removed) throws IOException {
    Path root = backend.root();
    Set<Path> owned = destinations(backend);
    Instant cutoff = clock.instant().minus(minAge);
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            if (dir.equals(root)) {
              return FileVisitResult.CONTINUE;
            }
            String name = dir.getFileName().toString();
            if (name.startsWith(Destination.RESERVED_PREFIX)
                || owned.contains(dir)
                || VersionStore.isVersionName(name)) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            if (name.endsWith(VersionStore.PARTIAL)
                && VersionStore.isVersionName(
                    name.substring(0, name.length() - VersionStore.PARTIAL.length()))) {
              if (attrs.lastModifiedTime().toInstant().isBefore(cutoff)
                  && !destinations(backend).contains(dir.getParent())) {
                new VersionStore(dir.getParent()).discard(dir);
                removed.add(dir);
                log.accept("removed " + dir + ": partial data of a job that no longer exists");
              }
              return FileVisitResult.SKIP_SUBTREE;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException exc) {
            return FileVisitResult.CONTINUE; // an unreadable folder is no one's staging
          }
        });
  }

  /** The destination folders of the backend's jobs, as read now. */
  private Set<Path> destinations(StorageBackend backend) {
    Set<Path> out = new HashSet<>();
    for (Job j : jobs.list()) {
      if (j.destination().backendId().equals(backend.name())) {
        out.add(backend.root().resolve(j.destination().path()).normalize());
      }
    }
    return out;
  }
}
