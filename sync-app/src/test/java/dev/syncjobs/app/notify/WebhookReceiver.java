package dev.syncjobs.app.notify;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver on a loopback port: records every request and answers each with the next of
 * its statuses (the last repeats), or never answers when told to hang.
 */
public final class WebhookReceiver implements AutoCloseable {
  /** One request as received. */
  public record Request(String method, String path, Headers headers, byte[] body) {
    public String header(String name) {
      return headers.getFirst(name);
    }

    public String text() {
      return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final int[] statuses;
  private final AtomicInteger answered = new AtomicInteger();
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile boolean hang;

  public WebhookReceiver(int... statuses) throws IOException {
    this.statuses = statuses.length == 0 ? new int[] {200} : statuses;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/",
        ex -> {
          byte[] body;
          try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
          }
          requests.add(
              new Request(
                  ex.getRequestMethod(),
                  ex.getRequestURI().getPath(),
                  ex.getRequestHeaders(),
                  body));
          if (hang) {
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          int n = answered.getAndIncrement();
          int status =
              statuses.length == 0 ? 200 : this.statuses[Math.min(n, this.statuses.length - 1)];
          ex.sendResponseHeaders(status, -1);
          ex.close();
        });
    server.start();
  }

  /** A receiver that reads each request and never answers (until closed). */
  public static WebhookReceiver hanging() throws IOException {
    WebhookReceiver r = new WebhookReceiver(200);
    r.hang = true;
    return r;
  }

  public URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    release.countDown();
    server.stop(0);
  }
}
