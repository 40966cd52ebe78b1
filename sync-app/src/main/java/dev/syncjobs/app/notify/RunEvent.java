package dev.syncjobs.app.notify;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunStatus;
import java.util.Locale;

/**
 * A run's start or end as announced: the run as it was then, with its job.
 *
 * @param kind which event
 * @param job the run's job
 * @param run the run (for an end: with its outcome)
 */
public record RunEvent(Kind kind, Job job, Run run) {

  /** The events a notification can announce. */
  public enum Kind {
    STARTED("run.started"),
    SUCCEEDED("run.succeeded"),
    FAILED("run.failed"),
    CANCELLED("run.cancelled");

    private final String name;

    Kind(String name) {
      this.name = name;
    }

    /** The event's name in a message ({@code run.failed}). */
    public String eventName() {
      return name;
    }
  }

  /** The end event of a finished run. */
  static RunEvent finished(Job job, Run run) {
    Kind kind =
        run.status() == RunStatus.SUCCESS
            ? Kind.SUCCEEDED
            : run.status() == RunStatus.CANCELLED ? Kind.CANCELLED : Kind.FAILED;
    return new RunEvent(kind, job, run);
  }

  /** Whether {@code settings} ask for this event. */
  boolean wanted(NotificationSettings settings) {
    return switch (kind) {
      case STARTED -> settings.onStart();
      case SUCCEEDED -> settings.onSuccess();
      case FAILED -> settings.onFailure();
      case CANCELLED -> settings.onCancel();
    };
  }

  /** The run's status as the API names it ({@code success}, {@code failed}…). */
  String status() {
    return run.status().name().toLowerCase(Locale.ROOT);
  }

  /** A one-line summary: "syncjobs: nightly-mirror failed: connection refused". */
  String headline() {
    String what =
        switch (kind) {
          case STARTED -> "started";
          case SUCCEEDED -> "succeeded";
          case FAILED -> "failed";
          case CANCELLED -> "was cancelled";
        };
    return "syncjobs: "
        + job.name()
        + " "
        + what
        + (run.error() == null || kind == Kind.SUCCEEDED ? "" : ": " + run.error());
  }
}
