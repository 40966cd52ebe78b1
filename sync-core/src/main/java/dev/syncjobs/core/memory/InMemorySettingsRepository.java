package dev.syncjobs.core.memory;

import dev.syncjobs.core.model.BandwidthSettings;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.port.SettingsRepository;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** {@link SettingsRepository} in memory, for tests and embedding: one instance, nothing durable. */
public final class InMemorySettingsRepository implements SettingsRepository {
  private BandwidthSettings bandwidth;
  private String notifications;
  private final Map<JobId, Instant> manualRuns = new HashMap<>();

  @Override
  public synchronized BandwidthSettings bandwidth() {
    return bandwidth == null ? BandwidthSettings.NONE : bandwidth;
  }

  @Override
  public synchronized void saveBandwidth(BandwidthSettings value) {
    bandwidth = Objects.requireNonNull(value, "value");
  }

  @Override
  public synchronized boolean saveBandwidthIfAbsent(BandwidthSettings value) {
    if (bandwidth != null) {
      return false;
    }
    saveBandwidth(value);
    return true;
  }

  @Override
  public synchronized Optional<String> notifications() {
    return Optional.ofNullable(notifications);
  }

  @Override
  public synchronized void saveNotifications(String json) {
    notifications = Objects.requireNonNull(json, "json");
  }

  @Override
  public synchronized Grant grantManualRun(JobId job, Instant now, Duration interval) {
    // microseconds, as the databases keep instants
    Instant at = now.truncatedTo(ChronoUnit.MICROS);
    Instant last = manualRuns.get(job);
    if (last != null && last.plus(interval).isAfter(at)) {
      return new Grant(false, null, Duration.between(at, last.plus(interval)));
    }
    manualRuns.put(job, at);
    return new Grant(true, at, Duration.ZERO);
  }

  @Override
  public synchronized void revokeManualRun(JobId job, Instant grantedAt) {
    manualRuns.remove(job, grantedAt);
  }
}
