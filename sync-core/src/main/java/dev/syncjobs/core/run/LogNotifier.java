package dev.syncjobs.core.run;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.port.Notifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link Notifier} that logs each run's end (and, at debug level, its start). */
public final class LogNotifier implements Notifier {
  private static final Logger log = LoggerFactory.getLogger("dev.syncjobs.runs");

  @Override
  public void runStarted(Job job, Run run) {
    log.debug("run {} of job {} started ({})", run.id(), job.name(), run.trigger());
  }

  @Override
  public void runFinished(Job job, Run run) {
    log.info(
        "run {} of job {} ended {}{}",
        run.id(),
        job.name(),
        run.status(),
        run.error() == null ? "" : ": " + run.error());
  }
}
