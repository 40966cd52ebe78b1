package dev.syncjobs.persistence;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunOutcome;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.port.PortsUnderTest;
import java.time.Instant;

/**
 * The process {@link SqliteCrashTest} kills: it completes runs one after another, printing {@code
 * COMMITTED <id>} after each commit, then keeps one run running while writing progress and log
 * lines as fast as it can until it is killed.
 */
public final class SqliteCrashChild {
  private SqliteCrashChild() {}

  public static void main(String[] args) {
    Database db = Database.open("jdbc:sqlite:" + args[0]);
    int finished = Integer.parseInt(args[1]);
    JdbcJobRepository jobs = new JdbcJobRepository(db, null);
    JdbcRunRepository runs = new JdbcRunRepository(db);
    JdbcRunLog log = new JdbcRunLog(db, 4096);
    Job job = PortsUnderTest.job("crash-victim", null);
    jobs.create(job);
    for (int i = 0; ; i++) {
      Instant now = Instant.now();
      Run run = PortsUnderTest.manualRun(job.id(), now);
      runs.insert(run);
      Run claimed = runs.claim("child", now, now.plusSeconds(30), 1).get(0).run();
      log.append(run.id(), "run " + i + " started");
      if (i < finished) {
        runs.updateProgress(run.id(), claimed.fence(), new Progress(1, 1, 10, 10, "f", 0));
        log.append(run.id(), "run " + i + " done");
        runs.complete(
            run.id(),
            claimed.fence(),
            new RunOutcome(RunStatus.SUCCESS, new Progress(1, 1, 10, 10, null, 0), null, "v" + i),
            Instant.now());
        System.out.println("COMMITTED " + run.id());
        System.out.flush();
        continue;
      }
      System.out.println("RUNNING " + run.id());
      System.out.flush();
      for (long n = 0; ; n++) {
        runs.updateProgress(run.id(), claimed.fence(), new Progress(n, 0, n * 100, 0, "f" + n, 1));
        log.append(run.id(), "progress " + n + " " + "x".repeat(100));
        if (n % 50 == 0) {
          System.out.println("TICK " + n);
          System.out.flush();
        }
      }
    }
  }
}
