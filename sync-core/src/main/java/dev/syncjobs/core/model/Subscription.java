package dev.syncjobs.core.model;

/** A subscriber's handle: closing it stops the deliveries. Closing twice does nothing. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
  @Override
  void close();
}
