package dev.syncjobs.app.notify;

import dev.syncjobs.core.model.DeniedNetworks;
import dev.syncjobs.core.model.SourceRefusedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * POSTs a message to a webhook. The host's addresses are resolved and checked against the denied
 * networks before connecting (the connection then finds them in the JDK's name cache), redirects
 * are not followed (a webhook that redirects is misconfigured, and following one could lead
 * anywhere), and with a secret the raw body is signed: {@code X-Syncjobs-Signature: sha256=<hex
 * HMAC-SHA256>}.
 */
final class WebhookSender {
  static final String SIGNATURE = "X-Syncjobs-Signature";

  private final DeniedNetworks denied;
  private final Duration timeout;

  WebhookSender(DeniedNetworks denied, Duration timeout) {
    this.denied = denied;
    this.timeout = timeout;
  }

  /**
   * Sends {@code message}; returns the HTTP status (2xx).
   *
   * @throws IOException when the host is refused, unreachable, slow, or answers other than 2xx
   */
  int send(URI url, String secret, WebhookMessages.Message message) throws IOException {
    try {
      denied.resolve(url.getHost());
    } catch (SourceRefusedException e) {
      throw new IOException(
          e.getMessage().replace("SYNCJOBS_SOURCE_DENY_NETWORKS", "denied networks"));
    }
    HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection();
    try {
      c.setInstanceFollowRedirects(false);
      c.setConnectTimeout((int) timeout.toMillis());
      c.setReadTimeout((int) timeout.toMillis());
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setFixedLengthStreamingMode(message.body().length);
      c.setRequestProperty("Content-Type", message.contentType());
      c.setRequestProperty("User-Agent", "syncjobs");
      for (Map.Entry<String, String> h : message.headers().entrySet()) {
        c.setRequestProperty(h.getKey(), h.getValue());
      }
      if (secret != null) {
        c.setRequestProperty(SIGNATURE, "sha256=" + hmac(secret, message.body()));
      }
      try (OutputStream out = c.getOutputStream()) {
        out.write(message.body());
      }
      int status = c.getResponseCode();
      drain(c, status);
      if (status < 200 || status > 299) {
        throw new IOException("HTTP " + status);
      }
      return status;
    } finally {
      c.disconnect();
    }
  }

  /** Reads a little of the answer, so the connection can be reused. */
  private static void drain(HttpURLConnection c, int status) {
    try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
      if (in != null) {
        in.readNBytes(64 * 1024);
      }
    } catch (IOException ignored) {
      // the status is what counts
    }
  }

  /** Lower-case hex HMAC-SHA256 of {@code body} under {@code secret} (UTF-8). */
  static String hmac(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }
}
