package dev.syncjobs.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.DeniedNetworks;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceRefusedException;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.model.ValidationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceConfinementTest {
  @TempDir Path tmp;
  Path root;
  Path data;
  SourceConfinement policy;

  private static Source local(Path p) {
    return Source.parse(p.toUri().toString());
  }

  @BeforeEach
  void setUp() throws Exception {
    root = Files.createDirectories(tmp.resolve("in"));
    data = Files.createDirectories(tmp.resolve("data"));
    policy = new SourceConfinement(List.of(root), List.of(data), DeniedNetworks.DEFAULT);
  }

  @Test
  void a_run_reads_the_real_path_the_check_resolved() throws Exception {
    Path real = Files.createDirectories(root.resolve("real/sub"));
    Path link = Files.createSymbolicLink(root.resolve("link"), root.resolve("real"));
    Source admitted = policy.admit(local(link.resolve("sub")));
    assertThat(((Source.Local) admitted).path()).isEqualTo(real.toRealPath());
    Source asSaved = local(link.resolve("sub"));
    policy.checkSaved(asSaved);
  }

  @Test
  void a_link_in_the_middle_of_the_path_is_followed_before_the_check() throws Exception {
    Files.createDirectories(data.resolve("sub"));
    Path link = Files.createSymbolicLink(root.resolve("link"), data);
    assertThatThrownBy(() -> policy.admit(local(link.resolve("sub"))))
        .isInstanceOf(SourceRefusedException.class)
        .hasMessageContaining("data dir")
        .hasMessageContaining("resolves to " + data.toRealPath().resolve("sub"));
    assertThatThrownBy(() -> policy.checkSaved(local(link.resolve("sub"))))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("source_url");
  }

  @Test
  void a_source_around_a_forbidden_path_or_outside_the_roots_is_refused() throws Exception {
    SourceConfinement wide =
        new SourceConfinement(List.of(tmp), List.of(data), DeniedNetworks.NONE);
    assertThatThrownBy(() -> wide.admit(local(tmp))).hasMessageContaining("data dir");
    Path elsewhere = Files.createDirectories(tmp.resolveSibling(tmp.getFileName() + "-x"));
    try {
      assertThatThrownBy(() -> policy.admit(local(elsewhere)))
          .isInstanceOf(SourceRefusedException.class)
          .hasMessageContaining("SYNCJOBS_LOCAL_SOURCE_ROOTS");
    } finally {
      Files.delete(elsewhere);
    }
  }

  @Test
  void a_run_of_a_missing_source_fails_as_missing_and_may_be_retried() {
    assertThatThrownBy(() -> policy.admit(local(root.resolve("gone"))))
        .isInstanceOf(TransferException.class)
        .isNotInstanceOf(SourceRefusedException.class)
        .hasMessageContaining("does not exist")
        .satisfies(e -> assertThat(((TransferException) e).retryable()).isTrue());
  }

  @Test
  void without_roots_every_local_source_is_refused_naming_the_setting() throws Exception {
    SourceConfinement none = new SourceConfinement(null, List.of(data), DeniedNetworks.DEFAULT);
    Path src = Files.createDirectories(root.resolve("src"));
    assertThatThrownBy(() -> none.checkSaved(local(src)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("SYNCJOBS_LOCAL_SOURCE_ROOTS");
    assertThatThrownBy(() -> none.admit(local(src)))
        .isInstanceOf(SourceRefusedException.class)
        .hasMessageContaining("SYNCJOBS_LOCAL_SOURCE_ROOTS");
  }

  @Test
  void the_servers_key_database_and_proc_are_never_sources() throws Exception {
    Path keys = Files.createDirectories(tmp.resolve("keys"));
    Files.writeString(keys.resolve("cluster.key"), "k");
    ServerConfig config =
        ServerConfig.load(
            Map.of(
                "SYNCJOBS_DATA_DIR",
                data.toString(),
                "SYNCJOBS_SECRET_KEY_FILE",
                keys.resolve("cluster.key").toString(),
                "SYNCJOBS_DB_URL",
                "jdbc:sqlite:" + tmp.resolve("db/jobs.db"),
                "SYNCJOBS_LOCAL_SOURCE_ROOTS",
                "/"));
    Files.createDirectories(tmp.resolve("db"));
    SourceConfinement server = SourceConfinement.of(config);
    for (Path p :
        List.of(keys, keys.resolve("cluster.key"), tmp.resolve("db"), Path.of("/proc/self"))) {
      assertThatThrownBy(() -> server.checkSaved(local(p)))
          .as(p.toString())
          .hasMessageContaining("must not be, contain or lie inside");
    }
    server.checkSaved(local(root));
  }

  @Test
  void network_sources_are_refused_by_ip_literal_when_saved_and_when_run() {
    for (String url :
        List.of(
            "http://169.254.169.254/latest/",
            "https://[fe80::1]/x",
            "rsync://100.100.100.200/mod/",
            "ssh://u@[fd00:ec2::254]/srv")) {
      assertThatThrownBy(() -> policy.checkSaved(Source.parse(url)))
          .as(url)
          .isInstanceOf(ValidationException.class)
          .hasMessageContaining("SYNCJOBS_SOURCE_DENY_NETWORKS");
      assertThatThrownBy(() -> policy.admit(Source.parse(url)))
          .as(url)
          .isInstanceOf(SourceRefusedException.class);
    }
    Source named = Source.parse("https://mirror.example/pub/");
    policy.checkSaved(named);
    assertThat(policy.admit(named)).isSameAs(named);
  }
}
