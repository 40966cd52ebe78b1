package dev.syncjobs.http;

import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.DeniedNetworks;
import dev.syncjobs.core.model.SourceAuth;
import dev.syncjobs.core.model.SourceRefusedException;
import dev.syncjobs.core.model.TransferException;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;

/**
 * Sends requests for one run: follows redirects itself (at most 5 hops, only to http and https,
 * never from https to http, optionally only inside the source URL), sends the source's credentials
 * to the source's origin only, waits for headers with a timeout and gives up on cancellation.
 *
 * <p>Before every request, the first and each redirect's, the host's addresses are resolved and
 * checked against the denied networks. The connection then finds the same addresses in the JDK's
 * name cache (kept 30 s unless {@code networkaddress.cache.ttl} says otherwise), so a name that
 * resolves into a denied range is refused before anything is sent to it.
 *
 * <p>Built on the JDK's {@link HttpURLConnection} rather than {@code java.net.http.HttpClient}: the
 * latter hands every chunk of a body between threads (and starts a thread per response on machines
 * with fewer than three cores), which makes bulk mirrors CPU-bound. Blocking reads into the
 * caller's buffer, a native read timeout and keep-alive pooling come with the JDK, without a
 * dependency.
 */
final class HttpFetcher {
  static final int MAX_REDIRECTS = 5;

  private final SSLContext tls;
  private final Duration connectTimeout;
  private final URI source;
  private final String authorization;
  private final Duration timeout;
  private final CancellationToken cancel;
  private final DeniedNetworks denied;
  private final java.util.Set<HttpURLConnection> open = new java.util.HashSet<>();

  HttpFetcher(
      SSLContext tls,
      Duration connectTimeout,
      URI source,
      SourceAuth auth,
      Duration timeout,
      CancellationToken cancel,
      DeniedNetworks denied) {
    this.denied = denied;
    this.tls = tls;
    this.connectTimeout = connectTimeout;
    this.source = source;
    this.authorization = authorizationHeader(auth);
    this.timeout = timeout;
    this.cancel = cancel;
    cancel.onCancel(
        () -> {
          List<HttpURLConnection> all;
          synchronized (open) {
            all = List.copyOf(open);
          }
          all.forEach(HttpURLConnection::disconnect);
        });
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
  record Response(int status, URI uri, HttpURLConnection conn, Body body) {
    Optional<String> header(String name) {
      return Optional.ofNullable(conn.getHeaderField(name));
    }

    long contentLength() {
      return conn.getContentLengthLong();
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

  /**
   * A redirect this fetcher does not follow: to another scheme, into a denied network, or (while
   * crawling) outside the source URL. It concerns the one file or folder that redirected; never
   * retried.
   */
  static class RefusedRedirectException extends IOException {
    RefusedRedirectException(String message) {
      super(message);
    }
  }

  /** A redirect that would leave the source URL while crawling. */
  static final class OutsideSourceException extends RefusedRedirectException {
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
      if (hop == 0) {
        admit(current);
      }
      Response r = exchange(method, current, headers);
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
          throw new RefusedRedirectException(
              "refused redirect to another scheme: " + current + " -> " + next);
        }
        if (next.getHost() == null || next.getHost().isEmpty()) {
          throw new RefusedRedirectException(
              "refused redirect to a URL without a host: " + current + " -> " + next);
        }
        if (insideSourceOnly && !UriText.inside(next, source)) {
          throw new OutsideSourceException(
              "redirect leaves the source: " + current + " -> " + next);
        }
        if (hop + 1 > MAX_REDIRECTS) {
          throw new TransferException(
              "more than " + MAX_REDIRECTS + " redirects from " + uri, false, null);
        }
        try {
          admit(next);
        } catch (SourceRefusedException e) {
          throw new RefusedRedirectException(
              "refused redirect " + current + " -> " + next + ": " + e.getMessage());
        }
        current = next;
        continue;
      }
      return r;
    }
  }

  /**
   * Resolves the host of {@code uri} and checks every address.
   *
   * @throws SourceRefusedException when an address lies in a denied network
   */
  private void admit(URI uri) throws IOException {
    if (!denied.isEmpty()) {
      denied.resolve(uri.getHost());
    }
  }

  /** Sends one request and waits for its status and headers. */
  private Response exchange(String method, URI uri, Map<String, String> headers)
      throws IOException {
    if (cancel.isCancelled()) {
      throw new CancelledException();
    }
    URLConnection uc;
    try {
      uc = uri.toURL().openConnection();
    } catch (IllegalArgumentException e) {
      throw new TransferException("bad URL " + uri + ": " + e.getMessage(), false, e);
    }
    HttpURLConnection c = (HttpURLConnection) uc;
    if (c instanceof HttpsURLConnection https && tls != null) {
      https.setSSLSocketFactory(tls.getSocketFactory());
    }
    c.setInstanceFollowRedirects(false);
    c.setUseCaches(false);
    c.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    c.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    c.setRequestMethod(method);
    c.setRequestProperty("User-Agent", "syncjobs");
    c.setRequestProperty("Accept", "*/*");
    c.setRequestProperty("Accept-Encoding", "identity");
    headers.forEach(c::setRequestProperty);
    if (authorization != null && sameOrigin(uri, source)) {
      c.setRequestProperty("Authorization", authorization);
    }
    synchronized (open) {
      open.add(c);
    }
    Runnable release =
        () -> {
          synchronized (open) {
            open.remove(c);
          }
        };
    int status;
    try {
      if (cancel.isCancelled()) {
        throw new CancelledException();
      }
      status = c.getResponseCode();
    } catch (java.net.SocketTimeoutException e) {
      c.disconnect();
      release.run();
      throw new IOException(
          "no response from " + uri + " within " + timeout.toSeconds() + " s (timeout)", e);
    } catch (IOException | RuntimeException e) {
      c.disconnect();
      release.run();
      if (cancel.isCancelled()) {
        throw new CancelledException();
      }
      throw e;
    }
    if (status < 0) {
      c.disconnect();
      release.run();
      throw new IOException("not an HTTP response from " + uri);
    }
    Body body = new Body(c, timeout, release);
    if (method.equals("HEAD")) {
      body.finish();
    }
    return new Response(status, uri, c, body);
  }

  static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null
        && a.getHost().equalsIgnoreCase(b.getHost())
        && UriText.port(a) == UriText.port(b);
  }

  static Instant parseHttpDate(String text) {
    Instant fast = Times.httpDate(text.trim());
    if (fast != null) {
      return fast;
    }
    try {
      return ZonedDateTime.parse(text.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
  static Duration retryAfter(Response r, Clock clock) {
    Optional<String> v = r.header("Retry-After");
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
    throw new StatusException(r.status(), r.uri(), retryAfter(r, clock));
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
