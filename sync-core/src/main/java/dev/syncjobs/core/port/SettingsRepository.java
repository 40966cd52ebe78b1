package dev.syncjobs.core.port;

import dev.syncjobs.core.model.BandwidthSettings;
import dev.syncjobs.core.model.JobId;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings every instance shares: the global bandwidth limits, the notification settings, and when
 * each job was last started by hand (the manual-run rate limit). With a database behind it, all
 * instances on that database read and enforce the same values; an adapter that serves several
 * instances tells the others of a change (cluster mode: a NOTIFY), which they answer by reading
 * again.
 *
 * <p>Methods throw {@link dev.syncjobs.core.model.SyncException} when the store fails.
 */
public interface SettingsRepository {

  /** The stored bandwidth settings, {@link BandwidthSettings#NONE} when none were ever saved. */
  BandwidthSettings bandwidth();

  /** Replaces the bandwidth settings. */
  void saveBandwidth(BandwidthSettings value);

  /**
   * Stores {@code value} only when no bandwidth settings were ever saved (importing an older
   * instance's file); true when it did.
   */
  boolean saveBandwidthIfAbsent(BandwidthSettings value);

  /**
   * The notification settings as the JSON text their owner stored, empty when none were saved. The
   * store keeps the text as it is: the notifier defines and validates its fields.
   */
  Optional<String> notifications();

  /** Replaces the notification settings' JSON text. */
  void saveNotifications(String json);

  /**
   * Grants a manual run of {@code job} at {@code now} unless one was granted less than {@code
   * interval} before; atomic across every instance of the store, so of two granting at the same
   * moment only one wins.
   *
   * @throws dev.syncjobs.core.model.NotFoundException when the store knows no such job
   */
  Grant grantManualRun(JobId job, Instant now, Duration interval);

  /**
   * Takes back the grant made at {@code grantedAt} (the run it was for could not be queued), so the
   * next attempt is not refused for it; does nothing when a later grant replaced it.
   */
  void revokeManualRun(JobId job, Instant grantedAt);

  /**
   * The answer to {@link #grantManualRun}.
   *
   * @param granted whether the run may start
   * @param grantedAt the instant recorded for the grant (as the store keeps it), null when refused
   * @param retryAfter when refused, how long until the next grant; zero when granted
   */
  record Grant(boolean granted, Instant grantedAt, Duration retryAfter) {
    public Grant {
      Objects.requireNonNull(retryAfter, "retryAfter");
    }
  }
}
