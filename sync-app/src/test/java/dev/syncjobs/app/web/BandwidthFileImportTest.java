package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.syncjobs.core.memory.InMemorySettingsRepository;
import dev.syncjobs.core.model.BandwidthSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BandwidthFileImportTest {
  @TempDir Path tmp;

  private static final String OLD_FILE =
      "{\"upload_speed_limit\":null,\"download_speed_limit\":750000,\"throttle_enabled\":true,"
          + "\"throttle_start_hour\":22,\"throttle_end_hour\":6}";

  @Test
  void the_first_start_after_the_upgrade_imports_bandwidth_json_once_and_renames_it()
      throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("bandwidth.json"), OLD_FILE);
    try (TestServer s = new TestServer(tmp)) {
      JsonNode now = s.get("/api/v1/sync/bandwidth/limit").data();
      assertThat(now.get("download_speed_limit").asLong()).isEqualTo(750_000);
      assertThat(now.get("throttle_enabled").asBoolean()).isTrue();
      assertThat(now.get("throttle_start_hour").asInt()).isEqualTo(22);
      assertThat(now.get("upload_speed_limit").isNull()).isTrue();
      assertThat(data.resolve("bandwidth.json")).doesNotExist();
      assertThat(data.resolve("bandwidth.json.imported")).hasContent(OLD_FILE);
      assertThat(
              s.send(
                      "PUT",
                      "/api/v1/sync/bandwidth/limit",
                      TestServer.ADMIN,
                      "{\"download_speed_limit\":1}",
                      null)
                  .status())
          .isEqualTo(200);
    }
    try (TestServer again = new TestServer(tmp)) {
      assertThat(
              again.get("/api/v1/sync/bandwidth/limit").data().get("download_speed_limit").asLong())
          .as("the database's value, not the imported file's")
          .isEqualTo(1);
    }
  }

  @Test
  void settings_already_in_the_database_win_over_a_file_and_the_file_is_still_renamed()
      throws Exception {
    InMemorySettingsRepository store = new InMemorySettingsRepository();
    BandwidthSettings shared = new BandwidthSettings(null, 42L, false, 0, 0);
    store.saveBandwidth(shared);
    Files.writeString(tmp.resolve("bandwidth.json"), OLD_FILE);
    assertThat(BandwidthFileImport.importOnce(tmp, store)).isFalse();
    assertThat(store.bandwidth()).isEqualTo(shared);
    assertThat(tmp.resolve("bandwidth.json")).doesNotExist();
    assertThat(tmp.resolve("bandwidth.json.imported")).exists();
  }

  @Test
  void an_unreadable_file_is_left_in_place_and_changes_nothing() throws Exception {
    InMemorySettingsRepository store = new InMemorySettingsRepository();
    Files.writeString(tmp.resolve("bandwidth.json"), "{\"download_speed_limit\":\"fast\"}");
    assertThat(BandwidthFileImport.importOnce(tmp, store)).isFalse();
    assertThat(store.bandwidth()).isEqualTo(BandwidthSettings.NONE);
    assertThat(tmp.resolve("bandwidth.json")).exists();
    assertThat(BandwidthFileImport.importOnce(tmp.resolve("nowhere"), store)).isFalse();
  }
}
