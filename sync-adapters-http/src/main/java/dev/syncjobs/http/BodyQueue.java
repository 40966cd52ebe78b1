package dev.syncjobs.http;

import dev.syncjobs.core.model.CancelledException;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A response body pulled one chunk at a time: the client is asked for the next chunk only after the
 * previous one was consumed, so memory stays bounded whatever the file size. The consumer waits
 * with a stall timeout and notices cancellation.
 */
final class BodyQueue implements HttpResponse.BodySubscriber<BodyQueue> {
  private static final Object END = new Object();

  private final LinkedBlockingQueue<Object> items = new LinkedBlockingQueue<>();
  private volatile Flow.Subscription subscription;
  private volatile boolean done;

  @Override
  public CompletionStage<BodyQueue> getBody() {
    return CompletableFuture.completedFuture(this);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    items.add(item);
  }

  @Override
  public void onError(Throwable throwable) {
    items.add(throwable);
  }

  @Override
  public void onComplete() {
    items.add(END);
  }

  /**
   * The next chunk, or null at the end of the body.
   *
   * @throws HttpTimeoutException when nothing arrived for {@code stall}
   * @throws IOException when the connection failed
   */
  @SuppressWarnings("unchecked")
  List<ByteBuffer> next(Duration stall, BooleanSupplier stopped) throws IOException {
    if (done) {
      return null;
    }
    long deadline = System.nanoTime() + stall.toNanos();
    while (true) {
      Object item;
      try {
        item = items.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        abort();
        throw new CancelledException();
      }
      if (stopped.getAsBoolean()) {
        abort();
        throw new CancelledException();
      }
      if (item == null) {
        if (System.nanoTime() > deadline) {
          abort();
          throw new HttpTimeoutException("no data for " + stall.toSeconds() + " s (stalled)");
        }
        continue;
      }
      if (item == END) {
        done = true;
        return null;
      }
      if (item instanceof Throwable t) {
        done = true;
        throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
      }
      return (List<ByteBuffer>) item;
    }
  }

  /** Asks for the next chunk; call after the previous one was written. */
  void requestMore() {
    Flow.Subscription s = subscription;
    if (s != null && !done) {
      s.request(1);
    }
  }

  /** Gives the body up (closes the connection when it was not read to the end). */
  void abort() {
    if (!done) {
      done = true;
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
    }
  }
}
