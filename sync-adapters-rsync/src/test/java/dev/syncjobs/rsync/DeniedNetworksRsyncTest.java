package dev.syncjobs.rsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.DeniedNetworks;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceRefusedException;
import dev.syncjobs.core.port.TransferRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** rsync and ssh sources whose host lies in a denied network: refused before anything starts. */
class DeniedNetworksRsyncTest {
  @TempDir Path tmp;
  ServerSocket listener;
  final AtomicInteger accepted = new AtomicInteger();
  final List<String> log = new ArrayList<>();

  @BeforeEach
  void listen() throws IOException {
    Tools.require("rsync", "rsync");
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t =
        new Thread(
            () -> {
              while (!listener.isClosed()) {
                try (Socket s = listener.accept()) {
                  accepted.incrementAndGet();
                } catch (IOException e) {
                  return;
                }
              }
            },
            "counting-listener");
    t.setDaemon(true);
    t.start();
  }

  @AfterEach
  void close() throws IOException {
    listener.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"rsync://localhost:%d/data/", "ssh://backup@localhost:%d/srv/data"})
  void a_host_that_resolves_into_a_denied_network_is_refused_before_rsync_starts(String url)
      throws IOException {
    Path staging = Files.createDirectories(tmp.resolve("st"));
    RsyncTransfer t = new RsyncTransfer("rsync", DeniedNetworks.parse("127.0.0.0/8,::1/128"));
    Source source = Source.parse(String.format(url, listener.getLocalPort()));
    TransferRequest request =
        new TransferRequest(
            source, null, null, staging, Optional.empty(), null, null, null, null, log::add);

    assertThatThrownBy(() -> t.transfer(request))
        .isInstanceOf(SourceRefusedException.class)
        .hasMessageContaining("localhost")
        .hasMessageContaining("denied network");
    assertThat(accepted).hasValue(0);
  }
}
