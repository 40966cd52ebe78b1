package dev.syncjobs.core.port;

import dev.syncjobs.core.model.RunId;

/**
 * The text log of each run, capped in size: beyond the cap a log keeps its first and last half with
 * a marker line between them.
 */
public interface RunLog {

  /** Appends one line (a newline is added). */
  void append(RunId run, String line);

  /** Appends lines in order; stores may write them in one transaction. */
  default void appendAll(RunId run, java.util.List<String> lines) {
    for (String line : lines) {
      append(run, line);
    }
  }

  /** The whole log, or an empty string when the run logged nothing. */
  String read(RunId run);
}
