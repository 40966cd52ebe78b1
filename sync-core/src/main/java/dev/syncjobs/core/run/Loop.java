package dev.syncjobs.core.run;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon thread that runs a step every interval until closed, sooner when the step asks for it,
 * and at once when woken. A failing step is logged and the loop goes on after the interval.
 */
public final class Loop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Loop.class);

  private final String name;
  private final Duration interval;
  private final Supplier<Duration> step;
  private final Object wake = new Object();
  private boolean woken;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private Thread thread;

  public Loop(String name, Duration interval, Runnable step) {
    this(
        name,
        interval,
        () -> {
          step.run();
          return interval;
        });
  }

  /**
   * @param step runs once per round and returns how long to wait before the next one (at most
   *     {@code interval}: a longer or null wait is cut to it)
   */
  public Loop(String name, Duration interval, Supplier<Duration> step) {
    this.name = name;
    this.interval = interval;
    this.step = step;
  }

  public synchronized void start() {
    if (thread != null) {
      return;
    }
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (!stopping.get()) {
      Duration wait = interval;
      try {
        Duration asked = step.get();
        if (asked != null && asked.compareTo(interval) < 0) {
          wait = asked;
        }
      } catch (RuntimeException e) {
        // waits the whole interval: a step that keeps failing (the database is down) must not
        // spin
        log.warn("{}: {}", name, e.toString());
      }
      try {
        synchronized (wake) {
          // A wake-up that came while the step ran is not lost: it makes the next step start now.
          if (!woken) {
            wake.wait(Math.max(1, wait.toMillis()));
          }
          woken = false;
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  public void wakeUp() {
    synchronized (wake) {
      woken = true;
      wake.notifyAll();
    }
  }

  public boolean stopping() {
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
