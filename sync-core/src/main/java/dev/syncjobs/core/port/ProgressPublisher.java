package dev.syncjobs.core.port;

import dev.syncjobs.core.model.ProgressEvent;

/**
 * Delivers progress and status events to whoever watches runs (WebSocket clients, other instances).
 * Must never block the caller: a slow subscriber loses intermediate progress, never the final
 * state.
 */
public interface ProgressPublisher {
  void publish(ProgressEvent event);
}
