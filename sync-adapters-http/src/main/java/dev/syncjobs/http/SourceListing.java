package dev.syncjobs.http;

import dev.syncjobs.core.model.Filters;
import dev.syncjobs.core.staging.StagingPaths;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What an HTTP source holds: the crawl of its listing when the job names a folder ({@code .../});
 * otherwise a HEAD request tells whether the URL is a file (then it is the one file) or answers
 * with a listing after all (then that listing is crawled, from where the redirects led).
 */
final class SourceListing {
  private final URI root;
  private final boolean directory;
  private final Retry retry;
  private final Filters filters;
  private final StagingPaths paths;
  private final Consumer<String> log;

  /**
   * @param root the source URL, with at least the path {@code /}
   * @param directory whether the job names a folder
   */
  SourceListing(
      URI root,
      boolean directory,
      Retry retry,
      Filters filters,
      StagingPaths paths,
      Consumer<String> log) {
    this.root = root;
    this.directory = directory;
    this.retry = retry;
    this.filters = filters;
    this.paths = paths;
    this.log = log;
  }

  /**
   * @param crawler the crawler of the source's own URL
   * @param crawlerAt a crawler for another URL (where a file URL's redirects led to a listing)
   */
  Crawler.Result list(Crawler crawler, Function<URI, Crawler> crawlerAt) throws IOException {
    if (directory) {
      return crawler.crawl(root);
    }
    Crawler.Probe probe;
    try {
      probe = retry.call("HEAD " + root, () -> crawler.probe(root));
    } catch (HttpFetcher.RefusedRedirectException e) {
      log.accept("skipped " + root + ": " + e.getMessage());
      return new Crawler.Result(Map.of(), Set.of());
    } catch (IOException e) {
      throw Retry.failure("reading " + root, e);
    }
    if (probe.directory()) {
      return crawlerAt.apply(probe.finalUri()).crawl(probe.finalUri());
    }
    String raw = root.getRawPath();
    String rawName = raw.substring(raw.lastIndexOf('/') + 1);
    String name = UriText.decodeSegment(rawName);
    Map<String, RemoteFile> one = new LinkedHashMap<>();
    if (name == null) {
      paths.skip(rawName, "it is not valid UTF-8");
    } else if (filters.includes(name, false)) {
      one.put(name, new RemoteFile(name, root, probe.size(), probe.mtime(), 1, null, probe.etag()));
    }
    return new Crawler.Result(one, Set.of());
  }
}
