package dev.syncjobs.core.port;

import static dev.syncjobs.core.port.PortsUnderTest.T0;
import static dev.syncjobs.core.port.PortsUnderTest.job;
import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.BandwidthSettings;
import dev.syncjobs.core.model.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SettingsRepository} must do. Subclass it per implementation and return fresh,
 * empty repositories on one store from {@link #openEmptyStore}.
 */
public abstract class SettingsRepositoryContract {
  private static final Duration MINUTE = Duration.ofSeconds(60);

  /** The settings under test and the jobs of the same store (grants belong to jobs). */
  public record Store(SettingsRepository settings, JobRepository jobs) {}

  protected SettingsRepository settings;
  protected JobRepository jobs;

  protected abstract Store openEmptyStore();

  @BeforeEach
  void open() {
    Store store = openEmptyStore();
    settings = store.settings();
    jobs = store.jobs();
  }

  private Job storedJob(String name) {
    Job j = job(name, T0);
    jobs.create(j);
    return j;
  }

  @Test
  void a_fresh_store_has_no_limits_and_no_notification_settings() {
    assertThat(settings.bandwidth()).isEqualTo(BandwidthSettings.NONE);
    assertThat(settings.notifications()).isEmpty();
  }

  @Test
  void bandwidth_settings_read_back_as_saved_and_a_save_replaces_them() {
    BandwidthSettings first = new BandwidthSettings(2_000L, 5_000_000L, true, 22, 6);
    settings.saveBandwidth(first);
    assertThat(settings.bandwidth()).isEqualTo(first);

    BandwidthSettings second = new BandwidthSettings(null, 1L, false, 0, 0);
    settings.saveBandwidth(second);
    assertThat(settings.bandwidth()).isEqualTo(second);

    settings.saveBandwidth(BandwidthSettings.NONE);
    assertThat(settings.bandwidth()).isEqualTo(BandwidthSettings.NONE);
  }

  @Test
  void an_import_stores_only_when_nothing_was_ever_saved() {
    BandwidthSettings imported = new BandwidthSettings(null, 700L, true, 1, 5);
    assertThat(settings.saveBandwidthIfAbsent(imported)).isTrue();
    assertThat(settings.bandwidth()).isEqualTo(imported);

    assertThat(settings.saveBandwidthIfAbsent(new BandwidthSettings(1L, 1L, false, 0, 0)))
        .isFalse();
    assertThat(settings.bandwidth()).isEqualTo(imported);

    settings.saveBandwidth(BandwidthSettings.NONE);
    assertThat(settings.saveBandwidthIfAbsent(imported)).isFalse();
    assertThat(settings.bandwidth()).isEqualTo(BandwidthSettings.NONE);
  }

  @Test
  void notification_settings_are_kept_as_the_text_given() {
    String json =
        "{\"webhook_url\":\"https://hooks.example.org/x\",\"on_failure\":true,\"n\":\"\u00e4\"}";
    settings.saveNotifications(json);
    assertThat(settings.notifications()).contains(json);
    settings.saveNotifications("{}");
    assertThat(settings.notifications()).contains("{}");
  }

  @Test
  void a_manual_run_is_granted_once_per_interval_and_per_job() {
    Job a = storedJob("grant-a");
    Job b = storedJob("grant-b");

    SettingsRepository.Grant first = settings.grantManualRun(a.id(), T0, MINUTE);
    assertThat(first.granted()).isTrue();
    assertThat(first.grantedAt()).isEqualTo(T0);
    assertThat(first.retryAfter()).isZero();

    SettingsRepository.Grant refused = settings.grantManualRun(a.id(), T0.plusSeconds(20), MINUTE);
    assertThat(refused.granted()).isFalse();
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(40));

    assertThat(settings.grantManualRun(b.id(), T0.plusSeconds(20), MINUTE).granted()).isTrue();
    assertThat(settings.grantManualRun(a.id(), T0.plusSeconds(60), MINUTE).granted()).isTrue();
    assertThat(settings.grantManualRun(a.id(), T0.plusSeconds(61), MINUTE).granted()).isFalse();
  }

  @Test
  void a_revoked_grant_does_not_count_but_a_later_one_is_not_revoked_by_an_old_instant() {
    Job a = storedJob("revoke-a");
    Instant at = T0.plusNanos(123_456_000);
    SettingsRepository.Grant g = settings.grantManualRun(a.id(), at, MINUTE);
    settings.revokeManualRun(a.id(), g.grantedAt());
    SettingsRepository.Grant again = settings.grantManualRun(a.id(), at.plusSeconds(1), MINUTE);
    assertThat(again.granted()).isTrue();

    settings.revokeManualRun(a.id(), at);
    assertThat(settings.grantManualRun(a.id(), at.plusSeconds(2), MINUTE).granted()).isFalse();
  }

  @Test
  void of_many_grants_racing_for_one_job_exactly_one_wins() throws Exception {
    Job a = storedJob("race-a");
    int n = 8;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Instant at = T0.plusMillis(i);
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return settings.grantManualRun(a.id(), at, MINUTE).granted();
                }));
      }
      go.countDown();
      int granted = 0;
      for (Future<Boolean> f : results) {
        granted += f.get(60, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(granted).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }
}
