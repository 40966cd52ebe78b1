package dev.syncjobs.http;

import dev.syncjobs.core.version.Bookkeeping;
import dev.syncjobs.core.version.VersionFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether a listed file is unchanged since the previous version: by the previous version's
 * manifest entry (ETag, the listing's text, the time at the listing's precision, the size, and the
 * checksum when one is published), or without a manifest by size and time; and whether a whole
 * listing matches the previous version file for file, so a run can stage nothing.
 */
final class ChangeDetector {
  /** A checksum file's exact time and ETag, asked with a HEAD request. */
  interface Precise {
    RemoteFile apply(RemoteFile f) throws IOException;
  }

  private final Path previous;
  private final boolean previousHoldsOldRecords;
  private final Map<String, Manifest.Entry> oldManifest;
  private final boolean compareChecksums;
  private final Precise precise;

  /**
   * @param previous the previous version, or null
   * @param oldManifest the previous version's manifest (empty when it has none)
   * @param compareChecksums whether only a published checksum may prove a file unchanged
   */
  ChangeDetector(
      Path previous,
      Map<String, Manifest.Entry> oldManifest,
      boolean compareChecksums,
      Precise precise) {
    this.previous = previous;
    this.previousHoldsOldRecords = previous != null && Bookkeeping.predatesRecords(previous);
    this.oldManifest = oldManifest;
    this.compareChecksums = compareChecksums;
    this.precise = precise;
  }

  /** The previous manifest's entry for {@code path}, or null. */
  Manifest.Entry previousEntry(String path) {
    return oldManifest.get(path);
  }

  /**
   * Whether the listing names exactly the previous version's files (and folders that are empty in
   * the source), each unchanged: then nothing needs downloading or linking, and the staging
   * directory stays empty.
   */
  boolean matchesPrevious(Map<String, RemoteFile> remote, Set<String> emptyDirs)
      throws IOException {
    if (previous == null
        || !oldManifest.keySet().equals(remote.keySet())
        || Bookkeeping.holdsOldRecords(previous)) {
      // a previous version holding an earlier release's manifest is followed by one without it
      return false;
    }
    List<RemoteFile> checksumFiles = new ArrayList<>();
    if (!sameFilesUnchanged(remote, checksumFiles)) {
      return false;
    }
    for (String d : emptyDirs) {
      if (!Files.isDirectory(previous.resolve(d), LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
    }
    for (RemoteFile f : checksumFiles) {
      Manifest.Entry old = oldManifest.get(f.path());
      if (!unchanged(precise.apply(f), old, previous.resolve(f.path()), null)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the previous version holds exactly the listed files (as {@link VersionFiles#list} sees
   * it), each unchanged, checksum files without an ETag aside (added to {@code checksumFiles}, for
   * a HEAD request once the rest matched). Each file is compared as the walk finds it: no map of
   * the whole tree's attributes is kept.
   */
  private boolean sameFilesUnchanged(Map<String, RemoteFile> remote, List<RemoteFile> checksumFiles)
      throws IOException {
    if (!Files.isDirectory(previous)) {
      return remote.isEmpty();
    }
    long[] found = {0};
    boolean[] same = {true};
    VersionFiles.forEach(
        previous,
        (path, attrs) -> {
          RemoteFile f = remote.get(path);
          found[0]++;
          if (f == null) {
            same[0] = false;
          } else if (Checksums.isChecksumFile(f.path()) && f.etag() == null) {
            checksumFiles.add(f);
          } else {
            same[0] = unchanged(f, oldManifest.get(f.path()), attrs, null);
          }
          return same[0];
        });
    return same[0] && found[0] == remote.size();
  }

  boolean unchanged(RemoteFile f, Manifest.Entry old, Path prevFile, Checksums.Expected exp)
      throws IOException {
    BasicFileAttributes attrs = null;
    if (prevFile != null) {
      try {
        attrs =
            Files.readAttributes(prevFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        return false;
      }
    }
    return unchanged(f, old, attrs, exp);
  }

  /**
   * @param prev the previous version's file at the same path, or null
   */
  private boolean unchanged(
      RemoteFile f, Manifest.Entry old, BasicFileAttributes prev, Checksums.Expected exp) {
    if (prev == null || !prev.isRegularFile()) {
      return false;
    }
    long prevSize = prev.size();
    if (f.size() != null && f.size() != prevSize) {
      return false;
    }
    if (old == null) {
      if (compareChecksums || f.size() == null || f.mtime() == null) {
        return false;
      }
      Instant local = prev.lastModifiedTime().toInstant();
      return Math.abs(local.getEpochSecond() - f.mtime().getEpochSecond())
          < Math.max(1, f.precisionSeconds());
    }
    if (old.size() != prevSize) {
      return false;
    }
    if (exp != null && exp.algorithm().equals("SHA-256") && old.sha256() != null) {
      if (!exp.hex().equals(old.sha256())) {
        return false;
      }
      if (compareChecksums) {
        return true;
      }
    }
    if (compareChecksums) {
      return false;
    }
    if (f.etag() != null && old.etag() != null) {
      return f.etag().equals(old.etag());
    }
    if (f.listed() != null && old.listed() != null) {
      return f.listed().equals(old.listed());
    }
    if (f.mtime() != null && old.mtime() != null) {
      return Math.abs(f.mtime().getEpochSecond() - old.mtime()) < Math.max(1, f.precisionSeconds());
    }
    return false;
  }

  /**
   * The previous version's file at {@code path}, or null: never a record an earlier release kept at
   * the top of the version, which is no file of the source.
   */
  Path previousFile(String path) {
    if (previous == null) {
      return null;
    }
    Path file = previous.resolve(path);
    return Bookkeeping.isOldRecord(previous, file, previousHoldsOldRecords) ? null : file;
  }

  /** Whether a download's validators say it is the very file the listing described. */
  static boolean sameAsListed(RemoteFile f, Downloader.Result r) {
    if (f.etag() != null && r.etag() != null) {
      return f.etag().equals(r.etag());
    }
    return f.mtime() != null
        && r.lastModified() != null
        && Math.abs(r.lastModified().getEpochSecond() - f.mtime().getEpochSecond())
            < Math.max(1, f.precisionSeconds());
  }
}
