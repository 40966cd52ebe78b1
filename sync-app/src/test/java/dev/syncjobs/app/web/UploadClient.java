package dev.syncjobs.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;

/** An HTTP client for the upload routes of a server on loopback, with raw bodies and headers. */
final class UploadClient {
  static final ObjectMapper JSON = new ObjectMapper();
  final int port;
  final String token;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Response(int status, byte[] body, HttpResponse<byte[]> raw) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + text(), e);
      }
    }

    JsonNode data() {
      return json().get("data");
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    /** The field the first problem+json error names. */
    String errorField() {
      JsonNode errors = json().get("errors");
      return errors != null && errors.size() > 0 ? errors.get(0).get("field").asText() : null;
    }
  }

  UploadClient(int port, String token) {
    this.port = port;
    this.token = token;
  }

  Response send(String method, String path, byte[] body, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    headers.forEach(b::header);
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    try {
      HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Response(r.statusCode(), r.body(), r);
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  Response start(String json) {
    return send(
        "POST",
        "/api/v1/sync/upload/start",
        json.getBytes(StandardCharsets.UTF_8),
        Map.of("Content-Type", "application/json"));
  }

  /** Starts an upload that must be accepted; returns its id. */
  String started(String filePath, long size, int chunkSize, String sha256) {
    Response r =
        start(
            "{\"backend_id\":\"default\",\"file_path\":\""
                + filePath
                + "\",\"total_size\":"
                + size
                + ",\"chunk_size\":"
                + chunkSize
                + (sha256 == null ? "" : ",\"sha256\":\"" + sha256 + "\"")
                + "}");
    if (r.status() != 201) {
      throw new AssertionError("start: " + r.status() + " " + r.text());
    }
    return r.data().get("upload_id").asText();
  }

  Response chunk(String id, int n, byte[] bytes) {
    return chunk(id, n, bytes, sha256(bytes));
  }

  Response chunk(String id, int n, byte[] bytes, String sha256Hex) {
    return send(
        "POST",
        "/api/v1/sync/upload/" + id + "/chunk/" + n,
        bytes,
        Map.of("Content-Type", "application/octet-stream", "X-Chunk-SHA256", sha256Hex));
  }

  Response progress(String id) {
    return send("GET", "/api/v1/sync/upload/" + id + "/progress", null, Map.of());
  }

  /**
   * Opens a raw connection and sends a request's head and the first {@code sent} bytes of a body of
   * {@code declared} bytes, then leaves it hanging; closing the socket breaks the request off.
   */
  Socket stalled(
      String method, String path, Map<String, String> headers, long declared, byte[] sent)
      throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    StringBuilder head =
        new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n");
    head.append("Authorization: Bearer ").append(token).append("\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("Content-Length: ").append(declared).append("\r\n\r\n");
    OutputStream out = s.getOutputStream();
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(sent);
    out.flush();
    return s;
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static byte[] slice(byte[] all, int from, int length) {
    byte[] out = new byte[length];
    System.arraycopy(all, from, out, 0, length);
    return out;
  }
}
