package dev.syncjobs.app.web;

import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.ProgressEvent;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.VersionInfo;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Runs, versions and progress messages as API.md's JSON. */
final class RunJson {
  private RunJson() {}

  static Map<String, Object> run(Run r) {
    Progress p = r.progress();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id().value().toString());
    m.put("job_id", r.jobId().value().toString());
    m.put("trigger", r.trigger().name().toLowerCase(Locale.ROOT));
    m.put("scheduled_for", r.scheduledFor());
    m.put("created_at", r.createdAt());
    m.put("started_at", r.startedAt());
    m.put("completed_at", r.completedAt());
    m.put("status", r.status().name().toLowerCase(Locale.ROOT));
    m.put("attempt", r.attempt());
    m.put("files_synced", p.filesDone());
    m.put("files_total", p.filesTotal());
    m.put("bytes_transferred", p.bytesDone());
    m.put("bytes_total", p.bytesTotal());
    m.put("files_skipped", r.filesSkipped());
    m.put("current_file", p.currentFile());
    m.put("progress_percent", percent(r.status().name(), p));
    m.put("bytes_per_second", p.bytesPerSecond());
    m.put("error", r.error());
    m.put("version", r.version());
    m.put("instance_id", r.owner());
    return m;
  }

  private static double percent(String status, Progress p) {
    // a job that never ran has a status no run has ("idle")
    double percent =
        status.equals(RunStatus.SUCCESS.name())
            ? ProgressEvent.percent(RunStatus.SUCCESS, p)
            : p.percent();
    return Math.round(percent * 10) / 10.0;
  }

  static Map<String, Object> version(VersionInfo v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", v.name());
    m.put("created_at", v.createdAt());
    m.put("files", v.files());
    m.put("bytes", v.bytes());
    m.put("current", v.current());
    return m;
  }

  /** The WebSocket message of a progress or status event. */
  static Map<String, Object> progress(ProgressEvent e) {
    return progress(
        e.jobId(), e.runId(), e.status().name().toLowerCase(Locale.ROOT), e.progress(), e.error());
  }

  /** A WebSocket message; {@code runId} is null for a job that never ran. */
  static Map<String, Object> progress(
      JobId job, RunId run, String status, Progress p, String error) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("job_id", job.value().toString());
    m.put("run_id", run == null ? null : run.value().toString());
    m.put("status", status);
    m.put("current_file", p.currentFile());
    m.put("files_synced", p.filesDone());
    m.put("files_total", p.filesTotal());
    m.put("bytes_transferred", p.bytesDone());
    m.put("bytes_total", p.bytesTotal());
    m.put("progress_percent", percent(status.toUpperCase(Locale.ROOT), p));
    m.put("bytes_per_second", p.bytesPerSecond());
    m.put("eta_seconds", p.etaSeconds() < 0 ? null : p.etaSeconds());
    m.put("error", error);
    return m;
  }
}
