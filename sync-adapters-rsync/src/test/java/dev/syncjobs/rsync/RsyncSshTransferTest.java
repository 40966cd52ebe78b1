package dev.syncjobs.rsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.port.TransferRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The adapter running rsync over ssh to a real OpenSSH server, with a key and known_hosts. */
class RsyncSshTransferTest extends RsyncNightlyContract {
  private SshServer sshd;

  @Override
  void startServer(Path work, Path root) throws Exception {
    sshd = SshServer.start(work);
  }

  @Override
  void stopServer() throws Exception {
    if (sshd != null) {
      sshd.close();
    }
  }

  @Override
  Source source(String relative) {
    return Source.parse(sshd.url(served.resolve(relative)));
  }

  @Override
  SourceAuth auth() {
    return new SourceAuth(
        SourceAuth.Type.SSH, sshd.user(), null, null, sshd.clientKey(), sshd.knownHosts());
  }

  @Override
  Source unreachableSource(int port) {
    return Source.parse("ssh://" + sshd.user() + "@127.0.0.1:" + port + served);
  }

  private void transferWith(SourceAuth auth) throws Exception {
    Path root = smallTree();
    new RsyncTransfer()
        .transfer(
            new TransferRequest(
                source(rel(root)),
                auth,
                null,
                staging(),
                Optional.empty(),
                null,
                new TransferRequest.Options(true, false, null, Duration.ofSeconds(30)),
                null,
                null,
                log::add));
  }

  @Test
  void an_untrusted_host_key_is_refused_without_retry() {
    assertThatThrownBy(
            () ->
                transferWith(
                    new SourceAuth(
                        SourceAuth.Type.SSH,
                        sshd.user(),
                        null,
                        null,
                        sshd.clientKey(),
                        sshd.wrongKnownHosts())))
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining("host key");
  }

  @Test
  void a_host_missing_from_known_hosts_is_never_trusted_on_first_use() {
    assertThatThrownBy(
            () ->
                transferWith(
                    new SourceAuth(
                        SourceAuth.Type.SSH, sshd.user(), null, null, sshd.clientKey(), null)))
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining("host key");
  }

  @Test
  void a_key_the_server_does_not_accept_is_refused_without_retry() {
    assertThatThrownBy(
            () ->
                transferWith(
                    new SourceAuth(
                        SourceAuth.Type.SSH,
                        sshd.user(),
                        null,
                        null,
                        sshd.otherKey(),
                        sshd.knownHosts())))
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining("refused the credentials");
  }
}
