package dev.syncjobs.examples.sqlite;

import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.Schedule;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.http.HttpSettings;
import dev.syncjobs.http.HttpTransfer;
import dev.syncjobs.persistence.JdbcPersistence;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;

/**
 * An application that mirrors two sources with syncjobs, its state kept in SQLite in a data dir: a
 * local folder every night at 02:30 Berlin time, and a web server's directory listing daily at
 * 04:00 UTC. Declares its jobs at each start (creating the missing ones), runs the listing at once
 * when asked, prints each run's progress, and prints every job's state before it stops.
 *
 * <p>{@code MirrorApp <data dir> <storage dir> <folder> <listing URL> [--run-listing-now]}
 */
public final class MirrorApp {
  static final String FOLDER_JOB = "photos";
  static final String LISTING_JOB = "releases";

  private MirrorApp() {}

  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    Path storage = Path.of(args[1]);
    Path folder = Path.of(args[2]);
    String listing = args[3];
    boolean runNow = args.length > 4 && args[4].equals("--run-listing-now");

    // a folder this application owns: adopt() creates it and its marker once
    StorageBackend backend = new StorageBackend("default", storage).adopt();
    try (SyncRuntime sync =
        SyncRuntime.builder()
            .persistence(JdbcPersistence.sqlite(data))
            .backend(backend)
            .transfer(new HttpTransfer(HttpSettings.defaults()))
            .build()) {
      // this process alone owns the SQLite database (the persistence locked it)
      sync.worker().repairInterrupted();
      sync.progress()
          .subscribe(
              e ->
                  System.out.printf(
                      "progress %s %s %.0f%% files %d%n",
                      e.runId(), e.status(), e.percent(), e.progress().filesDone()));
      sync.jobs()
          .ensure(
              Job.builder(
                      sync.jobs().newId(),
                      FOLDER_JOB,
                      Source.parse(folder.toUri().toString()),
                      new Destination("default", FOLDER_JOB))
                  .schedule(new Schedule.Cron("30 2 * * *"))
                  .zone(ZoneId.of("Europe/Berlin"))
                  .build());
      Job releases =
          sync.jobs()
              .ensure(
                  Job.builder(
                          sync.jobs().newId(),
                          LISTING_JOB,
                          Source.parse(listing),
                          new Destination("default", LISTING_JOB))
                      .schedule(new Schedule.Daily(LocalTime.of(4, 0)))
                      .build());
      sync.start();
      if (runNow) {
        Run run = sync.jobs().runNow(releases.id());
        if (!sync.awaitIdle(Duration.ofSeconds(60))) {
          throw new IllegalStateException("run " + run.id() + " did not finish in a minute");
        }
      }
      for (Job job : jobsByName(sync)) {
        List<Run> history = sync.jobs().history(job.id(), 100, 0);
        System.out.printf(
            "job %s next %s runs %d last %s%n",
            job.name(),
            job.nextRunAt(),
            history.size(),
            history.isEmpty() ? "-" : history.get(0).status() + " " + history.get(0).version());
      }
    }
  }

  private static List<Job> jobsByName(SyncRuntime sync) {
    return sync.jobs().list().stream().sorted(Comparator.comparing(Job::name)).toList();
  }
}
