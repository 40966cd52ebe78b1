package dev.syncjobs.app.cli;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.port.Notifier;

/** A {@link Notifier} for one-shot runs: the command reports the outcome itself. */
final class QuietNotifier implements Notifier {
  @Override
  public void runStarted(Job job, Run run) {}

  @Override
  public void runFinished(Job job, Run run) {}
}
