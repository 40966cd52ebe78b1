package dev.syncjobs.http;

import java.net.URI;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Decides which links of an index page the crawl follows: only direct children of the page inside
 * the source (same scheme, host and port, no query or fragment, not above the server root). Every
 * other link is skipped with a log line, up to a limit per run, except the navigation links
 * listings carry (parent, sort orders).
 */
final class ListingLinks {
  private static final int MAX_LOGGED_SKIPS = 200;

  private final Consumer<String> log;
  private final AtomicInteger loggedSkips = new AtomicInteger();

  ListingLinks(Consumer<String> log) {
    this.log = log;
  }

  /**
   * A direct child of a page.
   *
   * @param name its decoded name, null when that is not valid UTF-8
   * @param rawName its name as the link spells it
   */
  record Child(URI uri, String name, String rawName, boolean slash) {}

  /** The direct child of the page an href names, or null (logged unless it is navigation). */
  Child child(String href, URI page, String pagePath, URI root) {
    String h = href.trim();
    if (h.isEmpty() || h.startsWith("#") || h.startsWith("?")) {
      return null;
    }
    String lower = h.toLowerCase(Locale.ROOT);
    if (lower.startsWith("javascript:")
        || lower.startsWith("mailto:")
        || lower.startsWith("data:")
        || lower.startsWith("vbscript:")) {
      skip("skipped link with a script or non-http scheme: " + shorten(h));
      return null;
    }
    URI u;
    try {
      u = page.resolve(UriText.lenient(h));
    } catch (IllegalArgumentException e) {
      skip("skipped unparseable link: " + shorten(h));
      return null;
    }
    if (u.getRawQuery() != null || u.getRawFragment() != null) {
      if (!h.contains("?C=") && !h.contains("?sort=")) {
        skip("skipped link with a query or fragment: " + shorten(h));
      }
      return null;
    }
    if (u.getScheme() == null || !HttpFetcher.sameOrigin(u, root)) {
      skip("skipped link outside the source: " + shorten(h));
      return null;
    }
    String path = UriText.normalizedPath(u);
    if (path == null) {
      skip("skipped link climbing above the server root: " + shorten(h));
      return null;
    }
    if (!path.startsWith(pagePath)) {
      if (!pagePath.startsWith(path)) {
        skip("skipped link outside the source directory: " + shorten(h));
      }
      return null;
    }
    String rest = path.substring(pagePath.length());
    if (rest.isEmpty()) {
      return null;
    }
    boolean slash = rest.endsWith("/");
    String seg = slash ? rest.substring(0, rest.length() - 1) : rest;
    if (seg.isEmpty() || seg.contains("/")) {
      skip("skipped link that is not a direct child of " + pagePath + ": " + shorten(h));
      return null;
    }
    URI clean = URI.create(page.getScheme() + "://" + page.getRawAuthority() + pagePath + rest);
    return new Child(clean, UriText.decodeSegment(seg), seg, slash);
  }

  /** Logs a skipped link or entry, up to the limit. */
  void skip(String line) {
    int n = loggedSkips.incrementAndGet();
    if (n <= MAX_LOGGED_SKIPS) {
      log.accept(line);
    } else if (n == MAX_LOGGED_SKIPS + 1) {
      log.accept("(more skipped links not logged)");
    }
  }

  static String shorten(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
