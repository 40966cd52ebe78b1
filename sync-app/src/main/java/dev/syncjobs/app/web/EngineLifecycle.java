package dev.syncjobs.app.web;

import dev.syncjobs.app.config.ServerConfig;
import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.Subscription;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.upload.Uploads;
import java.time.Duration;
import java.time.LocalTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the engine under the server up and down. {@link #start} repairs the runs the previous
 * process left running (SQLite only), plans every enabled schedule that has no next occurrence,
 * connects progress to the WebSocket clients, starts the scheduler and the worker and the daily
 * upload clean-up; {@link #stop} stops firing, stops active transfers (their partial files stay)
 * and records them as interrupted by shutdown with a resume run queued; {@link #close} lets go of
 * the progress subscription and the database.
 */
public final class EngineLifecycle {
  private static final Logger log = LoggerFactory.getLogger(EngineLifecycle.class);

  /** Local time (in {@code SYNCJOBS_TIMEZONE}) from which the daily upload clean-up runs. */
  static final LocalTime UPLOAD_CLEANUP_AT = LocalTime.of(3, 0);

  private final ServerConfig config;
  private final SyncRuntime runtime;
  private final WebSocketProgressPublisher sockets;
  private final Uploads uploads;
  private final AutoCloseable database;
  private Subscription subscription;
  private AutoCloseable uploadCleanup;

  public EngineLifecycle(
      ServerConfig config,
      SyncRuntime runtime,
      WebSocketProgressPublisher sockets,
      Uploads uploads,
      AutoCloseable database) {
    this.config = config;
    this.runtime = runtime;
    this.sockets = sockets;
    this.uploads = uploads;
    this.database = database;
  }

  void start() {
    // With SQLite this server owns the data dir, so a run left running was the previous
    // process's. In cluster mode it may be a live instance's: only an expired lease ends it.
    if (config.dbUrl().startsWith("jdbc:sqlite:")) {
      int repaired = runtime.worker().repairInterrupted();
      if (repaired > 0) {
        log.info(
            "failed {} run(s) left running by the previous process as interrupted; resume runs"
                + " follow",
            repaired);
      }
    }
    replanSchedules();
    subscription = runtime.progress().subscribe(sockets::publish);
    runtime.start();
  }

  /** Starts the daily upload clean-up (once the server listens). */
  void startUploadCleanup() {
    uploadCleanup =
        uploads
            .cleanup()
            .daily(config.timezone(), UPLOAD_CLEANUP_AT, Duration.ofMinutes(1), log::info);
  }

  /** Plans the next occurrence of every enabled schedule that has none. */
  private void replanSchedules() {
    for (Job job : runtime.jobs().unplanned()) {
      try {
        runtime.jobs().update(job);
      } catch (SyncException e) {
        log.warn("cannot re-plan job {}: {}", job.name(), e.getMessage());
      }
    }
  }

  /** Stops firing and the clean-up, cancels active runs and records them as interrupted. */
  void stop() {
    if (uploadCleanup != null) {
      try {
        uploadCleanup.close();
      } catch (Exception ignored) {
        // only stops a timer
      }
    }
    runtime.scheduler().close();
    runtime.worker().shutdown(Duration.ofSeconds(6));
    runtime.close();
  }

  /** Ends the progress subscription and closes the database (after the listener stopped). */
  void close() {
    if (subscription != null) {
      subscription.close();
    }
    try {
      database.close();
    } catch (Exception e) {
      log.warn("closing the database: {}", e.toString());
    }
  }
}
