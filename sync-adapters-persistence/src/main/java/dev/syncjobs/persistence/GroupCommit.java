package dev.syncjobs.persistence;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Group commit: items submitted while a group is being written wait and are written together, by
 * one writer thread, so many callers share one commit. Each item's {@code done} completes once its
 * own group is written. When a group fails, each of its items is written on its own, so one bad
 * item fails alone. The writer exits after two idle seconds and is started again by the next
 * submission; an unexpected error fails every waiting item instead of leaving it waiting.
 *
 * @param <T> a queued item
 * @param <R> what writing an item gives its submitter
 */
final class GroupCommit<T extends GroupCommit.Item<R>, R> {
  /** A queued item and what its submitter waits on. */
  interface Item<R> {
    CompletableFuture<R> done();
  }

  private final String threadName;
  private final UnaryOperator<List<T>> take;
  private final Function<List<T>, List<R>> write;
  private final List<T> queue = new ArrayList<>();
  private boolean writerRunning;

  /**
   * @param take removes the next group from the queue (called with at least one item queued) and
   *     returns it, in the order it is to be written
   * @param write writes a group; returns the result of each item, in the group's order
   */
  GroupCommit(String threadName, UnaryOperator<List<T>> take, Function<List<T>, List<R>> write) {
    this.threadName = threadName;
    this.take = take;
    this.write = write;
  }

  /** Queues items for the next group; their {@code done} completes when they are written. */
  void submit(List<T> items) {
    synchronized (queue) {
      queue.addAll(items);
      if (!writerRunning) {
        writerRunning = true;
        Thread writer = new Thread(this::writeLoop, threadName);
        writer.setDaemon(true);
        writer.start();
      }
      queue.notifyAll();
    }
  }

  /** The first {@code max} items of a queue, in order. */
  static <T> List<T> first(List<T> queue, int max) {
    List<T> head = queue.subList(0, Math.min(max, queue.size()));
    List<T> group = new ArrayList<>(head);
    head.clear();
    return group;
  }

  private void writeLoop() {
    List<T> group = List.of();
    try {
      while (true) {
        synchronized (queue) {
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
          while (queue.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              writerRunning = false;
              return;
            }
            queue.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          }
          group = take.apply(queue);
        }
        write(group);
        group = List.of();
      }
    } catch (Throwable t) {
      List<T> failed = new ArrayList<>(group);
      synchronized (queue) {
        writerRunning = false;
        failed.addAll(queue);
        queue.clear();
      }
      failed.forEach(x -> x.done().completeExceptionally(t));
      if (t instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void write(List<T> group) {
    try {
      List<R> results = write.apply(group);
      for (int i = 0; i < group.size(); i++) {
        group.get(i).done().complete(results.get(i));
      }
    } catch (RuntimeException e) {
      if (group.size() == 1) {
        group.get(0).done().completeExceptionally(e);
        return;
      }
      // one failing item must not fail the others: write each on its own
      for (T one : group) {
        try {
          one.done().complete(write.apply(List.of(one)).get(0));
        } catch (RuntimeException single) {
          one.done().completeExceptionally(single);
        }
      }
    }
  }
}
