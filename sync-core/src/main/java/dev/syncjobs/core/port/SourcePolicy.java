package dev.syncjobs.core.port;

import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceRefusedException;
import dev.syncjobs.core.model.ValidationException;

/**
 * Which sources jobs may read. Asked when a job is saved and again when each of its runs starts,
 * before anything is staged: what a path or a name points at can change after the job was saved (a
 * symbolic link swapped in, the rules narrowed), and the run must follow the rules in force when it
 * starts. The transfer then reads the source this returns, not the one the job names, so it does
 * not resolve the user's path a second time.
 */
public interface SourcePolicy {

  /** Allows every source, as written: the default for embedders. */
  SourcePolicy ALLOW_ALL =
      new SourcePolicy() {
        @Override
        public void checkSaved(Source source) {}

        @Override
        public Source admit(Source source) {
          return source;
        }
      };

  /**
   * Checks a source as a job is created or its source changes.
   *
   * @throws ValidationException naming {@code source_url} when the source is not allowed
   */
  void checkSaved(Source source);

  /**
   * Checks a source as a run starts.
   *
   * @return the source to read: {@code source} itself, or an equivalent one the check pinned (a
   *     local source's real path, every link resolved)
   * @throws SourceRefusedException when the source is not allowed now; the run fails with its
   *     message and reads nothing
   */
  Source admit(Source source);
}
