package dev.syncjobs.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.model.TransferException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsTest {
  static final Instant T = Instant.parse("2026-10-01T12:00:00Z");
  static SSLContext serverTls;
  static String caPem;

  @TempDir static Path keys;
  @TempDir Path tmp;

  @BeforeAll
  static void makeCertificate() throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Path ks = keys.resolve("server.p12");
    run(
        keytool,
        "-genkeypair",
        "-keystore",
        ks.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        "secret",
        "-keypass",
        "secret",
        "-alias",
        "srv",
        "-keyalg",
        "EC",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost",
        "-validity",
        "2");
    Path pem = keys.resolve("ca.pem");
    run(
        keytool,
        "-exportcert",
        "-rfc",
        "-keystore",
        ks.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        "secret",
        "-alias",
        "srv",
        "-file",
        pem.toString());
    caPem = Files.readString(pem);
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      store.load(in, "secret".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, "secret".toCharArray());
    serverTls = SSLContext.getInstance("TLS");
    serverTls.init(kmf.getKeyManagers(), null, null);
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  @Test
  void an_unknown_certificate_fails_the_run_without_retry_value() throws Exception {
    try (TestServer s = TestServer.startTls(serverTls)) {
      s.file("/t/a.txt", "a", T);
      Fixture fx = new Fixture();
      assertThatThrownBy(
              () ->
                  fx.run(
                      new HttpTransfer(Fixture.fastSettings()),
                      s.uri("/t/"),
                      tmp.resolve("st"),
                      null))
          .isInstanceOf(TransferException.class)
          .satisfies(e -> assertThat(((TransferException) e).retryable()).isFalse())
          .hasMessageContaining("PKIX");
      assertThat(s.requests()).isEmpty();
    }
  }

  @Test
  void the_jobs_ca_bundle_makes_the_certificate_trusted() throws Exception {
    try (TestServer s = TestServer.startTls(serverTls)) {
      s.file("/t/a.txt", "a", T);
      Fixture fx = new Fixture();
      fx.caBundle = caPem;
      fx.run(new HttpTransfer(Fixture.fastSettings()), s.uri("/t/"), tmp.resolve("st"), null);
      assertThat(Files.readString(tmp.resolve("st/a.txt"))).isEqualTo("a");
    }
  }

  @Test
  void a_redirect_from_https_to_http_is_refused() throws Exception {
    try (TestServer plain = TestServer.start();
        TestServer s = TestServer.startTls(serverTls)) {
      plain.file("/x.iso", "downgraded", T);
      s.page("/t/", "<pre><a href=\"x.iso\">x.iso</a>  01-Oct-2026 12:00  10\n</pre>");
      s.redirect("/t/x.iso", plain.uri("/x.iso").toString());
      Fixture fx = new Fixture();
      fx.caBundle = caPem;
      assertThatThrownBy(
              () ->
                  fx.run(
                      new HttpTransfer(Fixture.fastSettings()),
                      s.uri("/t/"),
                      tmp.resolve("st"),
                      null))
          .isInstanceOf(TransferException.class)
          .hasMessageContaining("refused redirect from https");
      assertThat(plain.requests()).isEmpty();
    }
  }
}
