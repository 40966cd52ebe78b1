package dev.syncjobs.http;

import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.Filters;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.staging.StagingPaths;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Walks a source's index pages breadth-first. Only links that stay inside the source (same scheme,
 * host and port, direct children of the page, no query) are followed; the rest are skipped and
 * logged. Sizes and times come from the listing; a HEAD request fills in what a row lacks.
 */
final class Crawler {
  private final HttpFetcher http;
  private final Retry retry;
  private final HttpSettings settings;
  private final Filters filters;
  private final Consumer<String> log;
  private final ExecutorService pool;
  private final Map<String, Manifest.Entry> previous;
  private final StagingPaths names;
  private final ListingLinks links;

  /**
   * @param names decides which names the backend can hold; the others are skipped and counted there
   */
  Crawler(
      HttpFetcher http,
      Retry retry,
      HttpSettings settings,
      Filters filters,
      Consumer<String> log,
      ExecutorService pool,
      Map<String, Manifest.Entry> previous,
      StagingPaths names) {
    this.http = http;
    this.retry = retry;
    this.settings = settings;
    this.filters = filters;
    this.log = log;
    this.pool = pool;
    this.previous = previous;
    this.names = names;
    this.links = new ListingLinks(log);
  }

  /** What the crawl found: files by path, and directories that exist but hold no entry. */
  record Result(Map<String, RemoteFile> files, Set<String> emptyDirs) {}

  private record Dir(URI uri, String rel, int depth) {}

  /** The HEAD of one URL: a file's size/time/ETag, or the news that it is a directory. */
  record Probe(URI finalUri, boolean directory, Long size, Instant mtime, String etag) {}

  Result crawl(URI root) throws IOException {
    Map<String, RemoteFile> files = new LinkedHashMap<>();
    Set<String> emptyDirs = new TreeSet<>();
    Set<String> visited = new HashSet<>();
    Deque<Dir> queue = new ArrayDeque<>();
    Map<String, Future<Fetched>> prefetch = new HashMap<>();
    try {
      return crawl(root, files, emptyDirs, visited, queue, prefetch);
    } finally {
      prefetch.values().forEach(f -> f.cancel(true));
    }
  }

  private Result crawl(
      URI root,
      Map<String, RemoteFile> files,
      Set<String> emptyDirs,
      Set<String> visited,
      Deque<Dir> queue,
      Map<String, Future<Fetched>> prefetch)
      throws IOException {
    queue.add(new Dir(root, "", 0));
    int entries = 0;
    while (!queue.isEmpty()) {
      if (http.cancel().isCancelled()) {
        throw new CancelledException();
      }
      Dir dir = queue.poll();
      if (!visited.add(dir.uri().getRawPath())) {
        continue;
      }
      for (Dir d : queue) {
        String key = d.uri().getRawPath();
        if (!visited.contains(key) && !prefetch.containsKey(key)) {
          prefetch.put(key, pool.submit(() -> fetchParsed(d.uri())));
        }
      }
      Future<Fetched> ahead = prefetch.remove(dir.uri().getRawPath());
      Fetched fetched;
      try {
        fetched = ahead != null ? await(ahead) : fetchParsed(dir.uri());
      } catch (HttpFetcher.StatusException e) {
        if (dir.rel().isEmpty() || (e.status != 404 && e.status != 410)) {
          throw Retry.failure("listing " + dir.uri(), e);
        }
        log.accept("warning: directory vanished during the crawl: " + dir.uri());
        continue;
      } catch (HttpFetcher.RefusedRedirectException e) {
        if (dir.rel().isEmpty()) {
          throw Retry.failure("listing " + dir.uri(), e);
        }
        links.skip(e.getMessage());
        continue;
      } catch (IOException e) {
        throw Retry.failure("listing " + dir.uri(), e);
      }
      ListingPage page = fetched.page();
      String pagePath = UriText.directoryOf(page.uri());
      // what the children's URLs start with (ListingLinks builds them so): one String per page
      String base = page.uri().getScheme() + "://" + page.uri().getRawAuthority() + pagePath;
      List<ListingParser.Entry> rows = fetched.rows();
      List<Pending> needHead = new ArrayList<>();
      // per page: a path is its folder's and one name without '/' (nameProblem), and a folder is
      // queued once, from its parent's page, so two pages never give the same path
      Set<String> seen = new HashSet<>();
      int children = 0;
      for (ListingParser.Entry e : rows) {
        ListingLinks.Child c = links.child(e.href(), page.uri(), pagePath, root);
        if (c == null) {
          continue;
        }
        boolean isDir = c.slash() || e.directoryHint();
        String rel = samePath(dir.rel() + (c.name() == null ? c.rawName() : c.name()));
        if (!seen.add(rel)) {
          continue;
        }
        Optional<String> problem =
            c.name() == null
                ? Optional.of("it is not valid UTF-8")
                : StagingPaths.nameProblem(c.name()).or(() -> names.problem(rel));
        if (problem.isPresent()) {
          if (filters.includes(rel, isDir)) {
            names.skip(
                rel, problem.get() + " (link " + ListingLinks.shorten(e.href().trim()) + ")");
          }
          continue;
        }
        children++;
        if (++entries > settings.maxListingEntries()) {
          throw new TransferException(
              "the listing of "
                  + root
                  + " has more than "
                  + settings.maxListingEntries()
                  + " entries",
              false,
              null);
        }
        if (isDir) {
          enqueueDir(queue, dir, c.uri(), rel, c.slash());
        } else if (filters.includes(rel, false)) {
          if (e.size() != null && e.sizeExact() && e.mtime() != null) {
            files.put(rel, fromListing(rel, c.uri(), base, e));
          } else if (e.mtime() != null && e.size() != null && matchesPrevious(rel, e)) {
            Manifest.Entry p = previous.get(rel);
            files.put(
                rel,
                new RemoteFile(
                    rel,
                    c.uri().toString(),
                    base,
                    p.size(),
                    e.mtime(),
                    e.precisionSeconds(),
                    e.mtime().getEpochSecond(),
                    p.etag()));
          } else {
            needHead.add(new Pending(rel, c.uri(), base, e));
          }
        }
      }
      if (children == 0 && !dir.rel().isEmpty()) {
        emptyDirs.add(dir.rel().substring(0, dir.rel().length() - 1));
      }
      headAll(needHead, files, queue, dir);
    }
    return new Result(files, emptyDirs);
  }

  private void enqueueDir(Deque<Dir> queue, Dir parent, URI uri, String rel, boolean slash) {
    if (!filters.includes(rel, true)) {
      return;
    }
    if (parent.depth() + 1 > settings.maxListingDepth()) {
      log.accept(
          "warning: not descending into "
              + rel
              + ": deeper than "
              + settings.maxListingDepth()
              + " levels");
      return;
    }
    URI u = slash ? uri : URI.create(uri.toString() + "/");
    queue.add(new Dir(u, rel + "/", parent.depth() + 1));
  }

  /** The previous manifest's String for this path when it has one: a re-run holds it only once. */
  private String samePath(String rel) {
    Manifest.Entry p = previous.get(rel);
    return p == null ? rel : p.path();
  }

  private boolean matchesPrevious(String rel, ListingParser.Entry e) {
    Manifest.Entry p = previous.get(rel);
    if (p == null || p.listed() == null || p.listed() != e.mtime().getEpochSecond()) {
      return false;
    }
    double approx = e.size();
    return p.size() <= approx * 1.1 + 1024 && p.size() >= approx * 0.9 - 1024;
  }

  private static RemoteFile fromListing(String rel, URI uri, String base, ListingParser.Entry e) {
    return new RemoteFile(
        rel,
        uri.toString(),
        base,
        e.size(),
        e.mtime(),
        e.precisionSeconds(),
        e.mtime().getEpochSecond(),
        null);
  }

  private record Pending(String rel, URI uri, String base, ListingParser.Entry entry) {}

  private void headAll(
      List<Pending> pending, Map<String, RemoteFile> files, Deque<Dir> queue, Dir dir)
      throws IOException {
    if (pending.isEmpty()) {
      return;
    }
    List<Future<Probe>> futures = new ArrayList<>();
    for (Pending p : pending) {
      futures.add(pool.submit(() -> retry.call("HEAD " + p.uri(), () -> probe(p.uri()))));
    }
    for (int i = 0; i < pending.size(); i++) {
      Pending p = pending.get(i);
      Probe probe;
      try {
        probe = futures.get(i).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancelledException();
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof HttpFetcher.StatusException s && (s.status == 404 || s.status == 410)) {
          log.accept("warning: " + p.rel() + " vanished during the crawl (HTTP " + s.status + ")");
          continue;
        }
        if (c instanceof HttpFetcher.RefusedRedirectException r) {
          links.skip("skipped " + p.rel() + ": " + r.getMessage());
          continue;
        }
        futures.forEach(f -> f.cancel(true));
        if (c instanceof IOException io) {
          throw Retry.failure("HEAD " + p.uri(), io);
        }
        if (c instanceof RuntimeException re) {
          throw re;
        }
        throw new IOException(c);
      }
      if (probe.directory()) {
        String pagePath = UriText.directoryOf(p.uri());
        if (UriText.inside(probe.finalUri(), http.source())
            && UriText.normalizedPath(probe.finalUri()) != null
            && UriText.normalizedPath(probe.finalUri()).startsWith(pagePath)) {
          enqueueDir(queue, dir, p.uri(), p.rel(), false);
        } else {
          links.skip("skipped " + p.rel() + ": redirects outside the source");
        }
        continue;
      }
      ListingParser.Entry e = p.entry();
      Instant mtime = probe.mtime() != null ? probe.mtime() : e.mtime();
      long precision = probe.mtime() != null ? 1 : e.precisionSeconds();
      files.put(
          p.rel(),
          new RemoteFile(
              p.rel(),
              p.uri().toString(),
              p.base(),
              probe.size(),
              mtime,
              precision,
              e.mtime() == null ? null : e.mtime().getEpochSecond(),
              probe.etag()));
    }
  }

  /** HEAD (or a one-byte GET where HEAD is refused) of a file URL. */
  Probe probe(URI uri) throws IOException {
    HttpFetcher.Response r = http.send("HEAD", uri, Map.of(), false);
    if (r.status() == 405 || r.status() == 501) {
      r.body().abort();
      r = http.send("GET", uri, Map.of("Range", "bytes=0-0"), false);
    }
    HttpFetcher.expect(r, Clock.systemUTC(), 200, 206);
    r.body().abort();
    URI fin = r.uri();
    String origPath = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (!origPath.endsWith("/")
        && fin.getRawPath() != null
        && fin.getRawPath().equals(origPath + "/")) {
      return new Probe(fin, true, null, null, null);
    }
    Long size = null;
    if (r.status() == 206) {
      String cr = r.header("Content-Range").orElse("");
      int slash = cr.lastIndexOf('/');
      if (slash >= 0 && !cr.endsWith("*")) {
        size = Long.parseLong(cr.substring(slash + 1).trim());
      }
    } else if (r.contentLength() >= 0) {
      size = r.contentLength();
    }
    return new Probe(fin, false, size, r.lastModified(), r.header("ETag").orElse(null));
  }

  private record Fetched(ListingPage page, List<ListingParser.Entry> rows) {}

  private Fetched fetchParsed(URI uri) throws IOException {
    ListingPage p = ListingPage.fetch(http, retry, settings.maxPageBytes(), uri);
    return new Fetched(p, ListingParser.parse(p.html()));
  }

  private static <T> T await(Future<T> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancelledException();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(c);
    }
  }
}
