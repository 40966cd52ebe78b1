package dev.syncjobs.core.port;

import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.staging.StagingPaths;

/**
 * Fills a staging directory from a source. The engine owns everything around it: the staging
 * directory, change detection, carrying removed files over, publishing and pruning.
 *
 * <p>Contract for implementations:
 *
 * <ul>
 *   <li>After a successful return the staging directory holds exactly the (filtered) source tree.
 *       Files unchanged since {@link TransferRequest#previousVersion()} are hard links to the
 *       previous version's files (same inode), so the engine can tell "nothing changed".
 *   <li>Files are written under a temporary name and renamed when complete; a file never appears
 *       under its own name half-written. Leftovers in the staging directory from an interrupted
 *       earlier attempt may be reused to resume.
 *   <li>Nothing is written outside the staging directory (no symlink may point outside it), not
 *       even through a link found in it, except the transfer's own state (a manifest, partial
 *       downloads), which goes to the staging directory's records folder ({@link
 *       dev.syncjobs.core.version.Bookkeeping}) and never into the staging directory. Where each
 *       name of the source lands is {@link StagingPaths}' to say: kept byte for byte; a name the
 *       backend cannot hold is skipped, logged and counted in {@link
 *       TransferReport#filesSkipped()}, never a failed run.
 *   <li>Files keep the source's permission bits without the write bits (a source without modes,
 *       such as HTTP: 0444 files, 0755 folders); no file is readable by more users than its source.
 *   <li>Never writes into a file of the previous version: those are shared hard links.
 *   <li>Reports progress through {@link TransferRequest#progress()} (the engine throttles).
 *   <li>Stops within a few seconds of {@link TransferRequest#cancel()} being cancelled, throwing
 *       {@link CancelledException}.
 * </ul>
 *
 * <p>sync-core's test-jar holds {@code TransferContract}, the suite every implementation passes
 * against a real source.
 */
public interface Transfer {

  /** Whether this transfer handles the source (by its scheme). */
  boolean supports(Source source);

  /**
   * Copies the source into {@code request.staging()}.
   *
   * @throws TransferException when the source cannot be mirrored; its message is the run's error
   * @throws CancelledException when cancelled
   */
  TransferReport transfer(TransferRequest request);

  /**
   * Whether every file this transfer writes into the staging directory is already without write
   * permission (e.g. rsync's {@code --chmod=Fa-w}). The engine then need not walk a first version
   * (one without a previous version to compare with) before publishing it, nor look at any staged
   * file again to take its write permission away.
   */
  default boolean writesReadOnlyFiles() {
    return false;
  }

  /**
   * Whether this transfer creates {@code request.staging()} itself ({@code
   * Files.createDirectories}) before it writes anything into it. The engine then hands over a
   * staging path that may not exist yet (leftovers of an interrupted attempt still exist), and a
   * run that writes nothing (the source is unchanged) creates and removes no directory. By default
   * the engine creates the staging directory before the transfer starts.
   */
  default boolean createsStaging() {
    return false;
  }
}
