package dev.syncjobs.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.DeniedNetworks;
import dev.syncjobs.core.model.SourceRefusedException;
import dev.syncjobs.core.port.TransferReport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeniedNetworksTransferTest {
  static final Instant T = Instant.parse("2026-10-01T12:00:00Z");

  @TempDir Path tmp;

  /** A loopback listener that only counts the connections it accepts. */
  static final class CountingListener implements AutoCloseable {
    final ServerSocket socket;
    final AtomicInteger accepted = new AtomicInteger();

    CountingListener(String loopbackAddress) throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getByName(loopbackAddress));
      Thread t =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try (Socket s = socket.accept()) {
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

    String url(String path) {
      return "http://"
          + socket.getInetAddress().getHostAddress()
          + ":"
          + socket.getLocalPort()
          + path;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static HttpSettings denying(String cidrs) {
    return Fixture.fastSettings().withDeniedNetworks(DeniedNetworks.parse(cidrs));
  }

  @Test
  void a_redirect_into_a_denied_network_is_refused_before_connecting_and_the_file_skipped()
      throws IOException {
    try (TestServer s = TestServer.start();
        CountingListener denied = new CountingListener("127.0.0.2")) {
      s.file("/pub/ok.txt", "ok", T);
      s.page(
          "/pub/",
          "<pre><a href=\"ok.txt\">ok.txt</a>  01-Oct-2026 12:00  2\n"
              + "<a href=\"meta.txt\">meta.txt</a>  01-Oct-2026 12:00  9\n</pre>");
      s.redirect("/pub/meta.txt", denied.url("/latest/meta-data/"));
      Fixture fx = new Fixture();
      Path staging = tmp.resolve("st");
      fx.run(new HttpTransfer(denying("127.0.0.2/32")), s.uri("/pub/"), staging, null);

      assertThat(Fixture.tree(staging)).containsOnlyKeys("ok.txt");
      assertThat(denied.accepted).hasValue(0);
      assertThat(String.join("\n", fx.log))
          .contains("meta.txt")
          .contains("127.0.0.2/32")
          .contains("SYNCJOBS_SOURCE_DENY_NETWORKS");
    }
  }

  @Test
  void a_redirect_of_a_single_file_to_another_scheme_skips_the_file_and_the_run_goes_on()
      throws IOException {
    try (TestServer s = TestServer.start()) {
      s.redirect("/one/secret.key", "file:///etc/passwd");
      Fixture fx = new Fixture();
      Path staging = tmp.resolve("st");
      TransferReport report =
          fx.run(new HttpTransfer(Fixture.fastSettings()), s.uri("/one/secret.key"), staging, null);

      assertThat(report.filesTotal()).isZero();
      assertThat(Fixture.tree(staging)).isEmpty();
      assertThat(String.join("\n", fx.log))
          .contains("refused redirect to another scheme")
          .contains("file:///etc/passwd");
    }
  }

  @Test
  void a_redirect_to_another_scheme_inside_a_listing_skips_that_file_only() throws IOException {
    try (TestServer s = TestServer.start()) {
      s.file("/pub/ok.txt", "ok", T);
      s.file("/pub/later.txt", "later", T);
      s.page(
          "/pub/",
          "<pre><a href=\"ok.txt\">ok.txt</a>  01-Oct-2026 12:00  2\n"
              + "<a href=\"later.txt\">later.txt</a>  01-Oct-2026 12:00  5\n"
              + "<a href=\"passwd\">passwd</a>  01-Oct-2026 12:00  9\n</pre>");
      s.redirect("/pub/passwd", "file:///etc/passwd");
      Fixture fx = new Fixture();
      Path staging = tmp.resolve("st");
      fx.run(new HttpTransfer(Fixture.fastSettings()), s.uri("/pub/"), staging, null);

      assertThat(Fixture.tree(staging)).containsOnlyKeys("ok.txt", "later.txt");
      assertThat(String.join("\n", fx.log))
          .contains("skipped passwd")
          .contains("file:///etc/passwd");
    }
  }

  @Test
  void a_source_whose_name_resolves_into_a_denied_network_fails_without_a_request()
      throws IOException {
    try (TestServer s = TestServer.start()) {
      s.file("/f.txt", "f", T);
      Fixture fx = new Fixture();
      HttpTransfer t = new HttpTransfer(denying("127.0.0.0/8,::1/128"));
      assertThatThrownBy(
              () -> fx.run(t, s.uriWithHost("localhost", "/f.txt"), tmp.resolve("st"), null))
          .isInstanceOf(SourceRefusedException.class)
          .hasMessageContaining("localhost")
          .hasMessageContaining("SYNCJOBS_SOURCE_DENY_NETWORKS")
          .satisfies(e -> assertThat(((SourceRefusedException) e).retryable()).isFalse());
      assertThat(s.requests()).isEmpty();
    }
  }

  @Test
  void none_lets_every_address_through() throws IOException {
    try (TestServer s = TestServer.start()) {
      s.file("/f.txt", "f", T);
      Fixture fx = new Fixture();
      Path staging = tmp.resolve("st");
      fx.run(new HttpTransfer(denying("none")), s.uri("/f.txt"), staging, null);
      assertThat(Fixture.tree(staging)).containsOnlyKeys("f.txt");
    }
  }
}
