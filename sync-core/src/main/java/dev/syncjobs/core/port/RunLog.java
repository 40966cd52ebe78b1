package dev.syncjobs.core.port;

import dev.syncjobs.core.model.RunId;
import java.util.List;
import java.util.Map;

/**
 * The text log of each run, capped in size: beyond the cap a log keeps its first and last half with
 * a marker line between them.
 */
public interface RunLog {

  /** Appends one line (a newline is added). */
  void append(RunId run, String line);

  /** Appends lines in order; stores may write them in one transaction. */
  default void appendAll(RunId run, List<String> lines) {
    for (String line : lines) {
      append(run, line);
    }
  }

  /**
   * Appends lines to several runs' logs, each run's lines in order as {@link #appendAll(RunId,
   * List)} does; stores may write them all in one transaction. When some run's lines cannot be
   * written the others still are, and the first failure is thrown.
   */
  default void appendAll(Map<RunId, List<String>> linesByRun) {
    RuntimeException first = null;
    for (var e : linesByRun.entrySet()) {
      try {
        appendAll(e.getKey(), e.getValue());
      } catch (RuntimeException failure) {
        if (first == null) {
          first = failure;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** The whole log, or an empty string when the run logged nothing. */
  String read(RunId run);
}
