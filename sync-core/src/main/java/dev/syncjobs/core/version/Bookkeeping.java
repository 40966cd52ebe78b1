package dev.syncjobs.core.version;

import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.staging.StagingPaths;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where syncjobs keeps its own records of a destination's versions and staging directories: beside
 * them, in {@code <destination>/.syncjobs/<name>/} for the version or staging directory {@code
 * <destination>/<name>}, never inside one. A version therefore holds exactly the source's files.
 *
 * <p>The records of a staging directory (an HTTP manifest being written, partial downloads, rsync's
 * partial files) lie on the same file system as the staging directory, so a finished file is
 * renamed into place; publishing renames them to the version's records, and pruning a version
 * removes them. Every version published since records moved out of the versions has a records
 * folder, perhaps empty; a version without one was published by an earlier release, which kept its
 * records (an HTTP manifest, {@value #OLD_PREFIX}{@code -manifest.tsv}) as top-level {@value
 * #OLD_PREFIX}{@code *} entries inside the version and never let a source's file take such a name.
 */
public final class Bookkeeping {
  /** The folder of the destination that holds the records. */
  public static final String DIR = Destination.RESERVED_PREFIX;

  /** Prefix of the top-level names an earlier release kept its records under, inside a version. */
  public static final String OLD_PREFIX = Destination.RESERVED_PREFIX;

  private static final Pattern VERSION = Pattern.compile("\\d{8}T\\d{6}Z(-\\d+)?");

  private Bookkeeping() {}

  /**
   * The records folder of a version or staging directory (it may not exist): {@code
   * <parent>/.syncjobs/<name>}.
   */
  public static Path of(Path versionOrStaging) {
    Path abs = versionOrStaging.toAbsolutePath().normalize();
    return abs.resolveSibling(DIR).resolve(abs.getFileName());
  }

  /**
   * Creates the records folder of {@code versionOrStaging} (and {@code .syncjobs} above it) if
   * missing, following no symbolic link: a link or a file standing in the way is removed, since
   * nothing but syncjobs writes there. Returns it.
   */
  public static Path create(Path versionOrStaging) throws IOException {
    Path records = of(versionOrStaging);
    StagingPaths.ensureDirectory(records.getParent(), null);
    StagingPaths.ensureDirectory(records, null);
    return records;
  }

  /**
   * Whether {@code version} was published by an earlier release that kept its records inside it: a
   * version-named folder without a records folder beside it. Its top-level {@value #OLD_PREFIX}
   * {@code *} entries are syncjobs' records, not files of the source.
   */
  public static boolean predatesRecords(Path version) {
    if (version == null || version.getFileName() == null) {
      return false;
    }
    return VERSION.matcher(version.getFileName().toString()).matches()
        && !Files.isDirectory(of(version), LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Whether {@code version} {@linkplain #predatesRecords predates records} and holds some: a run
   * whose source is unchanged still publishes a new version then, so that {@code current} holds the
   * source's files alone (the old version is not changed in place).
   */
  public static boolean holdsOldRecords(Path version) throws IOException {
    if (!predatesRecords(version)) {
      return false;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(version, OLD_PREFIX + "*")) {
      return s.iterator().hasNext();
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /**
   * Whether {@code p}, found in the tree {@code root}, is a record an earlier release kept there.
   */
  public static boolean isOldRecord(Path root, Path p, boolean rootPredatesRecords) {
    return rootPredatesRecords
        && root.equals(p.getParent())
        && p.getFileName().toString().startsWith(OLD_PREFIX);
  }
}
