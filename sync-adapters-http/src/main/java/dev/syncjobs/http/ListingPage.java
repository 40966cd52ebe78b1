package dev.syncjobs.http;

import dev.syncjobs.core.model.TransferException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;

/**
 * One index page as fetched: where the redirects led ({@code uri}, the base of its links) and its
 * text, decoded in the charset its {@code Content-Type} names (UTF-8 otherwise). A page larger than
 * the settings allow fails the run rather than filling the heap.
 */
record ListingPage(URI uri, String html) {
  static ListingPage fetch(HttpFetcher http, Retry retry, long maxBytes, URI uri)
      throws IOException {
    return retry.call(
        "listing " + uri,
        () -> {
          HttpFetcher.Response r = http.send("GET", uri, Map.of(), true);
          HttpFetcher.expect(r, Clock.systemUTC(), 200);
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          byte[] buf = new byte[64 * 1024];
          int n;
          while ((n = r.body().read(buf, http.cancel()::isCancelled)) >= 0) {
            out.write(buf, 0, n);
            if (out.size() > maxBytes) {
              r.body().abort();
              throw new TransferException(
                  "index page " + uri + " is larger than " + maxBytes + " bytes", false, null);
            }
          }
          Charset cs = charset(r.header("Content-Type").orElse(""));
          return new ListingPage(r.uri(), out.toString(cs));
        });
  }

  private static Charset charset(String contentType) {
    for (String part : contentType.split(";")) {
      String p = part.trim();
      if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
        try {
          return Charset.forName(p.substring(8).replace("\"", "").trim());
        } catch (RuntimeException e) {
          return StandardCharsets.UTF_8;
        }
      }
    }
    return StandardCharsets.UTF_8;
  }
}
