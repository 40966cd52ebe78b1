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
}
