package dev.syncjobs.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.model.BandwidthSettings;
import dev.syncjobs.core.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two runtimes on one PostgreSQL schema: a settings change saved by one reaches the other's global
 * bandwidth through the settings channel of its wake-up listener, not through the periodic reload.
 */
class PostgresSettingsChangeTest {
  private String schema;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void createSchema() {
    schema = PostgresTestSupport.createSchema("settingschange");
  }

  @AfterEach
  void dropSchema() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    PostgresTestSupport.dropSchema(schema);
  }

  private SyncRuntime runtime() {
    Database db = PostgresTestSupport.open(schema, 4);
    closing.add(0, db);
    byte[] key = Database.newSecretKey();
    SyncRuntime runtime =
        SyncRuntime.builder()
            .repositories(new JdbcJobRepository(db, key), new JdbcRunRepository(db, key))
            .runLog(new JdbcRunLog(db))
            .settings(new JdbcSettingsRepository(db))
            .build();
    closing.add(0, runtime);
    closing.add(0, PostgresWakeUps.start(db, () -> {}, () -> {}, runtime.bandwidth()::reload));
    return runtime;
  }

  @Test
  void a_change_saved_on_one_instance_is_applied_by_the_other_at_once() throws Exception {
    SyncRuntime a = runtime();
    SyncRuntime b = runtime();
    BandwidthSettings limited = new BandwidthSettings(4096L, 8192L, false, 0, 0);

    long t0 = System.nanoTime();
    a.bandwidth().replace(limited);
    Await.until(
        "b to reload", Duration.ofSeconds(5), () -> limited.equals(b.bandwidth().settings()));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
    assertThat(b.bandwidth().downloadLimitNow(null)).isEqualTo(8192L);

    a.settings().saveNotifications("{\"on_failure\":true}");
    assertThat(b.settings().notifications()).contains("{\"on_failure\":true}");
  }
}
