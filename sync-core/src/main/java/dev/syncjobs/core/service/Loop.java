package dev.syncjobs.core.service;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon thread that runs a step every interval until closed, and at once when woken. A failing
 * step is logged and the loop goes on.
 */
final class Loop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Loop.class);

  private final String name;
  private final Duration interval;
  private final Runnable step;
  private final Object wake = new Object();
  private boolean woken;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private Thread thread;

  Loop(String name, Duration interval, Runnable step) {
    this.name = name;
    this.interval = interval;
    this.step = step;
  }

  synchronized void start() {
    if (thread != null) {
      return;
    }
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (!stopping.get()) {
      try {
        step.run();
        synchronized (wake) {
          // A wake-up that came while the step ran is not lost: it makes the next step start now.
          if (!woken) {
            wake.wait(Math.max(1, interval.toMillis()));
          }
          woken = false;
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("{}: {}", name, e.toString());
      }
    }
  }

  void wakeUp() {
    synchronized (wake) {
      woken = true;
      wake.notifyAll();
    }
  }

  boolean stopping() {
    return stopping.get();
  }

  /** Stops the loop and waits up to a second for the current step. */
  @Override
  public void close() {
    stopping.set(true);
    wakeUp();
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
