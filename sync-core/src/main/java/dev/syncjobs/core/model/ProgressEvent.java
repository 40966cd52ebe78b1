package dev.syncjobs.core.model;

/**
 * A progress or status update of one run, as delivered to subscribers (the WebSocket message). At
 * most two per second per run, plus every status change and the final state.
 */
public record ProgressEvent(
    JobId jobId, RunId runId, RunStatus status, Progress progress, String error) {

  public boolean isFinal() {
    return status.isTerminal();
  }

  /**
   * 0..100: 100 once the run succeeded (its counts say what was transferred, and files that were
   * unchanged and linked are not among them), otherwise the progress of its transfer.
   */
  public double percent() {
    return percent(status, progress);
  }

  /** The percent of a run in {@code status} with {@code progress}, as {@link #percent()}. */
  public static double percent(RunStatus status, Progress progress) {
    return status == RunStatus.SUCCESS ? 100.0 : progress.percent();
  }
}
