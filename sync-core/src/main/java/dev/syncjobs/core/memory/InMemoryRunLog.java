package dev.syncjobs.core.memory;

import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.port.RunLog;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link RunLog} in memory. Beyond {@code maxBytes} a log keeps its first half, a marker line, and
 * its most recent lines up to the other half.
 */
public final class InMemoryRunLog implements RunLog {
  static final String MARKER = "[... log truncated ...]\n";

  private final int maxBytes;
  private final Map<RunId, Entry> logs = new HashMap<>();

  public InMemoryRunLog() {
    this(1_048_576);
  }

  public InMemoryRunLog(int maxBytes) {
    if (maxBytes < 64) {
      throw new IllegalArgumentException("maxBytes must be at least 64");
    }
    this.maxBytes = maxBytes;
  }

  @Override
  public synchronized void append(RunId run, String line) {
    logs.computeIfAbsent(run, r -> new Entry()).append(line + "\n", maxBytes);
  }

  @Override
  public synchronized String read(RunId run) {
    Entry e = logs.get(run);
    return e == null ? "" : e.text();
  }

  private static final class Entry {
    private final StringBuilder head = new StringBuilder();
    private final StringBuilder tail = new StringBuilder();
    private int headBytes;
    private int tailBytes;
    private boolean truncated;

    void append(String line, int maxBytes) {
      int bytes = line.getBytes(StandardCharsets.UTF_8).length;
      int half = maxBytes / 2;
      if (!truncated && headBytes + bytes <= half) {
        head.append(line);
        headBytes += bytes;
        return;
      }
      truncated = true;
      tail.append(line);
      tailBytes += bytes;
      while (tailBytes > half && tail.length() > 0) {
        int nl = tail.indexOf("\n");
        String dropped = tail.substring(0, nl + 1);
        tail.delete(0, nl + 1);
        tailBytes -= dropped.getBytes(StandardCharsets.UTF_8).length;
      }
    }

    String text() {
      return truncated ? head + MARKER + tail : head.toString();
    }
  }
}
