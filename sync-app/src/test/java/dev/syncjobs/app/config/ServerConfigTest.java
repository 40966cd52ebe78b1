package dev.syncjobs.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
  @TempDir Path tmp;

  @Test
  void defaults_follow_the_api_table() {
    ServerConfig c = ServerConfig.load(Map.of("SYNCJOBS_DATA_DIR", tmp.toString()));
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.dbUrl()).isEqualTo("jdbc:sqlite:" + tmp.resolve("syncjobs.db"));
    assertThat(c.backends())
        .containsExactly(new ServerConfig.Backend("default", tmp.resolve("storage"), true));
    assertThat(c.adminToken()).isNull();
    assertThat(c.maxConcurrentRuns()).isEqualTo(3);
    assertThat(c.timezone()).isEqualTo(ZoneId.systemDefault());
    assertThat(c.manualRunInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.runRetention()).isEqualTo(Duration.ofDays(30));
    assertThat(c.runLogMaxBytes()).isEqualTo(1_048_576);
    assertThat(c.lease()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.httpConnections()).isEqualTo(4);
    assertThat(c.rsyncPath()).isEqualTo("rsync");
    assertThat(c.localSourceRoots()).isNull();
    assertThat(c.sourceDenyNetworks())
        .hasToString("169.254.0.0/16,fe80::/10,100.100.100.200/32,fd00:ec2::254/128");
    assertThat(c.metricsPublic()).isFalse();
    assertThat(c.instanceId()).endsWith("-" + ProcessHandle.current().pid());
  }

  @Test
  void every_bad_setting_is_named_at_once() {
    assertThatThrownBy(
            () ->
                ServerConfig.load(
                    Map.of(
                        "SYNCJOBS_PORT", "70000",
                        "SYNCJOBS_MAX_CONCURRENT_RUNS", "many",
                        "SYNCJOBS_TIMEZONE", "Nowhere/Town",
                        "SYNCJOBS_ADMIN_TOKEN", "short",
                        "SYNCJOBS_BACKENDS", "bad name=/x,rel=relative/path",
                        "SYNCJOBS_METRICS_PUBLIC", "perhaps",
                        "SYNCJOBS_DB_URL", "jdbc:mysql://x",
                        "SYNCJOBS_LOCAL_SOURCE_ROOTS", "relative")))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(String.join("\n", e.problems()))
                    .contains("SYNCJOBS_PORT")
                    .contains("SYNCJOBS_MAX_CONCURRENT_RUNS")
                    .contains("SYNCJOBS_TIMEZONE")
                    .contains("SYNCJOBS_ADMIN_TOKEN")
                    .contains("backend name 'bad name'")
                    .contains("'rel' must be an absolute path")
                    .contains("SYNCJOBS_METRICS_PUBLIC")
                    .contains("SYNCJOBS_DB_URL")
                    .contains("SYNCJOBS_LOCAL_SOURCE_ROOTS"));
  }

  @Test
  void denied_networks_are_parsed_and_none_turns_them_off() {
    Map<String, String> env = Map.of("SYNCJOBS_DATA_DIR", tmp.toString());
    assertThat(
            ServerConfig.load(
                    Map.of(
                        "SYNCJOBS_DATA_DIR",
                        tmp.toString(),
                        "SYNCJOBS_SOURCE_DENY_NETWORKS",
                        "127.0.0.0/8, ::1/128"))
                .sourceDenyNetworks())
        .hasToString("127.0.0.0/8,::1/128");
    assertThat(
            ServerConfig.load(
                    Map.of(
                        "SYNCJOBS_DATA_DIR",
                        tmp.toString(),
                        "SYNCJOBS_SOURCE_DENY_NETWORKS",
                        "none"))
                .sourceDenyNetworks()
                .isEmpty())
        .isTrue();
    assertThat(ServerConfig.load(env).sourceDenyNetworks().isEmpty()).isFalse();
  }

  @Test
  void a_bad_denied_network_stops_the_start_naming_the_setting_and_the_entry() {
    assertThatThrownBy(
            () ->
                ServerConfig.load(
                    Map.of(
                        "SYNCJOBS_DATA_DIR",
                        tmp.toString(),
                        "SYNCJOBS_SOURCE_DENY_NETWORKS",
                        "169.254.0.0/16,10.0.0.0/33")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SYNCJOBS_SOURCE_DENY_NETWORKS")
        .hasMessageContaining("10.0.0.0/33");
  }

  @Test
  void a_config_file_gives_the_same_keys_and_the_environment_wins() throws Exception {
    Path file = tmp.resolve("syncjobs.properties");
    Files.writeString(
        file,
        "SYNCJOBS_PORT=9090\nSYNCJOBS_HOST=0.0.0.0\nSYNCJOBS_BACKENDS=a=/srv/a,b=/srv/b\n"
            + "SYNCJOBS_LOCAL_SOURCE_ROOTS=/srv/in,/home\n");
    ServerConfig c =
        ServerConfig.load(
            Map.of(
                "SYNCJOBS_CONFIG", file.toString(),
                "SYNCJOBS_PORT", "0",
                "SYNCJOBS_DATA_DIR", tmp.toString()));
    assertThat(c.port()).isZero();
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.backends())
        .extracting(ServerConfig.Backend::name, ServerConfig.Backend::owned)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", false),
            org.assertj.core.groups.Tuple.tuple("b", false));
    assertThat(c.localSourceRoots()).containsExactly(Path.of("/srv/in"), Path.of("/home"));
  }

  @Test
  void an_unknown_key_in_the_config_file_is_an_error() throws Exception {
    Path file = tmp.resolve("bad.properties");
    Files.writeString(file, "SYNCJOBS_PROT=9090\n");
    assertThatThrownBy(() -> ServerConfig.load(Map.of("SYNCJOBS_CONFIG", file.toString())))
        .hasMessageContaining("unknown key SYNCJOBS_PROT");
    assertThatThrownBy(
            () -> ServerConfig.load(Map.of("SYNCJOBS_CONFIG", tmp.resolve("none").toString())))
        .hasMessageContaining("cannot read");
  }

  @Test
  void viewer_and_admin_tokens_must_differ() {
    String t = "0123456789abcdef0123";
    assertThatThrownBy(
            () -> ServerConfig.load(Map.of("SYNCJOBS_ADMIN_TOKEN", t, "SYNCJOBS_VIEWER_TOKEN", t)))
        .hasMessageContaining("must differ");
  }

  @Test
  void the_data_dir_is_locked_and_the_generated_admin_token_is_private_and_kept() throws Exception {
    String token;
    try (DataDir dir = DataDir.open(tmp.resolve("data"))) {
      assertThatThrownBy(() -> DataDir.open(tmp.resolve("data")))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("another syncjobs server already uses the data dir");
      token = dir.adminToken(null);
      assertThat(token).hasSizeGreaterThanOrEqualTo(40);
      Path file = tmp.resolve("data/admin.token");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      assertThat(dir.adminToken("configured-token-123456")).isEqualTo("configured-token-123456");
    }
    try (DataDir again = DataDir.open(tmp.resolve("data"))) {
      assertThat(again.adminToken(null)).isEqualTo(token);
    }
  }
}
