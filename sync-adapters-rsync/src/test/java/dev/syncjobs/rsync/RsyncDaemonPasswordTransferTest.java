package dev.syncjobs.rsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.port.TransferRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The adapter against a real {@code rsync --daemon} module that requires a user and password. */
class RsyncDaemonPasswordTransferTest extends RsyncNightlyContract {
  private RsyncDaemon daemon;

  @Override
  void startServer(Path work, Path root) throws Exception {
    daemon = RsyncDaemon.start(work, root);
  }

  @Override
  void stopServer() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
  }

  @Override
  Source source(String relative) {
    return Source.parse(daemon.url("secret/" + relative));
  }

  @Override
  SourceAuth auth() {
    return new SourceAuth(
        SourceAuth.Type.RSYNC, RsyncDaemon.USER, RsyncDaemon.PASSWORD, null, null, null);
  }

  @Override
  Source unreachableSource(int port) {
    return Source.parse("rsync://127.0.0.1:" + port + "/secret/");
  }

  @Test
  void a_wrong_password_is_refused_without_retry_and_leaves_no_credential_files() throws Exception {
    Path root = smallTree();
    Path staging = staging();
    String tmpDir = System.getProperty("java.io.tmpdir");
    long before = credentialDirs(tmpDir);

    assertThatThrownBy(
            () ->
                new RsyncTransfer()
                    .transfer(
                        new TransferRequest(
                            source(rel(root)),
                            new SourceAuth(
                                SourceAuth.Type.RSYNC, RsyncDaemon.USER, "wrong", null, null, null),
                            null,
                            staging,
                            Optional.empty(),
                            null,
                            new TransferRequest.Options(true, false, null, Duration.ofSeconds(30)),
                            null,
                            null,
                            log::add)))
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining("refused the credentials");
    assertThat(credentialDirs(tmpDir)).isEqualTo(before);
    assertThat(String.join("\n", log)).doesNotContain("wrong");
  }

  private static long credentialDirs(String tmpDir) throws Exception {
    try (Stream<Path> s = Files.list(Path.of(tmpDir))) {
      return s.filter(p -> p.getFileName().toString().startsWith("syncjobs-rsync-")).count();
    }
  }
}
