package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests Jetty refuses before routing, sent over a raw socket (an HTTP client would refuse to
 * send them): each is a 4xx problem+json, not Jetty's HTML page.
 */
class PreRoutingErrorsTest {
  @TempDir static Path tmp;
  static TestServer s;

  @BeforeAll
  static void start() {
    s = new TestServer(tmp);
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  static Stream<Arguments> requests() {
    String host = "Host: 127.0.0.1\r\n";
    return Stream.of(
        Arguments.of("NUL in the path", "GET /api/v1/%00 HTTP/1.1\r\n" + host + "\r\n"),
        Arguments.of(
            "encoded separator in the path",
            "GET /api/v1/storage/sync-jobs/a%2Fb HTTP/1.1\r\n" + host + "\r\n"),
        Arguments.of(
            "10,000-character URI", "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\n" + host + "\r\n"),
        Arguments.of(
            "20 KB header",
            "GET /health HTTP/1.1\r\n" + host + "X-Big: " + "b".repeat(20_000) + "\r\n\r\n"),
        Arguments.of("broken request line", "GARBAGE\r\n\r\n"),
        Arguments.of(
            "header without a colon", "GET /health HTTP/1.1\r\n" + host + "nocolon\r\n\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void is_a_4xx_problem(String name, String request) throws IOException {
    String response = exchange(request);
    int headerEnd = response.indexOf("\r\n\r\n");
    assertThat(headerEnd).as(response).isPositive();
    String head = response.substring(0, headerEnd);
    int status = Integer.parseInt(head.substring(9, 12));
    assertThat(status).as(head).isBetween(400, 499);
    assertThat(head.toLowerCase(Locale.ROOT))
        .as(head)
        .contains("content-type: application/problem+json");
    String body = response.substring(headerEnd + 4);
    if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
      body = body.substring(body.indexOf("\r\n") + 2, body.lastIndexOf("}") + 1);
    }
    JsonNode json = TestServer.JSON.readTree(body);
    assertThat(json.get("status").asInt()).isEqualTo(status);
    assertThat(json.get("type").asText()).isEqualTo("about:blank");
    assertThat(json.get("title").asText()).isNotBlank();
    assertThat(json.get("detail").asText()).isNotBlank();
    assertThat(json.get("errors").isArray()).isTrue();
  }

  private static String exchange(String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), s.server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      socket.shutdownOutput();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }
}
