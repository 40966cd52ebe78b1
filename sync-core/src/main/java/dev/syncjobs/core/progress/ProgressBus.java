package dev.syncjobs.core.progress;

import dev.syncjobs.core.model.ProgressEvent;
import dev.syncjobs.core.model.Subscription;
import dev.syncjobs.core.port.ProgressPublisher;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-process {@link ProgressPublisher}: hands every event to the current subscribers on the
 * caller's thread. Subscribers must not block (queue and return); one that throws is logged and
 * kept.
 */
public final class ProgressBus implements ProgressPublisher {
  private static final Logger log = LoggerFactory.getLogger(ProgressBus.class);
  private final List<Consumer<ProgressEvent>> subscribers = new CopyOnWriteArrayList<>();

  @Override
  public void publish(ProgressEvent event) {
    for (Consumer<ProgressEvent> s : subscribers) {
      try {
        s.accept(event);
      } catch (RuntimeException e) {
        log.warn("progress subscriber failed: {}", e.toString());
      }
    }
  }

  /** Adds a subscriber; closing the returned subscription removes it. */
  public Subscription subscribe(Consumer<ProgressEvent> subscriber) {
    subscribers.add(subscriber);
    return () -> subscribers.remove(subscriber);
  }
}
