package dev.syncjobs.core.port;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.Run;

/** Tells the outside world that a run started or ended (webhook, log). Must not throw. */
public interface Notifier {

  void runStarted(Job job, Run run);

  void runFinished(Job job, Run run);
}
