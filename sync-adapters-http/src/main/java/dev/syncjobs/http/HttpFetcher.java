package dev.syncjobs.http;

import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.model.TransferException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends requests for one run: follows redirects itself (at most 5 hops, never from https to http,
 * optionally only inside the source URL), sends the source's credentials to the source's origin
 * only, waits for headers with a timeout and gives up on cancellation.
 */
final class HttpFetcher {
  static final int MAX_REDIRECTS = 5;

  private final HttpClient client;
  private final URI source;
  private final String authorization;
  private final Duration timeout;
  private final CancellationToken cancel;

  HttpFetcher(
      HttpClient client, URI source, SourceAuth auth, Duration timeout, CancellationToken cancel) {
    this.client = client;
    this.source = source;
    this.authorization = authorizationHeader(auth);
    this.timeout = timeout;
    this.cancel = cancel;
  }

  private static String authorizationHeader(SourceAuth auth) {
    if (auth == null) {
      return null;
    }
    return switch (auth.type()) {
      case BASIC ->
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(
                      (auth.username() + ":" + auth.password()).getBytes(StandardCharsets.UTF_8));
      case BEARER -> "Bearer " + auth.token();
      default ->
          throw new TransferException(
              "source_auth type " + auth.type() + " does not apply to http sources", false, null);
    };
  }

  URI source() {
    return source;
  }

  Duration timeout() {
    return timeout;
  }

  CancellationToken cancel() {
    return cancel;
  }

  /** A response whose body has not been read yet. */
  record Response(int status, URI uri, HttpHeaders headers, BodyQueue body) {
    Optional<String> header(String name) {
      return headers.firstValue(name);
    }

    long contentLength() {
      return headers.firstValueAsLong("Content-Length").orElse(-1L);
    }

    /** The strong validator for If-Range: the ETag unless weak, else Last-Modified. */
    String validator() {
      Optional<String> etag = header("ETag");
      if (etag.isPresent() && !etag.get().startsWith("W/")) {
        return etag.get();
      }
      return header("Last-Modified").orElse(null);
    }

    Instant lastModified() {
      return header("Last-Modified").map(HttpFetcher::parseHttpDate).orElse(null);
    }
  }

  /** A redirect that would leave the source URL while crawling. */
  static final class OutsideSourceException extends IOException {
    OutsideSourceException(String message) {
      super(message);
    }
  }

  /** An unexpected status; retryable for 408, 429 and most 5xx. */
  static final class StatusException extends IOException {
    final int status;
    final Duration retryAfter;

    StatusException(int status, URI uri, Duration retryAfter) {
      super("HTTP " + status + " for " + uri);
      this.status = status;
      this.retryAfter = retryAfter;
    }

    boolean retryable() {
      return status == 408 || status == 429 || (status >= 500 && status != 501 && status != 505);
    }
  }

  /**
   * Sends {@code method} to {@code uri}, following redirects.
   *
   * @param insideSourceOnly refuse redirects that leave the source URL (listing crawl)
   */
  Response send(String method, URI uri, Map<String, String> headers, boolean insideSourceOnly)
      throws IOException {
    URI current = uri;
    for (int hop = 0; ; hop++) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(current)
              .method(method, HttpRequest.BodyPublishers.noBody())
              .timeout(timeout);
      headers.forEach(b::header);
      if (authorization != null && sameOrigin(current, source)) {
        b.header("Authorization", authorization);
      }
      Response r = await(client.sendAsync(b.build(), info -> new BodyQueue()), current);
      int s = r.status();
      if (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) {
        Optional<String> location = r.header("Location");
        if (location.isEmpty()) {
          return r;
        }
        r.body().abort();
        URI next;
        try {
          next = current.resolve(UriText.lenient(location.get()));
        } catch (IllegalArgumentException e) {
          throw new TransferException(
              "bad redirect from " + current + " to " + location.get(), false, e);
        }
        if ("https".equalsIgnoreCase(current.getScheme())
            && !"https".equalsIgnoreCase(next.getScheme())) {
          throw new TransferException(
              "refused redirect from https to " + next.getScheme() + ": " + current + " -> " + next,
              false,
              null);
        }
        if (!"http".equalsIgnoreCase(next.getScheme())
            && !"https".equalsIgnoreCase(next.getScheme())) {
          throw new TransferException("refused redirect to " + next, false, null);
        }
        if (insideSourceOnly && !UriText.inside(next, source)) {
          throw new OutsideSourceException(
              "redirect leaves the source: " + current + " -> " + next);
        }
        if (hop + 1 > MAX_REDIRECTS) {
          throw new TransferException(
              "more than " + MAX_REDIRECTS + " redirects from " + uri, false, null);
        }
        current = next;
        continue;
      }
      return r;
    }
  }

  private Response await(CompletableFuture<java.net.http.HttpResponse<BodyQueue>> f, URI uri)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      if (cancel.isCancelled()) {
        f.cancel(true);
        f.thenAccept(r -> r.body().abort());
        throw new CancelledException();
      }
      try {
        var r = f.get(200, TimeUnit.MILLISECONDS);
        return new Response(r.statusCode(), r.uri(), r.headers(), r.body());
      } catch (TimeoutException e) {
        if (System.nanoTime() > deadline) {
          f.cancel(true);
          f.thenAccept(r -> r.body().abort());
          throw new HttpTimeoutException("no response within " + timeout.toSeconds() + " s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        f.cancel(true);
        throw new CancelledException();
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof IOException io) {
          throw io;
        }
        if (c instanceof IllegalArgumentException iae) {
          throw new TransferException("bad request to " + uri + ": " + iae.getMessage(), false, c);
        }
        throw new IOException(c == null ? e.toString() : c.toString(), c);
      }
    }
  }

  static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null
        && a.getHost().equalsIgnoreCase(b.getHost())
        && UriText.port(a) == UriText.port(b);
  }

  static Instant parseHttpDate(String text) {
    try {
      return ZonedDateTime.parse(text.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
  static Duration retryAfter(HttpHeaders headers, Clock clock) {
    Optional<String> v = headers.firstValue("Retry-After");
    if (v.isEmpty()) {
      return null;
    }
    String t = v.get().trim();
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(t)));
    } catch (NumberFormatException e) {
      Instant at = parseHttpDate(t);
      return at == null
          ? null
          : Duration.between(clock.instant(), at).isNegative()
              ? Duration.ZERO
              : Duration.between(clock.instant(), at);
    }
  }

  /** Fails with a {@link StatusException} unless the status is one of {@code ok}. */
  static void expect(Response r, Clock clock, int... ok) throws StatusException {
    for (int s : ok) {
      if (r.status() == s) {
        return;
      }
    }
    r.body().abort();
    throw new StatusException(r.status(), r.uri(), retryAfter(r.headers(), clock));
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
