package dev.syncjobs.http;

import dev.syncjobs.core.model.CancellationToken;
import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import dev.syncjobs.core.version.Bookkeeping;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Mirrors {@code http://} and {@code https://} sources. A URL ending in '/' is a directory whose
 * index pages are crawled; any other URL is one file. Files unchanged since the previous version
 * (by the per-version manifest: size, listing time, ETag, SHA-256) are hard-linked from it; the
 * others are downloaded several at a time, large ones in parallel Range segments, resumable across
 * runs, verified against the source's checksum files.
 *
 * <p>Per-run state lives in the staging directory's records beside it ({@link Bookkeeping}), never
 * in the staging directory: the manifest {@value Manifest#FILE} (which the engine keeps with the
 * version) and partial downloads under {@value PartialFolder#NAME} (removed once the transfer
 * succeeds, left for resuming when it fails or is cancelled).
 */
public final class HttpTransfer implements Transfer {

  private final HttpSettings settings;

  /** With {@link HttpSettings#defaults()}; the adapter reads no environment variable. */
  public HttpTransfer() {
    this(HttpSettings.defaults());
  }

  /** With the given settings (the server builds them from its configuration). */
  public HttpTransfer(HttpSettings settings) {
    this.settings = settings;
  }

  @Override
  public boolean supports(Source source) {
    return source instanceof Source.Http;
  }

  /** Downloaded files are made read-only before they get their name; the rest are links. */
  @Override
  public boolean writesReadOnlyFiles() {
    return true;
  }

  /** A run that finds the source unchanged writes nothing, so it needs no staging directory. */
  @Override
  public boolean createsStaging() {
    return true;
  }

  @Override
  public TransferReport transfer(TransferRequest request) {
    if (!(request.source() instanceof Source.Http src)) {
      throw new TransferException("not an http(s) source: " + request.source().uri(), false, null);
    }
    CancellationToken stop = new CancellationToken();
    request.cancel().onCancel(stop::cancel);
    ExecutorService files = Executors.newFixedThreadPool(settings.connections(), daemon("file"));
    ExecutorService segments = Executors.newCachedThreadPool(daemon("segment"));
    try {
      return new HttpMirrorRun(settings, request, src, stop, files, segments).execute();
    } catch (CancelledException e) {
      throw e;
    } catch (SyncException e) {
      if (request.cancel().isCancelled()) {
        throw new CancelledException();
      }
      throw e;
    } catch (IOException | UncheckedIOException e) {
      if (request.cancel().isCancelled()) {
        throw new CancelledException();
      }
      if (e instanceof IOException io) {
        throw Retry.failure("mirroring " + src.uri() + " failed", io);
      }
      throw new TransferException("mirroring " + src.uri() + " failed: " + e.getMessage(), e);
    } finally {
      stop.cancel();
      files.shutdownNow();
      segments.shutdownNow();
    }
  }

  private static ThreadFactory daemon(String kind) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "syncjobs-http-" + kind + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  static javax.net.ssl.SSLContext tls(String caBundle) {
    return caBundle == null || caBundle.isBlank() ? null : TrustBundle.context(caBundle);
  }
}
